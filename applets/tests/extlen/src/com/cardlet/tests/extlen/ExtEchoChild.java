package com.cardlet.tests.extlen;

/**
 * Implements ExtendedLength only through its superclass ExtEcho: the card must look up the
 * class chain, not just the applet class's own interface list.
 */
public class ExtEchoChild extends ExtEcho {
    private ExtEchoChild() {
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new ExtEchoChild().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }
}
