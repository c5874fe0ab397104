package t.ok;

public class Fields {
    byte b;
    short s;
    boolean z;
    Object o;
    public short ps;
    static byte sb;
    static short ss;
    static boolean sz;
    static Object so;
    static final byte[] TABLE = { 1, 2, 3 };
    static final short[] WORDS = { 0x1234, -2 };
    static short init = 7;
    static final short CONST = 42;

    short getS() { return s; }
    void setS(short v) { s = v; }
    byte getB() { return b; }
    boolean getZ() { return z; }
    Object getO() { return o; }
    short other(Fields f) { return f.s; }
    static short gss() { return ss; }
    static void pss(short v) { ss = v; }
    static byte gsb() { return sb; }
    static Object gso() { return so; }
    static byte tab(short i) { return TABLE[i]; }
    static short k() { return CONST; }
    void incS() { s++; }
}
