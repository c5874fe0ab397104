package t.ok;

public class Base {
    public short v(short a) { return (short) (a + 1); }
}
