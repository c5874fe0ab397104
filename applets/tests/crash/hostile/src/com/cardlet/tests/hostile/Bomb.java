package com.cardlet.tests.hostile;

import javacard.framework.APDU;
import javacard.framework.Applet;

/** An applet whose install() allocates and loops until the VM stops it. */
public class Bomb extends Applet {
    private static boolean forever = true;
    private static Object[] kept;

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        kept = new Object[8];
        short i = 0;
        while (forever) {
            kept[(short) (i & 7)] = new byte[100];
            i++;
        }
        new Bomb().register();
    }

    public void process(APDU apdu) {
    }
}
