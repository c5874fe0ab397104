package t.rej;

public class RejSync {
    synchronized void f() { }
}
