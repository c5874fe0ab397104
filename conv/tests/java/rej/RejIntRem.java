package t.rej;

public class RejIntRem {
    static short f(short a) {
        return (short) (0x12345678 % a);
    }
}
