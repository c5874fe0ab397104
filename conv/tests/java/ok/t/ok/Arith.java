package t.ok;

/* Arithmetic on short and byte: javac computes in int and casts; the converter must use short instructions. */
public class Arith {
    static short add(short a, short b) { return (short) (a + b); }
    static short sub(short a, short b) { return (short) (a - b); }
    static short mul(short a, short b) { return (short) (a * b); }
    static short div(short a, short b) { return (short) (a / b); }
    static short rem(short a, short b) { return (short) (a % b); }
    static short neg(short a) { return (short) -a; }
    static short shl(short a, short b) { return (short) (a << b); }
    static short shr(short a, short b) { return (short) (a >> b); }
    static short ushr(short a, short b) { return (short) (a >>> b); }
    static short and(short a, short b) { return (short) (a & b); }
    static short or(short a, short b) { return (short) (a | b); }
    static short xor(short a, short b) { return (short) (a ^ b); }
    static byte tob(short a) { return (byte) a; }
    static byte addb(byte a, byte b) { return (byte) (a + b); }
    static short chain(short a, short b, short c) { return (short) (a * b + c); }
    static short k5() { return 5; }
    static short k100() { return 100; }
    static short k1000() { return 1000; }
    static short km1() { return -1; }
    static short inc(short a) { a++; return a; }
    static short incw(short a) { a += 1000; a -= 3; return a; }
    static byte incb(byte b) { b++; return b; }
    static short addmin(short v) { v += (short) 0x8000; return v; }
    /* javac's ldc 32768 with iadd (v -= -32768) and on a byte local (no sinc: it wraps at 8 bits) */
    static short submin(short v) { v -= (short) 0x8000; return v; }
    static byte addminb(byte b) { b += (short) 0x8000; return b; }
    static short xormin(short a, short b) { return (short) ((a ^ (short) 0x8000) + b); }
    static short masked(byte b) { return (short) (b & 0xFF); }
    static boolean not(boolean z) { return !z; }
}
