package t.rej;

public class RejMulti {
    static Object f() { return new byte[2][3]; }
}
