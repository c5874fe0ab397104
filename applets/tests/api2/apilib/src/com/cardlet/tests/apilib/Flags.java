package com.cardlet.tests.apilib;

/**
 * What AppletEvent.uninstall() of the api2 Leaver applets did. Statics of a library package: they
 * outlive the deleted applet instance, so another applet can read them afterwards.
 */
public final class Flags {
    /** uninstall() calls so far. */
    public static byte uninstalls;
    /** uninstall() calls that ran in the context of the applet being deleted (JCSystem.getAID()). */
    public static byte inOwnContext;

    private Flags() {
    }
}
