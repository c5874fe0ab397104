package com.cardlet.tests.vmfwclient;

import com.cardlet.tests.vmfwlib.FwData;
import com.cardlet.tests.vmfwlib.FwLib;
import com.cardlet.tests.vmfwserver.FwShared;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Shareable;

/**
 * Firewall test client. 80 01 P1: one access to the server's objects, answered with one byte:
 * 00 done without exception, 01 SecurityException, 02 another exception; then the value got (2 bytes).
 * Which accesses must be refused is in tests/vm/vmfw.script.
 */
public class FwClient extends Applet {
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

    private static FwShared server(byte parameter) {
        AID aid = JCSystem.lookupAID(SERVER_AID, (short) 0, (byte) SERVER_AID.length);
        if (aid == null) ISOException.throwIt((short) 0x6A88);
        Shareable s = JCSystem.getAppletShareableInterfaceObject(aid, parameter);
        return (FwShared) s;
    }

    private short access(byte op) {
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
        default: return -1;
        }
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_INS] != 0x01) ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        byte status;
        short value = 0;
        try {
            value = access(buf[ISO7816.OFFSET_P1]);
            status = 0;
        } catch (SecurityException e) {
            status = 1;
        } catch (RuntimeException e) {
            status = 2;
        }
        buf[0] = status;
        buf[1] = (byte) (value >> 8);
        buf[2] = (byte) value;
        apdu.setOutgoingAndSend((short) 0, (short) 3);
    }
}
