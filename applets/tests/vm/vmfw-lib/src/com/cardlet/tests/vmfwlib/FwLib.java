package com.cardlet.tests.vmfwlib;

import javacard.framework.APDU;
import javacard.framework.ISO7816;

/** Public statics: the JCRE puts no firewall on static fields (the objects they name are checked). */
public final class FwLib {
    public static short counter = 7;
    /** Set by vmfw-server, so the array belongs to the server's context. */
    public static byte[] table;
    /** Written by vmfw-client (putstatic into another package's static field). */
    public static Object slot;

    private FwLib() {
    }

    public static short twice(short v) {
        return (short) (v * 2);
    }

    /**
     * Runs one test command and answers status (00 no exception, 01 SecurityException, 02 another
     * exception) and the value got (2 bytes), the answer format of both test applets.
     */
    public static void answer(APDU apdu, FwCase c) {
        byte[] buf = apdu.getBuffer();
        byte status;
        short value = 0;
        try {
            value = c.run(apdu, buf[ISO7816.OFFSET_P1], buf[ISO7816.OFFSET_P2]);
            status = 0;
        } catch (SecurityException e) {
            status = 1;
        } catch (RuntimeException e) {
            status = 2;
        }
        buf[0] = status;
        buf[1] = (byte) (value >> 8);
        buf[2] = (byte) value;
        apdu.setOutgoingAndSend((short) 0, (short) 3);
    }
}
