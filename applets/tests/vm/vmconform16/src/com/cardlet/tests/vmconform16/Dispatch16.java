package com.cardlet.tests.vmconform16;

/** Pure Java, shared with the host harness: decodes the command, runs Rand16, encodes the answer into out[0..]. */
public final class Dispatch16 {
    private Dispatch16() {
    }

    public static short run(byte[] in, short p1Off, short dataOff, byte[] out) {
        short op = (short) (((in[p1Off] & 0xFF) << 8) | (in[(short) (p1Off + 1)] & 0xFF));
        short a = (short) ((in[dataOff] << 8) | (in[(short) (dataOff + 1)] & 0xFF));
        short b = (short) ((in[(short) (dataOff + 2)] << 8) | (in[(short) (dataOff + 3)] & 0xFF));
        byte c = in[(short) (dataOff + 4)];
        try {
            short r = Rand16.run(op, a, b, c);
            out[0] = (byte) (r >> 8);
            out[1] = (byte) r;
            return 2;
        } catch (ArithmeticException e) {
            out[0] = (byte) 0xE1;
        } catch (ArrayIndexOutOfBoundsException e) {
            out[0] = (byte) 0xE2;
        } catch (RuntimeException e) {
            out[0] = (byte) 0xE7;
        }
        return 1;
    }
}
