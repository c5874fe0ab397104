package t.rej;

public class RejIntParam {
    static void f(int x) { }
}
