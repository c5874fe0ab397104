package t.rej;

public class RejIntShr {
    static short f(short a, short b) {
        return (short) ((a * b) >> 3);
    }
}
