package t.rej;

public interface RejDefault {
    default short f() { return 1; }
}
