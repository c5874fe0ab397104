package com.cardlet.tests.vmconform;

/**
 * Host side of the differential test. Runs the same Cases.run as the card applet, on the host
 * JVM, with every input vector, and prints one line per APDU:
 *     NAME COMMAND-HEX EXPECTED-RESPONSE-HEX
 * The order matters: static fields carry state from one APDU to the next on both sides.
 * Inputs sit on the overflow edges (0x7FFF + 1, -32768 / -1, shifts by 15/16/31, byte sign
 * extension, signs of division and remainder).
 */
public final class Harness {
    private static final short[] EDGE = {
        0, 1, -1, 2, -2, 7, -7, 15, 16, 31, 32, 100, -100, 255, 256, 0x7F, -0x80,
        0x7FFF, (short) 0x8000, 0x7FFE, (short) 0x8001, 0x1234, (short) 0xABCD
    };
    private static final short[] SHIFTS = { 0, 1, 4, 7, 8, 15, 16, 17, 31, 32, -1 };
    private static final int[] IEDGE = {
        0, 1, -1, 2, 31, 32, 65535, 65536, -65536, 100000, 100003, 70000, -2000000000,
        0x7FFFFFFF, 0x80000000, 0x12345678, 0xCAFEBABE
    };

    private static final StringBuilder OUT = new StringBuilder();

    private Harness() {
    }

    private static String hex(byte[] b, int off, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = off; i < off + len; i++) s.append(String.format("%02X", b[i] & 0xFF));
        return s.toString();
    }

    /** One APDU: 80 INS P1 00 Lc data 00, run through Cases.run like the applet does. */
    private static void apdu(String name, int ins, int p1, byte[] data) {
        byte[] cmd = new byte[5 + data.length + 1];
        cmd[0] = (byte) 0x80;
        cmd[1] = (byte) ins;
        cmd[2] = (byte) p1;
        cmd[4] = (byte) data.length;
        System.arraycopy(data, 0, cmd, 5, data.length);
        byte[] out = new byte[256];
        short n = Cases.run((byte) ins, (byte) p1, cmd, (short) 5, (short) data.length, out);
        OUT.append(name).append(' ').append(hex(cmd, 0, cmd.length)).append(' ')
           .append(hex(out, 0, n)).append("9000\n");
    }

    private static byte[] shorts(short... v) {
        byte[] b = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) {
            b[2 * i] = (byte) (v[i] >> 8);
            b[2 * i + 1] = (byte) v[i];
        }
        return b;
    }

    private static byte[] ints(int a, int b) {
        return new byte[] { (byte) (a >> 24), (byte) (a >> 16), (byte) (a >> 8), (byte) a,
                            (byte) (b >> 24), (byte) (b >> 16), (byte) (b >> 8), (byte) b };
    }

    /** The short-only package vmconform16: 80 01 OPHI OPLO 05 a b c 00 through Dispatch16. */
    private static void short16() {
        java.util.Random rnd = new java.util.Random(1616);
        short[] ra = { 0, 1, -1, 0x7FFF, (short) 0x8000, 300, -300 };
        for (int op = 0; op < 230; op++) {
            for (short a : ra) {
                short b = (short) rnd.nextInt();
                byte c = (byte) rnd.nextInt(256);
                byte[] cmd = { (byte) 0x80, 0x01, (byte) (op >> 8), (byte) op, 5,
                               (byte) (a >> 8), (byte) a, (byte) (b >> 8), (byte) b, c, 0 };
                byte[] out = new byte[4];
                short n = com.cardlet.tests.vmconform16.Dispatch16.run(cmd, (short) 2, (short) 5, out);
                OUT.append(op < 150 ? "rand16." : "prog16.").append(op).append(' ').append(hex(cmd, 0, cmd.length))
                   .append(' ').append(hex(out, 0, n)).append("9000\n");
            }
        }
    }

    public static void main(String[] args) {
        String only = args.length > 0 ? args[0] : "all";
        if (only.equals("short16")) {
            short16();
            System.out.print(OUT);
            return;
        }
        if (only.equals("all") || only.equals("short")) {
            for (int op = 0; op <= 25; op++) {
                short[] rhs = (op >= 6 && op <= 8) ? SHIFTS : EDGE;
                for (short a : EDGE) for (short b : rhs) apdu("short." + op, 0x01, op, shorts(a, b));
            }
            byte[] bytes = { 0, 1, -1, 2, 0x7F, (byte) 0x80, (byte) 0x81, 0x40, (byte) 0xC0, 0x10 };
            for (int op = 0; op <= 13; op++)
                for (byte a : bytes) for (byte b : bytes) apdu("byte." + op, 0x02, op, new byte[] { a, b });
        }
        if (only.equals("all") || only.equals("int")) {
            for (int op = 0; op <= 31; op++)
                for (int a : IEDGE) for (int b : IEDGE) {
                    if ((op == 6 || op == 7 || op == 8) && (b < -1 || b > 64)) continue;
                    apdu("int." + op, 0x03, op, ints(a, b));
                }
        }
        if (only.equals("all") || only.equals("flow")) {
            short[] few = { 0, 1, -1, 5, -5, 0x7FFF, (short) 0x8000, -101, -200 };
            for (int op = 0; op <= 18; op++) for (short a : few) for (short b : few) apdu("branch." + op, 0x04, op, shorts(a, b));
            short[] sw = { -32768, -1000, -3, -2, -1, 0, 1, 2, 3, 4, 5, 77, 1000, 32767, 0x80, 0xFF, 0x7F, 0x10, -128 };
            for (int op = 0; op <= 3; op++) for (short v : sw) apdu("switch." + op, 0x05, op, shorts(v));
            short[] ln = { 0, 1, 2, 5, 17, 100, 300, -1, 0x7FFF, (short) 0x8000, 0x5555 };
            for (int op = 0; op <= 5; op++) for (short v : ln) apdu("loop." + op, 0x06, op, shorts(v));
        }
        if (only.equals("all") || only.equals("objects")) {
            short[] av = { 0, 1, 3, 4, 10, -1, 63, 64 };
            for (int op = 0; op <= 10; op++) for (short v : av) apdu("array." + op, 0x07, op, shorts(v));
            short[] fv = { 0, 1, -1, 5, 127, 300, 0x7FFF };
            for (int op = 0; op <= 4; op++) for (short v : fv) apdu("field." + op, 0x08, op, shorts(v));
            short[] cv = { -1, 0, 1, 2, 5, 7, 12, 20, 30 };
            for (int op = 0; op <= 11; op++) for (short v : cv) apdu("call." + op, 0x09, op, shorts(v));
            short[] ev = { -5, -1, 0, 1, 2, 3, 7, 50, 101, 200, 0x7FFF, (short) 0x8000 };
            for (int op = 0; op <= 6; op++) for (short v : ev) apdu("exc." + op, 0x0A, op, shorts(v));
            for (int op = 0; op <= 9; op++) for (short v = 0; v <= 13; v++) apdu("cast." + op, 0x0B, op, shorts(v));
            short[] fo = { 0, 1, -1, 7, 300, -300, 0x7FFF, (short) 0x8000 };
            for (int op = 0; op <= 8; op++) for (short v : fo) apdu("forms." + op, 0x0C, op, shorts(v));
            short[] fa = { 0, 1, -1, 2, 0x7FFF };
            for (int op = 0; op <= 16; op++) for (short a : fa) for (short b : fa) apdu("far." + op, 0x0D, op, shorts(a, b));
            short[] oo = { 0, 1, 2, 3, -1, -4, 10, 11, 12, 39, 40, -100, 0x7FFF };
            for (int op = 0; op <= 11; op++) for (short v : oo) apdu("oop." + op, 0x0E, op, shorts(v));
            apdu("unknown", 0x0F, 0, shorts((short) 0));
        }
        if (only.equals("all") || only.equals("narrow")) {
            short[] ns = { 1, -1, 3, 7, 300, -300, 17, 0x7FFF, (short) 0x8000, 0 };
            int[] ni = { 0, 1, -65536, 0x7FFF0000 };
            for (int op = 0; op < 99; op++)
                for (short s : ns) for (int i : ni) {
                    byte[] a = shorts(s), b = ints(i, 0);
                    apdu("narrow." + op, 0x11, op, new byte[] { a[0], a[1], b[0], b[1], b[2], b[3] });
                }
        }
        if (only.equals("all") || only.equals("random")) {
            // tests/vm/gen-random.py: 200 expressions, each with edge and pseudo-random inputs.
            java.util.Random rnd = new java.util.Random(1128);
            short[] ra = { 0, 1, -1, 0x7FFF, (short) 0x8000, 300, -300 };
            for (int op = 0; op < 200; op++) {
                for (short a : ra) {
                    short b = (short) rnd.nextInt(), c = (short) rnd.nextInt(256);
                    byte[] in = shorts(a, b, c);
                    apdu("random." + op, 0x10, op, new byte[] { in[0], in[1], in[2], in[3], in[5] });
                }
            }
            // gen-random.py's programs: 120, the same kind of inputs.
            for (int op = 0; op < 120; op++) {
                for (short a : ra) {
                    short b = (short) rnd.nextInt(), c = (short) rnd.nextInt(256);
                    byte[] in = shorts(a, b, c);
                    apdu("prog." + op, 0x12, op, new byte[] { in[0], in[1], in[2], in[3], in[5] });
                }
            }
        }
        System.out.print(OUT);
    }
}
