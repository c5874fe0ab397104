package com.cardlet.vmtest;

/** An interface call (VmTest INS 05). */
public interface Measurable {
    short measure(short scale);
}
