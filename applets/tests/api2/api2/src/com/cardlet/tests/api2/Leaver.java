package com.cardlet.tests.api2;

import com.cardlet.tests.apilib.Flags;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.AppletEvent;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;

/**
 * Counts its own deletion: AppletEvent.uninstall() increments a static of the apilib library,
 * which Api2Test reads after the instance is gone (tests/api/api_calls_test.c). Applet data 01
 * makes uninstall() throw after counting: the card must delete the instance all the same.
 * It keeps Applet.getShareableInterfaceObject as inherited (Api2Test checks it answers null).
 */
public class Leaver extends Applet implements AppletEvent {
    private final byte[] aid = new byte[16];
    private final byte aidLen;
    private final boolean throwInUninstall;

    private Leaver(byte[] bArray, short bOffset, byte bLength) {
        // [Li instance AID][Lc control info][La applet data], every length checked against bLength.
        short end = (short) (bOffset + (bLength & 0xFF));
        short p = bOffset;
        aidLen = bArray[p];
        if (aidLen < 5 || aidLen > 16 || (short) (p + 1 + aidLen) > end) ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        Util.arrayCopyNonAtomic(bArray, (short) (p + 1), aid, (short) 0, aidLen);
        p = (short) (p + 1 + aidLen);
        p = (short) (p + 1 + (bArray[p] & 0xFF));
        boolean t = false;
        if (p < end && (bArray[p] & 0xFF) >= 1 && (short) (p + 1) < end) t = bArray[(short) (p + 1)] == 1;
        throwInUninstall = t;
        register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Leaver(bArray, bOffset, bLength);
    }

    public void process(APDU apdu) {
        if (selectingApplet()) return;
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }

    public void uninstall() {
        Flags.uninstalls++;
        AID me = JCSystem.getAID();
        if (me != null && me.equals(aid, (short) 0, aidLen)) Flags.inOwnContext++;
        if (throwInUninstall) ISOException.throwIt((short) 0x6F66);
    }
}
