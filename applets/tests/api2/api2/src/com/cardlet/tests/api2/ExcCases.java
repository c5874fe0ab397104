package com.cardlet.tests.api2;

import javacard.framework.APDUException;
import javacard.framework.CardException;
import javacard.framework.CardRuntimeException;
import javacard.framework.ISOException;
import javacard.framework.PINException;
import javacard.framework.SystemException;
import javacard.framework.TransactionException;
import javacard.framework.UserException;
import javacard.security.CryptoException;

/**
 * 80 20 P1 00 02 R: the exception classes with reason R. P1 0..7 (CardException,
 * CardRuntimeException, PINException, APDUException, SystemException, TransactionException,
 * CryptoException, ISOException), each answering 14 bytes:
 *   new X(R).getReason(), after setReason(R+1) getReason(), X.throwIt(R) caught (reason), after
 *   setReason(R+2) on that JCRE-owned instance (reason), the new object thrown and caught (reason
 *   R+1, 1 if it is the same object and of class X), X.throwIt(R+3) caught (reason), 1 if both
 *   throwIt calls threw the one JCRE-owned instance, of class X.
 * P1 8: UserException: new UserException() (reason 0), setReason(R), new UserException(R),
 * UserException.throwIt(R) caught.
 * P1 9: the java.lang exceptions an applet may construct itself, thrown and caught as their class
 * (1 each, in the order of lang()).
 * P1 0x11..0x17: X.throwIt(R) not caught (ISOException: SW R; others 6F 00);
 * P1 0x21..0x27: throw new X(R) not caught, the same.
 */
final class ExcCases {
    private ExcCases() {
    }

    static void run(Out o, byte p1, short r) {
        short r3 = (short) (r + 3);
        switch (p1) {
        case 0: cardException(o, r, r3); break;
        case 1: case 2: case 3: case 4: case 5: case 6: case 7: runtime(o, p1, r, r3); break;
        case 8: user(o, r); break;
        case 9: lang(o); break;
        default:
            if (p1 >= 0x11 && p1 <= 0x17) raise((byte) (p1 - 0x10), r);
            if (p1 >= 0x21 && p1 <= 0x27) throw make((byte) (p1 - 0x20), r);
            break;
        }
    }

    /**
     * A runtime class (1 CardRuntimeException .. 7 ISOException), caught through the superclass;
     * isClass proves each object is of the class asked for.
     */
    private static void runtime(Out o, byte which, short r, short r3) {
        CardRuntimeException e = make(which, r);
        o.putS(e.getReason());
        e.setReason((short) (r + 1));
        o.putS(e.getReason());
        CardRuntimeException caught = null, t1 = null, t2 = null;
        try {
            throw e;
        } catch (CardRuntimeException c) {
            caught = c;
        }
        try {
            raise(which, r);
        } catch (CardRuntimeException c) {
            t1 = c;
        }
        o.putS(t1 == null ? Out.NO_EXC : t1.getReason());
        if (t1 != null) t1.setReason((short) (r + 2));
        o.putS(t1 == null ? Out.NO_EXC : t1.getReason());
        try {
            raise(which, r3);
        } catch (CardRuntimeException c) {
            t2 = c;
        }
        o.putS(caught == null ? Out.NO_EXC : caught.getReason());
        o.putZ(caught == e && isClass(which, caught));
        o.putS(t2 == null ? Out.NO_EXC : t2.getReason());
        o.putZ(t1 != null && t1 == t2 && isClass(which, t1));
    }

    private static CardRuntimeException make(byte which, short r) {
        switch (which) {
        case 1: return new CardRuntimeException(r);
        case 2: return new PINException(r);
        case 3: return new APDUException(r);
        case 4: return new SystemException(r);
        case 5: return new TransactionException(r);
        case 6: return new CryptoException(r);
        default: return new ISOException(r);
        }
    }

    private static void raise(byte which, short r) {
        switch (which) {
        case 1: CardRuntimeException.throwIt(r); break;
        case 2: PINException.throwIt(r); break;
        case 3: APDUException.throwIt(r); break;
        case 4: SystemException.throwIt(r); break;
        case 5: TransactionException.throwIt(r); break;
        case 6: CryptoException.throwIt(r); break;
        default: ISOException.throwIt(r); break;
        }
    }

    /** Is e exactly of class `which` (not merely a CardRuntimeException)? */
    private static boolean isClass(byte which, CardRuntimeException e) {
        switch (which) {
        case 1:
            return !(e instanceof PINException || e instanceof APDUException || e instanceof SystemException
                    || e instanceof TransactionException || e instanceof CryptoException || e instanceof ISOException);
        case 2: return e instanceof PINException;
        case 3: return e instanceof APDUException;
        case 4: return e instanceof SystemException;
        case 5: return e instanceof TransactionException;
        case 6: return e instanceof CryptoException;
        default: return e instanceof ISOException;
        }
    }

    /** CardException is checked and no CardRuntimeException: the same sequence, written out. */
    private static void cardException(Out o, short r, short r3) {
        CardException e = new CardException(r);
        CardException caught = null, t1 = null, t2 = null;
        o.putS(e.getReason());
        e.setReason((short) (r + 1));
        o.putS(e.getReason());
        try {
            throw e;
        } catch (CardException c) {
            caught = c;
        }
        try {
            CardException.throwIt(r);
        } catch (CardException c) {
            t1 = c;
        }
        o.putS(t1 == null ? Out.NO_EXC : t1.getReason());
        if (t1 != null) t1.setReason((short) (r + 2));
        o.putS(t1 == null ? Out.NO_EXC : t1.getReason());
        try {
            CardException.throwIt(r3);
        } catch (CardException c) {
            t2 = c;
        }
        o.putS(caught == null ? Out.NO_EXC : caught.getReason());
        o.putZ(caught == e);
        o.putS(t2 == null ? Out.NO_EXC : t2.getReason());
        o.putZ(t1 != null && t1 == t2);
    }

    /** new UserException() (reason 0), setReason(R), new UserException(R), throwIt(R) caught (another object). */
    private static void user(Out o, short r) {
        UserException e = new UserException();
        o.putS(e.getReason());
        e.setReason(r);
        o.putS(e.getReason());
        UserException f = new UserException(r);
        o.putS(f.getReason());
        UserException t = null;
        try {
            UserException.throwIt(r);
        } catch (UserException c) {
            t = c;
        }
        o.putS(t == null ? Out.NO_EXC : t.getReason());
        o.putZ(t != null && t != e && t != f);
    }

    /**
     * new of each java.lang runtime exception the API has, thrown and caught by its own class
     * (1) and by its superclass RuntimeException (1); IndexOutOfBoundsException also catches
     * ArrayIndexOutOfBoundsException (1).
     */
    private static void lang(Out o) {
        for (byte k = 0; k < 8; k++) {
            byte own = 0, parent = 0;
            try {
                throwLang(k);
            } catch (ArithmeticException e) {
                own = (byte) (k == 0 ? 1 : 0);
            } catch (ArrayIndexOutOfBoundsException e) {
                own = (byte) (k == 1 ? 1 : 0);
            } catch (ArrayStoreException e) {
                own = (byte) (k == 2 ? 1 : 0);
            } catch (ClassCastException e) {
                own = (byte) (k == 3 ? 1 : 0);
            } catch (IndexOutOfBoundsException e) {
                own = (byte) (k == 4 ? 1 : 0);
            } catch (NegativeArraySizeException e) {
                own = (byte) (k == 5 ? 1 : 0);
            } catch (NullPointerException e) {
                own = (byte) (k == 6 ? 1 : 0);
            } catch (SecurityException e) {
                own = (byte) (k == 7 ? 1 : 0);
            }
            try {
                throwLang(k);
            } catch (RuntimeException e) {
                parent = 1;
            }
            o.put(own);
            o.put(parent);
        }
        byte wide = 0;
        try {
            throwLang((byte) 1);
        } catch (IndexOutOfBoundsException e) {
            wide = 1;
        }
        o.put(wide);
    }

    private static void throwLang(byte k) {
        switch (k) {
        case 0: throw new ArithmeticException();
        case 1: throw new ArrayIndexOutOfBoundsException();
        case 2: throw new ArrayStoreException();
        case 3: throw new ClassCastException();
        case 4: throw new IndexOutOfBoundsException();
        case 5: throw new NegativeArraySizeException();
        case 6: throw new NullPointerException();
        default: throw new SecurityException();
        }
    }
}
