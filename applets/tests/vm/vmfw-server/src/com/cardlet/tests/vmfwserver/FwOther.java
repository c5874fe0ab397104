package com.cardlet.tests.vmfwserver;

import javacard.framework.Shareable;

/**
 * A Shareable interface FwServer does NOT implement: casting the server's Shareable object to it is
 * allowed by the firewall (JCRE 6.2.8.10) and then fails as a cast (false / ClassCastException).
 */
public interface FwOther extends Shareable {
    short other();
}
