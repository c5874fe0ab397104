package com.cardlet.tests.vmconform;

/** Abstract classes, two interfaces, overloads, field hiding, checked exceptions, throw null, a big switch. */
final class OopOps {
    private OopOps() {
    }

    static void mayThrow(short v) throws CheckedException {
        if (v < 0) throw new CheckedException(v);
    }

    static short big(short v) {
        switch (v) {
        case 0: return 11; case 1: return 12; case 2: return 13; case 3: return 14; case 4: return 15;
        case 5: return 16; case 6: return 17; case 7: return 18; case 8: return 19; case 9: return 20;
        case 10: return 21; case 11: return 22; case 12: return 23; case 13: return 24; case 14: return 25;
        case 15: return 26; case 16: return 27; case 17: return 28; case 18: return 29; case 19: return 30;
        case 20: return 31; case 21: return 32; case 22: return 33; case 23: return 34; case 24: return 35;
        case 25: return 36; case 26: return 37; case 27: return 38; case 28: return 39; case 29: return 40;
        case 30: return 41; case 31: return 42; case 32: return 43; case 33: return 44; case 34: return 45;
        case 35: return 46; case 36: return 47; case 37: return 48; case 38: return 49; case 39: return 50;
        default: return -1;
        }
    }

    static short run(byte op, short v) {
        Animal a;
        if ((v & 1) == 0) a = new Bird(); else a = new Cat();
        switch (op) {
        case 0: return a.describe();
        case 1: return (short) (a.f(v) * 100 + a.f((byte) v) * 10 + a.f(v, (short) 3) + a.f(null) + a.f(a));
        case 2: {
            Named n = a;
            Counted c = a;
            return (short) (n.name() * 100 + c.count());
        }
        case 3: {
            if (!(a instanceof Both)) return -5;
            Both b = (Both) a;
            Named n = b;
            return (short) (b.both() * 10 + n.name() + ((Counted) b).count());
        }
        case 4: return (short) (a.tag * 10 + (a instanceof Bird ? ((Bird) a).tag : 0));  // field hiding: static type decides
        case 5: return (short) (Animal.kind() + Bird.kind());     // static method through a subclass name
        case 6:
            try {
                mayThrow(v);
                return 1;
            } catch (CheckedException e) {
                return e.code;
            }
        case 7:
            try {
                RuntimeException r = null;
                if (v != 0) r = new ArithmeticException();
                throw r;                                        // throw null: NullPointerException
            } catch (NullPointerException e) {
                return 2;
            } catch (ArithmeticException e) {
                return 3;
            }
        case 8: {
            // Exception, Throwable as catch types; an exception from finally replaces the first.
            try {
                try {
                    throw new TestException(v);
                } finally {
                    if (v > 10) throw new OtherException((short) (v + 1));
                }
            } catch (Exception e) {
                if (e instanceof OtherException) return ((TestException) e).reason;
                return (short) -((TestException) e).reason;
            }
        }
        case 9: return big(v);
        case 10: {
            Object o = a;
            Object p = new Cat();
            return (short) ((o.equals(o) ? 1 : 0) + (o.equals(p) ? 2 : 0) + (o.equals(null) ? 4 : 0)); // identity equals
        }
        case 11: {
            short[] z = new short[0];
            Object[] e = new Object[0];
            return (short) (z.length + e.length + 9);
        }
        default: return (short) 0x7777;
        }
    }
}
