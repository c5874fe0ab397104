package com.cardlet.vmtest;

/** Overrides area(); describe() is inherited and must call this area(). */
public class Rect extends Shape implements Measurable {
    private short other;

    Rect(short a, short b) {
        super(a);
        other = b;
    }

    short area() {
        return (short) (side * other);
    }

    public short measure(short scale) {
        return (short) (area() * scale);
    }
}
