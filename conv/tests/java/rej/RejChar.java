package t.rej;

public class RejChar {
    static short f(short a) { char c = (char) a; return (short) c; }
}
