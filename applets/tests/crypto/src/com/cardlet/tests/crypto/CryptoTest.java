package com.cardlet.tests.crypto;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.AESKey;
import javacard.security.CryptoException;
import javacard.security.DESKey;
import javacard.security.ECKey;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.HMACKey;
import javacard.security.Key;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.PrivateKey;
import javacard.security.PublicKey;
import javacard.security.RSAPrivateCrtKey;
import javacard.security.RSAPrivateKey;
import javacard.security.RSAPublicKey;
import javacard.security.RandomData;
import javacard.security.Signature;
import javacardx.crypto.AEADCipher;
import javacardx.crypto.Cipher;

/**
 * Drives the card's crypto API from APDUs so a host test can check known answers through the
 * VM. Inputs are first loaded into a scratch buffer (LOAD), then an operation reads them from
 * there; outputs come back as response data. A CryptoException becomes status word 6F1r
 * (r = its reason), so tests can check refusals.
 *
 *   80 01 P1 00 data      LOAD: P1=00 starts the input over, 01 appends
 *   80 10 alg split       DIGEST: update(in[0..split)), doFinal(rest)
 *   80 11 alg 00          DIGEST after reset: update(all), reset(), doFinal(all)
 *   80 12 alg len         RANDOM: nextBytes of len bytes
 *   80 20 slot type       BUILD: keys[slot] = buildKey(type, in[0..1] length, false)
 *   80 21 slot comp       SET: key component comp := input (see setComp)
 *   80 22 slot comp       GET: key component comp
 *   80 23 slot 00         INFO: isInitialized, getSize (2), getType
 *   80 24 slot 00         CLEAR: clearKey
 *   80 25 pub priv        GENPAIR: new KeyPair(keys[pub], keys[priv]).genKeyPair()
 *   80 26 alg slot        NEWPAIR: new KeyPair(alg, in[0..1] length), keys[slot], keys[slot+1]
 *   80 30 alg slot        SIGN: update(first half), sign(second half)
 *   80 31 alg slot        VERIFY: in = msgLen(2) msg sig; returns 01 or 00
 *   80 40 alg slot        CIPHER: in = mode ivLen iv chunk data; update in chunks, doFinal
 *   80 50 alg slot        AGREE: generateSecret with the peer point in the input
 *   80 60 00 slot         GCM: in = mode nLen nonce aadLen aad tagLen data [tag when decrypting]
 *   80 13 alg 00          DIGEST out of bounds: update(in, 1000, 100) (in holds 1024 bytes)
 *   80 27 slot alg        BUILDMEM: buildKey(alg, in[2] memory type, in[0..1] length, false)
 *   80 32 step 00         KEPT SIGNATURE: 0 getInstance(in[0]) + init(keys[in[1]], SIGN); 1 update(all); 2 sign(all)
 *   80 70 slot comp       SET inside a transaction that is then aborted
 *   80 33 alg slot        SIGNATURE INFO: alg 0 = getInstance(in[0], in[1], in[2], false), else getInstance(alg);
 *                         algorithm, digest, cipher, padding, then getLength after init with keys[slot] (FF: none)
 *   80 34 alg slot        SIGN WITH IV: in = ivLen iv message
 *   80 41 00 00           CIPHER INFO: getInstance(in[0], in[1], false): algorithm, cipher, padding
 *   80 71 r 00            CryptoException.throwIt(r), caught like any other (6F1r)
 *   80 35 alg slot        SIGN PRECOMPUTED HASH: signPreComputedHash(in)
 *   80 36 alg slot        VERIFY PRECOMPUTED HASH: in = hashLen hash sig; returns 01 or 00
 *   80 37 00 slot         SIGN/VERIFY BY PARTS: in = md cipher pad mode msgLen msg [sig]: getInstance(md, cipher,
 *                         pad, false); mode 1 signs (returns the signature), 2 verifies (returns 01 or 00)
 *   80 42 step n          KEPT CIPHER: 0 getInstance(in[0]) + init(keys[in[1]], in[2], iv = in[4..4+in[3]]); 1 doFinal(all);
 *                         2 doFinal(all) into the last n bytes of the output buffer; 3 update(all) into its last n bytes
 */
public class CryptoTest extends Applet {
    private static final byte INS_LOAD = 0x01;
    private static final byte INS_DIGEST = 0x10;
    private static final byte INS_DIGEST_RESET = 0x11;
    private static final byte INS_RANDOM = 0x12;
    private static final byte INS_BUILD = 0x20;
    private static final byte INS_SET = 0x21;
    private static final byte INS_GET = 0x22;
    private static final byte INS_INFO = 0x23;
    private static final byte INS_CLEAR = 0x24;
    private static final byte INS_GENPAIR = 0x25;
    private static final byte INS_NEWPAIR = 0x26;
    private static final byte INS_SIGN = 0x30;
    private static final byte INS_VERIFY = 0x31;
    private static final byte INS_CIPHER = 0x40;
    private static final byte INS_AGREE = 0x50;
    private static final byte INS_GCM = 0x60;
    private static final byte INS_DIGEST_OOB = 0x13;
    private static final byte INS_BUILDMEM = 0x27;
    private static final byte INS_KEPT_SIG = 0x32;
    private static final byte INS_SET_ABORTED = 0x70;
    private static final byte INS_SIG_INFO = 0x33;
    private static final byte INS_SIGN_IV = 0x34;
    private static final byte INS_CIPHER_INFO = 0x41;
    private static final byte INS_THROW = 0x71;
    private static final byte INS_SIGN_PRE = 0x35;
    private static final byte INS_VERIFY_PRE = 0x36;
    private static final byte INS_KEPT_CIPHER = 0x42;
    private static final byte INS_SIG_PARTS = 0x37;

    private static final short IN_MAX = 1024;
    private static final byte SLOTS = 8;

    private final byte[] in;
    private short inLen;
    private final byte[] out;
    private final Key[] keys;
    private Signature keptSig;
    private Cipher keptCipher;

    private CryptoTest() {
        in = new byte[IN_MAX];
        out = JCSystem.makeTransientByteArray((short) 600, JCSystem.CLEAR_ON_RESET);
        keys = new Key[SLOTS];
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new CryptoTest().register();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        byte p1 = buf[ISO7816.OFFSET_P1];
        byte p2 = buf[ISO7816.OFFSET_P2];
        short n = 0;
        try {
            switch (buf[ISO7816.OFFSET_INS]) {
            case INS_LOAD:
                load(apdu, buf, p1);
                return;
            case INS_DIGEST:
                n = digest(p1, (short) (p2 & 0xFF));
                break;
            case INS_DIGEST_RESET:
                n = digestReset(p1);
                break;
            case INS_RANDOM:
                n = (short) (p2 & 0xFF);
                Util.arrayFillNonAtomic(out, (short) 0, n, (byte) 0);
                RandomData.getInstance(p1).nextBytes(out, (short) 0, n);
                break;
            case INS_BUILD:
                keys[slot(p1)] = KeyBuilder.buildKey(p2, Util.getShort(in, (short) 0), false);
                break;
            case INS_SET:
                setComp(key(p1), p2);
                break;
            case INS_GET:
                n = getComp(key(p1), p2);
                break;
            case INS_INFO:
                Key k = key(p1);
                out[0] = k.isInitialized() ? (byte) 1 : (byte) 0;
                Util.setShort(out, (short) 1, k.getSize());
                out[3] = k.getType();
                n = 4;
                break;
            case INS_CLEAR:
                key(p1).clearKey();
                break;
            case INS_GENPAIR:
                new KeyPair((PublicKey) key(p1), (PrivateKey) key(p2)).genKeyPair();
                break;
            case INS_NEWPAIR:
                KeyPair kp = new KeyPair(p1, Util.getShort(in, (short) 0));
                kp.genKeyPair();
                keys[slot(p2)] = kp.getPublic();
                keys[slot((byte) (p2 + 1))] = kp.getPrivate();
                break;
            case INS_SIGN:
                n = sign(p1, key(p2));
                break;
            case INS_VERIFY:
                n = verify(p1, key(p2));
                break;
            case INS_CIPHER:
                n = cipher(p1, key(p2));
                break;
            case INS_AGREE:
                KeyAgreement ka = KeyAgreement.getInstance(p1, false);
                ka.init((PrivateKey) key(p2));
                n = ka.generateSecret(in, (short) 0, inLen, out, (short) 0);
                break;
            case INS_GCM:
                n = gcm(key(p2));
                break;
            case INS_DIGEST_OOB:
                MessageDigest.getInstance(p1, false).update(in, (short) 1000, (short) 100);
                break;
            case INS_BUILDMEM:
                keys[slot(p1)] = KeyBuilder.buildKey(p2, in[2], Util.getShort(in, (short) 0), false);
                break;
            case INS_KEPT_SIG:
                n = keptSignature(p1);
                break;
            case INS_SIG_INFO:
                n = signatureInfo(p1, p2);
                break;
            case INS_SIGN_IV:
                Signature sv = Signature.getInstance(p1, false);
                short ivl = (short) (in[0] & 0xFF);
                sv.init(key(p2), Signature.MODE_SIGN, in, (short) 1, ivl);
                n = sv.sign(in, (short) (1 + ivl), (short) (inLen - 1 - ivl), out, (short) 0);
                break;
            case INS_CIPHER_INFO:
                Cipher ci = Cipher.getInstance(in[0], in[1], false);
                out[0] = ci.getAlgorithm();
                out[1] = ci.getCipherAlgorithm();
                out[2] = ci.getPaddingAlgorithm();
                n = 3;
                break;
            case INS_SIGN_PRE:
                Signature sp = Signature.getInstance(p1, false);
                sp.init(key(p2), Signature.MODE_SIGN);
                n = sp.signPreComputedHash(in, (short) 0, inLen, out, (short) 0);
                break;
            case INS_VERIFY_PRE:
                Signature vp = Signature.getInstance(p1, false);
                vp.init(key(p2), Signature.MODE_VERIFY);
                short hl = (short) (in[0] & 0xFF);
                out[0] = vp.verifyPreComputedHash(in, (short) 1, hl, in, (short) (1 + hl), (short) (inLen - 1 - hl))
                        ? (byte) 1 : (byte) 0;
                n = 1;
                break;
            case INS_SIG_PARTS:
                n = signByParts(key(p2));
                break;
            case INS_KEPT_CIPHER:
                if (p1 == 0) {
                    keptCipher = Cipher.getInstance(in[0], false);
                    short kivl = (short) (in[3] & 0xFF);
                    if (kivl == 0) {
                        keptCipher.init(key(in[1]), in[2]);
                    } else {
                        keptCipher.init(key(in[1]), in[2], in, (short) 4, kivl);
                    }
                } else if (p1 == 1) {
                    n = keptCipher.doFinal(in, (short) 0, inLen, out, (short) 0);
                } else if (p1 == 2) {
                    keptCipher.doFinal(in, (short) 0, inLen, out, (short) (out.length - (p2 & 0xFF)));
                } else {
                    keptCipher.update(in, (short) 0, inLen, out, (short) (out.length - (p2 & 0xFF)));
                }
                break;
            case INS_THROW:
                CryptoException.throwIt(p1);
                break;
            case INS_SET_ABORTED:
                JCSystem.beginTransaction();
                setComp(key(p1), p2);
                JCSystem.abortTransaction();
                break;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
            }
        } catch (CryptoException e) {
            ISOException.throwIt((short) (0x6F10 | e.getReason()));
        }
        send(apdu, buf, n);
    }

    private void send(APDU apdu, byte[] buf, short n) {
        if (n == 0) {
            return;
        }
        apdu.setOutgoing();
        apdu.setOutgoingLength(n);
        apdu.sendBytesLong(out, (short) 0, n);
    }

    private void load(APDU apdu, byte[] buf, byte p1) {
        if (p1 == 0) {
            inLen = 0;
        }
        short len = apdu.setIncomingAndReceive();
        if ((short) (inLen + len) > IN_MAX) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        Util.arrayCopyNonAtomic(buf, ISO7816.OFFSET_CDATA, in, inLen, len);
        inLen = (short) (inLen + len);
    }

    private static short slot(byte s) {
        if (s < 0 || s >= SLOTS) {
            ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
        }
        return s;
    }

    private Key key(byte s) {
        Key k = keys[slot(s)];
        if (k == null) {
            ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
        }
        return k;
    }

    private short digest(byte alg, short split) {
        if (split > inLen) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        MessageDigest md = MessageDigest.getInstance(alg, false);
        md.update(in, (short) 0, split);
        short n = md.doFinal(in, split, (short) (inLen - split), out, (short) 0);
        if (n != md.getLength() || md.getAlgorithm() != alg) {
            ISOException.throwIt(ISO7816.SW_UNKNOWN);
        }
        return n;
    }

    private short digestReset(byte alg) {
        MessageDigest md = MessageDigest.getInstance(alg, false);
        md.update(in, (short) 0, inLen);
        md.reset();
        md.update(in, (short) 0, inLen);
        md.doFinal(in, (short) 0, (short) 0, out, (short) 0);
        // The object is ready again after doFinal: a second message gives the same digest.
        return (short) (md.getLength() + md.doFinal(in, (short) 0, inLen, out, md.getLength()));
    }

    /** Components: 0 secret key; EC 1 field, 2 A, 3 B, 4 G, 5 R, 6 K, 7 W/S; RSA 1 modulus,
     *  2 exponent; CRT 3 P, 4 Q, 5 DP1, 6 DQ1, 7 PQ. */
    private void setComp(Key k, byte comp) {
        if (k instanceof AESKey) {
            ((AESKey) k).setKey(in, (short) 0);
        } else if (k instanceof DESKey) {
            ((DESKey) k).setKey(in, (short) 0);
        } else if (k instanceof HMACKey) {
            ((HMACKey) k).setKey(in, (short) 0, inLen);
        } else if (k instanceof ECPublicKey || k instanceof ECPrivateKey) {
            setEc(k, comp);
        } else if (k instanceof RSAPublicKey) {
            if (comp == 1) {
                ((RSAPublicKey) k).setModulus(in, (short) 0, inLen);
            } else {
                ((RSAPublicKey) k).setExponent(in, (short) 0, inLen);
            }
        } else if (k instanceof RSAPrivateKey) {
            if (comp == 1) {
                ((RSAPrivateKey) k).setModulus(in, (short) 0, inLen);
            } else {
                ((RSAPrivateKey) k).setExponent(in, (short) 0, inLen);
            }
        } else {
            setCrt((RSAPrivateCrtKey) k, comp);
        }
    }

    private void setEc(Key k, byte comp) {
        boolean pub = k instanceof ECPublicKey;
        ECKey ec;
        if (pub) {
            ec = (ECPublicKey) k;
        } else {
            ec = (ECPrivateKey) k;
        }
        switch (comp) {
        case 1: ec.setFieldFP(in, (short) 0, inLen); break;
        case 2: ec.setA(in, (short) 0, inLen); break;
        case 3: ec.setB(in, (short) 0, inLen); break;
        case 4: ec.setG(in, (short) 0, inLen); break;
        case 5: ec.setR(in, (short) 0, inLen); break;
        case 6: ec.setK(Util.getShort(in, (short) 0)); break;
        default:
            if (pub) {
                ((ECPublicKey) k).setW(in, (short) 0, inLen);
            } else {
                ((ECPrivateKey) k).setS(in, (short) 0, inLen);
            }
        }
    }

    private void setCrt(RSAPrivateCrtKey k, byte comp) {
        switch (comp) {
        case 3: k.setP(in, (short) 0, inLen); break;
        case 4: k.setQ(in, (short) 0, inLen); break;
        case 5: k.setDP1(in, (short) 0, inLen); break;
        case 6: k.setDQ1(in, (short) 0, inLen); break;
        default: k.setPQ(in, (short) 0, inLen);
        }
    }

    private short getComp(Key k, byte comp) {
        if (k instanceof AESKey) {
            return ((AESKey) k).getKey(out, (short) 0);
        }
        if (k instanceof DESKey) {
            return ((DESKey) k).getKey(out, (short) 0);
        }
        if (k instanceof HMACKey) {
            return ((HMACKey) k).getKey(out, (short) 0);
        }
        if (k instanceof ECPublicKey) {
            return comp == 4 ? ((ECPublicKey) k).getG(out, (short) 0) : ((ECPublicKey) k).getW(out, (short) 0);
        }
        if (k instanceof ECPrivateKey) {
            return ((ECPrivateKey) k).getS(out, (short) 0);
        }
        if (k instanceof RSAPublicKey) {
            return comp == 1 ? ((RSAPublicKey) k).getModulus(out, (short) 0) : ((RSAPublicKey) k).getExponent(out, (short) 0);
        }
        if (k instanceof RSAPrivateKey) {
            return comp == 1 ? ((RSAPrivateKey) k).getModulus(out, (short) 0) : ((RSAPrivateKey) k).getExponent(out, (short) 0);
        }
        return getCrt((RSAPrivateCrtKey) k, comp);
    }

    /* The CRT components by the numbers setCrt uses (3 P, 4 Q, 5 DP1, 6 DQ1, 7 PQ). */
    private short getCrt(RSAPrivateCrtKey k, byte comp) {
        switch (comp) {
        case 4: return k.getQ(out, (short) 0);
        case 5: return k.getDP1(out, (short) 0);
        case 6: return k.getDQ1(out, (short) 0);
        case 7: return k.getPQ(out, (short) 0);
        default: return k.getP(out, (short) 0);
        }
    }

    private short sign(byte alg, Key k) {
        Signature s = Signature.getInstance(alg, false);
        s.init(k, Signature.MODE_SIGN);
        short half = (short) (inLen / 2);
        s.update(in, (short) 0, half);
        return s.sign(in, half, (short) (inLen - half), out, (short) 0);
    }

    private short signatureInfo(byte alg, byte slot) {
        Signature s;
        if (alg == 0) {
            s = Signature.getInstance(in[0], in[1], in[2], false);
        } else {
            s = Signature.getInstance(alg, false);
        }
        out[0] = s.getAlgorithm();
        out[1] = s.getMessageDigestAlgorithm();
        out[2] = s.getCipherAlgorithm();
        out[3] = s.getPaddingAlgorithm();
        if (slot == (byte) 0xFF) {
            return 4;
        }
        s.init(key(slot), Signature.MODE_SIGN);
        Util.setShort(out, (short) 4, s.getLength());
        return 6;
    }

    private short signByParts(Key k) {
        Signature s = Signature.getInstance(in[0], in[1], in[2], false);
        s.init(k, in[3]);
        short ml = (short) (in[4] & 0xFF);
        if (in[3] == Signature.MODE_SIGN) {
            return s.sign(in, (short) 5, ml, out, (short) 0);
        }
        short so = (short) (5 + ml);
        out[0] = s.verify(in, (short) 5, ml, in, so, (short) (inLen - so)) ? (byte) 1 : (byte) 0;
        return 1;
    }

    private short keptSignature(byte step) {
        if (step == 0) {
            keptSig = Signature.getInstance(in[0], false);
            keptSig.init(key(in[1]), Signature.MODE_SIGN);
            return 0;
        }
        if (step == 1) {
            keptSig.update(in, (short) 0, inLen);
            return 0;
        }
        return keptSig.sign(in, (short) 0, inLen, out, (short) 0);
    }

    private short verify(byte alg, Key k) {
        Signature s = Signature.getInstance(alg, false);
        s.init(k, Signature.MODE_VERIFY);
        short msgLen = Util.getShort(in, (short) 0);
        short sigOff = (short) (2 + msgLen);
        boolean ok = s.verify(in, (short) 2, msgLen, in, sigOff, (short) (inLen - sigOff));
        out[0] = ok ? (byte) 1 : (byte) 0;
        return 1;
    }

    private short cipher(byte alg, Key k) {
        Cipher c = Cipher.getInstance(alg, false);
        byte mode = in[0];
        short ivLen = (short) (in[1] & 0xFF);
        if (ivLen == 0) {
            c.init(k, mode);
        } else {
            c.init(k, mode, in, (short) 2, ivLen);
        }
        short chunk = (short) (in[(short) (2 + ivLen)] & 0xFF);
        short off = (short) (3 + ivLen);
        short n = 0;
        if (chunk != 0) {
            while ((short) (inLen - off) > chunk) {
                n += c.update(in, off, chunk, out, n);
                off += chunk;
            }
        }
        n += c.doFinal(in, off, (short) (inLen - off), out, n);
        return n;
    }

    private short gcm(Key k) {
        AEADCipher c = (AEADCipher) Cipher.getInstance(AEADCipher.ALG_AES_GCM, false);
        byte mode = in[0];
        short nLen = (short) (in[1] & 0xFF);
        short off = (short) (2 + nLen);
        short aadLen = (short) (in[off] & 0xFF);
        short aadOff = (short) (off + 1);
        short tagLen = (short) (in[(short) (aadOff + aadLen)] & 0xFF);
        short dataOff = (short) (aadOff + aadLen + 1);
        short dataLen = (short) (inLen - dataOff);
        c.init(k, mode, in, (short) 2, nLen, aadLen, (short) 0, tagLen);
        c.updateAAD(in, aadOff, aadLen);
        if (mode == Cipher.MODE_ENCRYPT) {
            short n = c.doFinal(in, dataOff, dataLen, out, (short) 0);
            return (short) (n + c.retrieveTag(out, n, tagLen));
        }
        dataLen = (short) (dataLen - tagLen);
        short n = c.doFinal(in, dataOff, dataLen, out, (short) 0);
        out[n] = c.verifyTag(in, (short) (dataOff + dataLen), tagLen, tagLen) ? (byte) 1 : (byte) 0;
        return (short) (n + 1);
    }
}
