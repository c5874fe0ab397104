package com.cardlet.vmtest;

/** Virtual dispatch across a small hierarchy (VmTest INS 04). */
public class Shape {
    protected short side;

    Shape(short side) {
        this.side = side;
    }

    short area() {
        return (short) (side * side);
    }

    public short describe() {
        return (short) (area() + 1000);
    }
}
