package com.cardlet.tests.vmconform;

/**
 * Constructs chosen for the instruction forms they convert to: int locals in each slot
 * (iload_n / istore_n), stores to parameter 0 (astore_0, sstore_0), a discarded int (pop2),
 * assignment chains (dup_x), iinc_w, sipush, field stores on this (putfield_<t>_this).
 */
final class Forms {
    byte b;
    int i;

    private Forms() {
    }

    static int slot0(int a, int b) {
        a = a * 3;                                           // istore_0
        b = b + a;                                           // istore_2, iload_2
        return a ^ b;
    }

    static int slot1(short s, int x) {
        x = x - s;                                           // istore_1
        return x;
    }

    static int slot3(short s, short t, short u, int x) {
        x = x + 1000;                                        // istore_3, sipush
        x += 1000;                                           // iinc_w
        return x + s + t + u;
    }

    static short param0(short v) {
        v = (short) (v + 1);                                 // sstore_0
        return v;
    }

    static short ref0(Object o) {
        o = null;                                            // astore_0
        return (short) (o == null ? 1 : 0);
    }

    void setB(byte v) {
        b = v;                                               // putfield_b_this
    }

    int addI(int v) {
        i = v;                                               // putfield_i_this
        return i;                                            // getfield_i_this
    }

    static short run(byte op, short v) {
        switch (op) {
        case 0: return (short) slot0(v, 7);
        case 1: return (short) slot1((short) 5, v);
        case 2: return (short) slot3((short) 1, (short) 2, (short) 3, v);
        case 3: return param0(v);
        case 4: return ref0(new Object());
        case 5: {
            IntOps.calc((byte) 0, v, v);                     // int result dropped: pop2
            return v;
        }
        case 6: {
            short[] a = new short[2];
            short r;
            r = a[(short) (v & 1)] = (short) (v * 2);        // dup_x: value under array and index
            return (short) (r + a[0] + a[1]);
        }
        case 7: {
            Forms f = new Forms();
            int r;
            r = f.i = v * 70000;                             // dup_x with an int value
            f.setB((byte) v);
            return (short) ((r >> 16) + f.b + f.addI(v));
        }
        case 8: {
            int[] a = new int[2];
            int r;
            r = a[1] = v * 3;                                // int value under array and index
            return (short) (r + a[1]);
        }
        default: return (short) 0x7777;
        }
    }
}
