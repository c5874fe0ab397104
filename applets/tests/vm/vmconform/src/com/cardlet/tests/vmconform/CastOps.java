package com.cardlet.tests.vmconform;

/** checkcast and instanceof: classes, interfaces, arrays, null. */
final class CastOps {
    private CastOps() {
    }

    static Object make(short kind) {
        switch (kind) {
        case 0: return null;
        case 1: return new Object();
        case 2: return new Base();
        case 3: return new Derived();
        case 4: return new Leaf((short) 1);
        case 5: return new byte[1];
        case 6: return new short[1];
        case 7: return new boolean[1];
        case 8: return new int[1];
        case 9: return new Object[1];
        case 10: return new Base[1];
        case 11: return new Derived[1];
        case 12: return new Shape[1];
        default: return new TestException(kind);
        }
    }

    /** One bit per test, so one response shows the whole instanceof row for a kind. */
    static short row(Object o) {
        short r = 0;
        if (o instanceof Object) r |= 0x0001;
        if (o instanceof Base) r |= 0x0002;
        if (o instanceof Derived) r |= 0x0004;
        if (o instanceof Shape) r |= 0x0008;
        if (o instanceof Sized) r |= 0x0010;
        if (o instanceof byte[]) r |= 0x0020;
        if (o instanceof short[]) r |= 0x0040;
        if (o instanceof boolean[]) r |= 0x0080;
        if (o instanceof int[]) r |= 0x0100;
        if (o instanceof Object[]) r |= 0x0200;
        if (o instanceof Base[]) r |= 0x0400;
        if (o instanceof Derived[]) r |= 0x0800;
        if (o instanceof Shape[]) r |= 0x1000;
        if (o instanceof RuntimeException) r |= 0x2000;
        if (o instanceof Leaf) r |= 0x4000;
        return r;
    }

    static short run(byte op, short v) {
        Object o = make(v);
        switch (op) {
        case 0: return row(o);
        case 1: return ((Base) o).id();                      // checkcast class (null passes, then NPE)
        case 2: return ((Shape) o).area();                   // checkcast interface
        case 3: return (short) ((byte[]) o).length;          // checkcast byte[]
        case 4: return (short) ((short[]) o).length;
        case 5: return (short) ((Object[]) o).length;        // reference array
        case 6: return (short) ((Base[]) o).length;
        case 7: {
            Object x = (Sized) o;                            // cast of null succeeds
            return (short) (x == null ? 1 : 2);
        }
        case 8: return (short) ((boolean[]) o).length;
        case 9: return (short) ((int[]) o).length;
        default: return (short) 0x7777;
        }
    }
}
