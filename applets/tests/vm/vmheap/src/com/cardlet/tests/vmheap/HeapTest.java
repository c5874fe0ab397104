package com.cardlet.tests.vmheap;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.CardRuntimeException;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.SensitiveArrays;
import javacard.framework.SystemException;
import javacard.framework.TransactionException;
import javacard.framework.Util;

/**
 * The heap's semantics from Java; the expected answers are in tests/vm/vmheap.script.
 * 80 20 P1: references to objects created in an aborted transaction (JCRE 3.0.5 7.6.3).
 * 80 30 P1: javacard.framework.SensitiveArrays.
 * What an operation threw is answered as one byte (see code()): EE nothing, 01 SecurityException,
 * 02 NullPointerException, 03 NegativeArraySizeException, 1r SystemException reason r,
 * 2r TransactionException reason r, 0F anything else.
 */
public class HeapTest extends Applet {
    private static final byte NONE = (byte) 0xEE;

    private final byte[] res;
    private final short[] rnc;
    /** Where references to aborted objects are kept: persistent field, persistent array, RAM array. */
    private Obj keepObj;
    private Object ref;
    private final Object[] parr = new Object[2];
    private final Object[] tarr;
    /** Sensitive arrays the card-side test corrupts (in the image file, in RAM). */
    private final byte[] ps;
    private final byte[] ts;
    private final byte[] incoming;
    /** Written by the power-loss test (80 30 08): 1000 bytes, four control blocks. */
    private final byte[] bigs;

    private HeapTest() {
        res = JCSystem.makeTransientByteArray((short) 128, JCSystem.CLEAR_ON_DESELECT);
        rnc = JCSystem.makeTransientShortArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
        tarr = JCSystem.makeTransientObjectArray((short) 2, JCSystem.CLEAR_ON_RESET);
        ps = (byte[]) SensitiveArrays.makeIntegritySensitiveArray(JCSystem.ARRAY_TYPE_BYTE,
                JCSystem.MEMORY_TYPE_PERSISTENT, (short) 13);
        ts = (byte[]) SensitiveArrays.makeIntegritySensitiveArray(JCSystem.ARRAY_TYPE_BYTE,
                JCSystem.MEMORY_TYPE_TRANSIENT_RESET, (short) 11);
        incoming = (byte[]) SensitiveArrays.makeIntegritySensitiveArray(JCSystem.ARRAY_TYPE_BYTE,
                JCSystem.MEMORY_TYPE_PERSISTENT, (short) 8);
        bigs = (byte[]) SensitiveArrays.makeIntegritySensitiveArray(JCSystem.ARRAY_TYPE_BYTE,
                JCSystem.MEMORY_TYPE_PERSISTENT, (short) 1000);
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new HeapTest();
    }

    private void put(byte b) {
        res[rnc[0]] = b;
        rnc[0]++;
    }

    private void putS(short s) {
        rnc[0] = Util.setShort(res, rnc[0], s);
    }

    private void putZ(boolean z) {
        put((byte) (z ? 1 : 0));
    }

    public void process(APDU apdu) {
        if (selectingApplet()) return;
        byte[] buf = apdu.getBuffer();
        rnc[0] = 0;
        byte p1 = buf[ISO7816.OFFSET_P1];
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x20: voids(p1); break;
        case 0x30: sensitive(apdu, p1); break;
        default: ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.arrayCopyNonAtomic(res, (short) 0, buf, (short) 0, rnc[0]);
        apdu.setOutgoingAndSend((short) 0, rnc[0]);
    }

    /** The exception t as one byte (see the class comment). */
    private static byte code(Throwable t) {
        if (t instanceof SecurityException) return 1;
        if (t instanceof NullPointerException) return 2;
        if (t instanceof NegativeArraySizeException) return 3;
        if (t instanceof SystemException) return (byte) (0x10 + ((SystemException) t).getReason());
        if (t instanceof TransactionException) return (byte) (0x20 + ((TransactionException) t).getReason());
        return 0x0F;
    }

    // --- JCRE 7.6.3 --------------------------------------------------------------------------

    /** 80 20 00: objects created in an aborted transaction; 80 20 01: 70 000 more aborts later. */
    private void voids(byte p1) {
        if (p1 == 0) {
            JCSystem.beginTransaction();
            Obj o = new Obj();
            byte[] a = new byte[3];
            RuntimeException ex = new RuntimeException();
            keepObj = o;                 // persistent field: the abort restores it
            tarr[0] = o;                 // transient array: not restored, keeps the reference
            tarr[1] = a;
            JCSystem.abortTransaction();
            putZ(keepObj == null);       // 1
            putZ(o == null);             // 1 (ifnonnull)
            putZ(o != null);             // 0 (ifnull)
            putZ(a == null);             // 1
            Object x = o;
            Object y = a;
            putZ(x == y);                // 1: both are null (if_acmpne)
            putZ(x != y);                // 0 (if_acmpeq)
            putZ(tarr[0] == null);       // 1 (the reference read back from RAM)
            putZ(o instanceof Obj);      // 0, as for null
            for (byte k = 0; k < 6; k++) put(use(k, o, a, ex));
            ref = o;                     // a store of such a reference stores null
            parr[0] = a;
            putZ(ref == null);
            putZ(parr[0] == null);
        } else {
            // The handles of the objects above must not come to name new objects, however many
            // transactions abort after them (more than the card has handles).
            short fails = 0;
            for (short k = 0; k < 7; k++) {
                for (short i = 0; i < 10000; i++) {
                    JCSystem.beginTransaction();
                    try {
                        new Obj();
                    } catch (SystemException e) {
                        fails++;
                    }
                    JCSystem.abortTransaction();
                }
            }
            putS(fails);                 // 0: allocation never runs out
            putZ(tarr[0] == null);
            putZ(tarr[1] == null);
            putZ(ref == null);
            putZ(parr[0] == null);
            put(use((byte) 1, (Obj) tarr[0], (byte[]) tarr[1], null));
            put(use((byte) 2, (Obj) tarr[0], (byte[]) tarr[1], null));
        }
    }

    /** Uses a reference that must act as null; answers what that threw. */
    private static byte use(byte k, Obj o, byte[] a, RuntimeException ex) {
        try {
            switch (k) {
            case 0: if (o.value == 7) return 0x07; break;   // getfield
            case 1: if (o.twice() == 14) return 0x0E; break; // invokevirtual
            case 2: a[0] = 1; break;                          // bastore
            case 3: if (a.length == 3) return 0x03; break;   // arraylength
            case 4: {                                         // checkcast passes, as for null
                Object x = o;
                Obj c = (Obj) x;
                return c == null ? (byte) 0x0C : (byte) 0x0D;
            }
            default: throw ex;                                // athrow: NullPointerException
            }
        } catch (Throwable t) {
            return code(t);
        }
        return NONE;
    }

    // --- SensitiveArrays ---------------------------------------------------------------------

    private void sensitive(APDU apdu, byte p1) {
        switch (p1) {
        case 0: kinds(); break;
        case 1: errors(); break;
        case 2: util(JCSystem.MEMORY_TYPE_PERSISTENT); util(JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT); break;
        case 3: fromApdu(apdu); break;
        case 4: transactions(); break;
        case 5:
            for (byte i = 0; i < 13; i++) ps[i] = (byte) (0x30 + i);
            for (byte i = 0; i < 11; i++) ts[i] = (byte) (0x40 + i);
            break;
        case 8: crashLoad(apdu.getBuffer()[ISO7816.OFFSET_P2]); break;
        case 9:
            put(check(ps));
            put(check(incoming));
            put(check(bigs));
            break;
        case 6:
            put(check(ps));
            put(storeFirst(ps));
            put(ps[0]);
            put(ps[5]);
            put(check(ts));
            put(storeFirst(ts));
            put(ts[0]);
            put(ts[5]);
            break;
        default:
            putS(SensitiveArrays.clearArray(ps));
            putS(SensitiveArrays.clearArray(ts));
            put(check(ps));
            put(check(ts));
            break;
        }
    }

    /** 80 30 08 P2: one of the ways to update sensitive arrays, for tests/crash (power lost at any
     *  instant, after which 80 30 09 must find every array intact). */
    private void crashLoad(byte p2) {
        byte v = (byte) (ps[0] + 1);
        switch (p2 & 7) {
        case 0: for (short i = 0; i < 13; i++) ps[i] = v; break;
        case 1: Util.arrayFillNonAtomic(bigs, (short) 100, (short) 700, v); break;
        case 2:
            JCSystem.beginTransaction();
            Util.arrayCopy(ps, (short) 0, bigs, (short) 250, (short) 13);  // crosses a block boundary
            ps[3] = v;
            Util.arrayFill(incoming, (short) 0, (short) 8, v);
            JCSystem.commitTransaction();
            break;
        case 3:
            JCSystem.beginTransaction();
            ps[0] = v;
            Util.arrayFillNonAtomic(bigs, (short) 500, (short) 30, v);
            bigs[999] = v;
            JCSystem.abortTransaction();
            break;
        case 4: SensitiveArrays.clearArray(bigs); break;
        case 5:
            JCSystem.beginTransaction();
            SensitiveArrays.clearArray(ps);
            Util.arrayCopyNonAtomic(bigs, (short) 0, incoming, (short) 0, (short) 8);
            JCSystem.commitTransaction();
            break;
        case 6: Util.arrayCopy(bigs, (short) 0, bigs, (short) 1, (short) 999); break; // overlap, all blocks
        default: Util.setShort(incoming, (short) 6, (short) (v * 3)); break;
        }
    }

    private static Object make(byte type, byte memory, short length) {
        return SensitiveArrays.makeIntegritySensitiveArray(type, memory, length);
    }

    /** assertIntegrity: EE when it passes. */
    private static byte check(Object arr) {
        try {
            SensitiveArrays.assertIntegrity(arr);
        } catch (Throwable t) {
            return code(t);
        }
        return NONE;
    }

    /** arr[0]++: a refused store leaves the old value, an accepted one shows. */
    private static byte storeFirst(byte[] arr) {
        try {
            arr[0] = (byte) (arr[0] + 1);
        } catch (Throwable t) {
            return code(t);
        }
        return NONE;
    }

    /** Every array type in every memory type: one byte each, 7F when all seven checks hold. */
    private void kinds() {
        putZ(SensitiveArrays.isIntegritySensitiveArraysSupported());
        for (byte t = JCSystem.ARRAY_TYPE_BOOLEAN; t <= JCSystem.ARRAY_TYPE_OBJECT; t++) {
            for (byte m = JCSystem.MEMORY_TYPE_PERSISTENT; m <= JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT; m++) {
                Object arr = make(t, m, (short) 4);
                byte b = 0;
                if (SensitiveArrays.isIntegritySensitive(arr)) b |= 0x01;
                if (JCSystem.isTransient(arr) == m) b |= 0x02;
                boolean back = store(t, arr);
                if (check(arr) == NONE) b |= 0x04;
                if (back) b |= 0x08;
                if (SensitiveArrays.clearArray(arr) == 4) b |= 0x10;
                if (isClear(t, arr)) b |= 0x20;
                if (check(arr) == NONE) b |= 0x40;
                put(b);
            }
        }
    }

    /** Stores element 3 with the array's own bytecode; true when it reads back. */
    private boolean store(byte t, Object arr) {
        switch (t) {
        case JCSystem.ARRAY_TYPE_BOOLEAN: ((boolean[]) arr)[3] = true; return ((boolean[]) arr)[3];
        case JCSystem.ARRAY_TYPE_BYTE: ((byte[]) arr)[3] = 0x5A; return ((byte[]) arr)[3] == 0x5A;
        case JCSystem.ARRAY_TYPE_SHORT: ((short[]) arr)[3] = 0x1234; return ((short[]) arr)[3] == 0x1234;
        case JCSystem.ARRAY_TYPE_INT: ((int[]) arr)[3] = 0x12345678; return ((int[]) arr)[3] == 0x12345678;
        default: ((Object[]) arr)[3] = res; return ((Object[]) arr)[3] == res;
        }
    }

    private static boolean isClear(byte t, Object arr) {
        switch (t) {
        case JCSystem.ARRAY_TYPE_BOOLEAN: return !((boolean[]) arr)[3];
        case JCSystem.ARRAY_TYPE_BYTE: return ((byte[]) arr)[3] == 0;
        case JCSystem.ARRAY_TYPE_SHORT: return ((short[]) arr)[3] == 0;
        case JCSystem.ARRAY_TYPE_INT: return ((int[]) arr)[3] == 0;
        default: return ((Object[]) arr)[3] == null;
        }
    }

    private static byte makeCode(byte type, byte memory, short length) {
        try {
            make(type, memory, length);
        } catch (Throwable t) {
            return code(t);
        }
        return NONE;
    }

    /** Which call of (isIntegritySensitive, assertIntegrity, clearArray) on o threw what. */
    private static byte query(byte which, Object o) {
        try {
            if (which == 0) return SensitiveArrays.isIntegritySensitive(o) ? (byte) 0x31 : (byte) 0x30;
            if (which == 1) SensitiveArrays.assertIntegrity(o);
            else SensitiveArrays.clearArray(o);
        } catch (Throwable t) {
            return code(t);
        }
        return NONE;
    }

    private void errors() {
        put(makeCode((byte) 0, JCSystem.MEMORY_TYPE_PERSISTENT, (short) 4));
        put(makeCode((byte) 6, JCSystem.MEMORY_TYPE_PERSISTENT, (short) 4));
        put(makeCode(JCSystem.ARRAY_TYPE_BYTE, (byte) 3, (short) 4));
        put(makeCode(JCSystem.ARRAY_TYPE_BYTE, (byte) -1, (short) 4));
        put(makeCode(JCSystem.ARRAY_TYPE_BYTE, JCSystem.MEMORY_TYPE_PERSISTENT, (short) -1));
        put(makeCode(JCSystem.ARRAY_TYPE_BYTE, JCSystem.MEMORY_TYPE_TRANSIENT_RESET, (short) 32767));
        put(makeCode(JCSystem.ARRAY_TYPE_SHORT, JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT, (short) 32767));
        byte[] plain = new byte[2];
        for (byte w = 0; w < 3; w++) {
            put(query(w, null));
            put(query(w, plain));
            put(query(w, this));
        }
    }

    /** Util and self-overlapping copies on a sensitive byte[16]; then the integrity and the bytes. */
    private void util(byte memory) {
        byte[] s = (byte[]) make(JCSystem.ARRAY_TYPE_BYTE, memory, (short) 16);
        byte[] src = { 1, 2, 3, 4, 5, 6, 7, 8 };
        Util.arrayCopy(src, (short) 0, s, (short) 2, (short) 8);
        Util.arrayCopyNonAtomic(src, (short) 4, s, (short) 10, (short) 4);
        Util.arrayFill(s, (short) 0, (short) 2, (byte) 0x11);
        Util.arrayFillNonAtomic(s, (short) 14, (short) 2, (byte) 0x22);
        Util.setShort(s, (short) 12, (short) 0x7788);
        Util.arrayCopy(s, (short) 2, s, (short) 3, (short) 4);
        put(check(s));
        for (short i = 0; i < 16; i++) put(s[i]);
    }

    /** 80 30 03 00 Lc data: the command's data copied from the APDU buffer into a sensitive array. */
    private void fromApdu(APDU apdu) {
        short n = apdu.setIncomingAndReceive();
        if (n > 8) n = 8;
        Util.arrayCopy(apdu.getBuffer(), ISO7816.OFFSET_CDATA, incoming, (short) 0, n);
        put(check(incoming));
        for (short i = 0; i < 8; i++) put(incoming[i]);
    }

    private void transactions() {
        byte[] s = (byte[]) make(JCSystem.ARRAY_TYPE_BYTE, JCSystem.MEMORY_TYPE_PERSISTENT, (short) 4);
        s[0] = 1;
        JCSystem.beginTransaction();
        s[0] = 2;
        s[1] = 3;
        JCSystem.abortTransaction();
        put(s[0]);                   // 01
        put(s[1]);                   // 00
        put(check(s));               // EE
        JCSystem.beginTransaction();
        s[2] = 4;
        JCSystem.commitTransaction();
        put(s[2]);                   // 04
        put(check(s));               // EE
        JCSystem.beginTransaction();
        SensitiveArrays.clearArray(s);
        put(s[0]);                   // 00
        JCSystem.abortTransaction();
        put(s[0]);                   // 01: the clearing took part in the transaction
        put(check(s));               // EE
        // A non-atomic fill inside a transaction: its content after the abort is the card's
        // choice (JCRE 7.7), its integrity is not.
        JCSystem.beginTransaction();
        Util.arrayFillNonAtomic(s, (short) 0, (short) 4, (byte) 9);
        JCSystem.abortTransaction();
        put(check(s));               // EE
        // More than the commit capacity: TransactionException.BUFFER_FULL, nothing cleared.
        byte[] big = (byte[]) make(JCSystem.ARRAY_TYPE_BYTE, JCSystem.MEMORY_TYPE_PERSISTENT, (short) 9000);
        big[0] = 5;
        JCSystem.beginTransaction();
        try {
            SensitiveArrays.clearArray(big);
            put(NONE);
        } catch (Throwable t) {
            put(code(t));            // 23
        }
        put(big[0]);                 // 05
        put(JCSystem.getTransactionDepth()); // 01: still open, the applet decides
        JCSystem.abortTransaction();
        put(check(big));             // EE
    }
}
