package com.cardlet.tests.api2;

import javacard.framework.JCSystem;
import javacard.security.Checksum;
import javacard.security.CryptoException;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.InitializedMessageDigest;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.RandomData;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * 80 80: the methods this card does not offer (docs/crypto.md). Each must throw, never hand back
 * an object or a result: for each, the CryptoException reason (NO_SUCH_ALGORITHM = 3) and 1 if
 * nothing was returned. In order: KeyBuilder.buildKeyWithSharedDomain, Checksum.getInstance
 * (CRC16, CRC32), MessageDigest.OneShot.open, InitializedMessageDigest.OneShot.open,
 * RandomData.OneShot.open, Signature.OneShot.open, Cipher.OneShot.open,
 * MessageDigest.getInitializedMessageDigestInstance. Then Signature.setInitialDigest on an ECDSA
 * signer (ILLEGAL_USE = 5, docs/crypto.md) and 1 if that signer still signs what the public key verifies.
 */
final class RefuseCases {
    private static final byte[] MSG = { 'r', 'e', 'f' };

    private RefuseCases() {
    }

    static void run(Out o, KeyPair ec) {
        ec.genKeyPair();
        ECPublicKey pub = (ECPublicKey) ec.getPublic();
        for (byte k = 0; k < 9; k++) {
            Object got = null;
            short reason = Out.NO_EXC;
            try {
                got = open(k, pub);
            } catch (CryptoException e) {
                reason = e.getReason();
            }
            o.putS(reason);
            o.putZ(got == null);
        }
        Signature sig = Signature.getInstance(Signature.ALG_ECDSA_SHA_256, false);
        sig.init((ECPrivateKey) ec.getPrivate(), Signature.MODE_SIGN);
        byte[] digest = new byte[32], count = new byte[8], sign = new byte[80];
        short reason = Out.NO_EXC;
        try {
            sig.setInitialDigest(digest, (short) 0, (short) 32, count, (short) 0, (short) 8);
        } catch (CryptoException e) {
            reason = e.getReason();
        }
        o.putS(reason);
        short n = sig.sign(MSG, (short) 0, (short) MSG.length, sign, (short) 0);
        sig.init(pub, Signature.MODE_VERIFY);
        o.putZ(n > 0 && sig.verify(MSG, (short) 0, (short) MSG.length, sign, (short) 0, n));
    }

    private static Object open(byte which, ECPublicKey domain) {
        switch (which) {
        case 0: return KeyBuilder.buildKeyWithSharedDomain(KeyBuilder.ALG_TYPE_EC_FP_PUBLIC, JCSystem.MEMORY_TYPE_PERSISTENT, domain, false);
        case 1: return Checksum.getInstance(Checksum.ALG_ISO3309_CRC16, false);
        case 2: return Checksum.getInstance(Checksum.ALG_ISO3309_CRC32, false);
        case 3: return MessageDigest.OneShot.open(MessageDigest.ALG_SHA_256);
        case 4: return InitializedMessageDigest.OneShot.open(MessageDigest.ALG_SHA_256);
        case 5: return RandomData.OneShot.open(RandomData.ALG_SECURE_RANDOM);
        case 6: return Signature.OneShot.open(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_ECDSA, Cipher.PAD_NULL);
        case 7: return Cipher.OneShot.open(Cipher.CIPHER_AES_CBC, Cipher.PAD_NOPAD);
        default: return MessageDigest.getInitializedMessageDigestInstance(MessageDigest.ALG_SHA_256, false);
        }
    }
}
