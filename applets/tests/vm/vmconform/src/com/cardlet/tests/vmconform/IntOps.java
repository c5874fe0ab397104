package com.cardlet.tests.vmconform;

/**
 * int arithmetic (the package says int yes): the i* instructions, conversions between int,
 * short and byte, int fields, statics, arrays, comparisons and the int switches.
 */
final class IntOps {
    private static int si = 0x12345678;
    private static final int[] TABLE = { 0, 1, -1, 0x7FFFFFFF, 0x80000000, 65536, -65536 };
    private int fi;

    private IntOps() {
    }

    static int i(byte[] in, short off) {
        return (in[off] << 24) | ((in[(short) (off + 1)] & 0xFF) << 16)
                | ((in[(short) (off + 2)] & 0xFF) << 8) | (in[(short) (off + 3)] & 0xFF);
    }

    static short run(byte op, byte[] in, short off, byte[] out) {
        int a = i(in, off);
        int b = i(in, (short) (off + 4));
        int r = calc(op, a, b);
        out[0] = (byte) (r >> 24);
        out[1] = (byte) (r >> 16);
        out[2] = (byte) (r >> 8);
        out[3] = (byte) r;
        return 4;
    }

    static int calc(byte op, int a, int b) {
        switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return a % b;
        case 5: return -a;
        case 6: return a << b;
        case 7: return a >> b;
        case 8: return a >>> b;
        case 9: return a & b;
        case 10: return a | b;
        case 11: return a ^ b;
        case 12: return (short) a;                           // i2s
        case 13: return (byte) a;                            // i2b
        case 14: { short s = (short) a; return s * b; }      // s2i then imul
        case 15: { int x = a; x += 100; x -= 70000; x++; return x; } // iinc, iinc_w
        case 16: return a < b ? -1 : (a == b ? 0 : 1);       // icmp + branches
        case 17: return a >= b ? 1 : 0;
        case 18: return 0x01020304 + a;                      // iipush
        case 19: return a * 5 + 2 - 1 + 3 + 4;               // iconst_*
        case 20: return isw(a);
        case 21: return ilook(a);
        case 22: {
            int[] arr = new int[3];                          // newarray int, iastore, iaload
            arr[0] = a;
            arr[1] = b;
            arr[2] = arr[0] ^ arr[1];
            return arr[2] + arr.length;
        }
        case 23: si += a; return si;                         // getstatic_i / putstatic_i
        case 24: {
            IntOps o = new IntOps();
            o.fi = a;
            o.fi *= b;                                       // getfield_i / putfield_i
            return o.fi;
        }
        case 25: return TABLE[(short) (a & 7) % 7];          // static int array initializer
        case 26: {
            byte bb = (byte) b;
            short ss = (short) a;
            return bb + ss;                                  // s2i of both: byte and short locals
        }
        case 27: return -1 - a;
        case 28: {
            int r = 0;
            if (a == 0) r += 1;
            if (b != 0) r += 2;
            if (a < 0) r += 4;
            if (b > 0) r += 8;
            return r;
        }
        case 29: {
            // The same with the int result below a short: the short must widen under the int.
            int x = a;
            short ss = (short) b;
            return x * 3 + ss;
        }
        case 30: return ((short) a) + b;                     // s2i of the lower operand
        case 31: return (a == 0 ? 1 : 0) + (b != 0 ? 2 : 0) + (a < 0 ? 4 : 0); // short constants at joins, widened below the top (swap_x)
        default: return 0x77777777;
        }
    }

    /** Dense int switch: itableswitch. */
    static int isw(int v) {
        switch (v) {
        case 100000: return 1;
        case 100001: return 2;
        case 100002: return 3;
        case 100003: return 4;
        case 100004: return 5;
        default: return -1;
        }
    }

    /** Sparse int switch: ilookupswitch. */
    static int ilook(int v) {
        switch (v) {
        case -2000000000: return 10;
        case -1: return 20;
        case 70000: return 30;
        case 2000000000: return 40;
        default: return -1;
        }
    }
}
