package t.okint;

public class Ints {
    static int add(int a, int b) { return a + b; }
    static short cmp(short a, short b) { if (a + b > 10) return 1; return 0; }
    static int big() { return 100000; }
    static short trunc(int a) { return (short) a; }
    static int widen(short s) { return s; }
    static int itab(int k) { switch (k) { case 1: return 1; case 2: return 2; case 3: return 3; default: return 0; } }
    static int local(short s) { int x = s; x = x * 3; return x; }
    /* the stored short is also an int operand below the top: converted by swapping it up */
    static int chain(short a, short b, int i) { short s; int r = (s = (short) (a + b)) + i; return r + s; }
    int f;
    int getF() { return f; }
    /* an int constant keeps its int value under % / >> (only the result is narrowed) */
    static short remk(short a) { return (short) (0x12345678 % a); }
    static short divk(short a) { return (short) (a / -70000); }
    static short shrk(short a) { return (short) (0x18000 >> a); }
    static short ushrk(short a) { return (short) (0x12345678 >>> a); }
    /* an int index is range-checked while narrowed: beyond the short range it becomes -1 */
    static byte idx(byte[] b, int i) { return b[i]; }
    /* ... but narrows under + (the low 16 bits of a sum depend only on the operands' low bits) */
    static short addk(short a) { return (short) (0x12345678 + a); }
}
