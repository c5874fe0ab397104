package com.cardlet.samples.points;

import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Shareable;
import javacard.framework.Util;

/**
 * Keeps a loyalty-points balance and lets exactly one other applet, the points client
 * (AID F063617264040101), add to it through the Points interface.
 *
 * Its own command (CLA 80):
 *   80 50 00 00 [02]   GET BALANCE: the points (2 bytes)
 */
public class PointsServer extends Applet implements Points {
    private static final byte CLA_POINTS = (byte) 0x80;
    private static final byte INS_GET_BALANCE = (byte) 0x50;
    private static final short MAX_GRANT = (short) 100;
    private static final short MAX_POINTS = (short) 30000;

    /** The only applet that may use the Points interface. */
    private final byte[] clientAid = {
        (byte) 0xF0, (byte) 0x63, (byte) 0x61, (byte) 0x72, (byte) 0x64, (byte) 0x04, (byte) 0x01,
        (byte) 0x01
    };

    private short points;

    private PointsServer(byte[] bArray, short bOffset, byte bLength) {
        register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new PointsServer(bArray, bOffset, bLength);
    }

    /**
     * The firewall asks here on behalf of a client: hand out the interface only to the known
     * client, and only for the parameter that names it.
     */
    public Shareable getShareableInterfaceObject(AID clientAID, byte parameter) {
        if (parameter != Points.PARAMETER || !isClient(clientAID)) {
            return null;
        }
        return this;
    }

    public short grant(short n) {
        // The interface object could have been passed on: check who calls, every time.
        if (!isClient(JCSystem.getPreviousContextAID())) {
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        if (n < 1 || n > MAX_GRANT) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        if (n > (short) (MAX_POINTS - points)) {
            ISOException.throwIt(ISO7816.SW_FILE_FULL);
        }
        points = (short) (points + n);
        return points;
    }

    public short balance() {
        if (!isClient(JCSystem.getPreviousContextAID())) {
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        return points;
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if ((byte) (buf[ISO7816.OFFSET_CLA] & (byte) 0xFC) != CLA_POINTS) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        if (buf[ISO7816.OFFSET_INS] != INS_GET_BALANCE) {
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.setShort(buf, (short) 0, points);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }

    private boolean isClient(AID aid) {
        return aid != null && aid.equals(clientAid, (short) 0, (byte) clientAid.length);
    }
}
