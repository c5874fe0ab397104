package t.ok;

public class Calls extends Base implements Iface {
    Calls() { super(); }
    public short v(short a) { return a; }
    public short callV(short a) { return v(a); }
    public short callSuper(short a) { return super.v(a); }
    public short m(short x) { return x; }
    static short st(short a) { return a; }
    short callSt() { return st((short) 3); }
    private short pr() { return 1; }
    short callPr() { return pr(); }
    short callIf(Iface i) { return i.m((short) 2); }
    static Object mk() { return new Calls(); }
}
