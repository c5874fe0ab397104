package t.rej;

public class RejInt {
    static short f(short a, short b) {
        if (a + b > 10) return 1;
        return 0;
    }
}
