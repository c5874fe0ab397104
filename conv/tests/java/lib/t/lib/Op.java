package t.lib;

public interface Op {
    short apply(short x);
}
