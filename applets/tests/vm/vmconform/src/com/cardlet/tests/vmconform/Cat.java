package com.cardlet.tests.vmconform;

final class Cat extends Animal {
    short sound() {
        return 5;
    }

    short f(short v) {                                       // overrides one overload only
        return (short) (v - 1);
    }
}
