package com.cardlet.tests.vmbench;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;

/**
 * Benchmark applet.
 *   80 01 00 00 02 NN NN 02   LOOP: runs work() for NNNN iterations on a RAM (transient) array,
 *                             answers the 2-byte result
 *   80 03 00 00 02 NN NN 02   the same on a persistent array (every store is an image write)
 *   80 02 00 00 02            PING: 2 bytes, no computation (APDU processing cost)
 * The loop body mixes short arithmetic, array loads/stores and a static call, like applet code.
 */
public class Bench extends Applet {
    private final short[] table;
    private final short[] ram;

    private Bench() {
        table = new short[16];
        ram = JCSystem.makeTransientShortArray((short) 16, JCSystem.CLEAR_ON_DESELECT);
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Bench();
    }

    static short mix(short a, short b) {
        return (short) ((short) (a << 1) + (short) (b >> 2) - 3);
    }

    static short work(short[] arr, short n) {
        short acc = 0;
        for (short i = 0; i < n; i++) {
            short j = (short) (i & 15);
            arr[j] = (short) (arr[j] + i);
            acc = (short) (acc ^ mix(arr[j], i));
        }
        return acc;
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        short r;
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x01:
        case 0x03: {
            apdu.setIncomingAndReceive();
            short n = (short) ((buf[ISO7816.OFFSET_CDATA] << 8) | (buf[(short) (ISO7816.OFFSET_CDATA + 1)] & 0xFF));
            short[] arr = buf[ISO7816.OFFSET_INS] == 0x01 ? ram : table;
            for (short k = 0; k < 16; k++) arr[k] = 0;
            r = work(arr, n);
            break;
        }
        case 0x02:
            r = 0x1234;
            break;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
            return;
        }
        buf[0] = (byte) (r >> 8);
        buf[1] = (byte) r;
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }
}
