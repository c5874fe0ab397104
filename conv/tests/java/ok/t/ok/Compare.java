package t.ok;

/* Every branch form; far() needs the long (_w) forms. */
public class Compare {
    static short lt(short a, short b) { if (a < b) return 1; return 0; }
    static short le(short a, short b) { if (a <= b) return 1; return 0; }
    static short eq(short a, short b) { if (a == b) return 1; return 0; }
    static short eqz(short a) { if (a == 0) return 1; return 0; }
    static short gtz(short a) { if (a > 0) return 1; return 0; }
    static short isnull(Object o) { if (o == null) return 1; return 0; }
    static short nonnull(Object o) { if (o != null) return 1; return 0; }
    static short same(Object a, Object b) { if (a == b) return 1; return 0; }
    static short loop(short n) { short s = 0; for (short i = 0; i < n; i++) s += i; return s; }
    static short far(short a) {
        if (a == 0) {
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
            a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3); a = (short) (a * 3);
        }
        return a;
    }
    static short cond(boolean z, short a, short b) { return z ? a : b; }
    static short sum(byte[] a) { short s = 0; for (byte b : a) s += b; return s; }
    static short tern(boolean z, short a) { if ((z ? 1 : 0) == a) return 1; return 0; }
    static short ub(byte[] b) { if ((b[0] & 0xFF) > 0x7F) return 1; return 0; }
}
