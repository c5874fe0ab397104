package com.cardlet.tests.vmconform;

/**
 * Narrowing of int operations to short ones: (short) (K op s) and (short) (s op K) with an int
 * constant K, and (short) (i op s) with an int variable, for every binary operator. The low 16 bits
 * of + - * & | ^ << depend only on the operands' low 16 bits (a converter may narrow them); those of
 * / % >> >>> do not (it must not). Case number = operator index * 9 + form * 3 + constant index.
 */
final class Narrow {
    private Narrow() {
    }

    static short run(short op, short s, int i) {
        switch (op) {
        case 0: return (short) (0x12345678 + s);
        case 1: return (short) (-70000 + s);
        case 2: return (short) (0x18000 + s);
        case 3: return (short) (s + 0x12345678);
        case 4: return (short) (s + -70000);
        case 5: return (short) (s + 0x18000);
        case 6: return (short) ((i + 0x12345678) + s);
        case 7: return (short) ((i + -70000) + s);
        case 8: return (short) ((i + 0x18000) + s);
        case 9: return (short) (0x12345678 - s);
        case 10: return (short) (-70000 - s);
        case 11: return (short) (0x18000 - s);
        case 12: return (short) (s - 0x12345678);
        case 13: return (short) (s - -70000);
        case 14: return (short) (s - 0x18000);
        case 15: return (short) ((i + 0x12345678) - s);
        case 16: return (short) ((i + -70000) - s);
        case 17: return (short) ((i + 0x18000) - s);
        case 18: return (short) (0x12345678 * s);
        case 19: return (short) (-70000 * s);
        case 20: return (short) (0x18000 * s);
        case 21: return (short) (s * 0x12345678);
        case 22: return (short) (s * -70000);
        case 23: return (short) (s * 0x18000);
        case 24: return (short) ((i + 0x12345678) * s);
        case 25: return (short) ((i + -70000) * s);
        case 26: return (short) ((i + 0x18000) * s);
        case 27: return (short) (0x12345678 / s);
        case 28: return (short) (-70000 / s);
        case 29: return (short) (0x18000 / s);
        case 30: return (short) (s / 0x12345678);
        case 31: return (short) (s / -70000);
        case 32: return (short) (s / 0x18000);
        case 33: return (short) ((i + 0x12345678) / s);
        case 34: return (short) ((i + -70000) / s);
        case 35: return (short) ((i + 0x18000) / s);
        case 36: return (short) (0x12345678 % s);
        case 37: return (short) (-70000 % s);
        case 38: return (short) (0x18000 % s);
        case 39: return (short) (s % 0x12345678);
        case 40: return (short) (s % -70000);
        case 41: return (short) (s % 0x18000);
        case 42: return (short) ((i + 0x12345678) % s);
        case 43: return (short) ((i + -70000) % s);
        case 44: return (short) ((i + 0x18000) % s);
        case 45: return (short) (0x12345678 & s);
        case 46: return (short) (-70000 & s);
        case 47: return (short) (0x18000 & s);
        case 48: return (short) (s & 0x12345678);
        case 49: return (short) (s & -70000);
        case 50: return (short) (s & 0x18000);
        case 51: return (short) ((i + 0x12345678) & s);
        case 52: return (short) ((i + -70000) & s);
        case 53: return (short) ((i + 0x18000) & s);
        case 54: return (short) (0x12345678 | s);
        case 55: return (short) (-70000 | s);
        case 56: return (short) (0x18000 | s);
        case 57: return (short) (s | 0x12345678);
        case 58: return (short) (s | -70000);
        case 59: return (short) (s | 0x18000);
        case 60: return (short) ((i + 0x12345678) | s);
        case 61: return (short) ((i + -70000) | s);
        case 62: return (short) ((i + 0x18000) | s);
        case 63: return (short) (0x12345678 ^ s);
        case 64: return (short) (-70000 ^ s);
        case 65: return (short) (0x18000 ^ s);
        case 66: return (short) (s ^ 0x12345678);
        case 67: return (short) (s ^ -70000);
        case 68: return (short) (s ^ 0x18000);
        case 69: return (short) ((i + 0x12345678) ^ s);
        case 70: return (short) ((i + -70000) ^ s);
        case 71: return (short) ((i + 0x18000) ^ s);
        case 72: return (short) (0x12345678 << s);
        case 73: return (short) (-70000 << s);
        case 74: return (short) (0x18000 << s);
        case 75: return (short) (s << 0x12345678);
        case 76: return (short) (s << -70000);
        case 77: return (short) (s << 0x18000);
        case 78: return (short) ((i + 0x12345678) << s);
        case 79: return (short) ((i + -70000) << s);
        case 80: return (short) ((i + 0x18000) << s);
        case 81: return (short) (0x12345678 >> s);
        case 82: return (short) (-70000 >> s);
        case 83: return (short) (0x18000 >> s);
        case 84: return (short) (s >> 0x12345678);
        case 85: return (short) (s >> -70000);
        case 86: return (short) (s >> 0x18000);
        case 87: return (short) ((i + 0x12345678) >> s);
        case 88: return (short) ((i + -70000) >> s);
        case 89: return (short) ((i + 0x18000) >> s);
        case 90: return (short) (0x12345678 >>> s);
        case 91: return (short) (-70000 >>> s);
        case 92: return (short) (0x18000 >>> s);
        case 93: return (short) (s >>> 0x12345678);
        case 94: return (short) (s >>> -70000);
        case 95: return (short) (s >>> 0x18000);
        case 96: return (short) ((i + 0x12345678) >>> s);
        case 97: return (short) ((i + -70000) >>> s);
        case 98: return (short) ((i + 0x18000) >>> s);
        default: return (short) 0x7777;
        }
    }
}
