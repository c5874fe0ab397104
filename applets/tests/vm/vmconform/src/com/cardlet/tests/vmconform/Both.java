package com.cardlet.tests.vmconform;

/** An interface extending two interfaces. */
interface Both extends Named, Counted {
    short both();
}
