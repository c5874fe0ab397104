package com.cardlet.tests.extlen;

import javacardx.apdu.ExtendedLength;

/**
 * Echo's commands for an applet that implements ExtendedLength: the card hands it extended
 * commands (up to 32767 bytes of data, header 00 Lc Lc, data at offset 7) and lets it send up
 * to 32767 bytes. Nothing else differs: the card decides by the interface alone.
 */
public class ExtEcho extends Echo implements ExtendedLength {
    protected ExtEcho() {
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new ExtEcho().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }
}
