package t.rej;

public class RejIndex {
    static byte f(byte[] a, short i) {
        return a[i + 1];
    }
}
