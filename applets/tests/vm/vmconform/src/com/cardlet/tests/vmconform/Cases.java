package com.cardlet.tests.vmconform;

/**
 * The dispatcher shared by the card applet and the host harness: INS = group, P1 = operation.
 * Every runtime exception is caught here and reported as a marker byte, so a wrong exception
 * class on the card shows up as a different response, not as 6F 00.
 */
public final class Cases {
    public static final byte EXC_ARITH = (byte) 0xE1;
    public static final byte EXC_INDEX = (byte) 0xE2;
    public static final byte EXC_NULL = (byte) 0xE3;
    public static final byte EXC_CAST = (byte) 0xE4;
    public static final byte EXC_NEGSIZE = (byte) 0xE5;
    public static final byte EXC_STORE = (byte) 0xE6;
    public static final byte EXC_OTHER = (byte) 0xE7;

    private Cases() {
    }

    /** Big-endian short at in[off]. */
    static short s(byte[] in, short off) {
        return (short) ((in[off] << 8) | (in[(short) (off + 1)] & 0xFF));
    }

    /** Writes v big-endian at out[off], returns off + 2. */
    static short put(byte[] out, short off, short v) {
        out[off] = (byte) (v >> 8);
        out[(short) (off + 1)] = (byte) v;
        return (short) (off + 2);
    }

    public static short run(byte ins, byte p1, byte[] in, short off, short len, byte[] out) {
        try {
            switch (ins) {
            case 0x01:
                return put(out, (short) 0, ShortOps.binary(p1, s(in, off), s(in, (short) (off + 2))));
            case 0x02:
                return put(out, (short) 0, ByteOps.op(p1, in[off], in[(short) (off + 1)]));
            case 0x03:
                return IntOps.run(p1, in, off, out);
            case 0x04:
                return put(out, (short) 0, Flow.branch(p1, s(in, off), s(in, (short) (off + 2))));
            case 0x05:
                return put(out, (short) 0, Flow.switches(p1, s(in, off)));
            case 0x06:
                return put(out, (short) 0, Flow.loops(p1, s(in, off)));
            case 0x07:
                return ArrayOps.run(p1, s(in, off), out);
            case 0x08:
                return FieldOps.run(p1, s(in, off), out);
            case 0x09:
                return put(out, (short) 0, CallOps.run(p1, s(in, off)));
            case 0x0A:
                return put(out, (short) 0, ExcOps.run(p1, s(in, off)));
            case 0x0B:
                return put(out, (short) 0, CastOps.run(p1, s(in, off)));
            case 0x0C:
                return put(out, (short) 0, Forms.run(p1, s(in, off)));
            case 0x0D:
                return put(out, (short) 0, FarForms.run(p1, s(in, off), s(in, (short) (off + 2))));
            case 0x0E:
                return put(out, (short) 0, OopOps.run(p1, s(in, off)));
            case 0x10:
                return put(out, (short) 0, RandExpr.run((short) (p1 & 0xFF), s(in, off), s(in, (short) (off + 2)), in[(short) (off + 4)]));
            case 0x11:
                return put(out, (short) 0, Narrow.run((short) (p1 & 0xFF), s(in, off), IntOps.i(in, (short) (off + 2))));
            case 0x12:
                return put(out, (short) 0, RandProg.run((short) (p1 & 0xFF), s(in, off), s(in, (short) (off + 2)), in[(short) (off + 4)]));
            default:
                out[0] = (byte) 0xEE;
                return 1;
            }
        } catch (ArithmeticException e) {
            out[0] = EXC_ARITH;
        } catch (ArrayIndexOutOfBoundsException e) {
            out[0] = EXC_INDEX;
        } catch (NullPointerException e) {
            out[0] = EXC_NULL;
        } catch (ClassCastException e) {
            out[0] = EXC_CAST;
        } catch (NegativeArraySizeException e) {
            out[0] = EXC_NEGSIZE;
        } catch (ArrayStoreException e) {
            out[0] = EXC_STORE;
        } catch (RuntimeException e) {
            out[0] = EXC_OTHER;
        }
        return 1;
    }
}
