package com.cardlet.tests.vmfwlib;

import javacard.framework.APDU;

/**
 * One command of the firewall test applets: run(apdu, P1, P2) does one access and returns the value
 * got; FwLib.answer runs it and reports how it ended. A standard interface called by each applet on
 * itself (own context), so it is no firewall access.
 */
public interface FwCase {
    short run(APDU apdu, byte p1, byte p2);
}
