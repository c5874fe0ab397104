package com.cardlet.tests.vmconform;

/** A checked exception (extends Exception, not RuntimeException). */
final class CheckedException extends Exception {
    final short code;

    CheckedException(short code) {
        this.code = code;
    }
}
