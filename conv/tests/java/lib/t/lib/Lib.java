package t.lib;

/* A library package: public classes with static and virtual members, linked by token. */
public class Lib {
    public static short counter;
    public static short twice(short a) { return (short) (a * 2); }
    public short v() { return 1; }
    protected short w() { return 2; }
    short hidden() { return 3; }
}
