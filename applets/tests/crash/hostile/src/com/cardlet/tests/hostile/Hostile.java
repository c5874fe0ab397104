package com.cardlet.tests.hostile;

import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;

/**
 * An applet that misbehaves on purpose, for tests/hostile. Each command does something a card
 * must stop with a status word (usually 6F 00) without harming itself or other applets. The
 * small static methods at the end are the targets tests/hostile patches: their bytecode is
 * short and recognisable (e.g. aload_1 getfield_s sreturn), so swapping one opcode turns the
 * short argument into a forged reference, or a branch into a jump out of the method.
 *
 * Commands (CLA 80, P1 P2 = a short argument where one is used):
 *   01 negative array size       02 exhaust the heap          03 endless recursion
 *   04 endless loop              05 array index out of range  06 null dereference
 *   07 peek(arg, this)           08 poke(arg, this, 0x5A5A)   09 call(arg, this)
 *   0A first(arg, buf)           0B mix(P1, P2)               0C echo of secret
 * API calls with bad arguments (arg = P1 P2):
 *   0D arrayCopyNonAtomic to buf+arg     0E arrayCopy from buf-1       0F arrayFillNonAtomic length -5
 *   10 setOutgoingAndSend(0, arg)        11 sendBytesLong(buf, arg, 16) 12 Util.getShort(buf, arg)
 *   13 makeTransientByteArray(arg)       17 arrayCompare(buf, 0, buf, arg, 100)
 *   18 receiveBytes(arg)                 19 arrayCopy from null        1D ISOException.throwIt(arg)
 *   1A ArrayStoreException               1B ClassCastException         1C throw null
 * Transactions that must leave nothing behind (txprobe is written first, 1F reads it):
 *   14 commit buffer overflow            15 nested beginTransaction    16 endless loop in a transaction
 *   1E endless recursion in a transaction
 */
public class Hostile extends Applet {
    private short secret = (short) 0x1234;
    private boolean forever = true;
    private byte[] none;
    private Object[] hoard = new Object[64];
    private short txprobe;
    private Object nothing;
    private final byte[] big = new byte[9000];

    private Hostile() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new Hostile();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        short arg = Util.getShort(buf, ISO7816.OFFSET_P1);
        short result = 0;
        switch (buf[ISO7816.OFFSET_INS]) {
        case 0x01:
            result = (short) new byte[(short) -arg].length;
            break;
        case 0x02:
            for (short i = 0; i < (short) hoard.length; i++) {
                hoard[i] = new short[0x3FFF];
            }
            break;
        case 0x03:
            result = deeper(arg);
            break;
        case 0x04:
            while (forever) {
                result++;
            }
            break;
        case 0x05:
            result = buf[(short) (arg + 0x4000)];
            break;
        case 0x06:
            result = none[0];
            break;
        case 0x07:
            result = peek(arg, this);
            break;
        case 0x08:
            poke(arg, this, (short) 0x5A5A);
            break;
        case 0x09:
            result = call(arg, this);
            break;
        case 0x0A:
            result = first(arg, buf);
            break;
        case 0x0B:
            result = mix(buf[ISO7816.OFFSET_P1], buf[ISO7816.OFFSET_P2]);
            break;
        case 0x0C:
            result = secret;
            break;
        case 0x0D:
            result = Util.arrayCopyNonAtomic(buf, (short) 0, buf, arg, (short) 300);
            break;
        case 0x0E:
            result = Util.arrayCopy(buf, (short) -1, big, (short) 0, (short) 10);
            break;
        case 0x0F:
            result = Util.arrayFillNonAtomic(buf, (short) 0, (short) -5, (byte) 0);
            break;
        case 0x10:
            apdu.setOutgoingAndSend((short) 0, arg);
            return;
        case 0x11:
            apdu.setOutgoing();
            apdu.setOutgoingLength((short) 16);
            apdu.sendBytesLong(buf, arg, (short) 16);
            return;
        case 0x12:
            result = Util.getShort(buf, arg);
            break;
        case 0x13:
            result = (short) JCSystem.makeTransientByteArray(arg, JCSystem.CLEAR_ON_RESET).length;
            break;
        case 0x14:
            JCSystem.beginTransaction();
            txprobe = (short) 0x7777;
            Util.arrayFill(big, (short) 0, (short) big.length, (byte) 0x55);
            JCSystem.commitTransaction();
            break;
        case 0x15:
            JCSystem.beginTransaction();
            txprobe = (short) 0x7777;
            JCSystem.beginTransaction();
            break;
        case 0x16:
            JCSystem.beginTransaction();
            txprobe = (short) 0x7777;
            while (forever) {
                result++;
            }
            JCSystem.commitTransaction();
            break;
        case 0x17:
            result = Util.arrayCompare(buf, (short) 0, buf, arg, (short) 100);
            break;
        case 0x18:
            result = apdu.receiveBytes(arg);
            break;
        case 0x19:
            result = Util.arrayCopy((byte[]) nothing, (short) 0, buf, (short) 0, (short) 1);
            break;
        case 0x1A:
            Object[] aids = new AID[1];
            aids[0] = this;
            break;
        case 0x1B:
            result = ((AID) nothing2()).getBytes(buf, (short) 0);
            break;
        case 0x1C:
            throw (RuntimeException) nothing;
        case 0x1D:
            ISOException.throwIt(arg);
            break;
        case 0x1E:
            JCSystem.beginTransaction();
            txprobe = (short) 0x7777;
            result = deeper(arg);
            JCSystem.commitTransaction();
            break;
        case 0x1F:
            result = txprobe;
            break;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.setShort(buf, (short) 0, result);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }

    private static short deeper(short n) {
        return (short) (deeper((short) (n + 1)) + 1);
    }

    private Object nothing2() {
        return this;
    }

    short value() {
        return secret;
    }

    /* Patch targets: keep them tiny. The first argument is unused by design. */
    static short peek(short handle, Hostile h) {
        return h.secret;
    }

    static void poke(short handle, Hostile h, short v) {
        h.secret = v;
    }

    static short call(short handle, Hostile h) {
        return h.value();
    }

    static short first(short handle, byte[] a) {
        return a[0];
    }

    static short mix(short a, short b) {
        short r = (short) (a + b);
        if (r > 10) {
            r = (short) (r - b);
        } else {
            r = (short) (r * 3);
        }
        return r;
    }
}
