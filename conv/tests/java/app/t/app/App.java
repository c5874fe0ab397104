package t.app;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.PIN;
import javacard.framework.Util;
import javacard.security.AESKey;
import javacard.security.CryptoException;
import javacard.security.KeyBuilder;
import javacard.security.MessageDigest;
import javacard.security.RandomData;
import javacardx.crypto.Cipher;

/* A realistic applet: instruction dispatch, crypto API (interfaces and abstract classes of two
 * packages), transient arrays, an inner class, constants tables, loops and exceptions. */
public class App extends Applet {
    static final byte INS_ENC = (byte) 0x10;
    static final byte INS_HASH = (byte) 0x20;
    static final byte INS_RAND = (byte) 0x30;
    static final byte INS_XOR = (byte) 0x40;
    static final byte INS_COUNT = (byte) 0x50;
    static final byte[] KEY = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                                0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F };

    private final AESKey key;
    private final Cipher cipher;
    private final MessageDigest sha;
    private final RandomData rnd;
    private final byte[] scratch;
    private final OwnerPIN pin;
    private final Counter counter;

    /* inner class: compiled to App$Counter with a this$0 field */
    class Counter {
        short value;
        void bump(short by) { value = (short) (value + by); if (value < 0) value = 0; }
    }

    private App() {
        key = (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES, KeyBuilder.LENGTH_AES_128, false);
        key.setKey(KEY, (short) 0);
        cipher = Cipher.getInstance(Cipher.ALG_AES_BLOCK_128_CBC_NOPAD, false);
        sha = MessageDigest.getInstance(MessageDigest.ALG_SHA, false);
        rnd = RandomData.getInstance(RandomData.ALG_SECURE_RANDOM);
        scratch = JCSystem.makeTransientByteArray((short) 64, JCSystem.CLEAR_ON_DESELECT);
        pin = new OwnerPIN((byte) 3, (byte) 8);
        counter = new Counter();
        register();
    }

    public static void install(byte[] b, short off, byte len) { new App(); }

    public void process(APDU apdu) {
        if (selectingApplet()) return;
        byte[] buf = apdu.getBuffer();
        short len = apdu.setIncomingAndReceive();
        short out;
        switch (buf[ISO7816.OFFSET_INS]) {
        case INS_ENC:
            try {
                cipher.init(key, Cipher.MODE_ENCRYPT);
                out = cipher.doFinal(buf, ISO7816.OFFSET_CDATA, (short) 16, buf, (short) 0);
            } catch (CryptoException e) {
                ISOException.throwIt((short) (ISO7816.SW_UNKNOWN | e.getReason()));
                return;
            }
            break;
        case INS_HASH:
            out = sha.doFinal(buf, ISO7816.OFFSET_CDATA, len, buf, (short) 0);
            break;
        case INS_RAND:
            rnd.generateData(scratch, (short) 0, (short) 8);
            out = Util.arrayCopyNonAtomic(scratch, (short) 0, buf, (short) 0, (short) 8);
            break;
        case INS_XOR:
            for (short i = 0; i < len; i++) buf[i] = (byte) (buf[(short) (ISO7816.OFFSET_CDATA + i)] ^ KEY[(short) (i & 15)]);
            out = len;
            break;
        case INS_COUNT:
            counter.bump(buf[ISO7816.OFFSET_P1]);
            out = Util.setShort(buf, (short) 0, counter.value);
            break;
        default:
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
            return;
        }
        apdu.setOutgoingAndSend((short) 0, out);
    }

    boolean samePin(PIN other) { return other.equals(pin) && pin.isValidated(); }
}
