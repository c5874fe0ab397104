package t.rej;

public class RejReflect {
    static Object f() { return RejReflect.class; }
}
