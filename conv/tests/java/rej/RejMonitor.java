package t.rej;

public class RejMonitor {
    static void f(Object o) { synchronized (o) { o = null; } }
}
