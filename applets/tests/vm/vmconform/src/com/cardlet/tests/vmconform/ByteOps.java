package com.cardlet.tests.vmconform;

/** byte values: sign extension on load, truncation on store, byte arithmetic. */
final class ByteOps {
    private static byte sb;
    private byte fb;

    private ByteOps() {
    }

    static short op(byte op, byte a, byte b) {
        switch (op) {
        case 0: return (short) (a + b);                      // no truncation: both sign-extended
        case 1: return (byte) (a + b);                       // wraps at 8 bits
        case 2: return (short) (a * b);
        case 3: return (byte) (a * b);
        case 4: return (short) (a & 0xFF);                   // unsigned view of a byte
        case 5: return (short) ((a & 0xFF) << 8 | (b & 0xFF));
        case 6: return (byte) (a >> 1);
        case 7: return (byte) ((a & 0xFF) >>> 1);
        case 8: return (short) (byte) (a << 4);
        case 9: {
            byte[] arr = new byte[2];
            arr[0] = a;
            arr[1] = (byte) (arr[0] + b);                    // baload sign-extends, bastore truncates
            return (short) (arr[1] * 256 + arr[0]);
        }
        case 10: {
            sb = a;
            sb += b;                                         // getstatic_b / putstatic_b
            return sb;
        }
        case 11: {
            ByteOps o = new ByteOps();
            o.fb = a;
            o.fb -= b;                                       // getfield_b / putfield_b
            return o.fb;
        }
        case 12: return (short) (a / (byte) (b | 1));
        case 13: return (short) (a < b ? -1 : (a == b ? 0 : 1));
        default: return (short) 0x7777;
        }
    }
}
