package com.cardlet.tests.vmconform;

final class Bird extends Animal implements Both {
    short tag = 2;                                           // hides Animal.tag

    Bird() {
        legs = 2;
    }

    short sound() {
        return 3;
    }

    public short name() {
        return (short) (super.name() + 1);
    }

    public short both() {
        return (short) (name() + count() + tag + super.tag);
    }
}
