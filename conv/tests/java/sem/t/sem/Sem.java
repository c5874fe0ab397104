package t.sem;

/* Arithmetic for the semantic test: each method runs on a small JVM model and, converted, on a
 * small JCVM model; the results must agree for every input tried (conv_semantics_test.c). */
public class Sem {
    /* objects for the g* methods: fields of two types and a reference */
    static final class Cell {
        short s;
        byte b;
        Cell next;
    }

    static short g1(short a, short b, byte c) {
        short[] arr = new short[4];
        Cell cell = new Cell();
        cell.next = cell;
        if ((a & 1) != 0) cell.next = new Cell();
        cell.s = (short) (a ^ b);
        cell.next.b = c;
        short r = 0;
        try {
            r = (short) (cell.s / c);
            arr[(short) (a & 3)] = r;
        } catch (ArithmeticException e) {
            r = -1;
        } finally {
            r ^= 0x55;
        }
        for (short i = 0; i < 4; i++) r += arr[i];
        return (short) (r + cell.next.b + cell.s);
    }
    static short g2(short a, short b, byte c) {
        byte[] buf = new byte[8];
        try {
            buf[(short) (a & 15)] = c;
        } catch (ArrayIndexOutOfBoundsException e) {
            return 7;
        }
        short sum = 0;
        for (byte x : buf) sum += x;
        return (short) (buf[(short) (a & 7)] + b + sum);
    }
    static short g3(short a) { short r = 0; try { r = (short) (100 / (a & 3)); } finally { r++; } return r; }

    static short f1(short a, short b) { return (short) ((a * b + 7) >> 2); }
    static short f2(short a, short b) { short r = 0; for (short i = 0; i < (short) (a & 15); i++) r = (short) (r * 31 + b); return r; }
    static byte f3(byte a, byte b) { return (byte) ((a ^ b) << 3); }
    static short f4(short a) {
        switch (a & 7) { case 0: return 1; case 3: return (short) (a * 2); case 5: return (short) -a; default: return (short) (a >>> 4); }
    }
    static int f5(short a, short b) { return a * b; }
    static short f6(short a, short b) { if (a + b > 100) return 1; return 0; }
    static int f7(int x, short s) { return (x >> 3) + s * 1000 - (x % 7); }
    static short f8(short a, short b) { return (short) (b != 0 ? a / b : a % 3); }
    static short f9(short a) { return (short) ((a & 0xFF) > 0x7F ? 1 : 2); }
    static short f10(short a, short b) { short x = a; x += b; x <<= 1; x ^= 0x5A5A; return x; }
    static int f11(int a) { switch (a) { case -100000: return 1; case 5: return 2; case 70000: return 3; default: return 4; } }
    static short f12(short a, short b) { return (short) ((a < b ? a : b) * 3); }
    static int f13(byte a, short b, int c) { return (byte) (a + b) + (short) (c >>> 20); }
    static short f14(short a, short b) { return (short) ((a >>> 3) + (b >> 1) - (a << 2)); }
    static short f15(short n) { short s = 0; short i = (short) (n & 255); while (i > 0) { s += i; i -= 3; } return s; }
    static int f16(int a, int b) { int m = 0; if (a < b) m = b - a; else if (a == b) m = 1; else m = a / (b == 0 ? 1 : b); return m; }
    static short f17(short a) { short r = (short) (a / 7); r %= 5; return (short) (r * r - a); }
    static short f18(short a, short b) {
        short r = 0;
        for (short i = 0; i < 4; i++) {
            switch ((short) ((a + i) & 3)) {
            case 0: r += b; break;
            case 1: r ^= b; break;
            case 2: r = (short) (r << 1); break;
            default: r--; break;
            }
        }
        return r;
    }
    static boolean f19(short a, short b) { return a > b && (a & 1) == 0 || b == 7; }
    static int f21(short a, short b, int i) { short s; int r = (s = (short) (a + b)) + i; return r + s; }
    static short f22(short a, short b) { short x = a; short y = (short) (x++ + ++b); return (short) (x * y - b); }
    static int f20(short a) { int x = a; x = x * x * x; return x >> 5; }

    /* int constants and int values under / % >> >>>: their full value matters there, so they must
     * not be narrowed to their low 16 bits before the operation (only the result is narrowed) */
    static short n1(short a) { return (short) (0x12345678 % a); }
    static short n2(short a) { return (short) (-70000 / a); }
    static short n3(short a) { return (short) (a / 0x12345678); }
    static short n4(short a) { return (short) (a % 0x18000); }
    static short n5(short a) { return (short) (0x18000 >> a); }
    static short n6(short a) { return (short) (-70000 >>> a); }
    static byte n7(short a) { return (byte) (0x12345678 % a); }
    static short n8(short a, short b) { return (short) ((a * b) % 1000 + (a << 20 >> 18)); }
    static short n9(short a, short b) { int k = 0x12345678; k ^= b; return (short) (k / a); }
    static short n10(short a, short b) { return (short) ((a + 0x12345) % b - (0x12345678 >>> (a & 7))); }
    static short n11(short a, short b) { short r = (short) (0x40000 / (b | 1)); r += (short) 0x8000; return (short) (r - a); }
    static short n12(short a) { return (short) ((short) 0x12345678 % a); }
    static short n13(short a, short b) { return (short) ((a > b ? 0x12345 : a) % b + ((a ^ 0x18000) >> (b & 15))); }
    /* an int array index that does not fit in a short must not wrap onto an element */
    static short n15(int i, short v) { byte[] b = new byte[4]; b[i & 0x10003] = (byte) v; return (short) (b[3] + b[(short) i & 3] + b[i >> 15]); }
    static short n16(short v) { short[] t = new short[3]; t[2] = v; return t[v > 0 ? 2 : 0x10002]; }
    static int n17(int i, short a) { i += 300; i -= 1000; return i * a + (i >>> 20); }
    static byte n18(int i, byte v, short s) { byte[] b = new byte[4]; b[i] += v; b[s & 3] -= (byte) s; return (byte) (b[i & 3] + b[s & 3]); }
    static short n14(short a, short b) { return (short) ((a & 0x1FFFF) / b - (a & 0x7FFF) % b); }
}
