package com.cardlet.tests.api2;

import com.cardlet.tests.apilib.Probe;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Shareable;

/** Overrides getShareableInterfaceObject (parameter 1: itself, else null): the positive control for Api2Test's INS 40. */
public class Sharer extends Applet implements Probe {
    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Sharer().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }

    public void process(APDU apdu) {
        if (selectingApplet()) return;
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }

    public Shareable getShareableInterfaceObject(AID clientAID, byte parameter) {
        if (parameter == 1) return this;
        return null;
    }

    public short ping(short x) {
        return (short) (x + 1);
    }
}
