package com.cardlet.tests.hostile;

import javacard.framework.APDU;
import javacard.framework.Applet;

/** An applet whose select() runs until the VM stops it and whose deselect() throws. */
public class Sulky extends Applet {
    private boolean forever = true;

    private Sulky() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Sulky();
    }

    public boolean select() {
        short n = 0;
        while (forever) {
            n++;
        }
        return n == 0;
    }

    public void deselect() {
        Object nothing = null;
        nothing.equals(this);
    }

    public void process(APDU apdu) {
    }
}
