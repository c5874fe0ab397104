package com.cardlet.tests.vmconform16;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;

/**
 * Card side of the short-only differential test: 80 01 P1 P2 05 a(2) b(2) c(1): Rand16 case
 * P1 * 256 + P2 with the inputs; the answer is the 2-byte result, or one marker byte for a
 * runtime exception (E1 arithmetic, E2 index, E7 other), as vmconform's Cases does.
 */
public class Conform16 extends Applet {
    private Conform16() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Conform16();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        apdu.setIncomingAndReceive();
        short n = Dispatch16.run(buf, ISO7816.OFFSET_P1, ISO7816.OFFSET_CDATA, buf);
        apdu.setOutgoingAndSend((short) 0, n);
    }
}
