/* api_crypto: javacardx.crypto (vm_api_crypto, referenced by vm_native.c): Cipher and AEADCipher.
 *
 * Offered: AES (128/192/256-bit keys, 128-bit block) and two/three-key DES3 in ECB and CBC with
 * no padding, ISO 9797-1 M1 (zeros; not removed on decryption, as it cannot be), ISO 9797-1 M2
 * and PKCS#5; AES-CTR; RSA with PKCS#1 v1.5, OAEP (SHA-1) and no padding (encryption under the
 * public or the private key and the matching decryption); AES-GCM through AEADCipher.
 * Padding is added and checked here over EVP's unpadded block modes (padding is a format, not a
 * primitive); decryption with padding holds the last block back until doFinal. NOPAD with a
 * length that is not whole blocks, and bad padding, throw CryptoException.ILLEGAL_USE.
 * AES-GCM decryption hands out the plaintext at doFinal and checks the tag at verifyTag, as
 * the Java Card API orders it (EVP's final step runs there). */
#include "vm/api_crypto_int.h"
#include "cap/cap_consts.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <string.h>

enum { CK_AES = 1, CK_DES, CK_RSA, CK_AES_CTR, CK_GCM };
enum { CPAD_NULL = 0, CPAD_NOPAD = 1, CPAD_M1 = 2, CPAD_M2 = 3, CPAD_PKCS5 = 6, CPAD_PKCS1 = 7, CPAD_OAEP = 9 };
enum { CC_AES_CBC = 1, CC_AES_ECB = 2, CC_DES_CBC = 3, CC_DES_ECB = 4, CC_RSA = 7 };
enum { MODE_DECRYPT = 1, MODE_ENCRYPT = 2 };
#define ALG_AES_CTR 0xF0
#define ALG_AES_GCM 0xF3
#define CIPHER_AES_GCM 0xF1

typedef struct {
    uint8_t alg, kind, cipher, pad;
    bool cbc;
} cipher_alg_t;

static const cipher_alg_t cipher_algs[] = {
    { 1, CK_DES, CC_DES_CBC, CPAD_NOPAD, true },   { 2, CK_DES, CC_DES_CBC, CPAD_M1, true },
    { 3, CK_DES, CC_DES_CBC, CPAD_M2, true },      { 4, CK_DES, CC_DES_CBC, CPAD_PKCS5, true },
    { 5, CK_DES, CC_DES_ECB, CPAD_NOPAD, false },  { 6, CK_DES, CC_DES_ECB, CPAD_M1, false },
    { 7, CK_DES, CC_DES_ECB, CPAD_M2, false },     { 8, CK_DES, CC_DES_ECB, CPAD_PKCS5, false },
    { 13, CK_AES, CC_AES_CBC, CPAD_NOPAD, true },  { 14, CK_AES, CC_AES_ECB, CPAD_NOPAD, false },
    { 22, CK_AES, CC_AES_CBC, CPAD_M1, true },     { 23, CK_AES, CC_AES_CBC, CPAD_M2, true },
    { 24, CK_AES, CC_AES_CBC, CPAD_PKCS5, true },  { 25, CK_AES, CC_AES_ECB, CPAD_M1, false },
    { 26, CK_AES, CC_AES_ECB, CPAD_M2, false },    { 27, CK_AES, CC_AES_ECB, CPAD_PKCS5, false },
    { 10, CK_RSA, CC_RSA, CPAD_PKCS1, false },     { 12, CK_RSA, CC_RSA, CPAD_NOPAD, false },
    { 15, CK_RSA, CC_RSA, CPAD_OAEP, false },      { ALG_AES_CTR, CK_AES_CTR, 0xF0, CPAD_NOPAD, false },
    { ALG_AES_GCM, CK_GCM, CIPHER_AES_GCM, CPAD_NULL, false }, /* AEAD: getInstance(CIPHER_AES_GCM, PAD_NULL) */
};

static const cipher_alg_t *cipher_alg(uint8_t alg)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(cipher_algs); i++)
        if (cipher_algs[i].alg == alg) return &cipher_algs[i];
    return NULL;
}

static int ci_new(vm_t *vm, const cipher_alg_t *a, uint16_t *ret)
{
    uint8_t cls = a->kind == CK_GCM ? CRY_AEAD : CRY_CIPHER;
    return api_op_new_object(vm, VM_PKG_CRYPTO, cls, a->alg, &ret[0]) ? VM_NAT_THROW : VM_NAT_OK;
}

static int ci_get_instance(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    const cipher_alg_t *a = cipher_alg((uint8_t)args[0]);
    if (!a) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return ci_new(vm, a, ret);
}

/* getInstance(cipherAlgorithm, paddingAlgorithm, externalAccess). */
static int ci_get_instance2(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t c = (uint8_t)args[0], p = (uint8_t)args[1];
    for (size_t i = 0; i < CL_ARRAY_LEN(cipher_algs); i++)
        if (cipher_algs[i].cipher == c && cipher_algs[i].pad == p && cipher_algs[i].kind != CK_AES_CTR)
            return ci_new(vm, &cipher_algs[i], ret);
    return api_throw(vm, CE_NO_SUCH_ALGORITHM);
}

static const EVP_CIPHER *evp_cipher(const cipher_alg_t *a, uint16_t keybits)
{
    switch (a->kind) {
    case CK_DES: return a->cbc ? EVP_des_ede3_cbc() : EVP_des_ede3_ecb();
    case CK_AES_CTR: return api_aes(API_AES_CTR, keybits);
    case CK_GCM: return api_aes(API_AES_GCM, keybits);
    default: return api_aes(a->cbc ? API_AES_CBC : API_AES_ECB, keybits);
    }
}

static uint32_t block_size(const cipher_alg_t *a) { return a->kind == CK_DES ? 8 : 16; }

/* GCM flags in op->flags. */
enum { GF_DATA = 1, GF_FINAL = 2, GF_DONE = 4 };

/* init(key, mode[, iv, ivOff, ivLen][, ...]): tag is the GCM tag length (0 otherwise). */
static int ci_init_common(vm_t *vm, uint16_t *args, bool with_iv, int tag)
{
    uint8_t alg, mode = (uint8_t)args[2];
    api_key_t k;
    const uint8_t *iv;
    int32_t ivlen;
    if (!api_init_iv(vm, args, with_iv, &iv, &ivlen)) return VM_NAT_THROW;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const cipher_alg_t *a = cipher_alg(alg);
    if (!a) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    if (!api_key_load(vm, args[1], &k)) return VM_NAT_THROW;
    if (mode != MODE_ENCRYPT && mode != MODE_DECRYPT) return api_throw(vm, CE_ILLEGAL_VALUE);
    bool fits = a->kind == CK_DES ? k.family == KF_DES
              : a->kind == CK_RSA ? (k.family == KF_RSA_PUB || k.family == KF_RSA_PRIV || k.family == KF_RSA_CRT)
                                  : k.family == KF_AES;
    if (!fits) return api_throw(vm, CE_ILLEGAL_VALUE);
    if (!api_key_ready(vm, &k)) return VM_NAT_THROW;
    /* IV rules: CBC/CTR take one block (none = zeros), ECB and RSA none, GCM a nonce of 1..128 bytes. */
    uint8_t ivb[128] = { 0 };
    if (a->kind == CK_GCM) {
        if (!iv || ivlen < 1 || ivlen > (int32_t)sizeof ivb || tag < 4 || tag > 16) return api_throw(vm, CE_ILLEGAL_VALUE);
    } else if (iv && ((!a->cbc && a->kind != CK_AES_CTR) || ivlen != (int32_t)block_size(a))) {
        return api_throw(vm, CE_ILLEGAL_VALUE);
    }
    if (iv) memcpy(ivb, iv, (size_t)ivlen);
    EVP_PKEY *pk = NULL;
    if (a->kind == CK_RSA && !(pk = api_key_pkey(vm, &k))) return VM_NAT_THROW;
    api_op_t *op = api_op_fresh(vm, args[0]);
    if (!op) { EVP_PKEY_free(pk); return VM_NAT_THROW; }
    op->alg = alg;
    op->mode = mode;
    op->pkey = pk;
    if (a->kind == CK_RSA) return VM_NAT_OK;
    if (!api_key_load(vm, args[1], &k)) { api_op_end(vm, args[0], op); return VM_NAT_THROW; }
    uint8_t key[32];
    if (a->kind == CK_DES) api_key_des3(k.comp[0], k.len[0], key);
    else memcpy(key, k.comp[0], k.len[0]);
    op->cipher = EVP_CIPHER_CTX_new();
    bool ok = op->cipher != NULL;
    if (ok && a->kind == CK_GCM) {
        ok = EVP_CipherInit_ex(op->cipher, evp_cipher(a, k.bits), NULL, NULL, NULL, mode == MODE_ENCRYPT) &&
             EVP_CIPHER_CTX_ctrl(op->cipher, EVP_CTRL_GCM_SET_IVLEN, ivlen, NULL) > 0 &&
             EVP_CipherInit_ex(op->cipher, NULL, NULL, key, ivb, -1);
        op->keylen = (uint16_t)tag;
    } else if (ok) {
        ok = EVP_CipherInit_ex(op->cipher, evp_cipher(a, k.bits), NULL, key, ivb, mode == MODE_ENCRYPT) &&
             EVP_CIPHER_CTX_set_padding(op->cipher, 0);
        memcpy(op->chain, ivb, sizeof op->chain); /* the IV every doFinal starts the next message with */
    }
    cl_wipe(key, sizeof key);
    cl_wipe(ivb, sizeof ivb);
    if (!ok) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_VALUE); }
    return VM_NAT_OK;
}

static int ci_init(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return ci_init_common(vm, args, false, 0); }
static int ci_init_iv(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return ci_init_common(vm, args, true, 16); }

/* AEADCipher.init(key, mode, nonceBuf, nonceOff, nonceLen, adataLen, messageLen, tagSize):
 * GCM needs no lengths in advance, so adataLen and messageLen are not used. */
static int ae_init_full(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return ci_init_common(vm, args, true, (int16_t)args[8]); }

static api_op_t *ci_state(vm_t *vm, uint16_t ref, const cipher_alg_t **a)
{
    uint8_t alg;
    api_op_t *op = api_op_live(vm, ref, &alg);
    if (op && !(*a = cipher_alg(alg))) { api_throw(vm, CE_INVALID_INIT); return NULL; }
    return op;
}

/* Block and stream ciphers: processes n input bytes into out (room for n + 2 blocks); returns
 * the bytes produced or -1. Decryption with padding keeps the last block in op->buf. */
static int sym_update(api_op_t *op, const cipher_alg_t *a, const uint8_t *in, uint32_t n, uint8_t *out)
{
    uint8_t *tmp = OPENSSL_malloc(n + 32);
    if (!tmp) return -1;
    int ol = 0;
    int r = -1;
    if (!n || EVP_CipherUpdate(op->cipher, tmp, &ol, in, (int)n)) {
        op->count += n;
        bool hold = op->mode == MODE_DECRYPT && (a->pad == CPAD_M2 || a->pad == CPAD_PKCS5);
        if (!hold) {
            memcpy(out, tmp, (size_t)ol);
            r = ol;
        } else {
            uint32_t bs = block_size(a), total = op->buflen + (uint32_t)ol, emit = total >= bs ? total - bs : 0;
            /* The held block followed by the new output; all but the last block go out. */
            uint8_t *all = OPENSSL_malloc(total ? total : 1);
            if (all) {
                memcpy(all, op->buf, op->buflen);
                memcpy(all + op->buflen, tmp, (size_t)ol);
                memcpy(out, all, emit);
                op->buflen = total - emit;
                memcpy(op->buf, all + emit, op->buflen);
                OPENSSL_clear_free(all, total ? total : 1);
                r = (int)emit;
            }
        }
    }
    OPENSSL_clear_free(tmp, n + 32);
    return r;
}

/* The exact number of bytes sym_update will produce for n more input bytes: update checks its
 * output room with it first, so a too small output array refuses the call and changes nothing. */
static uint32_t sym_update_len(const api_op_t *op, const cipher_alg_t *a, uint32_t n)
{
    if (a->kind == CK_AES_CTR || a->kind == CK_GCM) return n;
    uint32_t bs = block_size(a), ol = (op->count % bs + n) / bs * bs; /* EVP (no padding) emits whole blocks */
    if (!(op->mode == MODE_DECRYPT && (a->pad == CPAD_M2 || a->pad == CPAD_PKCS5))) return ol;
    return op->buflen + ol >= bs ? op->buflen + ol - bs : 0; /* the last block is held back */
}

/* Finishes a block/stream cipher: padding in or out. Returns bytes produced into out, -1 error,
 * -2 ILLEGAL_USE (length or padding). */
static int sym_final(api_op_t *op, const cipher_alg_t *a, uint8_t *out)
{
    uint32_t bs = block_size(a);
    int produced = 0, ol = 0;
    if (a->kind == CK_AES_CTR) return EVP_CipherFinal_ex(op->cipher, out, &ol) ? ol : -1;
    if (op->mode == MODE_ENCRYPT && a->pad != CPAD_NOPAD) {
        uint8_t pad[32];
        uint32_t rem = op->count % bs, pl;
        if (a->pad == CPAD_M1) { pl = (rem || op->count == 0) ? bs - rem : 0; memset(pad, 0, pl); }
        else if (a->pad == CPAD_M2) { pl = bs - rem; memset(pad, 0, pl); pad[0] = 0x80; }
        else { pl = bs - rem; memset(pad, (int)pl, pl); }
        if (pl && !EVP_CipherUpdate(op->cipher, out, &produced, pad, (int)pl)) return -1;
        op->count += pl;
    }
    if (op->count % bs) return -2;
    if (!EVP_CipherFinal_ex(op->cipher, out + produced, &ol)) return -1;
    produced += ol;
    if (op->mode == MODE_DECRYPT && (a->pad == CPAD_M2 || a->pad == CPAD_PKCS5)) {
        if (op->buflen != bs) return -2;
        uint32_t keep;
        if (a->pad == CPAD_PKCS5) {
            uint8_t v = op->buf[bs - 1];
            if (v < 1 || v > bs) return -2;
            for (uint32_t i = bs - v; i < bs; i++)
                if (op->buf[i] != v) return -2;
            keep = bs - v;
        } else {
            uint32_t i = bs;
            while (i > 0 && op->buf[i - 1] == 0) i--;
            if (i == 0 || op->buf[i - 1] != 0x80) return -2;
            keep = i - 1;
        }
        memcpy(out + produced, op->buf, keep);
        produced += (int)keep;
    }
    return produced;
}

/* RSA over the whole accumulated input. */
static int rsa_final(api_op_t *op, const cipher_alg_t *a, uint8_t *out, size_t cap)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, op->pkey, NULL);
    int pad = a->pad == CPAD_PKCS1 ? RSA_PKCS1_PADDING : a->pad == CPAD_OAEP ? RSA_PKCS1_OAEP_PADDING : RSA_NO_PADDING;
    /* A private key (it has d) decrypts and "encrypts" (raw signature); a public key the reverse. */
    BIGNUM *d = NULL;
    bool is_priv = EVP_PKEY_get_bn_param(op->pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
    BN_clear_free(d);
    size_t ol = cap;
    const uint8_t *in = op->acc ? op->acc : (const uint8_t *)"";
    int r = -1;
    if (!c) return -1;
    if (op->mode == MODE_ENCRYPT && !is_priv)
        r = EVP_PKEY_encrypt_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0 &&
            EVP_PKEY_encrypt(c, out, &ol, in, op->acclen) > 0 ? (int)ol : -2;
    else if (op->mode == MODE_DECRYPT && is_priv)
        r = EVP_PKEY_decrypt_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0 &&
            EVP_PKEY_decrypt(c, out, &ol, in, op->acclen) > 0 ? (int)ol : -2;
    else if (op->mode == MODE_ENCRYPT && a->pad != CPAD_OAEP) /* private-key "encryption" (raw signature) */
        r = EVP_PKEY_sign_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0 &&
            EVP_PKEY_sign(c, out, &ol, in, op->acclen) > 0 ? (int)ol : -2;
    else if (a->pad != CPAD_OAEP)
        r = EVP_PKEY_verify_recover_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0 &&
            EVP_PKEY_verify_recover(c, out, &ol, in, op->acclen) > 0 ? (int)ol : -2;
    else
        r = -2;
    EVP_PKEY_CTX_free(c);
    return r;
}

/* update/doFinal(inBuff, inOffset, inLength, outBuff, outOffset). */
static int ci_process(vm_t *vm, uint16_t *args, uint16_t *ret, bool final)
{
    vm_obj_t in, outo;
    const cipher_alg_t *a;
    int32_t n = (int16_t)args[3];
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], n, &in);
    if (!p) return VM_NAT_THROW;
    if (!vm_obj_get(vm, args[4], &outo)) return VM_NAT_THROW;
    api_op_t *op = ci_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (a->kind == CK_GCM && (op->flags & GF_FINAL)) return api_throw(vm, CE_ILLEGAL_USE);
    if (!final && a->kind != CK_RSA && !api_out(vm, args[4], (int16_t)args[5], (int32_t)sym_update_len(op, a, (uint32_t)n), &outo))
        return VM_NAT_THROW;
    uint32_t cap = (uint32_t)n + 64 + 512;
    uint8_t *out = OPENSSL_malloc(cap);
    if (!out) return api_throw(vm, CE_ILLEGAL_USE);
    int produced;
    if (a->kind == CK_RSA) {
        produced = api_op_acc(op, p, (uint32_t)n) ? 0 : -2;
        if (produced == 0 && final) produced = rsa_final(op, a, out, cap);
        if (final && op->acc) { OPENSSL_cleanse(op->acc, op->acccap); op->acclen = 0; } /* same key, next message */
    } else {
        produced = sym_update(op, a, p, (uint32_t)n, out);
        if (a->kind == CK_GCM) {
            if (produced >= 0) op->flags |= GF_DATA;
            if (final && produced >= 0 && op->mode == MODE_ENCRYPT) {
                int ol = 0;
                if (EVP_EncryptFinal_ex(op->cipher, out + produced, &ol) &&
                    EVP_CIPHER_CTX_ctrl(op->cipher, EVP_CTRL_GCM_GET_TAG, 16, op->chain) > 0)
                    produced += ol;
                else
                    produced = -1;
            }
            if (final) op->flags |= GF_FINAL;
        } else if (final && produced >= 0) {
            int f = sym_final(op, a, out + produced);
            produced = f < 0 ? f : produced + f;
        }
    }
    int result = VM_NAT_OK;
    if (produced < 0) {
        api_op_end(vm, args[0], op);
        result = api_throw(vm, produced == -2 ? CE_ILLEGAL_USE : CE_ILLEGAL_VALUE);
    } else if (!api_out(vm, args[4], (int16_t)args[5], produced, &outo) ||
               !api_write(vm, &outo, (int16_t)args[5], out, (uint32_t)produced)) {
        result = VM_NAT_THROW;
    } else {
        ret[0] = (uint16_t)produced;
    }
    OPENSSL_clear_free(out, cap);
    /* A finished block cipher starts over with the same key and IV (re-initialization), also when
     * its output did not fit: a retry must not chain on from the message that was lost. */
    if (produced >= 0 && final && a->kind != CK_RSA && a->kind != CK_GCM) {
        op->count = 0;
        op->buflen = 0;
        if (!EVP_CipherInit_ex(op->cipher, NULL, NULL, NULL, op->chain, -1)) api_op_end(vm, args[0], op);
    }
    return result;
}

static int ci_update(vm_t *vm, uint16_t *args, uint16_t *ret) { return ci_process(vm, args, ret, false); }
static int ci_do_final(vm_t *vm, uint16_t *args, uint16_t *ret) { return ci_process(vm, args, ret, true); }

static int ci_part(vm_t *vm, uint16_t *args, uint16_t *ret, int which)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const cipher_alg_t *a = cipher_alg(alg);
    if (!a) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    ret[0] = which == 0 ? a->alg : which == 1 ? a->cipher : a->pad;
    return VM_NAT_OK;
}
static int ci_get_alg(vm_t *vm, uint16_t *args, uint16_t *ret) { return ci_part(vm, args, ret, 0); }
static int ci_cipher_alg(vm_t *vm, uint16_t *args, uint16_t *ret) { return ci_part(vm, args, ret, 1); }
static int ci_pad_alg(vm_t *vm, uint16_t *args, uint16_t *ret) { return ci_part(vm, args, ret, 2); }

/* --- AEADCipher --- */

static int ae_update_aad(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t in;
    const cipher_alg_t *a;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    api_op_t *op = ci_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (a->kind != CK_GCM || (op->flags & (GF_DATA | GF_FINAL))) return api_throw(vm, CE_ILLEGAL_USE);
    int ol = 0;
    if ((int16_t)args[3] > 0 && !EVP_CipherUpdate(op->cipher, NULL, &ol, p, (int16_t)args[3])) {
        api_op_end(vm, args[0], op);
        return api_throw(vm, CE_ILLEGAL_VALUE);
    }
    return VM_NAT_OK;
}

/* retrieveTag(buf, off, len): the tag of an encryption (len up to 16, at least the tag size). */
static int ae_retrieve_tag(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t out;
    const cipher_alg_t *a;
    int32_t len = (int16_t)args[3];
    api_op_t *op = ci_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (a->kind != CK_GCM || op->mode != MODE_ENCRYPT || !(op->flags & GF_FINAL)) return api_throw(vm, CE_ILLEGAL_USE);
    if (len < (int32_t)op->keylen || len > 16) return api_throw(vm, CE_ILLEGAL_VALUE);
    if (!api_out(vm, args[1], (int16_t)args[2], len, &out) || !api_write(vm, &out, (int16_t)args[2], op->chain, (uint32_t)len))
        return VM_NAT_THROW;
    ret[0] = (uint16_t)len;
    return VM_NAT_OK;
}

/* verifyTag(receivedTag, off, len, requiredTagLen): the decryption's final step. */
static int ae_verify_tag(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t in;
    const cipher_alg_t *a;
    int32_t len = (int16_t)args[3], need = (int16_t)args[4];
    const uint8_t *t = vm_nat_bytes(vm, args[1], (int16_t)args[2], len, &in);
    if (!t) return VM_NAT_THROW;
    api_op_t *op = ci_state(vm, args[0], &a);
    if (!op) return VM_NAT_THROW;
    if (a->kind != CK_GCM || op->mode != MODE_DECRYPT || !(op->flags & GF_FINAL) || (op->flags & GF_DONE))
        return api_throw(vm, CE_ILLEGAL_USE);
    if (len < 4 || len > 16 || need < 4 || need > 16 || len < need || len < (int32_t)op->keylen) return api_throw(vm, CE_ILLEGAL_VALUE);
    uint8_t tag[16], sink[32];
    memcpy(tag, t, (size_t)len);
    int ol = 0;
    bool good = EVP_CIPHER_CTX_ctrl(op->cipher, EVP_CTRL_GCM_SET_TAG, len, tag) > 0 &&
                EVP_DecryptFinal_ex(op->cipher, sink, &ol) > 0;
    op->flags |= GF_DONE;
    ret[0] = good;
    return VM_NAT_OK;
}

static int refuse(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; (void)ret; return api_throw(vm, CE_NO_SUCH_ALGORITHM); }

static const vm_native_method_t cipher_m[] = {
    { VM_NAT_STATIC, 0, "getInstance(BZ)Ljavacardx/crypto/Cipher;", ci_get_instance },
    { VM_NAT_STATIC, 2, "getInstance(BBZ)Ljavacardx/crypto/Cipher;", ci_get_instance2 },
    { VM_NAT_VIRTUAL, 1, "doFinal([BSS[BS)S", ci_do_final },
    { VM_NAT_VIRTUAL, 2, "getAlgorithm()B", ci_get_alg },
    { VM_NAT_VIRTUAL, 3, "init(Ljavacard/security/Key;B)V", ci_init },
    { VM_NAT_VIRTUAL, 4, "init(Ljavacard/security/Key;B[BSS)V", ci_init_iv },
    { VM_NAT_VIRTUAL, 5, "update([BSS[BS)S", ci_update },
    { VM_NAT_VIRTUAL, 6, "getCipherAlgorithm()B", ci_cipher_alg },
    { VM_NAT_VIRTUAL, 7, "getPaddingAlgorithm()B", ci_pad_alg },
};
static const vm_native_method_t oneshot_m[] = {
    { VM_NAT_STATIC, 0, "open(BB)Ljavacardx/crypto/Cipher$OneShot;", refuse },
};
static const vm_native_method_t aead_m[] = {
    { VM_NAT_VIRTUAL, 8, "init(Ljavacard/security/Key;B[BSSSSS)V", ae_init_full },
    { VM_NAT_VIRTUAL, 9, "updateAAD([BSS)V", ae_update_aad },
    { VM_NAT_VIRTUAL, 10, "retrieveTag([BSS)S", ae_retrieve_tag },
    { VM_NAT_VIRTUAL, 11, "verifyTag([BSSS)Z", ae_verify_tag },
};

static const vm_native_class_t crypto_classes[] = {
    { VM_PKG_CRYPTO, CRY_KEYENC, "javacardx/crypto/KeyEncryption", -1, -1, CAP_ACC_INTERFACE, 0, NULL, 0, NULL, 0 },
    { VM_PKG_CRYPTO, CRY_CIPHER, "javacardx/crypto/Cipher", VM_PKG_JAVA_LANG, 0, 0, OP_CELLS, cipher_m,
      CL_ARRAY_LEN(cipher_m), NULL, 0 },
    { VM_PKG_CRYPTO, CRY_CIPHER_ONESHOT, "javacardx/crypto/Cipher$OneShot", VM_PKG_CRYPTO, CRY_CIPHER, 0, 0, oneshot_m,
      CL_ARRAY_LEN(oneshot_m), NULL, 0 },
    { VM_PKG_CRYPTO, CRY_AEAD, "javacardx/crypto/AEADCipher", VM_PKG_CRYPTO, CRY_CIPHER, 0, 0, aead_m,
      CL_ARRAY_LEN(aead_m), NULL, 0 },
};

const vm_native_area_t vm_api_crypto = { "javacardx.crypto", crypto_classes, CL_ARRAY_LEN(crypto_classes) };
VM_NATIVE_AREA(vm_api_crypto)
