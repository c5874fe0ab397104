package com.cardlet.tests.vmconform;

/** An applet-defined exception carrying a reason, like the Java Card API's own. */
class TestException extends RuntimeException {
    short reason;

    TestException(short reason) {
        this.reason = reason;
    }
}
