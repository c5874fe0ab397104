package com.cardlet.tests.api2;

import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.RandomData;

/** 80 50 P1: RandomData. */
final class RandomCases {
    private static final byte FILL = 0x5A;

    private RandomCases() {
    }

    static void run(Out o, byte p1) {
        switch (p1) {
        case 0: algorithms(o); break;
        case 1: output(o); break;
        default: errors(o); break;
        }
    }

    /** 0: getAlgorithm of getInstance(1..6) (each its own constant); getInstance(0) and (7): NO_SUCH_ALGORITHM. */
    private static void algorithms(Out o) {
        for (byte alg = 1; alg <= 6; alg++) o.put(RandomData.getInstance(alg).getAlgorithm());
        o.putS(instanceReason((byte) 0));
        o.putS(instanceReason((byte) 7));
    }

    private static short instanceReason(byte alg) {
        try {
            RandomData.getInstance(alg);
        } catch (CryptoException e) {
            return e.getReason();
        }
        return Out.NO_EXC;
    }

    /**
     * 1: three arrays of 40 bytes 5A: a after generateData(a, 4, 16); b after nextBytes(b, 2, 20)
     * (then its return value); c after setSeed(8 bytes) and nextBytes(c, 0, 40); then a after
     * generateData(a, 10, 0), which must change nothing. tests/api checks the bytes outside each
     * range are untouched and the generated runs differ.
     */
    private static void output(Out o) {
        RandomData r = RandomData.getInstance(RandomData.ALG_SECURE_RANDOM);
        byte[] a = new byte[40], b = new byte[40], c = new byte[40];
        Util.arrayFillNonAtomic(a, (short) 0, (short) 40, FILL);
        Util.arrayFillNonAtomic(b, (short) 0, (short) 40, FILL);
        Util.arrayFillNonAtomic(c, (short) 0, (short) 40, FILL);
        r.generateData(a, (short) 4, (short) 16);
        short next = r.nextBytes(b, (short) 2, (short) 20);
        byte[] seed = { 1, 2, 3, 4, 5, 6, 7, 8 };
        r.setSeed(seed, (short) 0, (short) 8);
        r.nextBytes(c, (short) 0, (short) 40);
        o.putLV(a, (short) 0, (short) 40);
        o.putLV(b, (short) 0, (short) 40);
        o.putS(next);
        o.putLV(c, (short) 0, (short) 40);
        byte[] before = new byte[40];
        Util.arrayCopyNonAtomic(a, (short) 0, before, (short) 0, (short) 40);
        r.generateData(a, (short) 10, (short) 0);
        o.putZ(Out.same(a, (short) 0, before, (short) 0, (short) 40));
    }

    /**
     * 2: out-of-range arguments on a 16-byte array of 5A: generateData at offset 10 length 16,
     * at offset -1, nextBytes length 17, setSeed at offset 12 length 8 (1 = ArrayIndexOutOfBounds);
     * generateData, nextBytes and setSeed on null (2 = NullPointerException); then 1 if the
     * array is untouched.
     */
    private static void errors(Out o) {
        RandomData r = RandomData.getInstance(RandomData.ALG_KEYGENERATION);
        byte[] a = new byte[16];
        Util.arrayFillNonAtomic(a, (short) 0, (short) 16, FILL);
        for (byte k = 0; k < 7; k++) o.put(misuse(r, k, a));
        boolean untouched = true;
        for (short i = 0; i < 16; i++)
            if (a[i] != FILL) untouched = false;
        o.putZ(untouched);
    }

    private static byte misuse(RandomData r, byte which, byte[] a) {
        byte[] none = null;
        try {
            switch (which) {
            case 0: r.generateData(a, (short) 10, (short) 16); break;
            case 1: r.generateData(a, (short) -1, (short) 4); break;
            case 2: r.nextBytes(a, (short) 0, (short) 17); break;
            case 3: r.setSeed(a, (short) 12, (short) 8); break;
            case 4: r.generateData(none, (short) 0, (short) 1); break;
            case 5: r.nextBytes(none, (short) 0, (short) 1); break;
            default: r.setSeed(none, (short) 0, (short) 1); break;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            return 1;
        } catch (NullPointerException e) {
            return 2;
        } catch (CryptoException e) {
            return (byte) (0x10 + e.getReason());
        }
        return (byte) 0xEE;
    }
}
