package com.cardlet.tests.ledger;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.Util;

/**
 * The crash test applet: persistent state whose parts must agree after the card loses power at
 * any instant (tests/crash kills the process driving it and checks the state on a fresh card).
 *
 * Invariants a correct card keeps whatever instant power goes:
 *   balance == sum(history[0 .. count))       (updated together in one transaction)
 *   stamp[0..8) all equal                      (Util.arrayCopy is atomic without a transaction)
 *   ticks never goes back (single field writes are atomic)
 *   the PIN try counter never goes back up    (decremented before the comparison, non-atomically)
 *
 * Commands (CLA 80):
 *   80 10 00 00 02 amount     CREDIT (transaction: history entry, count, balance)
 *   80 11 00 00 02 amount     DEBIT  (same, negative entry; 69 85 when the balance is too small)
 *   80 12 00 00               TICK   (ticks + 1, no transaction)
 *   80 13 vv 00               STAMP  (stamp := 8 bytes vv, by Util.arrayCopy)
 *   80 14 00 00 02 amount     CREDIT then abortTransaction (nothing may change)
 *   80 15 00 00 02 amount     CREDIT then an exception inside the transaction (nothing may change)
 *   80 16 vv 00               MARK: mark := 8 bytes vv by Util.arrayCopyNonAtomic inside a transaction
 *                             that is then aborted (non-atomic copies are not undone by an abort)
 *   80 20 00 00 Lc pin        VERIFY (63 Cx on a wrong PIN, 69 83 when blocked)
 *   80 21 00 00 Lc pin        VERIFY inside a transaction that is then aborted (the try counter
 *                             is not part of transactions: the failed try still counts)
 *   80 2C 00 00               UNBLOCK (resetAndUnblock)
 *   80 30 00 00               STATE: balance, count, ticks (shorts), tries (byte), stamp (8),
 *                             mark (8), history (CAPACITY shorts)
 */
public class Ledger extends Applet {
    private static final short CAPACITY = 32;
    private static final byte PIN_TRIES = (byte) 15;
    private static final short SW_TOO_LOW = (short) 0x6985;

    private short balance;
    private short count;
    private short ticks;
    private final short[] history = new short[CAPACITY];
    private final byte[] stamp = new byte[8];
    private final byte[] mark = new byte[8];
    private final OwnerPIN pin = new OwnerPIN(PIN_TRIES, (byte) 8);

    private Ledger() {
        byte[] initial = { '1', '2', '3', '4' };
        pin.update(initial, (short) 0, (byte) initial.length);
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Ledger();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_CLA] != (byte) 0x80) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x10:
            post(readAmount(apdu, buf));
            break;
        case 0x11:
            short amount = readAmount(apdu, buf);
            if (amount > balance) {
                ISOException.throwIt(SW_TOO_LOW);
            }
            post((short) -amount);
            break;
        case 0x12:
            ticks = (short) (ticks + 1);
            break;
        case 0x13:
            Util.arrayFillNonAtomic(buf, (short) 8, (short) 8, buf[ISO7816.OFFSET_P1]);
            Util.arrayCopy(buf, (short) 8, stamp, (short) 0, (short) 8);
            break;
        case 0x14:
            JCSystem.beginTransaction();
            record(readAmount(apdu, buf));
            JCSystem.abortTransaction();
            break;
        case 0x15:
            JCSystem.beginTransaction();
            record(readAmount(apdu, buf));
            ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
            break;
        case 0x16:
            Util.arrayFillNonAtomic(buf, (short) 8, (short) 8, buf[ISO7816.OFFSET_P1]);
            JCSystem.beginTransaction();
            Util.arrayCopyNonAtomic(buf, (short) 8, mark, (short) 0, (short) 8);
            JCSystem.abortTransaction();
            break;
        case 0x20:
            verify(apdu, buf);
            break;
        case 0x21:
            JCSystem.beginTransaction();
            try {
                verify(apdu, buf);
            } finally {
                JCSystem.abortTransaction();
            }
            break;
        case 0x2C:
            pin.resetAndUnblock();
            break;
        case 0x30:
            state(apdu, buf);
            break;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    private short readAmount(APDU apdu, byte[] buf) {
        if (apdu.setIncomingAndReceive() != 2) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        short amount = Util.getShort(buf, ISO7816.OFFSET_CDATA);
        if (amount <= 0 || amount > 1000) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        return amount;
    }

    /** One ledger entry as one transaction. */
    private void post(short delta) {
        JCSystem.beginTransaction();
        record(delta);
        JCSystem.commitTransaction();
    }

    /** The writes of an entry; a full history is folded into its first entry (same sum). */
    private void record(short delta) {
        if (count == CAPACITY) {
            history[0] = balance;
            for (short i = 1; i < CAPACITY; i++) {
                history[i] = 0;
            }
            count = 1;
        }
        history[count] = delta;
        count = (short) (count + 1);
        balance = (short) (balance + delta);
    }

    private void verify(APDU apdu, byte[] buf) {
        short len = apdu.setIncomingAndReceive();
        if (pin.getTriesRemaining() == 0) {
            ISOException.throwIt(ISO7816.SW_FILE_INVALID);
        }
        if (!pin.check(buf, ISO7816.OFFSET_CDATA, (byte) len)) {
            ISOException.throwIt((short) (0x63C0 | pin.getTriesRemaining()));
        }
    }

    private void state(APDU apdu, byte[] buf) {
        Util.setShort(buf, (short) 0, balance);
        Util.setShort(buf, (short) 2, count);
        Util.setShort(buf, (short) 4, ticks);
        buf[6] = pin.getTriesRemaining();
        Util.arrayCopyNonAtomic(stamp, (short) 0, buf, (short) 7, (short) 8);
        Util.arrayCopyNonAtomic(mark, (short) 0, buf, (short) 15, (short) 8);
        short off = 23;
        for (short i = 0; i < CAPACITY; i++) {
            off = Util.setShort(buf, off, history[i]);
        }
        apdu.setOutgoingAndSend((short) 0, off);
    }
}
