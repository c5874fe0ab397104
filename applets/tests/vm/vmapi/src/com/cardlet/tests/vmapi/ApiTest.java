package com.cardlet.tests.vmapi;

import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.APDUException;
import javacard.framework.Applet;
import javacard.framework.CardException;
import javacard.framework.CardRuntimeException;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.PINException;
import javacard.framework.SystemException;
import javacard.framework.TransactionException;
import javacard.framework.UserException;
import javacard.framework.Util;
import javacard.security.CryptoException;

/**
 * Calls the javacard.framework API and answers what it got; the expected answers (from the API
 * specification) are in tests/vm/vmapi.script. Each command is described where it is handled.
 * Results are written into `res` with put/putS and sent at the end, so one command checks many
 * calls. A caught exception is reported as its reason; the marker 0xEE means "no exception".
 */
public class ApiTest extends Applet {
    private static final byte NONE = (byte) 0xEE;

    // The results live in RAM (transient): a persistent result buffer would itself be rolled
    // back by the transaction aborts this applet tests.
    private final byte[] res;
    private final short[] rnc;
    private final short[] mem;
    private byte[] keep;
    /** Stores of every kind inside a transaction (80 20 08 / 09). */
    private byte tb;
    private boolean tz;
    private int ti;
    private static int tsi;
    private final short[] tsa = new short[3];
    private final boolean[] tza = new boolean[3];
    private final Object[] toa = new Object[3];
    private final int[] tia = new int[3];

    private short field = 1;
    private final byte[] parr = new byte[8];
    private final byte[] big = new byte[300];
    /** Larger than the commit buffer (8 KB on this card): distinct bytes written in a transaction. */
    private final byte[] fill = new byte[12000];
    private final byte[] cor;
    private final byte[] cod;
    private final short[] sor;
    private final boolean[] zod;
    private final Object[] oor;
    private final OwnerPIN pin;
    private final FlagPIN flagPin;
    /** select() answers false while refuse is set; deselect() counts in deselects (persistent). */
    private boolean refuse;
    private short deselects;
    private short selects;
    private short selectsBase;
    private short deselectsBase;
    private boolean lastReselect;

    private ApiTest(byte[] bArray, short bOffset, byte bLength) {
        res = JCSystem.makeTransientByteArray((short) 64, JCSystem.CLEAR_ON_DESELECT);
        rnc = JCSystem.makeTransientShortArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
        mem = JCSystem.makeTransientShortArray((short) 2, JCSystem.CLEAR_ON_DESELECT);
        cor = JCSystem.makeTransientByteArray((short) 4, JCSystem.CLEAR_ON_RESET);
        cod = JCSystem.makeTransientByteArray((short) 4, JCSystem.CLEAR_ON_DESELECT);
        sor = JCSystem.makeTransientShortArray((short) 2, JCSystem.CLEAR_ON_RESET);
        zod = JCSystem.makeTransientBooleanArray((short) 2, JCSystem.CLEAR_ON_DESELECT);
        oor = JCSystem.makeTransientObjectArray((short) 2, JCSystem.CLEAR_ON_RESET);
        for (short i = 0; i < (short) big.length; i++) big[i] = (byte) (i * 7 + 1);
        pin = new OwnerPIN((byte) 3, (byte) 8);
        byte[] initial = { '1', '2', '3', '4' };
        pin.update(initial, (short) 0, (byte) 4);
        flagPin = new FlagPIN();
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new ApiTest(bArray, bOffset, bLength);
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

    public boolean select() {
        if (refuse) {
            refuse = false;                                  // refuse once: the next SELECT works
            return false;
        }
        selects++;
        return true;
    }

    public void deselect() {
        deselects++;
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            lastReselect = reSelectingApplet();
            return;
        }
        byte[] buf = apdu.getBuffer();
        rnc[0] = 0;
        byte p1 = buf[ISO7816.OFFSET_P1];
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x10: util(p1); break;
        case 0x20: transaction(apdu, p1); break;
        case 0x30: transients(p1); break;
        case 0x40: aid(p1); break;
        case 0x50: pinOp(apdu, p1); break;
        case 0x60: exceptions(apdu, p1); break;
        case 0x70: incoming(apdu); return;
        case 0x71: outgoingLong(apdu, p1); return;
        case 0x72: outgoingParts(apdu); return;
        case 0x73: apduInfo(apdu); break;
        case 0x74: apduErrors(apdu, p1); break;
        case (byte) 0x80: system(); break;
        case (byte) 0x81: lifecycle(p1); break;
        case (byte) 0x82: memory(p1); break;
        case (byte) 0x83: putS(depth(Util.makeShort(p1, buf[ISO7816.OFFSET_P2]))); break;
        case 0x51: flags(); break;
        default: ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.arrayCopyNonAtomic(res, (short) 0, buf, (short) 0, rnc[0]);
        apdu.setOutgoingAndSend((short) 0, rnc[0]);
    }

    /** 80 10 P1: Util. P1 0: copies with overlap, fill, compare; 1: short helpers; 2: errors. */
    private void util(byte p1) {
        byte[] a = new byte[10];
        if (p1 == 0) {
            for (short i = 0; i < 10; i++) a[i] = (byte) i;
            putS(Util.arrayCopy(a, (short) 0, a, (short) 2, (short) 6));        // forward overlap
            for (short i = 0; i < 10; i++) put(a[i]);
            for (short i = 0; i < 10; i++) a[i] = (byte) i;
            putS(Util.arrayCopyNonAtomic(a, (short) 4, a, (short) 1, (short) 5)); // backward overlap
            for (short i = 0; i < 10; i++) put(a[i]);
            putS(Util.arrayFillNonAtomic(a, (short) 2, (short) 3, (byte) 0x55));
            putS(Util.arrayFill(a, (short) 7, (short) 2, (byte) 0xAA));
            for (short i = 0; i < 10; i++) put(a[i]);
            byte[] b = { 1, 2, 3, (byte) 0x80 };
            byte[] c = { 1, 2, 3, 0x7F };
            put(Util.arrayCompare(b, (short) 0, c, (short) 0, (short) 3));       // equal: 0
            put(Util.arrayCompare(b, (short) 0, c, (short) 0, (short) 4));       // 0x80 > 0x7F unsigned: 1
            put(Util.arrayCompare(c, (short) 0, b, (short) 0, (short) 4));       // -1
            put(Util.arrayCompare(b, (short) 1, b, (short) 1, (short) 0));       // empty: 0
        } else if (p1 == 1) {
            putS(Util.makeShort((byte) 0x12, (byte) 0x34));
            putS(Util.makeShort((byte) 0x80, (byte) 0xFF));
            putS(Util.setShort(a, (short) 3, (short) 0xBEEF));
            putS(Util.getShort(a, (short) 3));
            putS(Util.getShort(a, (short) 2));
            putS(Util.setShort(a, (short) 8, (short) -2));
            put(a[8]);
            put(a[9]);
        } else {
            put(utilError((byte) 0, a));
            put(utilError((byte) 1, a));
            put(utilError((byte) 2, a));
            put(utilError((byte) 3, a));
            put(utilError((byte) 4, a));
            put(utilError((byte) 5, a));
            put(utilError((byte) 6, a));
            for (short i = 0; i < 10; i++) put(a[i]);                          // nothing written
        }
    }

    /** 1: index out of bounds, 2: null pointer, 0xEE: none. */
    private byte utilError(byte which, byte[] a) {
        byte[] none = null;
        try {
            switch (which) {
            case 0: Util.arrayCopy(a, (short) 5, a, (short) 0, (short) 6); break;             // source end 11
            case 1: Util.arrayCopyNonAtomic(a, (short) 0, a, (short) 5, (short) 6); break;    // dest end 11
            case 2: Util.arrayCopy(a, (short) 0, a, (short) 0, (short) -1); break;            // negative length
            case 3: Util.arrayCopy(none, (short) 0, a, (short) 0, (short) 1); break;
            case 4: Util.arrayFillNonAtomic(a, (short) 9, (short) 2, (byte) 1); break;
            case 5: Util.arrayCompare(a, (short) 0, none, (short) 0, (short) 1); break;
            default: Util.getShort(a, (short) 9); break;                                      // needs a[10]
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            return 1;
        } catch (NullPointerException e) {
            return 2;
        }
        return NONE;
    }

    /** 80 20 P1: transactions. */
    private void transaction(APDU apdu, byte p1) {
        switch (p1) {
        case 0: {
            // Abort restores fields and array elements, not transient or non-atomic updates.
            field = 1;
            parr[0] = 1;
            parr[1] = 1;
            parr[2] = 1;
            cod[0] = 1;
            put(JCSystem.getTransactionDepth());
            JCSystem.beginTransaction();
            put(JCSystem.getTransactionDepth());
            field = 2;
            parr[0] = 2;
            cod[0] = 2;
            Util.arrayFillNonAtomic(parr, (short) 1, (short) 1, (byte) 2);
            Util.arrayFill(parr, (short) 2, (short) 1, (byte) 2);
            JCSystem.abortTransaction();
            put(JCSystem.getTransactionDepth());
            putS(field);
            put(parr[0]);
            put(parr[1]);
            put(parr[2]);
            put(cod[0]);
            break;
        }
        case 1: {
            // Commit keeps them.
            JCSystem.beginTransaction();
            field = 3;
            parr[0] = 3;
            JCSystem.commitTransaction();
            putS(field);
            put(parr[0]);
            break;
        }
        case 2: {
            // Nested begin, commit and abort without begin.
            JCSystem.beginTransaction();
            try {
                JCSystem.beginTransaction();
                put(NONE);
            } catch (TransactionException e) {
                putS(e.getReason());
            }
            put(JCSystem.getTransactionDepth());
            JCSystem.abortTransaction();
            try {
                JCSystem.commitTransaction();
                put(NONE);
            } catch (TransactionException e) {
                putS(e.getReason());
            }
            try {
                JCSystem.abortTransaction();
                put(NONE);
            } catch (TransactionException e) {
                putS(e.getReason());
            }
            break;
        }
        case 3: {
            // Capacities: max > 0, unused <= max (the script checks the relation via flags).
            short max = JCSystem.getMaxCommitCapacity();
            JCSystem.beginTransaction();
            short unused0 = JCSystem.getUnusedCommitCapacity();
            parr[3] = 9;
            short unused1 = JCSystem.getUnusedCommitCapacity();
            JCSystem.commitTransaction();
            putZ(max > 0);
            putZ(unused0 <= max && unused0 > 0);
            putZ(unused1 <= unused0);
            break;
        }
        case 6: {
            // Overflowing the commit buffer: BUFFER_FULL; an abort then restores everything.
            parr[5] = 1;
            JCSystem.beginTransaction();
            parr[5] = 2;
            short n = 0;
            short reason = NONE;
            try {
                for (n = 0; n < 120; n++) Util.arrayFill(fill, (short) (n * 100), (short) 100, (byte) 1);
            } catch (TransactionException e) {
                reason = e.getReason();
            }
            putS(reason);
            putZ(n > 0 && n < 120);
            put(JCSystem.getTransactionDepth());
            if (JCSystem.getTransactionDepth() != 0) JCSystem.abortTransaction();
            put(parr[5]);
            put(fill[0]);
            put(fill[(short) (n * 100 - 1)]);
            break;
        }
        case 8:
        case 9: {
            // Every kind of persistent store inside a transaction: an abort (08) brings every
            // value from before it back, a commit (09) keeps every new one.
            txSet();
            JCSystem.beginTransaction();
            txWrite();
            if (p1 == 8) JCSystem.abortTransaction();
            else JCSystem.commitTransaction();
            txReport();
            break;
        }
        case 7: {
            // Objects created inside an aborted transaction: the field that named one is restored
            // (null); a local still naming one must act as null (JCRE 3.0.5, 7.6.3).
            JCSystem.beginTransaction();
            byte[] o = new byte[4];
            keep = o;
            JCSystem.abortTransaction();
            putZ(keep == null);
            putZ(o == null);
            try {
                o[0] = 1;
                put(NONE);
            } catch (NullPointerException e) {
                put((byte) 2);
            } catch (SecurityException e) {
                put((byte) 1);
            }
            break;
        }
        case 4:
            // An uncaught exception with the transaction open: the JCRE aborts it.
            JCSystem.beginTransaction();
            field = 99;
            parr[0] = 99;
            ISOException.throwIt((short) 0x6A80);
            break;
        default:
            // Read back.
            putS(field);
            put(parr[0]);
            put(JCSystem.getTransactionDepth());
            break;
        }
    }

    /** The values before the transaction of 80 20 08/09 (stored outside any transaction). */
    private void txSet() {
        tb = 0x11;
        tz = false;
        ti = 0x11223344;
        tsi = 0x55667788;
        tsa[1] = 0x1234;
        tza[1] = false;
        toa[1] = parr;
        tia[1] = 0x01020304;
    }

    /** byte, boolean, int fields, an int static, short/boolean/Object/int elements, one twice. */
    private void txWrite() {
        tb = 0x22;
        tz = true;
        ti = 0x7EDCBA98;
        tsi = -2;
        tsa[1] = 0x0BAD;
        tsa[1] = 0x0FED;
        tza[1] = true;
        toa[1] = big;
        tia[1] = 0xCAFEBABE;
    }

    private void txReport() {
        put(tb);
        putZ(tz);
        putS((short) (ti >> 16));
        putS((short) ti);
        putS((short) (tsi >> 16));
        putS((short) tsi);
        putS(tsa[1]);
        putZ(tza[1]);
        putZ(toa[1] == parr);
        putZ(toa[1] == big);
        putS((short) (tia[1] >> 16));
        putS((short) tia[1]);
    }

    /** 80 30 P1: transient arrays. 0: write, 1: read, 2: isTransient, 3: errors. */
    private void transients(byte p1) {
        switch (p1) {
        case 0:
            cor[0] = 0x11;
            cod[0] = 0x22;
            parr[4] = 0x33;
            sor[1] = 0x4455;
            zod[1] = true;
            oor[0] = parr;
            break;
        case 1:
            put(cor[0]);
            put(cod[0]);
            put(parr[4]);
            putS(sor[1]);
            putZ(zod[1]);
            putZ(oor[0] == parr);
            break;
        case 2:
            put(JCSystem.isTransient(cor));
            put(JCSystem.isTransient(cod));
            put(JCSystem.isTransient(parr));
            put(JCSystem.isTransient(sor));
            put(JCSystem.isTransient(zod));
            put(JCSystem.isTransient(oor));
            put(JCSystem.isTransient(this));
            break;
        default:
            putS(makeError((byte) 0));
            putS(makeError((byte) 1));
            putS(makeError((byte) 2));
            break;
        }
    }

    /** SystemException reason, 0x0100 for NegativeArraySizeException, 0x00EE for none. */
    private short makeError(byte which) {
        try {
            switch (which) {
            case 0: JCSystem.makeTransientByteArray((short) -1, JCSystem.CLEAR_ON_RESET); break;
            case 1: JCSystem.makeTransientByteArray((short) 2, (byte) 5); break;         // bad event
            default: JCSystem.makeTransientShortArray((short) 32767, JCSystem.CLEAR_ON_DESELECT); break; // no room
            }
        } catch (SystemException e) {
            return e.getReason();
        } catch (NegativeArraySizeException e) {
            return 0x0100;
        }
        return NONE;
    }

    /** 80 40: AID methods. */
    private void aid(byte p1) {
        AID me = JCSystem.getAID();
        byte[] b = new byte[16];
        byte n = me.getBytes(b, (short) 0);
        put(n);
        for (short i = 0; i < n; i++) put(b[i]);
        putZ(JCSystem.lookupAID(b, (short) 0, n) == me);                   // the same AID object
        putZ(JCSystem.lookupAID(b, (short) 0, (byte) 7) == null);          // the package AID is no applet
        putZ(me.equals(b, (short) 0, n));
        putZ(me.equals(b, (short) 0, (byte) (n - 1)));
        putZ(me.partialEquals(b, (short) 0, (byte) 5));
        b[5] = 0x77;
        putZ(me.partialEquals(b, (short) 0, (byte) 6));
        AID other = new AID(b, (short) 0, n);
        putZ(me.RIDEquals(other));
        putZ(me.equals(other));
        putZ(me.equals((Object) null));
        put(me.getPartialBytes((short) 5, b, (short) 0, (byte) 3));
        put(b[0]);
        put(b[1]);
        put(b[2]);
        try {
            new AID(b, (short) 0, (byte) 3);                              // shorter than 5 bytes
            put(NONE);
        } catch (SystemException e) {
            putS(e.getReason());
        }
    }

    /** 80 50 P1 [data]: OwnerPIN. 0 check, 1 reset, 2 resetAndUnblock, 3 update, 4 status, 5 errors. */
    private void pinOp(APDU apdu, byte p1) {
        byte[] buf = apdu.getBuffer();
        switch (p1) {
        case 0: {
            short len = apdu.setIncomingAndReceive();
            putZ(pin.check(buf, ISO7816.OFFSET_CDATA, (byte) len));
            break;
        }
        case 1: pin.reset(); break;
        case 2: pin.resetAndUnblock(); break;
        case 3: {
            short len = apdu.setIncomingAndReceive();
            try {
                pin.update(buf, ISO7816.OFFSET_CDATA, (byte) len);
                put(NONE);
            } catch (PINException e) {
                putS(e.getReason());
            }
            break;
        }
        case 5:
            try {
                new OwnerPIN((byte) 0, (byte) 8);
                put(NONE);
            } catch (PINException e) {
                putS(e.getReason());
            }
            break;
        default: break;
        }
        put(pin.getTriesRemaining());
        putZ(pin.isValidated());
    }

    /** 80 60 P1, data = reason: every exception class's throwIt / getReason, uncaught ones. */
    private void exceptions(APDU apdu, byte p1) {
        byte[] buf = apdu.getBuffer();
        apdu.setIncomingAndReceive();
        short reason = Util.getShort(buf, ISO7816.OFFSET_CDATA);
        switch (p1) {
        case 0:
            try { ISOException.throwIt(reason); } catch (ISOException e) { putS(e.getReason()); }
            try { SystemException.throwIt(reason); } catch (SystemException e) { putS(e.getReason()); }
            try { TransactionException.throwIt(reason); } catch (TransactionException e) { putS(e.getReason()); }
            try { APDUException.throwIt(reason); } catch (APDUException e) { putS(e.getReason()); }
            try { PINException.throwIt(reason); } catch (PINException e) { putS(e.getReason()); }
            try { CardRuntimeException.throwIt(reason); } catch (CardRuntimeException e) { putS(e.getReason()); }
            try { UserException.throwIt(reason); } catch (UserException e) { putS(e.getReason()); }
            try { CardException.throwIt(reason); } catch (CardException e) { putS(e.getReason()); }
            try { CryptoException.throwIt(reason); } catch (CryptoException e) { putS(e.getReason()); }
            break;
        case 1:
            // Class hierarchy of the JCRE's exceptions: caught through their superclass.
            try { SystemException.throwIt(reason); } catch (CardRuntimeException e) { putS(e.getReason()); }
            try { UserException.throwIt(reason); } catch (CardException e) { putS(e.getReason()); }
            try { ISOException.throwIt(reason); } catch (RuntimeException e) { put((byte) 1); }
            try {
                ISOException.throwIt(reason);
            } catch (ISOException e) {
                e.setReason((short) (reason + 1));
                putS(e.getReason());
            }
            break;
        case 2:
            // Applet-created exception objects.
            try {
                throw new UserException(reason);
            } catch (UserException e) {
                putS(e.getReason());
            }
            try {
                throw new ISOException(reason);
            } catch (ISOException e) {
                putS(e.getReason());
            }
            break;
        case 0x10: ISOException.throwIt(reason); break;                // uncaught: SW = reason
        case 0x11: { short z = 0; putS((short) (reason / z)); break; } // ArithmeticException -> 6F 00
        case 0x12: SystemException.throwIt(reason); break;             // -> 6F 00
        case 0x13: { byte[] n = null; put(n[0]); break; }              // NullPointerException -> 6F 00
        case 0x14: throw new SecurityException();                      // -> 6F 00
        default: break;
        }
    }

    /** 80 70 Lc data: setIncomingAndReceive, then receiveBytes until all has arrived. */
    private void incoming(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        short got = apdu.setIncomingAndReceive();
        short total = apdu.getIncomingLength();
        short off = apdu.getOffsetCdata();
        short sum = 0;
        short count = 0;
        short chunks = 1;
        while (true) {
            for (short i = 0; i < got; i++) sum = (short) (sum + (buf[(short) (off + i)] & 0xFF));
            count = (short) (count + got);
            if (count >= total) break;
            got = apdu.receiveBytes(off);
            chunks++;
        }
        byte state = apdu.getCurrentState();
        short more = apdu.receiveBytes(off);                 // everything has arrived: 0
        Util.setShort(buf, (short) 0, total);
        Util.setShort(buf, (short) 2, count);
        Util.setShort(buf, (short) 4, sum);
        Util.setShort(buf, (short) 6, off);
        buf[8] = state;
        buf[9] = (byte) more;
        buf[10] = (byte) chunks;
        apdu.setOutgoingAndSend((short) 0, (short) 11);
    }

    /** 80 71 P1=n: n (up to 255) bytes of `big` through setOutgoing / sendBytesLong in pieces. */
    private void outgoingLong(APDU apdu, byte p1) {
        short le = apdu.setOutgoing();
        short n = (short) (p1 & 0xFF);
        apdu.setOutgoingLength(n);
        short sent = 0;
        while (sent < n) {
            short part = (short) (n - sent);
            if (part > 100) part = 100;
            apdu.sendBytesLong(big, sent, part);
            sent = (short) (sent + part);
        }
        if (le == 0) ISOException.throwIt((short) 0x6F01);      // setOutgoing must report Le (00 = 256)
    }

    /** 80 72: ten bytes sent in two sendBytes calls, the state in between. */
    private void outgoingParts(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        apdu.setOutgoingNoChaining();
        apdu.setOutgoingLength((short) 10);
        for (short i = 0; i < 10; i++) buf[i] = (byte) (0xA0 + i);
        apdu.sendBytes((short) 0, (short) 5);
        byte state = apdu.getCurrentState();
        for (short i = 0; i < 5; i++) buf[i] = (byte) (0xA5 + i);
        buf[4] = state;                                       // the 10th byte reports the state
        apdu.sendBytes((short) 0, (short) 5);
    }

    /** 80 73: facts about the command and the APDU object. */
    private void apduInfo(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        put(apdu.getCurrentState());
        put(APDU.getCLAChannel());
        putZ(apdu.isISOInterindustryCLA());
        putZ(apdu.isCommandChainingCLA());
        putZ(apdu.isSecureMessagingCLA());
        putZ(apdu.isValidCLA());
        putZ(APDU.getCurrentAPDU() == apdu);
        putZ(APDU.getCurrentAPDUBuffer() == buf);
        putZ(buf.length >= 133);
        putZ(JCSystem.isTransient(buf) == JCSystem.CLEAR_ON_DESELECT || JCSystem.isTransient(buf) == JCSystem.CLEAR_ON_RESET);
        put((byte) (APDU.getProtocol() & APDU.PROTOCOL_TYPE_MASK));
        putZ(APDU.getInBlockSize() > 0);
        putZ(APDU.getOutBlockSize() > 0);
    }

    /** 80 74 P1: misuse of the APDU object gives APDUException with its reason. */
    private void apduErrors(APDU apdu, byte p1) {
        try {
            switch (p1) {
            case 0:
                apdu.setIncomingAndReceive();
                apdu.setIncomingAndReceive();                  // twice: ILLEGAL_USE
                break;
            case 1:
                apdu.setOutgoing();
                apdu.setOutgoingLength((short) 300);           // more than 256 without extended length: BAD_LENGTH
                break;
            case 2:
                apdu.setOutgoingLength((short) 2);             // before setOutgoing: ILLEGAL_USE
                break;
            case 4:
                apdu.receiveBytes(ISO7816.OFFSET_CDATA);       // before setIncomingAndReceive: ILLEGAL_USE
                break;
            case 5:
                apdu.setOutgoing();
                apdu.setIncomingAndReceive();                  // after setOutgoing: ILLEGAL_USE
                break;
            default:
                apdu.setOutgoing();
                apdu.setOutgoingLength((short) 2);
                apdu.sendBytes((short) 0, (short) 3);          // more than announced: ILLEGAL_USE
                break;
            }
            put(NONE);
        } catch (APDUException e) {
            putS(e.getReason());
        }
        // The APDU may now be in an outgoing state: answer with an ISOException carrying the result.
        ISOException.throwIt(Util.makeShort((byte) 0x64, rnc[0] > 1 ? res[1] : res[0]));
    }

    /** 80 51: OwnerPIN.getValidatedFlag / setValidatedFlag through a subclass, and isValidated. */
    private void flags() {
        putZ(flagPin.flag());
        flagPin.flag(true);
        putZ(flagPin.flag());
        putZ(flagPin.isValidated());
        flagPin.reset();
        putZ(flagPin.isValidated());
        put(flagPin.getTriesRemaining());
    }

    /** 80 81 P1: 2 snapshot the counters; 1 refuse the next SELECT; answers select() and
     * deselect() calls since the snapshot, reSelectingApplet() of the last SELECT, and now. */
    private void lifecycle(byte p1) {
        if (p1 == 2) {
            selectsBase = selects;
            deselectsBase = deselects;
        }
        if (p1 == 1) refuse = true;
        putS((short) (selects - selectsBase));
        putS((short) (deselects - deselectsBase));
        putZ(lastReselect);
        putZ(reSelectingApplet());
    }

    /** 80 82 P1: persistent memory available (int, as two shorts). P1 0 also makes 50 unreachable
     * byte[200], reports the memory again and requests object deletion; tests/vm/vm_api_test.c
     * checks the figures (deletion runs before the next command). */
    private void memory(byte p1) {
        putZ(JCSystem.isObjectDeletionSupported());
        JCSystem.getAvailableMemory(mem, (short) 0, JCSystem.MEMORY_TYPE_PERSISTENT);
        putS(mem[0]);
        putS(mem[1]);
        if (p1 == 0) {
            for (short i = 0; i < 50; i++) {
                byte[] garbage = new byte[200];
                garbage[0] = (byte) i;
            }
            JCSystem.getAvailableMemory(mem, (short) 0, JCSystem.MEMORY_TYPE_PERSISTENT);
            putS(mem[0]);
            putS(mem[1]);
            JCSystem.requestObjectDeletion();
        }
    }

    /** Recursion n frames deep (80 83 P1 P2 = n): the VM's frame limit ends a runaway with 6F 00. */
    private static short depth(short n) {
        return n <= 0 ? 0 : (short) (depth((short) (n - 1)) + 1);
    }

    /** 80 80: JCSystem facts. */
    private void system() {
        putS(JCSystem.getVersion());
        put(JCSystem.getAssignedChannel());
        putZ(JCSystem.isAppletActive(JCSystem.getAID()));
        putZ(JCSystem.getPreviousContextAID() == null);
        putZ(JCSystem.getAvailableMemory(JCSystem.MEMORY_TYPE_PERSISTENT) > 0);
        putZ(JCSystem.getAvailableMemory(JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT) > 0);
    }
}
