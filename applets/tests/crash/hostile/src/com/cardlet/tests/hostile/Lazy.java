package com.cardlet.tests.hostile;

import javacard.framework.APDU;
import javacard.framework.Applet;

/** An applet whose install() creates the object but never registers it. */
public class Lazy extends Applet {
    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Lazy();
    }

    public void process(APDU apdu) {
    }
}
