package com.cardlet.tests.vmconform;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;

/**
 * Card side of the differential test: INS selects a group of computations, P1 the operation,
 * the command data holds the inputs. Cases.run (pure Java, also run by the host harness)
 * writes the result bytes. The only card-specific code is here, kept minimal on purpose.
 */
public class Conform extends Applet {
    private final byte[] out;

    private Conform() {
        out = new byte[256];
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Conform();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        short len = apdu.setIncomingAndReceive();
        short n = Cases.run(buf[ISO7816.OFFSET_INS], buf[ISO7816.OFFSET_P1], buf, ISO7816.OFFSET_CDATA, len, out);
        // Copied by hand, not with Util: this test must not depend on the API under test elsewhere.
        for (short i = 0; i < n; i++) {
            buf[i] = out[i];
        }
        apdu.setOutgoingAndSend((short) 0, n);
    }
}
