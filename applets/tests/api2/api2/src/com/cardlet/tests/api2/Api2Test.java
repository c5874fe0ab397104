package com.cardlet.tests.api2;

import com.cardlet.tests.apilib.Flags;
import com.cardlet.tests.apilib.Probe;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Shareable;
import javacard.framework.Util;
import javacardx.apdu.ExtendedLength;

/**
 * Calls the API methods the vmapi suite leaves out and answers what they returned; the expected
 * answers (Java Card 3.0.5 API) are in tests/api/api2.script and tests/api/api_calls_test.c, the
 * command list in docs/testing-api.md. It implements ExtendedLength so that a command longer than
 * the APDU buffer arrives in several receiveBytes blocks (INS 11).
 *
 *   INS 10 APDU getNAD / waitExtension    INS 11 command chaining and block-wise receive
 *   INS 20 exception classes              INS 30 OwnerPINBuilder, OwnerPINx(WithPredecrement)
 *   INS 40 Shareable default, uninstall   INS 50 RandomData
 *   INS 60 ECKey, KeyAgreement            INS 70 RSA keys, HMACKey
 *   INS 80 methods this card refuses
 */
public class Api2Test extends Applet implements ExtendedLength {
    private static final byte[] LEAVER = { (byte) 0xF0, 0x63, 0x61, 0x72, 0x64, 0x23, 0x01, 0x02 };
    private static final byte[] SHARER = { (byte) 0xF0, 0x63, 0x61, 0x72, 0x64, 0x23, 0x01, 0x03 };

    private final Out out = new Out();
    /** Bytes and byte sum of the command chain so far (INS 11); RAM, like a real chain buffer. */
    private final short[] chain = JCSystem.makeTransientShortArray((short) 2, JCSystem.CLEAR_ON_DESELECT);
    private final PinCases pins = new PinCases();
    private final KeyCases keys = new KeyCases();

    private Api2Test() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Api2Test();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) return;
        byte[] buf = apdu.getBuffer();
        byte p1 = buf[ISO7816.OFFSET_P1];
        out.clear();
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x10: ApduCases.info(apdu, p1, out); return;
        case 0x11: ApduCases.chain(apdu, out, chain); return;
        case 0x20: ExcCases.run(out, p1, reason(apdu)); break;
        case 0x30: pins.run(out, p1); break;
        case 0x40: shareables(); break;
        case 0x50: RandomCases.run(out, p1); break;
        case 0x60: keys.ec(out, p1); break;
        case 0x70: keys.rsa(out, p1, buf, apdu); break;
        case (byte) 0x80: RefuseCases.run(out, keys.ecPair()); break;
        default: ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.arrayCopyNonAtomic(out.buf, (short) 0, buf, (short) 0, out.length());
        apdu.setOutgoingAndSend((short) 0, out.length());
    }

    /** The two data bytes of an exception command: the reason to construct or throw with. */
    private static short reason(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        if (apdu.setIncomingAndReceive() != 2) ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        return Util.getShort(buf, apdu.getOffsetCdata());
    }

    /**
     * 80 40: Applet.getShareableInterfaceObject as inherited (null), next to Sharer, which
     * overrides it, so a null is the default and not a lookup failure; and what the uninstall()
     * of deleted Leaver instances left in the library's statics.
     */
    private void shareables() {
        AID leaver = JCSystem.lookupAID(LEAVER, (short) 0, (byte) LEAVER.length);
        AID sharer = JCSystem.lookupAID(SHARER, (short) 0, (byte) SHARER.length);
        out.putZ(leaver != null);
        out.putZ(leaver != null && JCSystem.getAppletShareableInterfaceObject(leaver, (byte) 1) == null);
        Shareable s = null;
        if (sharer != null) s = JCSystem.getAppletShareableInterfaceObject(sharer, (byte) 1);
        out.putZ(s != null);
        short pong = 0;
        if (s != null) pong = ((Probe) s).ping((short) 0x1233);
        out.putS(pong);
        out.putZ(sharer != null && JCSystem.getAppletShareableInterfaceObject(sharer, (byte) 0) == null);
        out.putZ(getShareableInterfaceObject(JCSystem.getAID(), (byte) 1) == null);
        out.put(Flags.uninstalls);
        out.put(Flags.inOwnContext);
    }
}
