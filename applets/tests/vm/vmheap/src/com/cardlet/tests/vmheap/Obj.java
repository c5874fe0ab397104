package com.cardlet.tests.vmheap;

/** A small object with a field and a method, to use through a reference that must act as null. */
public class Obj {
    short value = 7;

    short twice() {
        return (short) (value * 2);
    }
}
