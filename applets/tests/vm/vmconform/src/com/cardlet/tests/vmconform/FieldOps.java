package com.cardlet.tests.vmconform;

/** Instance and static fields of every type, through this and through other references. */
final class FieldOps {
    static byte sb = -5;
    static short ss = 1234;
    static boolean sz = true;
    static Object sref;
    static byte[] sarr;
    static final short CONST = 4321;

    byte b;
    short s;
    boolean z;
    Object ref;
    byte[] arr;
    FieldOps next;

    private FieldOps() {
    }

    /** Field access on this: the *_this forms. */
    short bump(short v) {
        s += v;
        b += (byte) v;
        z = !z;
        if (ref == null) ref = this;
        return (short) (s + b + (z ? 1 : 0));
    }

    static short run(byte op, short v, byte[] out) {
        FieldOps f = new FieldOps();
        switch (op) {
        case 0: {
            // Defaults of a new object.
            out[0] = f.b;
            out[1] = (byte) f.s;
            out[2] = (byte) (f.z ? 1 : 0);
            out[3] = (byte) (f.ref == null ? 1 : 0);
            out[4] = (byte) (f.arr == null ? 1 : 0);
            return 5;
        }
        case 1: {
            short r = f.bump(v);
            r = (short) (r + f.bump(v));
            return Cases.put(out, (short) 0, (short) (r + (f.ref == f ? 1000 : 0)));
        }
        case 2: {
            // Statics keep their value across APDUs: the host runs the same sequence.
            sb += (byte) v;
            ss = (short) (ss * 3 + v);
            sz = !sz;
            if (sarr == null) sarr = new byte[3];
            sarr[(short) (v & 1)]++;
            if (sref == null) sref = sarr; else sref = null;
            out[0] = sb;
            short o = Cases.put(out, (short) 1, ss);
            out[o++] = (byte) (sz ? 1 : 0);
            out[o++] = sarr[0];
            out[o++] = sarr[1];
            out[o++] = (byte) (sref == null ? 0 : 1);
            return Cases.put(out, o, CONST);
        }
        case 3: {
            // A chain of objects through reference fields.
            FieldOps head = f;
            for (short i = 0; i < (short) (v & 15); i++) {
                FieldOps n = new FieldOps();
                n.s = i;
                n.next = head;
                head = n;
            }
            short sum = 0;
            for (FieldOps p = head; p != null; p = p.next) sum = (short) (sum * 2 + p.s);
            return Cases.put(out, (short) 0, sum);
        }
        case 4: {
            FieldOps g = null;
            if (v != 0) g = f;
            g.s = v;                                           // null -> NullPointerException
            return Cases.put(out, (short) 0, g.s);
        }
        default:
            return Cases.put(out, (short) 0, (short) 0x7777);
        }
    }
}
