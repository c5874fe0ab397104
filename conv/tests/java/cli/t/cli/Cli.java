package t.cli;

import javacard.framework.PIN;
import t.lib.Lib;
import t.lib.Op;

/* Extends a class of another package and implements that package's interface and an API one. */
public class Cli extends Lib implements Op, PIN {
    public short v() { return 5; }
    public short apply(short x) { return Lib.twice(x); }
    public short readCounter() { return Lib.counter; }
    public boolean check(byte[] b, short o, byte l) { return false; }
    public byte getTriesRemaining() { return 0; }
    public boolean isValidated() { return false; }
    public void reset() { }
}
