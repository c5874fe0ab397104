package com.cardlet.tests.vmfwserver;

import com.cardlet.tests.vmfwlib.FwCallback;
import com.cardlet.tests.vmfwlib.FwCase;
import com.cardlet.tests.vmfwlib.FwData;
import com.cardlet.tests.vmfwlib.FwLib;
import com.cardlet.tests.vmfwlib.FwPlain;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Shareable;

/**
 * Owner of the objects the firewall test's client reaches for. Not multiselectable, so while it is
 * selected on one channel its Shareable object is closed to applets running on another (JCRE 6.2.8.6).
 * 80 02: calls the client's FwCallback (the client is multiselectable: allowed while it is active on
 * another channel); answer as the client's: status (00 / 01 SecurityException / 02 other), value.
 */
public class FwServer extends Applet implements FwShared, FwPlain, FwCase {
    private static final byte[] CLIENT_AID = {
        (byte) 0xF0, 0x63, 0x61, 0x72, 0x64, 0x13, 0x01, 0x01
    };

    private final FwData data;
    private final byte[] secret;
    private final boolean[] bools;
    private final short[] shorts;
    private final Object[] refs;
    private final int[] ints;
    private final ISOException own;

    private FwServer() {
        data = new FwData();
        secret = new byte[] { 1, 2, 3, 4 };
        bools = new boolean[] { true, false };
        shorts = new short[] { 300, 301 };
        refs = new Object[2];
        refs[0] = data;
        ints = new int[] { 70000, 1 };
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

    public boolean[] leakBools() {
        return bools;
    }

    public short[] leakShorts() {
        return shorts;
    }

    public Object[] leakRefs() {
        return refs;
    }

    public int[] leakInts() {
        return ints;
    }

    public FwPlain leakPlain() {
        return data;
    }

    public FwPlain selfPlain() {
        return this;
    }

    public short plain() {
        return 77;
    }

    public byte[] globalArray() {
        byte[] g = (byte[]) JCSystem.makeGlobalArray(JCSystem.ARRAY_TYPE_BYTE, (short) 2);
        g[0] = 0x33;
        return g;
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

    /** 80 02: the client's callback (the client's Shareable object), called from the server's context. */
    public short run(APDU apdu, byte p1, byte p2) {
        AID aid = JCSystem.lookupAID(CLIENT_AID, (short) 0, (byte) CLIENT_AID.length);
        if (aid == null) ISOException.throwIt((short) 0x6A88);
        FwCallback cb = (FwCallback) JCSystem.getAppletShareableInterfaceObject(aid, (byte) 0);
        return cb.call();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_INS] != 0x02) ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        FwLib.answer(apdu, this);
    }
}
