package com.cardlet.tests.vmfwclient;

import com.cardlet.tests.vmfwlib.FwBox;
import com.cardlet.tests.vmfwlib.FwCallback;
import com.cardlet.tests.vmfwlib.FwCase;
import com.cardlet.tests.vmfwlib.FwData;
import com.cardlet.tests.vmfwlib.FwLib;
import com.cardlet.tests.vmfwlib.FwPlain;
import com.cardlet.tests.vmfwserver.FwOther;
import com.cardlet.tests.vmfwserver.FwShared;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.CardRuntimeException;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.MultiSelectable;
import javacard.framework.Shareable;

/**
 * Firewall test client. 80 01 P1 P2: one access to the server's objects (P1 which, P2 a variant),
 * answered (FwLib.answer) with one byte: 00 done without exception, 01 SecurityException, 02 another
 * exception; then the value got (2 bytes). Which accesses must be refused is in tests/vm/vmfw.script, with the
 * JCRE 3.0.5 rule (6.2.8.x) each case shows. Multiselectable and Shareable (FwCallback) itself, so the
 * server can call it while it is active on another channel.
 */
public class FwClient extends Applet implements MultiSelectable, FwCallback, FwCase {
    private static final byte[] SERVER_AID = {
        (byte) 0xF0, 0x63, 0x61, 0x72, 0x64, 0x18, 0x01, 0x01
    };

    private final byte[] mine = new byte[2];
    private Object kept;
    private static Object keptStatic;
    private final Object[] keptArray = new Object[1];

    private FwClient() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new FwClient();
    }

    public boolean select(boolean appInstAlreadyActive) {
        return true;
    }

    public void deselect(boolean appInstStillActive) {
    }

    /** The server's callback into the client (FwCallback): answers 0x0123 in the client's context. */
    public Shareable getShareableInterfaceObject(AID clientAID, byte parameter) {
        if (!clientAID.equals(SERVER_AID, (short) 0, (byte) SERVER_AID.length)) {
            return null;
        }
        return this;
    }

    public short call() {
        return 0x0123;
    }

    private static FwShared server(byte parameter) {
        AID aid = JCSystem.lookupAID(SERVER_AID, (short) 0, (byte) SERVER_AID.length);
        if (aid == null) ISOException.throwIt((short) 0x6A88);
        Shareable s = JCSystem.getAppletShareableInterfaceObject(aid, parameter);
        return (FwShared) s;
    }

    /** A server array of element type t: 0 boolean, 1 byte, 2 short, 3 reference, 4 int. */
    private static Object typed(FwShared sio, byte t) {
        switch (t) {
        case 0: return sio.leakBools();
        case 1: return sio.leakArray();
        case 2: return sio.leakShorts();
        case 3: return sio.leakRefs();
        default: return sio.leakInts();
        }
    }

    /** Element 0 of a server array, read with the load bytecode of its type (6.2.8.2). */
    private static short load(FwShared sio, byte t) {
        switch (t) {
        case 0: return (short) (sio.leakBools()[0] ? 1 : 0);
        case 1: return sio.leakArray()[0];
        case 2: return sio.leakShorts()[0];
        case 3: return (short) (sio.leakRefs()[0] == null ? 0 : 1);
        default: return (short) sio.leakInts()[0];
        }
    }

    /** Element 1 of a server array written with the store bytecode of its type (6.2.8.2). */
    private static short store(FwShared sio, byte t) {
        switch (t) {
        case 0: sio.leakBools()[1] = true; break;
        case 1: sio.leakArray()[1] = 9; break;
        case 2: sio.leakShorts()[1] = 9; break;
        case 3: sio.leakRefs()[1] = null; break;
        default: sio.leakInts()[1] = 9; break;
        }
        return 0;
    }

    private static short length(FwShared sio, byte t) {
        switch (t) {
        case 0: return (short) sio.leakBools().length;
        case 1: return (short) sio.leakArray().length;
        case 2: return (short) sio.leakShorts().length;
        case 3: return (short) sio.leakRefs().length;
        default: return (short) sio.leakInts().length;
        }
    }

    /** checkcast (cast true) or instanceof of a server array held as Object to its own type (6.2.8.2). */
    private static short cast(FwShared sio, byte t, boolean checkcast) {
        Object o = typed(sio, t);
        boolean is;
        switch (t) {
        case 0: if (checkcast) { boolean[] a = (boolean[]) o; return (short) (a == null ? 0 : 1); } is = o instanceof boolean[]; break;
        case 1: if (checkcast) { byte[] a = (byte[]) o; return (short) (a == null ? 0 : 1); } is = o instanceof byte[]; break;
        case 2: if (checkcast) { short[] a = (short[]) o; return (short) (a == null ? 0 : 1); } is = o instanceof short[]; break;
        case 3: if (checkcast) { Object[] a = (Object[]) o; return (short) (a == null ? 0 : 1); } is = o instanceof Object[]; break;
        default: if (checkcast) { int[] a = (int[]) o; return (short) (a == null ? 0 : 1); } is = o instanceof int[]; break;
        }
        return (short) (is ? 1 : 0);
    }

    /** References to temporary JCRE entry points and global arrays stored by the client (6.2.8.1-3). */
    private short keep(APDU apdu, byte what) {
        switch (what) {
        case 0: kept = apdu; return 0;                                    // putfield, the APDU object
        case 1: keptStatic = apdu; return 0;                              // putstatic, the APDU object
        case 2: keptArray[0] = apdu; return 0;                            // aastore, the APDU object
        case 3:
            try {
                ISOException.throwIt((short) 0x6A80);
            } catch (ISOException e) {
                keptArray[0] = e;                                          // aastore, a JCRE exception
            }
            return 0;
        case 4:
            try {
                ISOException.throwIt((short) 0x6A80);
            } catch (ISOException e) {
                keptStatic = e;                                            // putstatic, a JCRE exception
            }
            return 0;
        case 5: kept = JCSystem.makeGlobalArray(JCSystem.ARRAY_TYPE_BYTE, (short) 1); return 0; // our own global array
        case 6: kept = JCSystem.getAID(); return (short) (kept == null ? 0 : 1);                 // permanent entry point: legal
        case 7: keptArray[0] = JCSystem.getAID(); return (short) (keptArray[0] == null ? 0 : 1); // ... in an array: legal
        case 8: FwLib.slot = apdu; return 0;                              // putstatic into another package's static
        default: return -1;
        }
    }

    public short run(APDU apdu, byte op, byte p2) {
        FwShared sio = server((byte) 0);
        switch (op) {
        case 0: return sio.ping((short) 5);                          // legal: interface call, context switch
        case 1: return sio.leakData().value;                        // getfield on a server object
        case 2: sio.leakData().value = 1; return 0;                 // putfield
        case 3: return sio.leakData().get();                        // invokevirtual on a non-Shareable object
        case 4: return sio.leakArray()[0];                          // baload
        case 5: sio.leakArray()[0] = 9; return 0;                   // bastore
        case 6: return (short) sio.leakArray().length;              // arraylength
        case 7: { FwData d = (FwData) sio.leakObject(); return (short) (d == null ? 0 : 1); } // checkcast of a server object
        case 8: return (short) (sio.leakObject() instanceof FwData ? 1 : 0);          // instanceof
        case 9: { FwShared f = (FwShared) sio.leakObject(); return f.ping((short) 1); } // forged Shareable
        case 10: return (short) (server((byte) 1) == null ? 1 : 0);          // the server refuses parameter 1: null
        case 11: return FwLib.counter;                           // static field of another package: legal
        case 12: return FwLib.table[0];                          // ... the array it names is the server's
        case 13: return FwLib.twice((short) 21);                 // static method: legal, no context switch
        case 14: return sio.touch(mine);                            // the server may not touch our array
        case 15: { Object o = sio.leakData(); return (short) (o == null ? 0 : 1); } // holding a reference is legal
        case 16: { byte[] b = JCSystem.makeTransientByteArray((short) 2, JCSystem.CLEAR_ON_DESELECT); b[1] = 3; return b[1]; }
        case 17: return (short) (sio.leakData().equals(null) ? 1 : 0);       // Object.equals on a server object: invokevirtual
        case 18:
            try {
                sio.fail((short) 0x6A88);
                return 0;
            } catch (ISOException e) {
                return e.getReason();                        // the JCRE's exception object: legal
            }
        case 19:
            try {
                sio.failOwn();
                return 0;
            } catch (ISOException e) {
                return e.getReason();                        // the server's own object: illegal
            }
        case 20: {
            // A global array (JCSystem.makeGlobalArray) may be used from any context: the server's store works.
            byte[] g = (byte[]) JCSystem.makeGlobalArray(JCSystem.ARRAY_TYPE_BYTE, (short) 4);
            byte r = sio.touch(g);
            return (short) (r * 256 + g[0]);
        }
        case 21: {
            // So may the APDU buffer (a global array of the JCRE); byte 0 is rewritten with the answer later.
            byte[] buf = APDU.getCurrentAPDUBuffer();
            byte r = sio.touch(buf);
            return (short) (r * 256 + buf[0]);
        }
        case 22: kept = APDU.getCurrentAPDUBuffer(); return 0;        // a global array in a field
        case 23: keptStatic = APDU.getCurrentAPDUBuffer(); return 0;  // ... in a static field
        case 24: keptArray[0] = APDU.getCurrentAPDUBuffer(); return 0; // ... in an array
        case 25:
            try {
                ISOException.throwIt((short) 0x6A80);
            } catch (ISOException e) {
                kept = e;                                           // a temporary entry point object in a field
            }
            return 0;
        case 26: {
            // 6.2.8.11: Object's methods on a global array of another context (the JCRE's APDU buffer)
            Object b = APDU.getCurrentAPDUBuffer();
            return (short) (b.equals(APDU.getCurrentAPDUBuffer()) ? 1 : 0);
        }
        case 27: {
            // ... and on a global array the server made: equals, load and store all legal
            byte[] g = sio.globalArray();
            boolean same = g.equals(g);
            g[1] = 0x11;
            return (short) ((same ? 0x100 : 0) + g[0] + g[1]);
        }
        case 28: { Object o = sio; return (short) (o instanceof FwShared ? 1 : 0); }   // 6.2.8.10: a Shareable interface it implements
        case 29: { Object o = sio; return (short) (o instanceof Applet ? 1 : 0); }     // 6.2.8.8: a class type
        case 30: { Object o = sio; Applet a = (Applet) o; return (short) (a == null ? 0 : 1); } // ... checkcast
        case 31: { Object o = sio; return (short) (o instanceof FwOther ? 1 : 0); }    // 6.2.8.10: a Shareable interface it lacks
        case 32: { Object o = sio; FwOther x = (FwOther) o; return (short) (x == null ? 0 : 1); } // ... ClassCastException
        case 33: { Object o = sio; return (short) (o instanceof MultiSelectable ? 1 : 0); } // 6.2.8.9: a standard interface
        case 34: { Object o = sio; return (short) (o instanceof Shareable ? 1 : 0); }  // 6.2.8.10: Shareable itself
        case 35: { Object o = apdu; return (short) (o instanceof APDU ? 1 : 0); }      // 6.2.8.8: a JCRE entry point
        case 36:
            try {
                sio.fail((short) 0x6A88);
                return 0;
            } catch (ISOException e) {
                Object o = e;
                return (short) (o instanceof CardRuntimeException ? 1 : 0); // ... a JCRE exception
            }
        case 37:
            try {
                sio.failOwn();
                return 0;
            } catch (ISOException e) {
                throw e;                                    // 6.2.8.7: athrow of the server's own object
            }
        case 38:
            try {
                try {
                    sio.fail((short) 0x6A87);
                    return 0;
                } catch (ISOException e) {
                    throw e;                                // ... of the JCRE's: legal
                }
            } catch (ISOException again) {
                return again.getReason();
            }
        case 39: return sio.leakPlain().plain();            // 6.2.8.5: standard interface, server object
        case 40: { FwPlain p = new FwData(); return p.plain(); } // ... on our own object: legal
        case 41: return sio.selfPlain().plain();            // ... on the Shareable server object itself
        case 42: { FwLib.slot = mine; return (short) (FwLib.slot == mine ? 1 : 0); } // 6.2.8.1: putstatic/getstatic of a reference
        case 43: { short old = FwLib.counter; FwLib.counter = 99; short r = FwLib.counter; FwLib.counter = old; return r; }
        case 44: return keep(apdu, p2);
        case 45: return load(sio, p2);
        case 46: return store(sio, p2);
        case 47: return length(sio, p2);
        case 48: return cast(sio, p2, true);
        case 49: return cast(sio, p2, false);
        case 50: { Object o = sio.globalArray(); byte[] g = (byte[]) o; return (short) (o instanceof byte[] ? g[0] : -1); } // global: legal
        case 52: return (short) (sio.leakArray().equals(null) ? 1 : 0); // 6.2.8.11: a server array that is not global
        case 51: return FwBox.boxed(new FwData());           // a cast that fails (02); patched: wrong-class getfield_a
        default: return -1;
        }
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_INS] != 0x01) ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        FwLib.answer(apdu, this);
    }
}
