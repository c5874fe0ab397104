package com.cardlet.tests.vmconform;

class Derived extends Base implements Sized {
    short depth;

    Derived() {
        super((short) 4, (short) 5);                         // super(...) constructor
        depth = 6;
    }

    Derived(short d) {
        this();
        depth = d;
    }

    short id() {
        return 2;
    }

    public short area() {
        return (short) (super.area() * depth);               // invokespecial super method
    }

    public short size() {
        return (short) (w + h + depth);
    }
}
