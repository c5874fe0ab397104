package com.cardlet.tests.vmfwlib;

/**
 * A class unrelated to FwData, for the wrong-class field access tests: boxed(o) casts o to FwBox and
 * reads its reference field. tests/vm/vm_firewall_test.c installs copies of this package whose cast
 * names another type, so that it passes for an FwData and getfield_a runs through FwBox's field
 * reference on an FwData object (its cell 0 is the short 42):
 *   - the class FwData (the class index of fresh()'s `new`): the verifier knows the object's class
 *     and refuses the package at load;
 *   - the interface FwPlain (the class index of plain()'s instanceof): the verifier cannot know the
 *     class, the package loads, and the interpreter must refuse the access (SecurityException), not
 *     read the short as a reference.
 * Keep boxed() the only checkcast, fresh() the only `new` and plain() the only instanceof of this
 * package: the test finds them by opcode.
 */
public class FwBox {
    public Object ref;

    public static short boxed(Object o) {
        Object r = ((FwBox) o).ref;
        return (short) (r == null ? 0 : 1);
    }

    /** Gives the package a Classref to FwData (a patched cast names it). */
    public static Object fresh() {
        return new FwData();
    }

    /** Gives the package a Classref to FwPlain (a patched cast names it). */
    public static boolean plain(Object o) {
        return o instanceof FwPlain;
    }
}
