package t.ok;

public interface Iface {
    short m(short x);
}
