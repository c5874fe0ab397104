package com.cardlet.samples.hello;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;

/**
 * The smallest useful applet: a fixed greeting and an echo of the command data.
 *
 * Commands (CLA 80, the low two bits may carry a logical channel):
 *   80 01 00 00 [Le]          GREET: the ASCII text "Hello, cardlet!"
 *   80 02 00 00 Lc data [Le]  ECHO: the command data, unchanged
 *   80 03 00 00 [Le]          COUNT: how many commands this instance has answered (2 bytes,
 *                             persistent, so it survives a card reset)
 */
public class Hello extends Applet {
    private static final byte CLA_HELLO = (byte) 0x80;
    private static final byte INS_GREET = (byte) 0x01;
    private static final byte INS_ECHO = (byte) 0x02;
    private static final byte INS_COUNT = (byte) 0x03;

    /** "Hello, cardlet!" in ASCII. */
    private final byte[] greeting = {
        'H', 'e', 'l', 'l', 'o', ',', ' ', 'c', 'a', 'r', 'd', 'l', 'e', 't', '!'
    };

    /** Answered commands, wrapping at 0x7FFF back to 0 (a short never needs more here). */
    private short answered;

    private Hello() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Hello();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return; // SELECT: nothing to say but 90 00
        }
        byte[] buf = apdu.getBuffer();
        // Bits 0-1 of CLA are the logical channel; the rest must be our proprietary class.
        if ((byte) (buf[ISO7816.OFFSET_CLA] & (byte) 0xFC) != CLA_HELLO) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        if (buf[ISO7816.OFFSET_P1] != 0 || buf[ISO7816.OFFSET_P2] != 0) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        switch (buf[ISO7816.OFFSET_INS]) {
        case INS_GREET:
            greet(apdu, buf);
            break;
        case INS_ECHO:
            echo(apdu, buf);
            break;
        case INS_COUNT:
            count(apdu, buf);
            break;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    private void greet(APDU apdu, byte[] buf) {
        countAnswer();
        short len = (short) greeting.length;
        Util.arrayCopyNonAtomic(greeting, (short) 0, buf, (short) 0, len);
        apdu.setOutgoingAndSend((short) 0, len);
    }

    private void echo(APDU apdu, byte[] buf) {
        short received = apdu.setIncomingAndReceive();
        short total = apdu.getIncomingLength();
        short dataOffset = apdu.getOffsetCdata();
        // Data that did not arrive with the first block (T=0, large APDUs) is read on.
        while (received < total) {
            short more = apdu.receiveBytes((short) (dataOffset + received));
            if (more == 0) {
                ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
            }
            received = (short) (received + more);
        }
        countAnswer();
        apdu.setOutgoingAndSend(dataOffset, total);
    }

    private void count(APDU apdu, byte[] buf) {
        countAnswer();
        Util.setShort(buf, (short) 0, answered);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }

    private void countAnswer() {
        answered = answered == (short) 0x7FFF ? (short) 0 : (short) (answered + 1);
    }
}
