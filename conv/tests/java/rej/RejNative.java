package t.rej;

public class RejNative {
    native void f();
}
