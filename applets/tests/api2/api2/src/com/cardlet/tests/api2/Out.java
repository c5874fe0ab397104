package com.cardlet.tests.api2;

import javacard.framework.JCSystem;
import javacard.framework.Util;

/**
 * The answer of one command, collected in RAM and sent when the command ends, so one command can
 * report many calls. Transient: a persistent buffer would itself take part in the transactions and
 * cost an image write per byte.
 */
final class Out {
    /** Answered instead of an exception's reason when none was thrown. */
    static final short NO_EXC = 0x00EE;
    static final short CAP = 300;

    final byte[] buf;
    private final short[] len;

    Out() {
        buf = JCSystem.makeTransientByteArray(CAP, JCSystem.CLEAR_ON_DESELECT);
        len = JCSystem.makeTransientShortArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
    }

    void clear() {
        len[0] = 0;
    }

    short length() {
        return len[0];
    }

    void put(byte b) {
        buf[len[0]] = b;
        len[0]++;
    }

    void putS(short s) {
        len[0] = Util.setShort(buf, len[0], s);
    }

    void putZ(boolean z) {
        put(z ? (byte) 1 : (byte) 0);
    }

    /** A one-byte length, then the bytes. */
    void putLV(byte[] src, short off, short n) {
        put((byte) n);
        len[0] = Util.arrayCopyNonAtomic(src, off, buf, len[0], n);
    }

    /** Sum of n bytes, unsigned: a cheap fingerprint of data that must arrive intact. */
    static short sum(byte[] b, short off, short n) {
        short s = 0;
        for (short i = 0; i < n; i++) s = (short) (s + (b[(short) (off + i)] & 0xFF));
        return s;
    }

    /** Are n bytes of a and b equal? */
    static boolean same(byte[] a, short aOff, byte[] b, short bOff, short n) {
        return Util.arrayCompare(a, aOff, b, bOff, n) == 0;
    }
}
