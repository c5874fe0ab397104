package com.cardlet.tests.vmfwserver;

import com.cardlet.tests.vmfwlib.FwData;
import com.cardlet.tests.vmfwlib.FwLib;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Shareable;

/** Owner of the objects the firewall test's client reaches for. */
public class FwServer extends Applet implements FwShared {
    private static final byte[] CLIENT_AID = {
        (byte) 0xF0, 0x63, 0x61, 0x72, 0x64, 0x13, 0x01, 0x01
    };

    private final FwData data;
    private final byte[] secret;
    private final ISOException own;

    private FwServer() {
        data = new FwData();
        secret = new byte[] { 1, 2, 3, 4 };
        own = new ISOException((short) 0x6A89);
        FwLib.table = new byte[] { 9, 8, 7 };
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new FwServer();
    }

    public Shareable getShareableInterfaceObject(AID clientAID, byte parameter) {
        if (parameter != 0 || !clientAID.equals(CLIENT_AID, (short) 0, (byte) CLIENT_AID.length)) {
            return null;
        }
        return this;
    }

    public short ping(short v) {
        AID caller = JCSystem.getPreviousContextAID();
        boolean fromClient = caller != null && caller.equals(CLIENT_AID, (short) 0, (byte) CLIENT_AID.length);
        return (short) ((short) (v + 1000) | (fromClient ? 0x4000 : 0));
    }

    public FwData leakData() {
        return data;
    }

    public byte[] leakArray() {
        return secret;
    }

    public Object leakObject() {
        return data;
    }

    public byte touch(byte[] clientArray) {
        try {
            clientArray[0] = 0x55;
            return 0;
        } catch (SecurityException e) {
            return 1;
        }
    }

    public void fail(short sw) {
        ISOException.throwIt(sw);
    }

    public void failOwn() {
        throw own;
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
}
