package t.rej;

public class RejFinalize {
    protected void finalize() { }
}
