package t.ok;

public class Arrays {
    static byte gb(byte[] a, short i) { return a[i]; }
    static short gs(short[] a, short i) { return a[i]; }
    static boolean gz(boolean[] a, short i) { return a[i]; }
    static Object go(Object[] a, short i) { return a[i]; }
    static void sb(byte[] a, short i, byte v) { a[i] = v; }
    static void ss(short[] a, short i, short v) { a[i] = v; }
    static void sz(boolean[] a, short i, boolean v) { a[i] = v; }
    static void so(Object[] a, short i, Object v) { a[i] = v; }
    static short len(byte[] a) { return (short) a.length; }
    static byte[] nb(short n) { return new byte[n]; }
    static short[] ns() { return new short[4]; }
    static boolean[] nz() { return new boolean[2]; }
    static Object[] no() { return new Object[3]; }
    static Object cb(Object o) { return (byte[]) o; }
    static Object co(Object o) { return (Arrays[]) o; }
    static boolean io(Object o) { return o instanceof Arrays; }
    static void incr(byte[] a, short i) { a[i]++; }
}
