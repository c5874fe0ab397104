package t.ok;

import javacard.framework.CardRuntimeException;
import javacard.framework.ISOException;

public class Exc {
    static short caught(short a) {
        try {
            ISOException.throwIt(a);
        } catch (ISOException e) {
            return 1;
        }
        return 0;
    }
    static void thrown() { throw new ISOException((short) 1); }
    static short nested(short a) {
        try {
            try {
                ISOException.throwIt(a);
            } catch (ISOException e) {
                return 1;
            }
        } catch (CardRuntimeException e) {
            return 2;
        }
        return 0;
    }
    static short fin(short a) {
        try {
            a = (short) (a + 1);
        } finally {
            a = (short) (a + 2);
        }
        return a;
    }
}
