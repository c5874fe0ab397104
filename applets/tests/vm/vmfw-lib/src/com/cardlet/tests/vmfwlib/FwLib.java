package com.cardlet.tests.vmfwlib;

/** Public statics: the JCRE puts no firewall on static fields (the objects they name are checked). */
public final class FwLib {
    public static short counter = 7;
    /** Set by vmfw-server, so the array belongs to the server's context. */
    public static byte[] table;

    private FwLib() {
    }

    public static short twice(short v) {
        return (short) (v * 2);
    }
}
