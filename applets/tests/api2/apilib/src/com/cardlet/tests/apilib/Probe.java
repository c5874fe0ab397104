package com.cardlet.tests.apilib;

import javacard.framework.Shareable;

/** The interface the api2 Sharer applet shares, so a non-null answer can be told from the default null. */
public interface Probe extends Shareable {
    /** Returns x + 1: proves the call went through to the server. */
    short ping(short x);
}
