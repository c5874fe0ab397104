package com.cardlet.tests.vmfwlib;

/** A plain (not Shareable) server object with public members: the firewall, not Java access, must stop the client. */
public class FwData implements FwPlain {
    public short value;
    public byte[] arr;

    public FwData() {
        value = 42;
        arr = new byte[4];
    }

    public short get() {
        return value;
    }

    public short plain() {
        return value;
    }
}
