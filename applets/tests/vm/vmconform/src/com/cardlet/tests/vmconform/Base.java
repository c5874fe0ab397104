package com.cardlet.tests.vmconform;

/** Class hierarchy for virtual, super, private and static calls and constructor chains. */
class Base implements Shape {
    static short created;
    protected short w;
    short h;

    Base() {
        this((short) 2, (short) 3);                          // constructor chaining: this(...)
    }

    Base(short w, short h) {
        this.w = w;
        this.h = h;
        created++;
    }

    short id() {
        return 1;
    }

    public short area() {
        return (short) (w * h);
    }

    public short scale(short k) {
        w = (short) (w * k);
        return hidden(k);
    }

    private short hidden(short k) {                          // invokespecial on a private method
        return (short) (w + k);
    }

    static short twice(short v) {
        return (short) (v * 2);
    }

    short describe() {
        return (short) (id() * 100 + area());                // virtual call from the base class
    }
}
