package com.cardlet.tests.vmconform;

/**
 * short arithmetic: every result is cast back to short, the Java Card way, so that Java's
 * int arithmetic followed by the cast and the JCVM's 16-bit instructions must agree.
 */
final class ShortOps {
    private ShortOps() {
    }

    static short binary(byte op, short a, short b) {
        short r;
        switch (op) {
        case 0: r = (short) (a + b); break;                 // sadd, 0x7FFF + 1 wraps
        case 1: r = (short) (a - b); break;                 // ssub
        case 2: r = (short) (a * b); break;                 // smul, low 16 bits
        case 3: r = (short) (a / b); break;                 // sdiv, -32768 / -1, rounding toward 0
        case 4: r = (short) (a % b); break;                 // srem, sign of the dividend
        case 5: r = (short) -a; break;                      // sneg, -(-32768)
        case 6: r = (short) (a << b); break;                // sshl, count taken mod 32
        case 7: r = (short) (a >> b); break;                // sshr
        case 8: r = (short) (a >>> b); break;               // sushr on the sign-extended value
        case 9: r = (short) (a & b); break;                 // sand
        case 10: r = (short) (a | b); break;                // sor
        case 11: r = (short) (a ^ b); break;                // sxor
        case 12: r = (short) ~a; break;                     // sxor with -1
        case 13: r = (byte) a; break;                       // s2b
        case 14: r = a; r += 1000; break;                   // sinc_w
        case 15: r = a; r++; r -= 3; break;                 // sinc
        case 16: r = (short) (a * 3 + b / 7 - (a ^ b)); break;
        case 17: r = (short) ((a << 4) >> 2); break;
        case 18: r = (short) (a < b ? a : b); break;
        case 19: r = (short) ((short) (a * a) % (short) (b | 1)); break;
        case 20: r = (short) (a >> (b & 15)); break;
        case 21: r = (short) ((a & 0xFF) + (b & 0xFF00)); break; // sspush of 0x00FF / 0xFF00 constants
        case 22: r = (short) (a + 127); break;              // bspush range
        case 23: r = (short) (a - 128 + 32767); break;      // sspush
        case 24: { short x = a; x <<= 3; x >>= 1; x ^= b; x |= 1; x &= (short) 0x7FF0; r = x; break; }
        case 25: r = (short) (b == 0 ? 0 : a / b * b + a % b); break; // a, when b != 0
        default: r = (short) 0x7777; break;
        }
        return r;
    }
}
