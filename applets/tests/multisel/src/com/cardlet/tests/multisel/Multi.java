package com.cardlet.tests.multisel;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.MultiSelectable;
import javacard.framework.Util;

/**
 * Counts the selection calls the card makes, so a test can tell Applet.select() from
 * MultiSelectable.select(false/true) and the same for deselect (JCRE 3.0.5 4.2: the MultiSelectable
 * methods run when the instance or its package is active on another channel).
 *
 *   8x 10 00 00 [Le]   LOG: six counters, 2 bytes each: Applet.select, select(false), select(true),
 *                      Applet.deselect, deselect(false), deselect(true)
 */
public class Multi extends Applet implements MultiSelectable {
    private static final byte INS_LOG = (byte) 0x10;
    private static final short SELECT = 0, SELECT_FALSE = 1, SELECT_TRUE = 2;
    private static final short DESELECT = 3, DESELECT_FALSE = 4, DESELECT_TRUE = 5;

    private final short[] counts = new short[6];

    private Multi() {
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Multi().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }

    private void count(short which) {
        counts[which]++;
    }

    public boolean select() {
        count(SELECT);
        return true;
    }

    public void deselect() {
        count(DESELECT);
    }

    public boolean select(boolean appInstAlreadyActive) {
        count(appInstAlreadyActive ? SELECT_TRUE : SELECT_FALSE);
        return true;
    }

    public void deselect(boolean appInstStillActive) {
        count(appInstStillActive ? DESELECT_TRUE : DESELECT_FALSE);
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_INS] != INS_LOG) {
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        for (short i = 0; i < (short) counts.length; i++) {
            Util.setShort(buf, (short) (2 * i), counts[i]);
        }
        apdu.setOutgoingAndSend((short) 0, (short) (2 * counts.length));
    }
}
