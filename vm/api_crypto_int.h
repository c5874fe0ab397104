/* api_crypto_int: what the javacard.security / javacardx.crypto natives share (internal to vm/).
 *
 * Keys keep their material in the heap (a byte array a key object references, see api_keys.c);
 * operation objects (MessageDigest, Signature, Cipher, KeyAgreement) keep their algorithm in a
 * cell and their running OpenSSL state in a host-side table (api_crypto_ops.c) that a
 * CLEAR_ON_RESET nonce in the heap ties to the object, so a card reset or a new VM never sees
 * another run's state. */
#ifndef API_CRYPTO_INT_H
#define API_CRYPTO_INT_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/vm_native.h"

/* javacard.security class tokens (applets/api/javacard-api.tokens). */
enum {
    SEC_KEY = 0, SEC_DSAKEY = 1, SEC_PRIVATEKEY = 2, SEC_PUBLICKEY = 3, SEC_SECRETKEY = 4, SEC_DSAPRIV = 5,
    SEC_DSAPUB = 6, SEC_RSACRT = 7, SEC_RSAPRIV = 8, SEC_RSAPUB = 9, SEC_DESKEY = 10, SEC_MD = 11,
    SEC_CRYPTOEXC = 12, SEC_KEYBUILDER = 13, SEC_RANDOM = 14, SEC_SIGNATURE = 15, SEC_KEYPAIR = 16,
    SEC_ECKEY = 17, SEC_ECPRIV = 18, SEC_ECPUB = 19, SEC_AESKEY = 20, SEC_CHECKSUM = 21, SEC_KEYAGREEMENT = 22,
    SEC_HMACKEY = 23, SEC_SEEDKEY = 24, SEC_SIGMR = 25, SEC_INITMD = 26, SEC_DHKEY = 27, SEC_DHPRIV = 28,
    SEC_DHPUB = 29, SEC_MD_ONESHOT = 30, SEC_INITMD_ONESHOT = 31, SEC_RANDOM_ONESHOT = 32, SEC_SIG_ONESHOT = 33,
};
/* Our key implementation classes: tokens no export file names, so only the API makes them. */
enum {
    SEC_IMPL_KEY = 40, SEC_IMPL_AES = 41, SEC_IMPL_DES = 42, SEC_IMPL_HMAC = 43, SEC_IMPL_ECPUB = 44,
    SEC_IMPL_ECPRIV = 45, SEC_IMPL_RSAPUB = 46, SEC_IMPL_RSAPRIV = 47, SEC_IMPL_RSACRT = 48,
};
/* javacardx.crypto class tokens. */
enum { CRY_KEYENC = 0, CRY_CIPHER = 1, CRY_CIPHER_ONESHOT = 2, CRY_AEAD = 3 };

/* CryptoException reasons. */
enum { CE_ILLEGAL_VALUE = 1, CE_UNINITIALIZED_KEY = 2, CE_NO_SUCH_ALGORITHM = 3, CE_INVALID_INIT = 4, CE_ILLEGAL_USE = 5 };

/* KeyBuilder.TYPE_* values we implement. */
enum {
    KT_DES_TR = 1, KT_DES_TD = 2, KT_DES = 3, KT_RSA_PUB = 4, KT_RSA_PRIV = 5, KT_RSA_CRT = 6,
    KT_EC_FP_PUB = 11, KT_EC_FP_PRIV = 12, KT_AES_TR = 13, KT_AES_TD = 14, KT_AES = 15,
    KT_HMAC_TR = 19, KT_HMAC_TD = 20, KT_HMAC = 21, KT_RSA_PRIV_TR = 22, KT_RSA_PRIV_TD = 23,
    KT_RSA_CRT_TR = 24, KT_RSA_CRT_TD = 25, KT_EC_FP_PRIV_TR = 30, KT_EC_FP_PRIV_TD = 31,
};

/* Key families (what the material means). */
enum { KF_AES = 1, KF_DES, KF_HMAC, KF_EC_PUB, KF_EC_PRIV, KF_RSA_PUB, KF_RSA_PRIV, KF_RSA_CRT };

/* EC components (index into api_key_t.comp). */
enum { EC_FIELD = 0, EC_A = 1, EC_B = 2, EC_G = 3, EC_R = 4, EC_K = 5, EC_WS = 6 };
/* RSA components: public/private key: modulus, exponent; CRT key: P, Q, DP1, DQ1, PQ. */
enum { RSA_MOD = 0, RSA_EXP = 1 };
enum { CRT_P = 0, CRT_Q = 1, CRT_DP1 = 2, CRT_DQ1 = 3, CRT_PQ = 4 };

#define API_KEY_MAXCOMP 7

/* A key as read from the heap. comp[] point into the heap data: use them before the next heap write. */
typedef struct {
    uint16_t ref;
    uint8_t type, family;
    uint16_t bits;            /* KeyBuilder length (HMAC: as given) */
    uint16_t mask;            /* components set */
    uint8_t ncomp;
    uint16_t len[API_KEY_MAXCOMP];
    const uint8_t *comp[API_KEY_MAXCOMP];
} api_key_t;

/* Throws CryptoException(reason); returns VM_NAT_THROW for `return api_throw(...)`. */
int api_throw(vm_t *vm, int reason);

/* Reads the key ref (null -> NullPointerException, not a key -> CryptoException ILLEGAL_VALUE,
 * firewall -> SecurityException). false: an exception is pending. */
bool api_key_load(vm_t *vm, uint16_t ref, api_key_t *k);
/* Does the key hold everything an operation needs. false: UNINITIALIZED_KEY pending. */
bool api_key_ready(vm_t *vm, const api_key_t *k);
/* Stores component i of key ref (length and bytes in one heap write, then its mask bit). false:
 * exception pending (ILLEGAL_VALUE if it does not fit). */
bool api_key_store(vm_t *vm, uint16_t ref, int i, const uint8_t *p, uint16_t len);
/* Several key stores as one atomic step: opens an image group unless a transaction or install
 * has one open (then the stores join it). api_key_atomic_end commits it when ok, else aborts it;
 * it returns ok, false with an exception pending if the commit failed. */
bool api_key_atomic_begin(vm_t *vm, bool *own);
bool api_key_atomic_end(vm_t *vm, bool own, bool ok);
/* EVP_PKEY of an initialized EC or RSA key (NULL + ILLEGAL_VALUE pending if OpenSSL refuses it). */
EVP_PKEY *api_key_pkey(vm_t *vm, const api_key_t *k);
/* Stores a generated key pair's material into the public and private key objects. */
bool api_key_store_pair(vm_t *vm, const api_key_t *pub, const api_key_t *priv, EVP_PKEY *pk);
/* EC domain parameters only (for key generation), from a key that has them all. */
EVP_PKEY *api_key_ec_domain(vm_t *vm, const api_key_t *k);
/* DES3 key material (len 16 or 24) as the 24 bytes EVP's des-ede3 wants (two-key: K1 K2 K1). */
void api_key_des3(const uint8_t *k, uint16_t len, uint8_t out[24]);
/* Makes a key object of a KeyBuilder type (used by KeyPair(byte, short)). */
int api_key_build(vm_t *vm, uint8_t type, int16_t bits, uint16_t *ref);

/* --- operation state (api_crypto_ops.c) --- */
typedef struct api_op {
    const vm_t *vm;
    uint16_t handle;
    uint32_t nonce;
    uint64_t last_use;
    uint8_t alg, mode;        /* algorithm, MODE_SIGN/VERIFY or MODE_ENCRYPT/DECRYPT */
    EVP_MD_CTX *md;
    EVP_MAC_CTX *mac;
    EVP_CIPHER_CTX *cipher;
    EVP_PKEY *pkey;
    uint8_t buf[64];          /* pending input (block modes) or retained chaining block */
    uint32_t buflen;
    uint8_t key[128];         /* MAC key bytes kept to restart after sign/verify (wiped on drop); IV at 64 */
    uint16_t keylen;          /* MAC key length; AEADCipher: the tag length */
    uint8_t chain[16];        /* CBC-MAC chaining block; Cipher: the IV of init; GCM: the tag */
    uint8_t *acc;             /* accumulated input (RSA Cipher: it works on the whole message) */
    uint32_t acclen, acccap;
    uint32_t count;           /* message bytes processed (padding, NOPAD length checks) */
    uint8_t flags;            /* Signature: 1 = IV given; AEADCipher: GF_* progress */
} api_op_t;

/* Operation objects: cell 0 algorithm, cell 1 handle of the CLEAR_ON_RESET nonce array, cell 2
 * handle of a persistent JCRE-owned 4-byte array holding (object handle, nonce array handle): an
 * applet can write its own object's cells, and that binding keeps it from naming another
 * object's nonce array (which would end or replace that object's running state). */
enum { OP_ALG = 0, OP_NONCE = 1, OP_BIND = 2, OP_CELLS = 3 };

/* Allocates an operation object of class (pkg, token) for alg, owned by the caller's context. */
int api_op_new_object(vm_t *vm, uint8_t pkg, uint8_t token, uint8_t alg, uint16_t *ref);
/* Reads the object's algorithm (false: exception pending). */
bool api_op_object(vm_t *vm, uint16_t ref, uint8_t *alg);
/* The live state of ref, or NULL. *lost is set when the object had state that is gone (evicted). */
api_op_t *api_op_find(vm_t *vm, uint16_t ref, bool *lost);
/* The state an init left for ref (its algorithm in *alg), or NULL with an exception pending
 * (CryptoException.INVALID_INIT when there is none, or it is for another algorithm). */
api_op_t *api_op_live(vm_t *vm, uint16_t ref, uint8_t *alg);
/* Fresh (zeroed) state for ref, replacing any old one. NULL: exception pending. */
api_op_t *api_op_fresh(vm_t *vm, uint16_t ref);
/* Frees the contexts and wipes the state; the object has no state afterwards. */
void api_op_drop(api_op_t *op);
/* Drops op (may be NULL) and marks the object as having no state (not "lost"). */
void api_op_end(vm_t *vm, uint16_t ref, api_op_t *op);
/* Drops (wipes and frees) every state of vm that its object no longer names: the object was
 * deleted (collected, or made in an aborted transaction) or a reset cleared its nonce, so no
 * unreachable key bytes wait in the table for eviction. Run at power-on and from api_op_fresh;
 * the collector runs it after deleting objects. */
void api_op_sweep(vm_t *vm);
/* Drops every state of vm (vm_close: no state, and no key byte, outlives its VM). */
void api_op_close(const vm_t *vm);
/* The number of states vm has in the table (what the tests check). */
unsigned api_op_count(const vm_t *vm);
/* Appends to op->acc (grows, wipes the old buffer). false on out of memory or beyond
 * API_OP_ACC_MAX: only RSA Cipher accumulates, and its input is at most the modulus (256 bytes
 * here), so a larger bound would only let an applet hold host memory (128 states x the bound). */
#define API_OP_ACC_MAX 4096u
bool api_op_acc(api_op_t *op, const uint8_t *p, uint32_t n);

/* AES in a mode for a key of bits (128, 192 or 256): EVP's cipher; NULL for any other length.
 * Cipher and the CBC-MAC/CMAC Signatures choose by the same rule. */
enum api_aes_mode { API_AES_ECB = 0, API_AES_CBC, API_AES_CTR, API_AES_GCM };
const EVP_CIPHER *api_aes(enum api_aes_mode mode, uint16_t bits);

/* The IV of Cipher/Signature init(key, mode, buf, off, len) (args[3], [4], [5]) when with_iv;
 * else *iv = NULL, *ivlen = 0. The bytes are the heap's: copy them before the next heap write.
 * false: an exception is pending (null, bounds, firewall). */
bool api_init_iv(vm_t *vm, const uint16_t *args, bool with_iv, const uint8_t **iv, int32_t *ivlen);

/* Output array region for natives: checks [off, off+len) of a byte array, firewall included. */
bool api_out(vm_t *vm, uint16_t ref, int32_t off, int32_t len, vm_obj_t *o);
/* Writes bytes into a byte array the caller checked with api_out (non-atomic, like Util.arrayCopyNonAtomic). */
bool api_write(vm_t *vm, const vm_obj_t *o, int32_t off, const uint8_t *p, uint32_t n);

/* ECDSA signatures: DER (what OpenSSL makes) <-> r || s of width bytes each (SIG_CIPHER_ECDSA_PLAIN).
 * der_to_plain: false if der is malformed or a value is wider than width. plain_to_der: out needs
 * 2 * (width + 4) + 3 bytes; width at most 66; returns the DER length (0: width out of range). */
bool api_ecdsa_der_to_plain(const uint8_t *der, size_t n, size_t width, uint8_t *out);
size_t api_ecdsa_plain_to_der(const uint8_t *plain, size_t width, uint8_t *out);

/* Message digest by MessageDigest.ALG_* (NULL if not offered). */
const EVP_MD *api_md_by_alg(uint8_t alg);

extern const vm_native_method_t api_md_methods[], api_initmd_methods[], api_random_methods[],
    api_cryptoexc_methods[], api_keybuilder_methods[], api_signature_methods[], api_keypair_methods[],
    api_keyagreement_methods[], api_checksum_methods[], api_oneshot_md_methods[], api_oneshot_initmd_methods[],
    api_oneshot_random_methods[], api_oneshot_sig_methods[];
extern const size_t api_md_nmethods, api_initmd_nmethods, api_random_nmethods, api_cryptoexc_nmethods,
    api_keybuilder_nmethods, api_signature_nmethods, api_keypair_nmethods, api_keyagreement_nmethods,
    api_checksum_nmethods, api_oneshot_md_nmethods, api_oneshot_initmd_nmethods, api_oneshot_random_nmethods,
    api_oneshot_sig_nmethods;
/* Key implementation classes (api_keys.c). */
#define API_KEY_NCLASSES 9
extern const vm_native_class_t api_key_classes[API_KEY_NCLASSES];
extern const size_t api_key_nclasses;

#endif
