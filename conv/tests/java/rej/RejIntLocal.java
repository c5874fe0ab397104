package t.rej;

public class RejIntLocal {
    static short f() {
        int x = 5;
        x++;
        return (short) x;
    }
}
