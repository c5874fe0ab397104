package com.cardlet.tests.vmconform;

/** A third level: overrides one method, inherits the rest (virtual table inheritance). */
final class Leaf extends Derived {
    Leaf(short d) {
        super(d);
    }

    short id() {
        return (short) (super.id() + 1);
    }

    public short scale(short k) {
        return (short) (super.scale(k) + 1000);
    }
}
