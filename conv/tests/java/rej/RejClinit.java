package t.rej;

public class RejClinit {
    static short[] x = new short[] { f() };
    static short f() { return 1; }
}
