package com.cardlet.samples.wallet;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.Util;

/**
 * The classic electronic purse: a balance that a terminal credits freely and debits only
 * after the holder's PIN was verified.
 *
 * Install parameters (the bArray of install): [Li AID][Lc control info][La applet data], the
 * applet data being the initial PIN (1..8 bytes), e.g. GlobalPlatform install parameters
 * C9 04 31 32 33 34 for the PIN "1234".
 *
 * Commands (CLA B0, amounts and balances are 2-byte big-endian, 1..1000 per transaction):
 *   B0 20 00 00 Lc PIN          VERIFY: 90 00, or 63 Cx (x tries left), 69 83 when blocked
 *   B0 30 00 00 02 amount       CREDIT: up to a balance of 10000
 *   B0 40 00 00 02 amount       DEBIT:  needs VERIFY in this session; never below zero
 *   B0 50 00 00 [02]            GET BALANCE: balance (2 bytes)
 *   B0 52 00 00 [02]            GET COUNTER: number of completed credits and debits
 * The balance and the counter change together or not at all (one transaction).
 */
public class Wallet extends Applet {
    private static final byte CLA_WALLET = (byte) 0xB0;
    private static final byte INS_VERIFY = (byte) 0x20;
    private static final byte INS_CREDIT = (byte) 0x30;
    private static final byte INS_DEBIT = (byte) 0x40;
    private static final byte INS_GET_BALANCE = (byte) 0x50;
    private static final byte INS_GET_COUNTER = (byte) 0x52;

    private static final byte PIN_TRY_LIMIT = (byte) 3;
    private static final byte MAX_PIN_SIZE = (byte) 8;
    private static final short MAX_BALANCE = (short) 10000;
    private static final short MAX_TRANSACTION_AMOUNT = (short) 1000;

    /** Wrong PIN: 63 Cx, x the tries left (ISO 7816-4 "counter" warning). */
    private static final short SW_VERIFICATION_FAILED = (short) 0x63C0;
    /** Debit without a verified PIN. */
    private static final short SW_PIN_VERIFICATION_REQUIRED = ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED;
    /** PIN blocked after PIN_TRY_LIMIT wrong tries. */
    private static final short SW_PIN_BLOCKED = (short) 0x6983;
    private static final short SW_INVALID_TRANSACTION_AMOUNT = (short) 0x6A83;
    private static final short SW_EXCEED_MAXIMUM_BALANCE = (short) 0x6A84;
    private static final short SW_NEGATIVE_BALANCE = (short) 0x6A85;

    private final OwnerPIN pin;
    private short balance;
    private short counter;

    private Wallet(byte[] bArray, short bOffset, byte bLength) {
        // Walk the install parameters: AID, then control info, then our applet data,
        // checking each length against the end of the parameters before using it.
        short end = (short) (bOffset + (short) (bLength & 0xFF));
        short aidOffset = bOffset;
        short aidLength = (short) (bArray[aidOffset] & 0xFF);
        short infoOffset = (short) (aidOffset + 1 + aidLength);
        if (infoOffset >= end) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        short dataOffset = (short) (infoOffset + 1 + (short) (bArray[infoOffset] & 0xFF));
        if (dataOffset >= end) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        short dataLength = (short) (bArray[dataOffset] & 0xFF);
        if ((short) (dataOffset + 1 + dataLength) > end) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        if (dataLength < 1 || dataLength > MAX_PIN_SIZE) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA); // no usable initial PIN
        }
        pin = new OwnerPIN(PIN_TRY_LIMIT, MAX_PIN_SIZE);
        pin.update(bArray, (short) (dataOffset + 1), (byte) dataLength);
        register(bArray, (short) (aidOffset + 1), (byte) aidLength);
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Wallet(bArray, bOffset, bLength);
    }

    /** A blocked wallet refuses to be selected, as the classic purse does. */
    public boolean select() {
        return pin.getTriesRemaining() != 0;
    }

    /** The PIN counts for one selection only. */
    public void deselect() {
        pin.reset();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if ((byte) (buf[ISO7816.OFFSET_CLA] & (byte) 0xFC) != CLA_WALLET) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        switch (buf[ISO7816.OFFSET_INS]) {
        case INS_VERIFY:
            verify(apdu, buf);
            return;
        case INS_CREDIT:
            credit(apdu, buf);
            return;
        case INS_DEBIT:
            debit(apdu, buf);
            return;
        case INS_GET_BALANCE:
            sendShort(apdu, buf, balance);
            return;
        case INS_GET_COUNTER:
            sendShort(apdu, buf, counter);
            return;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    private void verify(APDU apdu, byte[] buf) {
        short len = apdu.setIncomingAndReceive();
        if (pin.getTriesRemaining() == 0) {
            ISOException.throwIt(SW_PIN_BLOCKED);
        }
        if (len < 1 || len > MAX_PIN_SIZE) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        if (!pin.check(buf, ISO7816.OFFSET_CDATA, (byte) len)) {
            ISOException.throwIt((short) (SW_VERIFICATION_FAILED | pin.getTriesRemaining()));
        }
    }

    private void credit(APDU apdu, byte[] buf) {
        short amount = readAmount(apdu, buf);
        if (amount > (short) (MAX_BALANCE - balance)) {
            ISOException.throwIt(SW_EXCEED_MAXIMUM_BALANCE);
        }
        book((short) (balance + amount));
    }

    private void debit(APDU apdu, byte[] buf) {
        if (!pin.isValidated()) {
            ISOException.throwIt(SW_PIN_VERIFICATION_REQUIRED);
        }
        short amount = readAmount(apdu, buf);
        if (amount > balance) {
            ISOException.throwIt(SW_NEGATIVE_BALANCE);
        }
        book((short) (balance - amount));
    }

    /** The new balance and the counter, atomically: a tear leaves both as they were. */
    private void book(short newBalance) {
        JCSystem.beginTransaction();
        balance = newBalance;
        counter = counter == (short) 0x7FFF ? (short) 0 : (short) (counter + 1);
        JCSystem.commitTransaction();
    }

    private short readAmount(APDU apdu, byte[] buf) {
        short len = apdu.setIncomingAndReceive();
        if (len != 2) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        short amount = Util.getShort(buf, ISO7816.OFFSET_CDATA);
        if (amount <= 0 || amount > MAX_TRANSACTION_AMOUNT) {
            ISOException.throwIt(SW_INVALID_TRANSACTION_AMOUNT);
        }
        return amount;
    }

    private void sendShort(APDU apdu, byte[] buf, short value) {
        Util.setShort(buf, (short) 0, value);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }
}
