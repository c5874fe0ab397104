package com.cardlet.vmtest;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.MultiSelectable;
import javacard.framework.Util;

/**
 * VM test applet: each INS exercises one part of the VM with real javac + converter bytecode.
 * CLA 80. Results are returned as data; errors as status words.
 */
public class VmTest extends Applet implements MultiSelectable {
    private static final byte[] TABLE = { 1, 2, 3, 5, 8, 13, 21, 34 };
    private static final short[] SQUARES = { 0, 1, 4, 9, 16, 25 };
    private static int total;
    private static short calls;

    private short balance;
    private final byte[] scratch;
    private final byte[] perSelect;
    private Object[] things;
    /** Last MultiSelectable call: 0x10 | alreadyActive for select, 0x20 | stillActive for deselect. */
    private byte multiLog;

    private VmTest() {
        scratch = new byte[16];
        perSelect = JCSystem.makeTransientByteArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
        things = new Object[3];
        // A transaction inside install() is part of the installation (committed with it).
        JCSystem.beginTransaction();
        balance = 100;
        JCSystem.commitTransaction();
        register();
    }

    public boolean select(boolean appInstAlreadyActive) {
        multiLog = (byte) (0x10 | (appInstAlreadyActive ? 1 : 0));
        return true;
    }

    public void deselect(boolean appInstStillActive) {
        multiLog = (byte) (0x20 | (appInstStillActive ? 1 : 0));
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new VmTest();
    }

    public void process(APDU apdu) {
        byte[] buf = apdu.getBuffer();
        if (selectingApplet()) {
            if (reSelectingApplet()) { // selected again on the same channel: say so
                buf[0] = 1;
                apdu.setOutgoingAndSend((short) 0, (short) 1);
            }
            return;
        }
        calls++;
        short p1 = (short) (buf[ISO7816.OFFSET_P1] & 0xFF);
        short len;
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x01: // static array initialised from the CAP
            len = (short) TABLE.length;
            Util.arrayCopyNonAtomic(TABLE, (short) 0, buf, (short) 0, len);
            buf[len] = (byte) SQUARES[5];
            apdu.setOutgoingAndSend((short) 0, (short) (len + 1));
            return;
        case 0x02: { // int arithmetic: (a * b) / c + total, a b c shorts from the data
            apdu.setIncomingAndReceive();
            int a = Util.getShort(buf, ISO7816.OFFSET_CDATA);
            int b = Util.getShort(buf, (short) (ISO7816.OFFSET_CDATA + 2));
            int c = Util.getShort(buf, (short) (ISO7816.OFFSET_CDATA + 4));
            int r = (a * b) / c;
            total += r;
            buf[0] = (byte) (r >> 24);
            buf[1] = (byte) (r >> 16);
            buf[2] = (byte) (r >> 8);
            buf[3] = (byte) r;
            apdu.setOutgoingAndSend((short) 0, (short) 4);
            return;
        }
        case 0x03: // switches
            Util.setShort(buf, (short) 0, table(p1));
            Util.setShort(buf, (short) 2, lookup((short) (p1 * 100)));
            apdu.setOutgoingAndSend((short) 0, (short) 4);
            return;
        case 0x04: { // virtual dispatch
            Shape s;
            if (p1 == 0) {
                s = new Shape((short) 7);
            } else {
                s = new Rect((short) 3, (short) 5);
            }
            Util.setShort(buf, (short) 0, s.describe());
            apdu.setOutgoingAndSend((short) 0, (short) 2);
            return;
        }
        case 0x05: { // interface call, instanceof, checkcast
            Object o = new Rect((short) 2, (short) 9);
            things[0] = o;
            things[1] = scratch;
            short r = 0;
            if (things[0] instanceof Measurable) {
                r = ((Measurable) things[0]).measure((short) 3);
            }
            if (things[1] instanceof byte[]) {
                r += ((byte[]) things[1]).length;
            }
            Util.setShort(buf, (short) 0, r);
            apdu.setOutgoingAndSend((short) 0, (short) 2);
            return;
        }
        case 0x06: // exceptions caught in the applet
            short caught = 0;
            try {
                scratch[p1] = 1;
            } catch (ArrayIndexOutOfBoundsException e) {
                caught = 1;
            }
            try {
                ISOException.throwIt((short) 0x6A99);
            } catch (ISOException e) {
                caught += (short) (e.getReason() == (short) 0x6A99 ? 10 : 0);
            }
            try {
                Object x = null;
                x.equals(scratch);
            } catch (NullPointerException e) {
                caught += 100;
            } finally {
                caught += 1000;
            }
            Util.setShort(buf, (short) 0, caught);
            apdu.setOutgoingAndSend((short) 0, (short) 2);
            return;
        case 0x07: // transaction aborted: balance unchanged; committed: changed
            JCSystem.beginTransaction();
            balance = (short) (balance + 50);
            scratch[0] = (byte) 0x55;
            if (p1 == 0) {
                JCSystem.abortTransaction();
            } else {
                JCSystem.commitTransaction();
            }
            Util.setShort(buf, (short) 0, balance);
            buf[2] = scratch[0];
            apdu.setOutgoingAndSend((short) 0, (short) 3);
            return;
        case 0x08: // CLEAR_ON_DESELECT counter
            perSelect[0]++;
            buf[0] = perSelect[0];
            apdu.setOutgoingAndSend((short) 0, (short) 1);
            return;
        case 0x09: // recursion: fib(p1); deep recursion runs out of frames (6F 00)
            Util.setShort(buf, (short) 0, fib(p1));
            apdu.setOutgoingAndSend((short) 0, (short) 2);
            return;
        case 0x0A: // statics persist: calls counter and the int total
            Util.setShort(buf, (short) 0, calls);
            buf[2] = (byte) (total >> 8);
            buf[3] = (byte) total;
            apdu.setOutgoingAndSend((short) 0, (short) 4);
            return;
        case 0x0B: // Util
            Util.arrayFillNonAtomic(scratch, (short) 0, (short) 16, (byte) 0x11);
            Util.arrayCopy(TABLE, (short) 0, scratch, (short) 4, (short) 4);
            buf[0] = Util.arrayCompare(scratch, (short) 4, TABLE, (short) 0, (short) 4);
            buf[1] = Util.arrayCompare(scratch, (short) 0, TABLE, (short) 0, (short) 1);
            Util.arrayCopyNonAtomic(scratch, (short) 0, buf, (short) 2, (short) 8);
            apdu.setOutgoingAndSend((short) 0, (short) 10);
            return;
        case 0x0C: // garbage, then object deletion after this command
            things[2] = new byte[1000];
            things[2] = null;
            buf[0] = JCSystem.isObjectDeletionSupported() ? (byte) 1 : (byte) 0;
            JCSystem.requestObjectDeletion();
            apdu.setOutgoingAndSend((short) 0, (short) 1);
            return;
        case 0x0E: // what the last MultiSelectable call was
            buf[0] = multiLog;
            apdu.setOutgoingAndSend((short) 0, (short) 1);
            return;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    private short table(short k) {
        switch (k) {
        case 0: return 10;
        case 1: return 11;
        case 2: return 12;
        case 3: return 13;
        default: return -1;
        }
    }

    private short lookup(short k) {
        switch (k) {
        case 100: return 1;
        case 5000: return 2;
        case -300: return 3;
        default: return 0;
        }
    }

    private short fib(short n) {
        if (n < 2) {
            return n;
        }
        return (short) (fib((short) (n - 1)) + fib((short) (n - 2)));
    }
}
