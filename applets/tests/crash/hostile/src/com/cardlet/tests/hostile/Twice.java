package com.cardlet.tests.hostile;

import javacard.framework.APDU;
import javacard.framework.Applet;

/** An applet whose install() registers two objects for one instance. */
public class Twice extends Applet {
    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Twice().register();
        new Twice().register();
    }

    public void process(APDU apdu) {
    }
}
