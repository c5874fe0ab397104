package com.cardlet.tests.vmconform;

/** A subclass, to check that handlers match by class hierarchy in table order. */
final class OtherException extends TestException {
    OtherException(short reason) {
        super(reason);
    }
}
