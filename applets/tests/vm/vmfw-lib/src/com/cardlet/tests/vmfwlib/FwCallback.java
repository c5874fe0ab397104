package com.cardlet.tests.vmfwlib;

import javacard.framework.Shareable;

/**
 * The Shareable interface vmfw-client offers to vmfw-server (the reverse direction of FwShared). It
 * lives in the library because the server cannot import the client's package (the client imports the
 * server's). Used to show that a multiselectable owner active on another channel stays reachable.
 */
public interface FwCallback extends Shareable {
    short call();
}
