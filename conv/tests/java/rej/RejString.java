package t.rej;

public class RejString {
    static Object f() { return "hi"; }
}
