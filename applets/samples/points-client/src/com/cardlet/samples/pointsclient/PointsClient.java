package com.cardlet.samples.pointsclient;

import com.cardlet.samples.points.Points;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;

/**
 * A shop terminal's applet: earns loyalty points by calling the points server applet
 * (another package, another firewall context) through its shared Points interface.
 *
 * Commands (CLA 80):
 *   80 10 00 00 02 n [02]   EARN: grant n points (1..100) on the server, returns its new balance
 *   80 20 00 00 [02]        BALANCE: the server's balance, asked through the interface
 * 6A 88 when the server applet is not installed, 69 85 when it refuses to share.
 */
public class PointsClient extends Applet {
    private static final byte CLA_SHOP = (byte) 0x80;
    private static final byte INS_EARN = (byte) 0x10;
    private static final byte INS_BALANCE = (byte) 0x20;
    private static final short SW_SERVER_NOT_FOUND = (short) 0x6A88;

    private final byte[] serverAid = {
        (byte) 0xF0, (byte) 0x63, (byte) 0x61, (byte) 0x72, (byte) 0x64, (byte) 0x03, (byte) 0x01,
        (byte) 0x01
    };

    private PointsClient(byte[] bArray, short bOffset, byte bLength) {
        register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new PointsClient(bArray, bOffset, bLength);
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if ((byte) (buf[ISO7816.OFFSET_CLA] & (byte) 0xFC) != CLA_SHOP) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        short result = 0;
        switch (buf[ISO7816.OFFSET_INS]) {
        case INS_EARN:
            if (apdu.setIncomingAndReceive() != 2) {
                ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
            }
            result = server().grant(Util.getShort(buf, ISO7816.OFFSET_CDATA));
            break;
        case INS_BALANCE:
            result = server().balance();
            break;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.setShort(buf, (short) 0, result);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }

    /** Asks the firewall for the server's interface; never returns null. */
    private Points server() {
        AID aid = JCSystem.lookupAID(serverAid, (short) 0, (byte) serverAid.length);
        if (aid == null) {
            ISOException.throwIt(SW_SERVER_NOT_FOUND);
        }
        Points points = (Points) JCSystem.getAppletShareableInterfaceObject(aid, Points.PARAMETER);
        if (points == null) {
            ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
        }
        return points;
    }
}
