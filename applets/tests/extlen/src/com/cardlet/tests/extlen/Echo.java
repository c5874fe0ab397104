package com.cardlet.tests.extlen;

import javacard.framework.APDU;
import javacard.framework.APDUException;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;
import javacard.security.MessageDigest;

/**
 * Moves command and response data through every APDU method that matters for long data. This
 * class does NOT implement javacardx.apdu.ExtendedLength (its subclass ExtEcho does), so the card
 * must refuse it extended commands (67 00, before process()) and responses over 256 bytes.
 *
 * Commands (CLA 80, low two bits the logical channel):
 *   80 10 00 00 Lc data [Le]   HASH: SHA-256 of the data (received block by block), then the byte
 *                              count, the block count, getOffsetCdata() and getIncomingLength()
 *                              (2 bytes each): 40 bytes
 *   80 20 P1 P2 Lc data [Le]   ECHO: the data back (at most Ne bytes), sent with sendBytesLong in
 *                              pieces of P1P2 bytes (0: all at once)
 *   80 30 P1 P2 [Lc step] [Le] GEN: P1P2 bytes b[i] = i ^ (i >> 8) ^ 0x5A (i the 16-bit index),
 *                              built in the APDU buffer and sent with sendBytes, step bytes at a
 *                              time (default 300)
 *   80 40 00 00 Lc data [Le]   STATES: getCurrentState() along the way and what the APDU methods
 *                              said (14 bytes, see states())
 *   80 50 P1 00 [Lc data] [Le] ERR: runs misuse case P1 and answers 6F0r for APDUException reason
 *                              r, 90 00 when nothing was thrown (see err())
 *   80 60 00 00 [Le]           COUNT: how many times process() ran (2 bytes)
 *   8x 70 00 00 [data] [Le]    INFO: what the APDU says about the command, sent after
 *                              setOutgoingNoChaining (13 bytes, see info())
 *   80 80 00 00 Lc data        PARTIAL: receives the first block only and returns (the rest of
 *                              the data stays unread)
 *   80 90 00 00 [Le]           SAW: what receiveBytes gave deselect() the last time (2 bytes: a
 *                              byte count, or minus the APDUException reason, -100 SecurityException)
 */
public class Echo extends Applet {
    static final byte INS_HASH = (byte) 0x10;
    static final byte INS_ECHO = (byte) 0x20;
    static final byte INS_GEN = (byte) 0x30;
    static final byte INS_STATES = (byte) 0x40;
    static final byte INS_ERR = (byte) 0x50;
    static final byte INS_COUNT = (byte) 0x60;
    static final byte INS_INFO = (byte) 0x70;
    static final byte INS_PARTIAL = (byte) 0x80;
    static final byte INS_SAW = (byte) 0x90;

    /** The most data an ExtendedLength applet can get or send: the API counts in shorts. */
    static final short STORE_LEN = (short) 32767;
    /** One store for every instance of the package (EEPROM is dear): ECHO keeps the data here. */
    private static byte[] store;

    private final MessageDigest md;
    /** process() calls, SELECT included: proves the card did not call process() for a refused command. */
    private short processed;
    /** Blocks the last receiveAll() took. */
    private short blocks;
    /** What receiveBytes answered in deselect() (SAW). */
    private short deselectSaw;

    protected Echo() {
        if (store == null) {
            store = new byte[STORE_LEN];
        }
        md = MessageDigest.getInstance(MessageDigest.ALG_SHA_256, false);
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Echo().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
    }

    /**
     * Outside process() there is no command: the data a command left unread must not reach
     * deselect() (its bytes are gone), so receiveBytes may only throw here.
     */
    public void deselect() {
        try {
            deselectSaw = APDU.getCurrentAPDU().receiveBytes((short) 7);
        } catch (APDUException e) {
            deselectSaw = (short) -e.getReason();
        } catch (SecurityException e) {
            deselectSaw = (short) -100;
        }
    }

    public void process(APDU apdu) {
        processed++;
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if ((byte) (buf[ISO7816.OFFSET_CLA] & (byte) 0xFC) != (byte) 0x80) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        switch (buf[ISO7816.OFFSET_INS]) {
        case INS_HASH:
            hash(apdu, buf);
            return;
        case INS_ECHO:
            echo(apdu, buf);
            return;
        case INS_GEN:
            gen(apdu, buf);
            return;
        case INS_STATES:
            states(apdu, buf);
            return;
        case INS_ERR:
            err(apdu, buf);
            return;
        case INS_COUNT:
            Util.setShort(buf, (short) 0, processed);
            apdu.setOutgoingAndSend((short) 0, (short) 2);
            return;
        case INS_INFO:
            info(apdu, buf);
            return;
        case INS_PARTIAL:
            apdu.setIncomingAndReceive();
            return;
        case INS_SAW:
            Util.setShort(buf, (short) 0, deselectSaw);
            apdu.setOutgoingAndSend((short) 0, (short) 2);
            return;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    /**
     * Receives the whole command data through the APDU buffer, one block after the other: into the
     * digest (toDigest) or into store. Returns the byte count; blocks says how many blocks it took.
     */
    private short receiveAll(APDU apdu, byte[] buf, boolean toDigest) {
        short got = apdu.setIncomingAndReceive();
        short off = apdu.getOffsetCdata();
        short total = apdu.getIncomingLength();
        short pos = 0;
        blocks = 0;
        while (got > 0) {
            if (toDigest) {
                md.update(buf, off, got);
            } else {
                Util.arrayCopyNonAtomic(buf, off, store, pos, got);
            }
            pos = (short) (pos + got);
            blocks++;
            if (pos >= total) {
                break;
            }
            got = apdu.receiveBytes(off);
        }
        if (pos != total) {
            ISOException.throwIt((short) 0x6F10); // the card lost data: the test reads this as a failure
        }
        return pos;
    }

    private void hash(APDU apdu, byte[] buf) {
        md.reset();
        short n = receiveAll(apdu, buf, true);
        short off = apdu.getOffsetCdata();
        short in = apdu.getIncomingLength();
        md.doFinal(buf, (short) 0, (short) 0, buf, (short) 0);
        Util.setShort(buf, (short) 32, n);
        Util.setShort(buf, (short) 34, blocks);
        Util.setShort(buf, (short) 36, off);
        Util.setShort(buf, (short) 38, in);
        apdu.setOutgoingAndSend((short) 0, (short) 40);
    }

    private void echo(APDU apdu, byte[] buf) {
        short step = Util.getShort(buf, ISO7816.OFFSET_P1);
        short n = receiveAll(apdu, buf, false);
        short ne = apdu.setOutgoing();
        if (ne < n) {
            n = ne;
        }
        apdu.setOutgoingLength(n);
        if (step <= 0) {
            step = n;
        }
        short pos = 0;
        while (pos < n) {
            short k = (short) (n - pos) < step ? (short) (n - pos) : step;
            apdu.sendBytesLong(store, pos, k);
            pos = (short) (pos + k);
        }
    }

    private void gen(APDU apdu, byte[] buf) {
        short n = Util.getShort(buf, ISO7816.OFFSET_P1);
        short step = (short) 300;
        if (apdu.setIncomingAndReceive() == 2) {
            step = Util.getShort(buf, apdu.getOffsetCdata());
        }
        if (n < 0 || step <= 0 || step > (short) buf.length) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        apdu.setOutgoing();
        apdu.setOutgoingLength(n);
        short pos = 0;
        while (pos < n) {
            short k = (short) (n - pos) < step ? (short) (n - pos) : step;
            for (short j = 0; j < k; j++) {
                short i = (short) (pos + j);
                buf[j] = (byte) (i ^ (i >> 8) ^ 0x5A);
            }
            apdu.sendBytes((short) 0, k);
            pos = (short) (pos + k);
        }
    }

    /**
     * Answers [state at entry, after setIncomingAndReceive, after the last receiveBytes, after
     * setOutgoing, after setOutgoingLength, after sending the first byte] (one byte each), then
     * setIncomingAndReceive's count, getOffsetCdata, getIncomingLength and setOutgoing's Ne
     * (2 bytes each). After the last byte the state must be STATE_FULL_OUTGOING, else 6F 11.
     */
    private void states(APDU apdu, byte[] buf) {
        byte s0 = apdu.getCurrentState();
        short first = apdu.setIncomingAndReceive();
        byte s1 = apdu.getCurrentState();
        short off = apdu.getOffsetCdata();
        short in = apdu.getIncomingLength();
        short pos = first;
        while (pos < in) {
            pos = (short) (pos + apdu.receiveBytes(off));
        }
        byte s2 = apdu.getCurrentState();
        short ne = apdu.setOutgoing();
        byte s3 = apdu.getCurrentState();
        apdu.setOutgoingLength((short) 14);
        byte s4 = apdu.getCurrentState();
        // The answer goes into store (the buffer's first byte is sent before the rest is known).
        store[0] = s0;
        store[1] = s1;
        store[2] = s2;
        store[3] = s3;
        store[4] = s4;
        apdu.sendBytesLong(store, (short) 0, (short) 1);
        store[5] = apdu.getCurrentState();
        Util.setShort(store, (short) 6, first);
        Util.setShort(store, (short) 8, off);
        Util.setShort(store, (short) 10, in);
        Util.setShort(store, (short) 12, ne);
        apdu.sendBytesLong(store, (short) 1, (short) 13);
        if (apdu.getCurrentState() != APDU.STATE_FULL_OUTGOING) {
            ISOException.throwIt((short) 0x6F11);
        }
    }

    /**
     * Answers getNAD, getProtocol, getInBlockSize (2), getOutBlockSize (2), isCommandChainingCLA,
     * isSecureMessagingCLA, isISOInterindustryCLA, isValidCLA, getCLAChannel (1 byte each, booleans
     * 0/1) and setOutgoingNoChaining's Ne (2): extended commands must not change any of them.
     */
    private void info(APDU apdu, byte[] buf) {
        apdu.setIncomingAndReceive();
        byte nad = apdu.getNAD();
        byte protocol = APDU.getProtocol();
        short in = APDU.getInBlockSize();
        short out = APDU.getOutBlockSize();
        boolean chaining = apdu.isCommandChainingCLA();
        boolean sm = apdu.isSecureMessagingCLA();
        boolean iso = apdu.isISOInterindustryCLA();
        boolean valid = apdu.isValidCLA();
        byte channel = APDU.getCLAChannel();
        short ne = apdu.setOutgoingNoChaining();
        buf[0] = nad;
        buf[1] = protocol;
        Util.setShort(buf, (short) 2, in);
        Util.setShort(buf, (short) 4, out);
        buf[6] = chaining ? (byte) 1 : (byte) 0;
        buf[7] = sm ? (byte) 1 : (byte) 0;
        buf[8] = iso ? (byte) 1 : (byte) 0;
        buf[9] = valid ? (byte) 1 : (byte) 0;
        buf[10] = channel;
        Util.setShort(buf, (short) 11, ne);
        apdu.setOutgoingLength((short) 13);
        apdu.sendBytes((short) 0, (short) 13);
    }

    /**
     * Misuse cases (P1); each answers 6F0r when the APDU method threw APDUException reason r:
     *   1  setOutgoingLength(L), L the 2 data bytes, then sends L bytes of store (no exception: L bytes)
     *   2  receiveBytes before setIncomingAndReceive            (ILLEGAL_USE)
     *   3  setIncomingAndReceive twice                           (ILLEGAL_USE)
     *   4  sendBytes past the end of the APDU buffer             (BUFFER_BOUNDS)
     *   5  sending more than setOutgoingLength said              (ILLEGAL_USE)
     *   6  receiveBytes after setOutgoing                        (ILLEGAL_USE)
     *   7  getIncomingLength after setOutgoing                   (ILLEGAL_USE)
     *   8  receiveBytes at an offset outside the APDU buffer     (BUFFER_BOUNDS)
     *   9  setOutgoing twice                                     (ILLEGAL_USE)
     */
    private void err(APDU apdu, byte[] buf) {
        byte which = buf[ISO7816.OFFSET_P1];
        try {
            switch (which) {
            case 1:
                apdu.setIncomingAndReceive();
                short len = Util.getShort(buf, apdu.getOffsetCdata());
                apdu.setOutgoing();
                apdu.setOutgoingLength(len);
                apdu.sendBytesLong(store, (short) 0, len);
                return;
            case 2:
                apdu.receiveBytes(apdu.getOffsetCdata());
                return;
            case 3:
                apdu.setIncomingAndReceive();
                apdu.setIncomingAndReceive();
                return;
            case 4:
                apdu.setOutgoing();
                apdu.setOutgoingLength((short) 20);
                apdu.sendBytes((short) (buf.length - 10), (short) 20);
                return;
            case 5:
                apdu.setOutgoing();
                apdu.setOutgoingLength((short) 4);
                apdu.sendBytes((short) 0, (short) 5);
                return;
            case 6:
                apdu.setIncomingAndReceive();
                apdu.setOutgoing();
                apdu.receiveBytes((short) 7);
                return;
            case 7:
                apdu.setIncomingAndReceive();
                apdu.setOutgoing();
                apdu.getIncomingLength();
                return;
            case 8:
                apdu.setIncomingAndReceive();
                apdu.receiveBytes((short) buf.length);
                return;
            case 9:
                apdu.setOutgoing();
                apdu.setOutgoing();
                return;
            default:
                ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
            }
        } catch (APDUException e) {
            ISOException.throwIt((short) (0x6F00 | e.getReason()));
        }
    }
}
