package com.cardlet.tests.vmconform;

/** Branches of every form, dense and sparse switches, loops. */
final class Flow {
    private Flow() {
    }

    static short branch(byte op, short a, short b) {
        Object o = null;
        if (a != 0) o = new Object();
        Object p = o;
        if (b != 0) p = new Object();
        switch (op) {
        case 0: return (short) (a == b ? 1 : 2);            // if_scmpne
        case 1: return (short) (a != b ? 1 : 2);            // if_scmpeq
        case 2: return (short) (a < b ? 1 : 2);
        case 3: return (short) (a <= b ? 1 : 2);
        case 4: return (short) (a > b ? 1 : 2);
        case 5: return (short) (a >= b ? 1 : 2);
        case 6: return (short) (a == 0 ? 1 : 2);            // ifne
        case 7: return (short) (a != 0 ? 1 : 2);            // ifeq
        case 8: return (short) (a < 0 ? 1 : 2);
        case 9: return (short) (a <= 0 ? 1 : 2);
        case 10: return (short) (a > 0 ? 1 : 2);
        case 11: return (short) (a >= 0 ? 1 : 2);
        case 12: return (short) (o == null ? 1 : 2);        // ifnonnull
        case 13: return (short) (o != null ? 1 : 2);        // ifnull
        case 14: return (short) (o == p ? 1 : 2);           // if_acmpne
        case 15: return (short) (o != p ? 1 : 2);           // if_acmpeq
        case 16: return (short) ((a > 0 && b > 0) || (a < -100 && b < -100) ? 1 : 2);
        case 17: {
            boolean x = a > b;
            boolean y = !x;
            return (short) ((x ^ y) && !(x & y) ? (x ? 3 : 4) : 5);
        }
        case 18: return far(a, b);
        default: return (short) 0x7777;
        }
    }

    /** A conditional branch over more than 127 bytes of code: the wide (_w) forms. */
    static short far(short a, short b) {
        short r = 0;
        if (a < b) {
            r = (short) (r + a * 3); r = (short) (r ^ b); r = (short) (r + a * 5); r = (short) (r ^ (b << 1));
            r = (short) (r + a * 7); r = (short) (r ^ (b << 2)); r = (short) (r + a * 9); r = (short) (r ^ (b << 3));
            r = (short) (r + a * 11); r = (short) (r ^ (b << 4)); r = (short) (r + a * 13); r = (short) (r ^ (b << 5));
            r = (short) (r + a * 15); r = (short) (r ^ (b << 6)); r = (short) (r + a * 17); r = (short) (r ^ (b << 7));
            r = (short) (r + a * 19); r = (short) (r ^ (b << 8)); r = (short) (r + a * 21); r = (short) (r ^ (b << 9));
            r = (short) (r + a * 23); r = (short) (r ^ (b << 10)); r = (short) (r + a * 25); r = (short) (r ^ (b << 11));
            r = (short) (r + a * 27); r = (short) (r ^ (b << 12)); r = (short) (r + a * 29); r = (short) (r ^ (b << 13));
        } else {
            r = (short) (r - a); r = (short) (r ^ b); r = (short) (r - a * 5); r = (short) (r ^ (b >> 1));
            r = (short) (r - a * 7); r = (short) (r ^ (b >> 2)); r = (short) (r - a * 9); r = (short) (r ^ (b >> 3));
            r = (short) (r - a * 11); r = (short) (r ^ (b >> 4)); r = (short) (r - a * 13); r = (short) (r ^ (b >> 5));
            r = (short) (r - a * 15); r = (short) (r ^ (b >> 6)); r = (short) (r - a * 17); r = (short) (r ^ (b >> 7));
            r = (short) (r - a * 19); r = (short) (r ^ (b >> 8)); r = (short) (r - a * 21); r = (short) (r ^ (b >> 9));
            r = (short) (r - a * 23); r = (short) (r ^ (b >> 10)); r = (short) (r - a * 25); r = (short) (r ^ (b >> 11));
        }
        for (short i = 0; i < 3; i++) {
            r = (short) (r + i * 31); r = (short) (r ^ (i << 3)); r = (short) (r + a * 37); r = (short) (r ^ (b + i));
            r = (short) (r + i * 41); r = (short) (r ^ (i << 5)); r = (short) (r + a * 43); r = (short) (r ^ (b - i));
            r = (short) (r + i * 47); r = (short) (r ^ (i << 7)); r = (short) (r + a * 53); r = (short) (r ^ (b * i));
            r = (short) (r + i * 59); r = (short) (r ^ (i << 9)); r = (short) (r + a * 61); r = (short) (r ^ (b | i));
            r = (short) (r + i * 67); r = (short) (r ^ (i << 2)); r = (short) (r + a * 71); r = (short) (r ^ (b & i));
        }
        return r;
    }

    static short switches(byte op, short v) {
        switch (op) {
        case 0: return dense(v);
        case 1: return sparse(v);
        case 2: return fallthrough(v);
        case 3: return byteSwitch((byte) v);
        default: return (short) 0x7777;
        }
    }

    /** Dense: stableswitch. */
    static short dense(short v) {
        switch (v) {
        case -2: return 100;
        case -1: return 101;
        case 0: return 102;
        case 1: return 103;
        case 2: return 104;
        case 3: return 105;
        case 4: return 106;
        default: return -1;
        }
    }

    /** Sparse: slookupswitch. */
    static short sparse(short v) {
        switch (v) {
        case -32768: return 1;
        case -1000: return 2;
        case 0: return 3;
        case 77: return 4;
        case 1000: return 5;
        case 32767: return 6;
        default: return -1;
        }
    }

    static short fallthrough(short v) {
        short r = 0;
        switch (v) {
        case 1: r += 1;
        case 2: r += 10;
        case 3: r += 100; break;
        case 4: r += 1000;
        default: r += 5;
        }
        return r;
    }

    static short byteSwitch(byte b) {
        switch (b) {
        case (byte) 0x80: return 1;
        case (byte) 0xFF: return 2;
        case 0x7F: return 3;
        case 0x10: return 4;
        default: return 0;
        }
    }

    static short loops(byte op, short n) {
        short r = 0;
        switch (op) {
        case 0:
            for (short i = 0; i < n; i++) r = (short) (r + i);
            return r;
        case 1: {
            short i = n;
            while (i > 0) { r = (short) (r * 3 + i); i = (short) (i >> 1); }
            return r;
        }
        case 2: {
            short i = 0;
            do { r = (short) (r + 7); i++; } while (i < n);
            return r;
        }
        case 3:
            outer:
            for (short i = 0; i < 20; i++) {
                for (short j = 0; j < 20; j++) {
                    if (j > i) continue outer;
                    if ((short) (i * j) > n) break outer;
                    r++;
                }
            }
            return r;
        case 4:
            for (short i = n; i != 0; i = (short) (i & (short) (i - 1))) r++; // popcount
            return r;
        case 5: {
            short a = 0, b = 1;
            for (short i = 0; i < (short) (n & 31); i++) { short t = (short) (a + b); a = b; b = t; }
            return a;
        }
        default: return (short) 0x7777;
        }
    }
}
