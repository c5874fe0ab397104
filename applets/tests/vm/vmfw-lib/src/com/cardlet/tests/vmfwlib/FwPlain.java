package com.cardlet.tests.vmfwlib;

/**
 * A standard interface (it does not extend Shareable): JCRE 6.2.8.5 lets an applet call it only on
 * its own objects and on JCRE entry points, never on another applet's object, even one that is Shareable.
 */
public interface FwPlain {
    short plain();
}
