package t.rej;

public class RejFloat {
    static short f(short a) { float x = a; return (short) x; }
}
