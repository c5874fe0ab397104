package com.cardlet.tests.vmconform;

/** Exceptions thrown and caught across frames, handler order, nested try/finally. */
final class ExcOps {
    private static short trace;

    private ExcOps() {
    }

    static void thrower(short v) {
        if (v < 0) throw new OtherException(v);
        if (v > 100) throw new TestException(v);
        if (v == 7) {
            short[] a = new short[1];
            a[v] = 1;                                        // the VM throws, three frames down
        }
    }

    static short deep(short v, short n) {
        if (n == 0) {
            thrower(v);
            return 1;
        }
        return (short) (deep(v, (short) (n - 1)) + 1);
    }

    static short finallyReturn(short v) {
        try {
            if (v > 0) return 1;
            throw new TestException(v);
        } finally {
            trace = (short) (trace * 10 + 3);
        }
    }

    static short nested(short v) {
        trace = 0;
        short r = 0;
        try {
            try {
                try {
                    trace = 1;
                    thrower(v);
                    r = 10;
                } finally {
                    trace = (short) (trace * 10 + 2);
                }
            } catch (OtherException e) {
                trace = (short) (trace * 10 + 4);
                r = (short) (e.reason - 1);
                throw new TestException(r);              // thrown from a handler
            } finally {
                trace = (short) (trace * 10 + 5);
            }
        } catch (TestException e) {
            r = (short) (e.reason + 500);
        } catch (ArrayIndexOutOfBoundsException e) {
            r = -7;
        }
        return (short) (r + trace);
    }

    static short run(byte op, short v) {
        switch (op) {
        case 0:
            try {
                return deep(v, (short) 3);
            } catch (OtherException e) {                     // subclass handler first
                return (short) (e.reason - 1000);
            } catch (TestException e) {
                return (short) (e.reason + 1000);
            } catch (IndexOutOfBoundsException e) {          // catches the superclass of AIOOBE
                return -2;
            }
        case 1:
            return nested(v);
        case 2: {
            trace = 0;
            short r;
            try {
                r = finallyReturn(v);
            } catch (TestException e) {
                r = (short) (e.reason * 2);
            }
            return (short) (r * 100 + trace);
        }
        case 3: {
            // Loop with try/catch inside: the handler must restore the operand stack each time.
            short caught = 0;
            for (short i = (short) -3; i < 4; i++) {
                try {
                    caught = (short) (caught + 100 / (short) (i + (v & 1)));
                } catch (ArithmeticException e) {
                    caught = (short) (caught + 1000);
                }
            }
            return caught;
        }
        case 4: {
            // Rethrow of the same object, caught again by identity.
            TestException first = new TestException(v);
            try {
                try {
                    throw first;
                } catch (TestException e) {
                    throw e;
                }
            } catch (RuntimeException e) {
                return (short) (e == first ? ((TestException) e).reason : -1);
            }
        }
        case 5: {
            // Uncaught here: Cases.run reports the class.
            if (v == 0) throw new NullPointerException();
            if (v == 1) throw new ClassCastException();
            if (v == 2) throw new ArithmeticException();
            throw new TestException(v);
        }
        case 6: {
            Object o = null;
            try {
                if (v > 0) o = new Object();
                return (short) (o.equals(o) ? 1 : 2);          // invokevirtual on null: NullPointerException
            } catch (NullPointerException e) {
                return 3;
            }
        }
        default: return (short) 0x7777;
        }
    }
}
