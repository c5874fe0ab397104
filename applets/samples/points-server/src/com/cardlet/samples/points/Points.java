package com.cardlet.samples.points;

import javacard.framework.Shareable;

/**
 * Loyalty points, shared across the applet firewall with the applets the points server
 * accepts (see PointsServer.getShareableInterfaceObject).
 */
public interface Points extends Shareable {
    /** The parameter a client passes to getAppletShareableInterfaceObject for this interface. */
    byte PARAMETER = (byte) 0x01;

    /**
     * Adds n points (1..100) and returns the new balance. Throws ISOException 6A 80 for a bad
     * n, 6A 84 when the balance would pass 30000.
     */
    short grant(short n);

    /** The points collected so far. */
    short balance();
}
