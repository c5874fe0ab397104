package com.cardlet.tests.vmconform;

/** An abstract class: abstract and concrete methods, a field hidden by a subclass. */
abstract class Animal implements Named, Counted {
    short legs = 4;
    short tag = 1;

    abstract short sound();

    short describe() {
        return (short) (sound() * 10 + legs);               // abstract method called from the base
    }

    public short name() {
        return 100;
    }

    public short count() {
        return tag;
    }

    /** Overloads: the descriptor picks the method. */
    short f(short v) {
        return (short) (v + 1);
    }

    short f(byte v) {
        return (short) (v + 2);
    }

    short f(short v, short w) {
        return (short) (v * w);
    }

    short f(Object o) {
        return (short) (o == null ? 3 : 4);
    }

    static short kind() {
        return 7;
    }
}
