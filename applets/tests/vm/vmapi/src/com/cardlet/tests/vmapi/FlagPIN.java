package com.cardlet.tests.vmapi;

import javacard.framework.OwnerPIN;

/** OwnerPIN's protected validated-flag accessors, reachable only from a subclass. */
final class FlagPIN extends OwnerPIN {
    FlagPIN() {
        super((byte) 2, (byte) 4);
    }

    boolean flag() {
        return getValidatedFlag();
    }

    void flag(boolean v) {
        setValidatedFlag(v);
    }
}
