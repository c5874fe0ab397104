/* api_security_sig: javacard.security.Signature over OpenSSL EVP.
 *
 * Offered: HMAC-SHA1/256/384/512 (EVP_MAC HMAC), AES-CMAC (EVP_MAC CMAC), CBC-MACs over AES and
 * two/three-key DES3 with NOPAD, ISO 9797-1 M1/M2 and PKCS#5 padding, the ISO 9797-1 MAC
 * algorithm 3 "retail MAC" (single-DES CBC under K1, last block decrypted under K2 and encrypted
 * under K1; single DES is run as DES3 with three equal keys, which is the same function),
 * ECDSA with SHA-1/224/256/384/512 (DER signatures, as Java Card returns them; r || s through
 * getInstance(md, SIG_CIPHER_ECDSA_PLAIN, PAD_NULL)), RSA PKCS#1 v1.5
 * and PSS (salt = digest length) with SHA-1/224/256/384/512. Everything else: NO_SUCH_ALGORITHM.
 *
 * After sign/verify the object is ready for a new message under the same key (Java Card
 * semantics): MACs restart from the key bytes kept (wiped) in the operation state, public-key
 * signatures re-run DigestSign/VerifyInit on the kept EVP_PKEY. */
#include "vm/api_crypto_int.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <string.h>

/* Public-key kinds come last (kind >= SK_ECDSA). */
enum { SK_HMAC = 1, SK_CMAC, SK_BMAC_AES, SK_BMAC_DES, SK_RETAIL, SK_ECDSA, SK_RSA, SK_RSA_PSS, SK_ECDSA_PLAIN };
/* ECDSA with plain r || s has no single-byte constant (only getInstance(md, SIG_CIPHER_ECDSA_PLAIN, PAD_NULL));
 * its objects carry these internal codes, and getAlgorithm reports 0 for them. */
#define ALG_PLAIN_BASE 0xE0
/* Cipher.PAD_* values (Signature.getPaddingAlgorithm reports them). */
enum { PAD_NULL = 0, PAD_NOPAD = 1, PAD_M1 = 2, PAD_M2 = 3, PAD_M1_ALG3 = 4, PAD_M2_ALG3 = 5, PAD_PKCS5 = 6,
       PAD_PKCS1 = 7, PAD_PSS = 8 };
enum { MODE_SIGN = 1, MODE_VERIFY = 2 };

typedef struct {
    uint8_t alg, kind, md, cipher, pad, maclen;
} sig_alg_t;

static const sig_alg_t sig_algs[] = {
    { 1, SK_BMAC_DES, 0, 1, PAD_NOPAD, 4 },    { 2, SK_BMAC_DES, 0, 2, PAD_NOPAD, 8 },
    { 3, SK_BMAC_DES, 0, 1, PAD_M1, 4 },       { 4, SK_BMAC_DES, 0, 2, PAD_M1, 8 },
    { 5, SK_BMAC_DES, 0, 1, PAD_M2, 4 },       { 6, SK_BMAC_DES, 0, 2, PAD_M2, 8 },
    { 7, SK_BMAC_DES, 0, 1, PAD_PKCS5, 4 },    { 8, SK_BMAC_DES, 0, 2, PAD_PKCS5, 8 },
    { 19, SK_RETAIL, 0, 1, PAD_M2_ALG3, 4 },   { 20, SK_RETAIL, 0, 2, PAD_M2_ALG3, 8 },
    { 47, SK_RETAIL, 0, 1, PAD_M1_ALG3, 4 },   { 48, SK_RETAIL, 0, 2, PAD_M1_ALG3, 8 },
    { 18, SK_BMAC_AES, 0, 6, PAD_NOPAD, 16 },  { 49, SK_CMAC, 0, 10, PAD_NULL, 16 },
    { 24, SK_HMAC, 1, 7, PAD_NULL, 20 },       { 25, SK_HMAC, 4, 7, PAD_NULL, 32 },
    { 26, SK_HMAC, 5, 7, PAD_NULL, 48 },       { 27, SK_HMAC, 6, 7, PAD_NULL, 64 },
    { 17, SK_ECDSA, 1, 5, PAD_NULL, 0 },       { 37, SK_ECDSA, 7, 5, PAD_NULL, 0 },
    { 33, SK_ECDSA, 4, 5, PAD_NULL, 0 },       { 34, SK_ECDSA, 5, 5, PAD_NULL, 0 },
    { 38, SK_ECDSA, 6, 5, PAD_NULL, 0 },       { 10, SK_RSA, 1, 3, PAD_PKCS1, 0 },
    { 39, SK_RSA, 7, 3, PAD_PKCS1, 0 },        { 40, SK_RSA, 4, 3, PAD_PKCS1, 0 },
    { 41, SK_RSA, 5, 3, PAD_PKCS1, 0 },        { 42, SK_RSA, 6, 3, PAD_PKCS1, 0 },
    { 21, SK_RSA_PSS, 1, 3, PAD_PSS, 0 },      { 43, SK_RSA_PSS, 7, 3, PAD_PSS, 0 },
    { 44, SK_RSA_PSS, 4, 3, PAD_PSS, 0 },      { 45, SK_RSA_PSS, 5, 3, PAD_PSS, 0 },
    { 46, SK_RSA_PSS, 6, 3, PAD_PSS, 0 },
    { ALG_PLAIN_BASE | 1, SK_ECDSA_PLAIN, 1, 9, PAD_NULL, 0 }, { ALG_PLAIN_BASE | 7, SK_ECDSA_PLAIN, 7, 9, PAD_NULL, 0 },
    { ALG_PLAIN_BASE | 4, SK_ECDSA_PLAIN, 4, 9, PAD_NULL, 0 }, { ALG_PLAIN_BASE | 5, SK_ECDSA_PLAIN, 5, 9, PAD_NULL, 0 },
    { ALG_PLAIN_BASE | 6, SK_ECDSA_PLAIN, 6, 9, PAD_NULL, 0 },
};

static const sig_alg_t *sig_alg(uint8_t alg)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(sig_algs); i++)
        if (sig_algs[i].alg == alg) return &sig_algs[i];
    return NULL;
}

static int sig_get_instance(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg = (uint8_t)args[0];
    const sig_alg_t *a = sig_alg(alg);
    if (!a || a->kind == SK_ECDSA_PLAIN) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return api_op_new_object(vm, VM_PKG_SECURITY, SEC_SIGNATURE, alg, &ret[0]) ? VM_NAT_THROW : VM_NAT_OK;
}

/* getInstance(messageDigestAlgo, cipherAlgo, paddingAlgo, externalAccess): the same table by its parts. */
static int sig_get_instance3(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t md = (uint8_t)args[0], cipher = (uint8_t)args[1], pad = (uint8_t)args[2];
    for (size_t i = 0; i < CL_ARRAY_LEN(sig_algs); i++) {
        const sig_alg_t *a = &sig_algs[i];
        if (a->md == md && a->cipher == cipher && a->pad == pad)
            return api_op_new_object(vm, VM_PKG_SECURITY, SEC_SIGNATURE, a->alg, &ret[0]) ? VM_NAT_THROW : VM_NAT_OK;
    }
    return api_throw(vm, CE_NO_SUCH_ALGORITHM);
}

static bool block_mac(const sig_alg_t *a) { return a->kind == SK_BMAC_AES || a->kind == SK_BMAC_DES || a->kind == SK_RETAIL; }
static uint32_t block_of(const sig_alg_t *a) { return a->kind == SK_BMAC_AES ? 16 : 8; }

/* One DES block operation with the single key k8 (as DES3 with three equal keys). */
static bool des1_block(const uint8_t *k8, bool enc, const uint8_t in[8], uint8_t out[8])
{
    uint8_t k[24];
    int n = 0;
    for (int i = 0; i < 3; i++) memcpy(k + 8 * i, k8, 8);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    bool ok = c && EVP_CipherInit_ex(c, EVP_des_ede3_ecb(), NULL, k, NULL, enc) && EVP_CIPHER_CTX_set_padding(c, 0) &&
              EVP_CipherUpdate(c, out, &n, in, 8) && n == 8;
    EVP_CIPHER_CTX_free(c);
    cl_wipe(k, sizeof k);
    return ok;
}

/* (Re)starts the MAC or signature of op from the kept key; false on an OpenSSL failure. */
static bool sig_start(api_op_t *op, const sig_alg_t *a, const uint8_t *iv)
{
    const EVP_MD *md = api_md_by_alg(a->md);
    op->buflen = 0;
    op->count = 0;
    switch (a->kind) {
    case SK_HMAC: {
        OSSL_PARAM prm[2] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0),
                              OSSL_PARAM_construct_end() };
        return EVP_MAC_init(op->mac, op->key, op->keylen, prm) == 1;
    }
    case SK_CMAC: {
        const EVP_CIPHER *aes = api_aes(API_AES_CBC, (uint16_t)(op->keylen * 8));
        if (!aes) return false;
        OSSL_PARAM prm[2] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)EVP_CIPHER_get0_name(aes), 0),
                              OSSL_PARAM_construct_end() };
        return EVP_MAC_init(op->mac, op->key, op->keylen, prm) == 1;
    }
    case SK_BMAC_AES: case SK_BMAC_DES: case SK_RETAIL: {
        uint8_t k[32]; /* AES-256 or the 24 bytes of DES3 */
        const EVP_CIPHER *c;
        if (a->kind == SK_BMAC_AES) { c = api_aes(API_AES_CBC, (uint16_t)(op->keylen * 8)); memcpy(k, op->key, op->keylen); }
        else if (a->kind == SK_BMAC_DES) { c = EVP_des_ede3_cbc(); api_key_des3(op->key, op->keylen, k); }
        else { c = EVP_des_ede3_cbc(); for (int i = 0; i < 3; i++) memcpy(k + 8 * i, op->key, 8); }
        uint8_t zero[16] = { 0 };
        if (!iv && (op->flags & 1)) iv = op->key + 64; /* the IV given to init, for every message */
        memcpy(op->chain, iv ? iv : zero, block_of(a));
        bool ok = EVP_CipherInit_ex(op->cipher, c, NULL, k, op->chain, 1) && EVP_CIPHER_CTX_set_padding(op->cipher, 0);
        cl_wipe(k, sizeof k);
        return ok;
    }
    case SK_ECDSA: case SK_RSA: case SK_RSA_PSS: case SK_ECDSA_PLAIN: {
        EVP_PKEY_CTX *pc = NULL;
        if (!EVP_MD_CTX_reset(op->md)) return false;
        int r = op->mode == MODE_SIGN ? EVP_DigestSignInit(op->md, &pc, md, NULL, op->pkey)
                                      : EVP_DigestVerifyInit(op->md, &pc, md, NULL, op->pkey);
        if (r != 1) return false;
        if (a->kind == SK_RSA) return EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0;
        if (a->kind == SK_RSA_PSS)
            return EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
                   EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0;
        return true;
    }
    default: return false;
    }
}

/* Does the key fit the algorithm and mode. */
static bool key_fits(const sig_alg_t *a, const api_key_t *k, uint8_t mode)
{
    switch (a->kind) {
    case SK_HMAC: return k->family == KF_HMAC;
    case SK_CMAC: case SK_BMAC_AES: return k->family == KF_AES;
    case SK_BMAC_DES: case SK_RETAIL: return k->family == KF_DES;
    case SK_ECDSA: case SK_ECDSA_PLAIN: return k->family == (mode == MODE_SIGN ? KF_EC_PRIV : KF_EC_PUB);
    default:
        return mode == MODE_SIGN ? (k->family == KF_RSA_PRIV || k->family == KF_RSA_CRT) : k->family == KF_RSA_PUB;
    }
}

static int sig_init_common(vm_t *vm, uint16_t *args, bool with_iv)
{
    uint8_t alg, mode = (uint8_t)args[2];
    const uint8_t *iv;
    int32_t ivlen;
    if (!api_init_iv(vm, args, with_iv, &iv, &ivlen)) return VM_NAT_THROW;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const sig_alg_t *a = sig_alg(alg);
    api_key_t k;
    if (!a) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    if (!api_key_load(vm, args[1], &k)) return VM_NAT_THROW;
    if ((mode != MODE_SIGN && mode != MODE_VERIFY) || !key_fits(a, &k, mode)) return api_throw(vm, CE_ILLEGAL_VALUE);
    if (!api_key_ready(vm, &k)) return VM_NAT_THROW;
    if (iv && (!block_mac(a) || ivlen != (int32_t)block_of(a))) return api_throw(vm, CE_ILLEGAL_VALUE);
    uint8_t ivcopy[16];
    if (iv) memcpy(ivcopy, iv, (size_t)ivlen);
    EVP_PKEY *pk = NULL;
    if (a->kind >= SK_ECDSA && !(pk = api_key_pkey(vm, &k))) return VM_NAT_THROW;
    api_op_t *op = api_op_fresh(vm, args[0]);
    if (!op) { EVP_PKEY_free(pk); return VM_NAT_THROW; }
    if (!api_key_load(vm, args[1], &k)) { api_op_end(vm, args[0], op); EVP_PKEY_free(pk); return VM_NAT_THROW; }
    op->alg = alg;
    op->mode = mode;
    op->pkey = pk;
    if (a->kind < SK_ECDSA) {
        memcpy(op->key, k.comp[0], k.len[0]);
        op->keylen = k.len[0];
    }
    /* r and s width: the order's byte length (BSI TR-03111), which can exceed the field's (secp160r1) */
    if (a->kind == SK_ECDSA_PLAIN) op->keylen = k.len[EC_R];
    if (iv) { memcpy(op->key + 64, ivcopy, (size_t)ivlen); op->flags |= 1; }
    bool ok = true;
    if (a->kind == SK_HMAC || a->kind == SK_CMAC) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, a->kind == SK_HMAC ? "HMAC" : "CMAC", NULL);
        op->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac);
        ok = op->mac != NULL;
    } else if (block_mac(a)) {
        ok = (op->cipher = EVP_CIPHER_CTX_new()) != NULL;
    } else {
        ok = (op->md = EVP_MD_CTX_new()) != NULL;
    }
    ok = ok && sig_start(op, a, iv ? ivcopy : NULL);
    if (!ok) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_VALUE); }
    return VM_NAT_OK;
}

static int sig_init(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return sig_init_common(vm, args, false); }
static int sig_init_iv(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return sig_init_common(vm, args, true); }

/* The initialized state of a Signature object, or NULL with INVALID_INIT pending. */
static api_op_t *sig_state(vm_t *vm, uint16_t ref, const sig_alg_t **a)
{
    uint8_t alg;
    api_op_t *op = api_op_live(vm, ref, &alg);
    if (op && !(*a = sig_alg(alg))) { api_throw(vm, CE_INVALID_INIT); return NULL; }
    return op;
}

/* Feeds message bytes; block MACs keep up to one block back for the final padding. */
static bool sig_feed(api_op_t *op, const sig_alg_t *a, const uint8_t *p, uint32_t n)
{
    if (!n) return true;
    switch (a->kind) {
    case SK_HMAC: case SK_CMAC: return EVP_MAC_update(op->mac, p, n) == 1;
    case SK_ECDSA: case SK_RSA: case SK_RSA_PSS: case SK_ECDSA_PLAIN:
        return (op->mode == MODE_SIGN ? EVP_DigestSignUpdate(op->md, p, n) : EVP_DigestVerifyUpdate(op->md, p, n)) == 1;
    default: break;
    }
    uint32_t bs = block_of(a);
    while (n) {
        uint32_t take = bs - op->buflen;
        if (op->buflen == bs) {
            /* A full block pending and more data coming: it is not the last, chain it. */
            int ol = 0;
            if (!EVP_CipherUpdate(op->cipher, op->chain, &ol, op->buf, (int)bs) || ol != (int)bs) return false;
            op->buflen = 0;
            continue;
        }
        if (take > n) take = n;
        memcpy(op->buf + op->buflen, p, take);
        op->buflen += take;
        p += take;
        n -= take;
        op->count += take;
    }
    return true;
}

/* Finishes the MAC/signature into out (room for 600 bytes); returns its length or -1.
 * -2: a NOPAD length that is not a whole number of blocks (ILLEGAL_USE). */
static int sig_finish(api_op_t *op, const sig_alg_t *a, uint8_t *out)
{
    size_t len = 600;
    switch (a->kind) {
    case SK_HMAC: case SK_CMAC:
        return EVP_MAC_final(op->mac, out, &len, len) == 1 ? (int)len : -1;
    case SK_ECDSA: case SK_RSA: case SK_RSA_PSS:
        return EVP_DigestSignFinal(op->md, out, &len) == 1 ? (int)len : -1;
    case SK_ECDSA_PLAIN: {
        uint8_t der[160];
        size_t dl = sizeof der;
        if (EVP_DigestSignFinal(op->md, der, &dl) != 1 || !api_ecdsa_der_to_plain(der, dl, op->keylen, out)) return -1;
        return 2 * op->keylen;
    }
    default: break;
    }
    uint32_t bs = block_of(a), n = op->buflen;
    uint8_t last[32];
    memcpy(last, op->buf, n);
    switch (a->pad) {
    case PAD_NOPAD:
        if (n != bs) return -2;
        break;
    case PAD_M1: case PAD_M1_ALG3:
        if (n == 0 || n % bs) { memset(last + n, 0, bs - n % bs); n += bs - n % bs; }
        break;
    case PAD_M2: case PAD_M2_ALG3:
        last[n++] = 0x80;
        while (n % bs) last[n++] = 0;
        break;
    default: { /* PKCS#5 */
        uint8_t v = (uint8_t)(bs - n % bs);
        for (uint8_t i = 0; i < v; i++) last[n++] = v;
    }
    }
    uint8_t tmp[32];
    int ol = 0;
    bool ok = EVP_CipherUpdate(op->cipher, tmp, &ol, last, (int)n) && ol == (int)n;
    if (ok) memcpy(op->chain, tmp + n - bs, bs);
    if (ok && a->kind == SK_RETAIL) {
        uint8_t mid[8];
        ok = op->keylen >= 16 && des1_block(op->key + 8, false, op->chain, mid) && des1_block(op->key, true, mid, op->chain);
        cl_wipe(mid, sizeof mid);
    }
    cl_wipe(tmp, sizeof tmp);
    cl_wipe(last, sizeof last);
    if (!ok) return -1;
    memcpy(out, op->chain, a->maclen);
    return a->maclen;
}

static int sig_update(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t in;
    const sig_alg_t *a;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    api_op_t *op = sig_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (!sig_feed(op, a, p, (uint16_t)args[3])) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_USE); }
    return VM_NAT_OK;
}

/* sign(inBuff, inOffset, inLength, sigBuff, sigOffset). */
static int sig_sign(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t in, out;
    const sig_alg_t *a;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    api_op_t *op = sig_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (op->mode != MODE_SIGN) return api_throw(vm, CE_ILLEGAL_USE);
    uint8_t sig[600];
    if (!sig_feed(op, a, p, (uint16_t)args[3])) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_USE); }
    int n = sig_finish(op, a, sig);
    bool restarted = sig_start(op, a, NULL);
    if (n < 0 || !restarted) {
        if (!restarted) api_op_end(vm, args[0], op);
        return api_throw(vm, CE_ILLEGAL_USE);
    }
    if (!api_out(vm, args[4], (int16_t)args[5], n, &out) || !api_write(vm, &out, (int16_t)args[5], sig, (uint32_t)n))
        return VM_NAT_THROW;
    ret[0] = (uint16_t)n;
    return VM_NAT_OK;
}

/* verify(inBuff, inOffset, inLength, sigBuff, sigOffset, sigLength). */
static int sig_verify(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t in, sg;
    const sig_alg_t *a;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    const uint8_t *s = vm_nat_bytes(vm, args[4], (int16_t)args[5], (int16_t)args[6], &sg);
    if (!s) return VM_NAT_THROW;
    api_op_t *op = sig_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (op->mode != MODE_VERIFY) return api_throw(vm, CE_ILLEGAL_USE);
    uint32_t slen = (uint16_t)args[6];
    if (!sig_feed(op, a, p, (uint16_t)args[3])) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_USE); }
    bool good;
    int n = 0;
    if (a->kind == SK_ECDSA_PLAIN) {
        uint8_t der[160];
        size_t dl = slen == 2u * op->keylen ? api_ecdsa_plain_to_der(s, op->keylen, der) : 0;
        good = dl && EVP_DigestVerifyFinal(op->md, der, dl) == 1;
    } else if (a->kind >= SK_ECDSA) {
        good = EVP_DigestVerifyFinal(op->md, s, slen) == 1;
    } else {
        uint8_t mac[600]; /* sig_finish's contract: room for any result */
        n = sig_finish(op, a, mac);
        good = n > 0 && (uint32_t)n == slen && cl_ct_equal(mac, s, slen);
        cl_wipe(mac, sizeof mac);
    }
    if (!sig_start(op, a, NULL)) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_USE); }
    if (n == -2) return api_throw(vm, CE_ILLEGAL_USE);
    ret[0] = good;
    return VM_NAT_OK;
}

static int sig_get_alg(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const sig_alg_t *a = sig_alg(alg);
    if (!a) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    ret[0] = a->kind == SK_ECDSA_PLAIN ? 0 : alg;
    return VM_NAT_OK;
}

static int sig_part(vm_t *vm, uint16_t *args, uint16_t *ret, int which)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const sig_alg_t *a = sig_alg(alg);
    if (!a) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    ret[0] = which == 0 ? a->md : which == 1 ? a->cipher : a->pad;
    return VM_NAT_OK;
}
static int sig_md_alg(vm_t *vm, uint16_t *args, uint16_t *ret) { return sig_part(vm, args, ret, 0); }
static int sig_cipher_alg(vm_t *vm, uint16_t *args, uint16_t *ret) { return sig_part(vm, args, ret, 1); }
static int sig_pad_alg(vm_t *vm, uint16_t *args, uint16_t *ret) { return sig_part(vm, args, ret, 2); }

/* getLength: MACs their fixed length; public-key signatures need the key (INVALID_INIT before init). */
static int sig_get_length(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const sig_alg_t *a = sig_alg(alg);
    if (a && a->maclen) { ret[0] = a->maclen; return VM_NAT_OK; }
    api_op_t *op = sig_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    /* ECDSA: the longest DER signature; plain: r || s. */
    ret[0] = a->kind == SK_ECDSA_PLAIN ? (uint16_t)(2 * op->keylen) : (uint16_t)EVP_PKEY_get_size(op->pkey);
    return VM_NAT_OK;
}

/* signPreComputedHash / verifyPreComputedHash: the public-key algorithms over a hash the applet
 * computed (EVP_PKEY_sign/verify with the digest named, so PKCS#1 gets its DigestInfo). */
static int sig_pre_hash(vm_t *vm, uint16_t *args, uint16_t *ret, bool sign)
{
    vm_obj_t hb, sb;
    const sig_alg_t *a;
    int32_t hlen = (int16_t)args[3];
    const uint8_t *h = vm_nat_bytes(vm, args[1], (int16_t)args[2], hlen, &hb);
    if (!h) return VM_NAT_THROW;
    const uint8_t *vs = NULL;
    if (!sign && !(vs = vm_nat_bytes(vm, args[4], (int16_t)args[5], (int16_t)args[6], &sb))) return VM_NAT_THROW;
    api_op_t *op = sig_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (a->kind < SK_ECDSA || a->kind == SK_ECDSA_PLAIN || op->mode != (sign ? MODE_SIGN : MODE_VERIFY))
        return api_throw(vm, CE_ILLEGAL_USE);
    const EVP_MD *md = api_md_by_alg(a->md);
    if (hlen != EVP_MD_get_size(md)) return api_throw(vm, CE_ILLEGAL_VALUE);
    uint8_t hash[EVP_MAX_MD_SIZE], sig[600];
    memcpy(hash, h, (size_t)hlen);
    size_t slen = sizeof sig;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, op->pkey, NULL);
    bool ok = c && (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) > 0;
    if (ok && a->kind == SK_RSA) ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0;
    if (ok && a->kind == SK_RSA_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0 && EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0;
    ok = ok && EVP_PKEY_CTX_set_signature_md(c, md) > 0;
    int verdict = 0;
    if (ok && sign) ok = EVP_PKEY_sign(c, sig, &slen, hash, (size_t)hlen) > 0;
    else if (ok) verdict = EVP_PKEY_verify(c, vs, (uint16_t)args[6], hash, (size_t)hlen) == 1;
    EVP_PKEY_CTX_free(c);
    if (!ok) return api_throw(vm, CE_ILLEGAL_USE);
    if (!sign) { ret[0] = (uint16_t)verdict; return VM_NAT_OK; }
    vm_obj_t out;
    if (!api_out(vm, args[4], (int16_t)args[5], (int32_t)slen, &out) || !api_write(vm, &out, (int16_t)args[5], sig, (uint32_t)slen))
        return VM_NAT_THROW;
    ret[0] = (uint16_t)slen;
    return VM_NAT_OK;
}

static int sig_sign_pre(vm_t *vm, uint16_t *args, uint16_t *ret) { return sig_pre_hash(vm, args, ret, true); }
static int sig_verify_pre(vm_t *vm, uint16_t *args, uint16_t *ret) { return sig_pre_hash(vm, args, ret, false); }

static int sig_unsupported(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; (void)ret; return api_throw(vm, CE_ILLEGAL_USE); }

const vm_native_method_t api_signature_methods[] = {
    { VM_NAT_STATIC, 0, "getInstance(BZ)Ljavacard/security/Signature;", sig_get_instance },
    { VM_NAT_STATIC, 2, "getInstance(BBBZ)Ljavacard/security/Signature;", sig_get_instance3 },
    { VM_NAT_VIRTUAL, 1, "getAlgorithm()B", sig_get_alg },
    { VM_NAT_VIRTUAL, 2, "getLength()S", sig_get_length },
    { VM_NAT_VIRTUAL, 3, "init(Ljavacard/security/Key;B)V", sig_init },
    { VM_NAT_VIRTUAL, 4, "init(Ljavacard/security/Key;B[BSS)V", sig_init_iv },
    { VM_NAT_VIRTUAL, 5, "sign([BSS[BS)S", sig_sign },
    { VM_NAT_VIRTUAL, 6, "update([BSS)V", sig_update },
    { VM_NAT_VIRTUAL, 7, "verify([BSS[BSS)Z", sig_verify },
    { VM_NAT_VIRTUAL, 8, "setInitialDigest([BSS[BSS)V", sig_unsupported },
    { VM_NAT_VIRTUAL, 9, "signPreComputedHash([BSS[BS)S", sig_sign_pre },
    { VM_NAT_VIRTUAL, 10, "verifyPreComputedHash([BSS[BSS)Z", sig_verify_pre },
    { VM_NAT_VIRTUAL, 11, "getMessageDigestAlgorithm()B", sig_md_alg },
    { VM_NAT_VIRTUAL, 12, "getCipherAlgorithm()B", sig_cipher_alg },
    { VM_NAT_VIRTUAL, 13, "getPaddingAlgorithm()B", sig_pad_alg },
};
const size_t api_signature_nmethods = CL_ARRAY_LEN(api_signature_methods);
