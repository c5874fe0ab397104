package com.cardlet.tests.api2;

import javacard.framework.APDU;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.ECKey;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.HMACKey;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.RSAPrivateCrtKey;
import javacard.security.RSAPrivateKey;
import javacard.security.RSAPublicKey;
import javacard.security.Signature;

/**
 * Key objects: ECKey getters and domain parameters (80 60), RSA private keys and HMACKey (80 70).
 * The methods this card refuses are in RefuseCases. Keys are made once, at install; a command
 * generates or clears what it uses first, so commands may run in any order.
 */
final class KeyCases {
    private static final byte[] MSG = { 'a', 'p', 'i', '2' };

    private final KeyPair ec = new KeyPair(KeyPair.ALG_EC_FP, KeyBuilder.LENGTH_EC_FP_256);
    private final KeyPair crt = new KeyPair(KeyPair.ALG_RSA_CRT, KeyBuilder.LENGTH_RSA_512);
    private final KeyPair rsa = new KeyPair(KeyPair.ALG_RSA, KeyBuilder.LENGTH_RSA_512);
    private final ECPublicKey ecCopy = (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC,
            KeyBuilder.LENGTH_EC_FP_256, false);
    private final ECPrivateKey ecCopyPriv = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE,
            KeyBuilder.LENGTH_EC_FP_256, false);
    private final ECPublicKey ec384 = (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC,
            KeyBuilder.LENGTH_EC_FP_384, false);
    private final RSAPrivateKey rsaCopy = (RSAPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_RSA_PRIVATE,
            KeyBuilder.LENGTH_RSA_512, false);
    private final HMACKey hmac = (HMACKey) KeyBuilder.buildKey(KeyBuilder.TYPE_HMAC,
            KeyBuilder.LENGTH_HMAC_SHA_256_BLOCK_64, false);
    private final Signature rsaSig = Signature.getInstance(Signature.ALG_RSA_SHA_256_PKCS1, false);
    private final Signature hmacSig = Signature.getInstance(Signature.ALG_HMAC_SHA_256, false);
    private final byte[] s1 = JCSystem.makeTransientByteArray((short) 140, JCSystem.CLEAR_ON_DESELECT);
    private final byte[] s2 = JCSystem.makeTransientByteArray((short) 140, JCSystem.CLEAR_ON_DESELECT);

    KeyPair ecPair() {
        return ec;
    }

    // --- EC --------------------------------------------------------------------------------

    void ec(Out o, byte p1) {
        ec.genKeyPair();
        ECPublicKey pub = (ECPublicKey) ec.getPublic();
        ECPrivateKey priv = (ECPrivateKey) ec.getPrivate();
        switch (p1) {
        case 0: domain(o, pub, priv); break;
        case 1:
            // 1: the public point W and the private value S (tests/api checks S x G = W on the host).
            o.putLV(s1, (short) 0, pub.getW(s1, (short) 0));
            o.putLV(s1, (short) 0, priv.getS(s1, (short) 0));
            break;
        case 2: f2m(o, pub, priv); break;
        case 3: copy(o, pub); break;
        default: agreement(o); break;
        }
    }

    /**
     * 0: after genKeyPair with no parameters set (the card's P-256): getField, getA, getB, getG
     * (uncompressed point), getR (read at offset 3 of the buffer) of the public key, each as
     * length + bytes, and getK; then 1 if the private key returns the same six values.
     */
    private void domain(Out o, ECPublicKey pub, ECPrivateKey priv) {
        o.putLV(s1, (short) 0, pub.getField(s1, (short) 0));
        o.putLV(s1, (short) 0, pub.getA(s1, (short) 0));
        o.putLV(s1, (short) 0, pub.getB(s1, (short) 0));
        o.putLV(s1, (short) 0, pub.getG(s1, (short) 0));
        o.putLV(s1, (short) 3, pub.getR(s1, (short) 3));
        o.putS(pub.getK());
        boolean same = priv.getK() == pub.getK();
        for (byte c = 0; c < 5; c++) same = same && sameComponent(pub, priv, c);
        o.putZ(same);
    }

    /** Component c (field, A, B, G, R) of two EC keys: same length and bytes? */
    private boolean sameComponent(ECKey a, ECKey b, byte c) {
        short n = component(a, c, s1);
        return n == component(b, c, s2) && Out.same(s1, (short) 0, s2, (short) 0, n);
    }

    private static short component(ECKey k, byte c, byte[] to) {
        switch (c) {
        case 0: return k.getField(to, (short) 0);
        case 1: return k.getA(to, (short) 0);
        case 2: return k.getB(to, (short) 0);
        case 3: return k.getG(to, (short) 0);
        default: return k.getR(to, (short) 0);
        }
    }

    /**
     * 2: setFieldF2M(e) and setFieldF2M(e1, e2, e3) on the public and the private prime-field key
     * (reasons: ILLEGAL_VALUE, the key is no F2M key); 1 if getField still returns the same prime;
     * F2M keys from buildKey(TYPE_EC_F2M_PUBLIC / PRIVATE, 163) and by ALG_TYPE_EC_F2M_PUBLIC
     * (NO_SUCH_ALGORITHM, F2M is not offered).
     */
    private void f2m(Out o, ECPublicKey pub, ECPrivateKey priv) {
        short n = pub.getField(s2, (short) 0);
        for (byte k = 0; k < 4; k++) {
            short reason = Out.NO_EXC;
            try {
                ECKey key = priv;
                if (k < 2) key = pub;
                if ((k & 1) == 0) key.setFieldF2M((short) 7);
                else key.setFieldF2M((short) 1, (short) 2, (short) 8);
            } catch (CryptoException e) {
                reason = e.getReason();
            }
            o.putS(reason);
        }
        o.putZ(pub.getField(s1, (short) 0) == n && Out.same(s1, (short) 0, s2, (short) 0, n));
        o.putS(buildReason(KeyBuilder.TYPE_EC_F2M_PUBLIC));
        o.putS(buildReason(KeyBuilder.TYPE_EC_F2M_PRIVATE));
        short reason = Out.NO_EXC;
        try {
            KeyBuilder.buildKey(KeyBuilder.ALG_TYPE_EC_F2M_PUBLIC, JCSystem.MEMORY_TYPE_PERSISTENT,
                    KeyBuilder.LENGTH_EC_F2M_163, false);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
    }

    private static short buildReason(byte type) {
        try {
            KeyBuilder.buildKey(type, KeyBuilder.LENGTH_EC_F2M_163, false);
        } catch (CryptoException e) {
            return e.getReason();
        }
        return Out.NO_EXC;
    }

    /**
     * 3: copyDomainParametersFrom. A cleared public key: getField throws UNINITIALIZED_KEY; after
     * copying from the generated key: 1 per component (field, A, B, G, R) equal, 1 if K equal,
     * isInitialized 0 (no W yet); the private key the same way (1 if all equal); a 384-bit key
     * refuses the 256-bit parameters (ILLEGAL_VALUE); copying from a cleared key
     * (UNINITIALIZED_KEY); genKeyPair on the copies works (isInitialized 1 for both) and keeps the
     * copied parameters (1).
     */
    private void copy(Out o, ECPublicKey pub) {
        ecCopy.clearKey();
        ecCopyPriv.clearKey();
        short reason = Out.NO_EXC;
        try {
            ecCopy.getField(s1, (short) 0);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
        ecCopy.copyDomainParametersFrom(pub);
        for (byte c = 0; c < 5; c++) o.putZ(sameComponent(pub, ecCopy, c));
        o.putZ(ecCopy.getK() == pub.getK());
        o.putZ(ecCopy.isInitialized());
        ecCopyPriv.copyDomainParametersFrom(pub);
        boolean same = true;
        for (byte c = 0; c < 5; c++) same = same && sameComponent(pub, ecCopyPriv, c);
        o.putZ(same);
        o.putS(copyReason(ec384, pub));
        ecCopyPriv.clearKey();
        o.putS(copyReason(ecCopy, ecCopyPriv));
        ecCopyPriv.copyDomainParametersFrom(pub);
        new KeyPair(ecCopy, ecCopyPriv).genKeyPair();
        o.putZ(ecCopy.isInitialized());
        o.putZ(ecCopyPriv.isInitialized());
        same = true;
        for (byte c = 0; c < 5; c++) same = same && sameComponent(pub, ecCopy, c);
        o.putZ(same);
    }

    private static short copyReason(ECKey to, ECKey from) {
        try {
            to.copyDomainParametersFrom(from);
        } catch (CryptoException e) {
            return e.getReason();
        }
        return Out.NO_EXC;
    }

    /** 4: KeyAgreement.getAlgorithm of ALG_EC_SVDP_DH, _DHC, _DH_PLAIN, _DHC_PLAIN; _DH_PLAIN_XY and ALG_DH_PLAIN: NO_SUCH_ALGORITHM. */
    private static void agreement(Out o) {
        for (byte alg = 1; alg <= 4; alg++) o.put(KeyAgreement.getInstance(alg, false).getAlgorithm());
        for (byte alg = 6; alg <= 7; alg++) {
            short reason = Out.NO_EXC;
            try {
                KeyAgreement.getInstance(alg, false);
            } catch (CryptoException e) {
                reason = e.getReason();
            }
            o.putS(reason);
        }
    }

    // --- RSA and HMAC ----------------------------------------------------------------------

    void rsa(Out o, byte p1, byte[] buf, APDU apdu) {
        switch (p1) {
        case 0: crtParts(o); break;
        case 1: privateKey(o); break;
        default: hmacKey(o, buf, apdu); break;
        }
    }

    /** 0: a new 512-bit CRT pair: modulus and exponent of the public key, P, Q, DP1, DQ1, PQ (each length + bytes). */
    private void crtParts(Out o) {
        crt.genKeyPair();
        RSAPublicKey pub = (RSAPublicKey) crt.getPublic();
        RSAPrivateCrtKey k = (RSAPrivateCrtKey) crt.getPrivate();
        o.putLV(s1, (short) 0, pub.getModulus(s1, (short) 0));
        o.putLV(s1, (short) 0, pub.getExponent(s1, (short) 0));
        o.putLV(s1, (short) 0, k.getP(s1, (short) 0));
        o.putLV(s1, (short) 0, k.getQ(s1, (short) 0));
        o.putLV(s1, (short) 0, k.getDP1(s1, (short) 0));
        o.putLV(s1, (short) 0, k.getDQ1(s1, (short) 0));
        o.putLV(s1, (short) 0, k.getPQ(s1, (short) 0));
    }

    /**
     * 1: RSAPrivateKey get/set. A new 512-bit pair; a cleared key's getModulus: UNINITIALIZED_KEY;
     * getModulus / getExponent lengths of the generated private key; 1 if its modulus is the
     * public key's; the copy made with setModulus / setExponent returns the same two values (1,
     * 1) and is initialized (1); its PKCS#1 signature equals the original key's (1) and the public
     * key verifies it (1); setModulus with 63 bytes: ILLEGAL_VALUE.
     */
    private void privateKey(Out o) {
        rsa.genKeyPair();
        RSAPublicKey pub = (RSAPublicKey) rsa.getPublic();
        RSAPrivateKey priv = (RSAPrivateKey) rsa.getPrivate();
        rsaCopy.clearKey();
        short reason = Out.NO_EXC;
        try {
            rsaCopy.getModulus(s1, (short) 0);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
        short n = priv.getModulus(s1, (short) 0);
        short d = priv.getExponent(s2, (short) 0);
        o.put((byte) n);
        o.put((byte) d);
        rsaCopy.setModulus(s1, (short) 0, n);
        rsaCopy.setExponent(s2, (short) 0, d);
        short m = pub.getModulus(s2, (short) 70);
        o.putZ(m == n && Out.same(s1, (short) 0, s2, (short) 70, n));
        o.putZ(rsaCopy.getModulus(s2, (short) 0) == n && Out.same(s1, (short) 0, s2, (short) 0, n));
        d = priv.getExponent(s1, (short) 0);
        o.putZ(rsaCopy.getExponent(s2, (short) 0) == d && Out.same(s1, (short) 0, s2, (short) 0, d));
        o.putZ(rsaCopy.isInitialized());
        rsaSig.init(priv, Signature.MODE_SIGN);
        short l1 = rsaSig.sign(MSG, (short) 0, (short) MSG.length, s1, (short) 0);
        rsaSig.init(rsaCopy, Signature.MODE_SIGN);
        short l2 = rsaSig.sign(MSG, (short) 0, (short) MSG.length, s2, (short) 0);
        o.putZ(l1 == 64 && l1 == l2 && Out.same(s1, (short) 0, s2, (short) 0, l1));
        rsaSig.init(pub, Signature.MODE_VERIFY);
        o.putZ(rsaSig.verify(MSG, (short) 0, (short) MSG.length, s2, (short) 0, l2));
        s1[0] = 0x7F;
        reason = Out.NO_EXC;
        try {
            rsaCopy.setModulus(s1, (short) 0, (short) 63);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
    }

    /**
     * 80 70 02 00 20 KEY: HMACKey. After clearKey, getKey: UNINITIALIZED_KEY; setKey(KEY): getKey
     * at offset 3 returns 32, the bytes are KEY (1) and the 3 bytes before are untouched (1);
     * HMAC-SHA-256 of "api2" under the key (32 bytes, tests/api recomputes it); setKey of KEY's
     * first 20 bytes: getKey returns 20; clearKey: isInitialized 0; setKey of 0 bytes: ILLEGAL_VALUE.
     */
    private void hmacKey(Out o, byte[] buf, APDU apdu) {
        if (apdu.setIncomingAndReceive() != 32) ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        short in = apdu.getOffsetCdata();
        hmac.clearKey();
        short reason = Out.NO_EXC;
        try {
            hmac.getKey(s1, (short) 0);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
        hmac.setKey(buf, in, (short) 32);
        Util.arrayFillNonAtomic(s1, (short) 0, (short) 3, (byte) 0xA5);
        o.put(hmac.getKey(s1, (short) 3));
        o.putZ(Out.same(s1, (short) 3, buf, in, (short) 32));
        o.putZ(s1[0] == (byte) 0xA5 && s1[1] == (byte) 0xA5 && s1[2] == (byte) 0xA5);
        hmacSig.init(hmac, Signature.MODE_SIGN);
        short n = hmacSig.sign(MSG, (short) 0, (short) MSG.length, s2, (short) 0);
        o.putLV(s2, (short) 0, n);
        hmac.setKey(buf, in, (short) 20);
        o.put(hmac.getKey(s1, (short) 0));
        hmac.clearKey();
        o.putZ(hmac.isInitialized());
        reason = Out.NO_EXC;
        try {
            hmac.setKey(buf, in, (short) 0);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
    }
}
