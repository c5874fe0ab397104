package com.cardlet.tests.vmconform;

/** Virtual, super, static, interface and private calls, recursion, many arguments. */
final class CallOps {
    private CallOps() {
    }

    static short fact(short n) {
        return n <= 1 ? 1 : (short) (n * fact((short) (n - 1)));
    }

    static short fib(short n) {
        return n < 2 ? n : (short) (fib((short) (n - 1)) + fib((short) (n - 2)));
    }

    static short many(short a, byte b, boolean c, short d, Object e, short f, byte g, short h) {
        return (short) (a - b + (c ? 1 : 0) * d + (e == null ? 0 : 50) + f * g - h);
    }

    static short run(byte op, short v) {
        switch (op) {
        case 0: return new Base().describe();
        case 1: return new Derived().describe();
        case 2: return new Leaf(v).describe();
        case 3: {
            Shape s;
            if (v < 0) s = new Base(); else if (v == 0) s = new Derived(); else s = new Leaf(v);
            return (short) (s.area() + s.scale((short) 3) * 7);  // invokeinterface
        }
        case 4: {
            Sized z = new Leaf(v);
            Shape s = z;
            return (short) (z.size() * 3 + s.area());
        }
        case 5: return fact(v);
        case 6: return fib((short) (v & 15));
        case 7: return many(v, (byte) -3, true, (short) 7, null, (short) -2, (byte) 9, (short) 11);
        case 8: return many(v, (byte) 3, false, (short) 7, new Object(), (short) 300, (byte) -9, (short) -11);
        case 9: {
            short before = Base.created;
            new Leaf(v);
            new Base();
            return (short) (Base.created - before);          // static field updated by constructors
        }
        case 10: return Base.twice(v);
        case 11: {
            Base b = new Derived(v);
            return (short) (b.id() * 10 + ((Derived) b).depth);
        }
        default: return (short) 0x7777;
        }
    }
}
