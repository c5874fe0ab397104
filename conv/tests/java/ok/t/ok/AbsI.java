package t.ok;

/* implements Iface without declaring m: calls through AbsI reach m by invokeinterface */
public abstract class AbsI implements Iface {
    short call(AbsI a) { return a.m((short) 1); }
}
