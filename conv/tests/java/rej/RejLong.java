package t.rej;

public class RejLong {
    static short f() { long x = 1L; return (short) x; }
}
