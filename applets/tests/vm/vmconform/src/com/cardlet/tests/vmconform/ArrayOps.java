package com.cardlet.tests.vmconform;

/** Arrays of every element type, default values, bounds, static array initializers. */
final class ArrayOps {
    static final byte[] SB = { 1, -2, 127, -128, 0, 55 };
    static final short[] SS = { 1000, -1000, 32767, -32768, 0, 7 };
    static final boolean[] SZ = { true, false, true, true };
    static byte[] mutable = { 9, 8, 7 };

    private ArrayOps() {
    }

    static short run(byte op, short v, byte[] out) {
        short r = 0;
        switch (op) {
        case 0: {
            byte[] a = new byte[v];                           // newarray byte, negative -> exception
            for (short i = 0; i < a.length; i++) a[i] = (byte) (i * 37);
            for (short i = 0; i < a.length; i++) r = (short) (r + a[i]);
            return Cases.put(out, (short) 0, r);
        }
        case 1: {
            short[] a = new short[v];
            for (short i = 0; i < a.length; i++) a[i] = (short) (i * 1001);
            for (short i = 0; i < a.length; i++) r = (short) (r ^ a[i]);
            return Cases.put(out, (short) 0, r);
        }
        case 2: {
            boolean[] a = new boolean[v];
            for (short i = 0; i < a.length; i++) a[i] = (i % 3) == 0;
            for (short i = 0; i < a.length; i++) if (a[i]) r++;
            return Cases.put(out, (short) 0, r);
        }
        case 3: {
            Object[] a = new Object[4];                        // anewarray
            a[0] = new byte[v];
            a[1] = new short[2];
            a[3] = a;
            r = (short) (((byte[]) a[0]).length + ((short[]) a[1]).length);
            if (a[2] == null) r += 100;
            if (a[3] == a) r += 1000;
            return Cases.put(out, (short) 0, r);
        }
        case 4: {
            short[] a = new short[4];
            return Cases.put(out, (short) 0, a[v]);            // index out of bounds for v outside 0..3
        }
        case 5: {
            byte[] a = null;
            if (v == 0) a = new byte[1];
            a[0] = 5;                                          // null -> NullPointerException
            return Cases.put(out, (short) 0, (short) a.length);
        }
        case 6: {
            // Static array initializers: every element read back.
            short o = 0;
            for (short i = 0; i < SB.length; i++) out[o++] = SB[i];
            for (short i = 0; i < SS.length; i++) o = Cases.put(out, o, SS[i]);
            for (short i = 0; i < SZ.length; i++) out[o++] = (byte) (SZ[i] ? 1 : 0);
            return o;
        }
        case 7: {
            mutable[(short) (v & 1)] += 3;                     // a static array is persistent state
            out[0] = mutable[0];
            out[1] = mutable[1];
            out[2] = mutable[2];
            return 3;
        }
        case 8: {
            Base[] a = new Derived[2];
            Object[] o = a;
            o[0] = new Derived();                              // fine
            if (v != 0) o[1] = new Base();                     // ArrayStoreException
            return Cases.put(out, (short) 0, a[0].id());
        }
        case 9: {
            Object[] a = new Object[2];
            a[0] = null;                                       // aastore of null is always fine
            byte[] b = new byte[(short) (v & 63)];
            a[1] = b;
            return Cases.put(out, (short) 0, (short) (((byte[]) a[1]).length * 2 + (a[0] == null ? 1 : 0)));
        }
        case 10: {
            byte[] a = { 1, 2, 3, 4, 5, 6, 7, 8 };              // array initializer in code (dup/bastore)
            short[] s = { (short) v, (short) (v + 1), -1 };
            return Cases.put(out, (short) 0, (short) (a[(short) (v & 7)] + s[0] + s[1] + s[2]));
        }
        default:
            return Cases.put(out, (short) 0, (short) 0x7777);
        }
    }
}
