package com.cardlet.tests.extlen;

/**
 * Implements ExtendedLength only through a superinterface (Tagged): the card must follow the
 * interface's own superinterfaces when a CAP lists just Tagged for this class.
 */
public class ExtEchoTagged extends Echo implements Tagged {
    private ExtEchoTagged() {
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new ExtEchoTagged().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }
}
