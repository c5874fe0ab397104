/* api_keys_evp: key material <-> OpenSSL. EVP_PKEY from an EC key's explicit domain parameters and
 * its point or scalar, or from RSA material (a private key completed with e = 65537 only after
 * checking the material agrees, see below); and a generated EVP_PKEY's material stored back
 * into the key objects (KeyPair.genKeyPair). Private values travel in secure BIGNUMs, cleared. */
#include "vm/api_crypto_int.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <string.h>

static BIGNUM *bn(const api_key_t *k, int i) { return BN_bin2bn(k->comp[i], k->len[i], NULL); }

static EVP_PKEY *pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld, int selection)
{
    EVP_PKEY *pk = NULL;
    OSSL_PARAM *prm = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *c = prm ? EVP_PKEY_CTX_new_from_name(NULL, alg, NULL) : NULL;
    if (!c || EVP_PKEY_fromdata_init(c) <= 0 || EVP_PKEY_fromdata(c, &pk, selection, prm) <= 0) pk = NULL;
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(prm); /* BN parameters are cleared by OpenSSL when they were pushed as secure */
    return pk;
}

static bool ec_push_domain(OSSL_PARAM_BLD *bld, const api_key_t *k, BIGNUM **tmp)
{
    static const uint8_t one[1] = { 1 };
    tmp[0] = bn(k, EC_FIELD);
    tmp[1] = bn(k, EC_A);
    tmp[2] = bn(k, EC_B);
    tmp[3] = bn(k, EC_R);
    tmp[4] = (k->mask & (1u << EC_K)) ? bn(k, EC_K) : BN_bin2bn(one, 1, NULL);
    for (int i = 0; i < 5; i++)
        if (!tmp[i]) return false;
    return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_EC_FIELD_TYPE, SN_X9_62_prime_field, 0) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_EC_P, tmp[0]) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_EC_A, tmp[1]) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_EC_B, tmp[2]) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_EC_ORDER, tmp[3]) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_EC_COFACTOR, tmp[4]) &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_EC_GENERATOR, k->comp[EC_G], k->len[EC_G]);
}

EVP_PKEY *api_key_ec_domain(vm_t *vm, const api_key_t *k)
{
    uint16_t need = (1u << EC_FIELD) | (1u << EC_A) | (1u << EC_B) | (1u << EC_G) | (1u << EC_R);
    if ((k->mask & need) != need) { api_throw(vm, CE_UNINITIALIZED_KEY); return NULL; }
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *t[5] = { 0 };
    EVP_PKEY *pk = NULL;
    if (bld && ec_push_domain(bld, k, t)) pk = pkey_fromdata("EC", bld, EVP_PKEY_KEY_PARAMETERS);
    OSSL_PARAM_BLD_free(bld);
    for (int i = 0; i < 5; i++) BN_free(t[i]);
    if (!pk) api_throw(vm, CE_ILLEGAL_VALUE);
    return pk;
}

static EVP_PKEY *ec_pkey(const api_key_t *k)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *t[5] = { 0 }, *s = NULL;
    EVP_PKEY *pk = NULL;
    if (bld && ec_push_domain(bld, k, t)) {
        bool ok;
        if (k->family == KF_EC_PUB) {
            ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k->comp[EC_WS], k->len[EC_WS]);
        } else {
            s = BN_secure_new();
            ok = s && BN_bin2bn(k->comp[EC_WS], k->len[EC_WS], s) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, s);
        }
        if (ok) pk = pkey_fromdata("EC", bld, k->family == KF_EC_PUB ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(s);
    for (int i = 0; i < 5; i++) BN_free(t[i]);
    return pk;
}

/* RSA keys as OpenSSL needs them: a private key without its public exponent is completed with
 * e = 65537 and refused unless the material is consistent with it (checked, never assumed). */
static EVP_PKEY *rsa_pkey(const api_key_t *k)
{
    static const uint8_t f4[3] = { 0x01, 0x00, 0x01 };
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = NULL, *e = BN_bin2bn(f4, 3, NULL), *d = NULL, *p = NULL, *q = NULL, *dp = NULL, *dq = NULL, *qi = NULL;
    BIGNUM *p1 = BN_new(), *q1 = BN_new(), *phi = BN_new(), *t = BN_new();
    EVP_PKEY *pk = NULL;
    bool ok = bld && ctx && e && p1 && q1 && phi && t;
    if (ok && k->family == KF_RSA_PUB) {
        BN_free(e);
        n = bn(k, RSA_MOD);
        e = bn(k, RSA_EXP);
        ok = n && e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
        if (ok) pk = pkey_fromdata("RSA", bld, EVP_PKEY_PUBLIC_KEY);
    } else if (ok && k->family == KF_RSA_PRIV) {
        n = bn(k, RSA_MOD);
        d = BN_secure_new();
        ok = n && d && BN_bin2bn(k->comp[RSA_EXP], k->len[RSA_EXP], d) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d);
        if (ok) pk = pkey_fromdata("RSA", bld, EVP_PKEY_KEYPAIR);
    } else if (ok) {
        p = BN_secure_new(); q = BN_secure_new(); dp = BN_secure_new(); dq = BN_secure_new(); qi = BN_secure_new();
        d = BN_secure_new(); n = BN_new();
        ok = p && q && dp && dq && qi && d && n && BN_bin2bn(k->comp[CRT_P], k->len[CRT_P], p) &&
             BN_bin2bn(k->comp[CRT_Q], k->len[CRT_Q], q) && BN_bin2bn(k->comp[CRT_DP1], k->len[CRT_DP1], dp) &&
             BN_bin2bn(k->comp[CRT_DQ1], k->len[CRT_DQ1], dq) && BN_bin2bn(k->comp[CRT_PQ], k->len[CRT_PQ], qi) &&
             BN_mul(n, p, q, ctx) && BN_sub(p1, p, BN_value_one()) && BN_sub(q1, q, BN_value_one()) &&
             BN_mul(phi, p1, q1, ctx) && BN_mod_inverse(d, e, phi, ctx) != NULL;
        /* e * dp = 1 mod (p-1) and e * dq = 1 mod (q-1): the key's exponent is 65537. */
        ok = ok && BN_mod_mul(t, e, dp, p1, ctx) && BN_is_one(t) && BN_mod_mul(t, e, dq, q1, ctx) && BN_is_one(t);
        ok = ok && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi);
        if (ok) pk = pkey_fromdata("RSA", bld, EVP_PKEY_KEYPAIR);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_CTX_free(ctx);
    BN_free(n); BN_free(e); BN_clear_free(d); BN_clear_free(p); BN_clear_free(q); BN_clear_free(dp);
    BN_clear_free(dq); BN_clear_free(qi); BN_clear_free(p1); BN_clear_free(q1); BN_clear_free(phi); BN_clear_free(t);
    if (pk && k->family == KF_RSA_PRIV) {
        /* Without p and q OpenSSL cannot check the pair, so check it: m^d^e must give m back. */
        uint8_t m[256] = { 0 }, s[256], back[256];
        size_t nb = (size_t)(k->bits / 8), sl = sizeof s, bl = sizeof back;
        m[nb - 1] = 2;
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
        bool good = c && EVP_PKEY_sign_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0 &&
                    EVP_PKEY_sign(c, s, &sl, m, nb) > 0 && EVP_PKEY_verify_recover_init(c) > 0 &&
                    EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0 && EVP_PKEY_verify_recover(c, back, &bl, s, sl) > 0 &&
                    bl == nb && !memcmp(back, m, nb);
        EVP_PKEY_CTX_free(c);
        cl_wipe(s, sizeof s);
        if (!good) { EVP_PKEY_free(pk); pk = NULL; }
    }
    return pk;
}

EVP_PKEY *api_key_pkey(vm_t *vm, const api_key_t *k)
{
    if (!api_key_ready(vm, k)) return NULL;
    EVP_PKEY *pk = NULL;
    if (k->family == KF_EC_PUB || k->family == KF_EC_PRIV) pk = ec_pkey(k);
    else if (k->family == KF_RSA_PUB || k->family == KF_RSA_PRIV || k->family == KF_RSA_CRT) pk = rsa_pkey(k);
    if (!pk) api_throw(vm, CE_ILLEGAL_VALUE);
    return pk;
}

/* --- storing generated pairs --- */

/* Stores BN param name of pk into component i of key ref, left-padded to width (0: minimal). */
static bool store_bn(vm_t *vm, uint16_t ref, int i, EVP_PKEY *pk, const char *name, int width)
{
    BIGNUM *v = NULL;
    uint8_t tmp[520];
    if (!EVP_PKEY_get_bn_param(pk, name, &v)) { api_throw(vm, CE_ILLEGAL_VALUE); return false; }
    int len = width ? width : BN_num_bytes(v);
    if (len < 1) len = 1;
    bool ok = len <= (int)sizeof tmp && BN_bn2binpad(v, tmp, len) == len;
    BN_clear_free(v);
    if (!ok) { api_throw(vm, CE_ILLEGAL_VALUE); return false; }
    ok = api_key_store(vm, ref, i, tmp, (uint16_t)len);
    cl_wipe(tmp, sizeof tmp);
    return ok;
}

static bool store_octets(vm_t *vm, uint16_t ref, int i, EVP_PKEY *pk, const char *name)
{
    uint8_t tmp[200];
    size_t len = 0;
    if (!EVP_PKEY_get_octet_string_param(pk, name, tmp, sizeof tmp, &len)) { api_throw(vm, CE_ILLEGAL_VALUE); return false; }
    return api_key_store(vm, ref, i, tmp, (uint16_t)len);
}

static bool store_ec_domain(vm_t *vm, uint16_t ref, EVP_PKEY *pk, int nb)
{
    return store_bn(vm, ref, EC_FIELD, pk, OSSL_PKEY_PARAM_EC_P, nb) && store_bn(vm, ref, EC_A, pk, OSSL_PKEY_PARAM_EC_A, nb) &&
           store_bn(vm, ref, EC_B, pk, OSSL_PKEY_PARAM_EC_B, nb) && store_octets(vm, ref, EC_G, pk, OSSL_PKEY_PARAM_EC_GENERATOR) &&
           store_bn(vm, ref, EC_R, pk, OSSL_PKEY_PARAM_EC_ORDER, 0) && store_bn(vm, ref, EC_K, pk, OSSL_PKEY_PARAM_EC_COFACTOR, 2);
}

bool api_key_store_pair(vm_t *vm, const api_key_t *pub, const api_key_t *priv, EVP_PKEY *pk)
{
    int nb = (pub->bits + 7) / 8;
    if (pub->family == KF_EC_PUB) {
        return store_ec_domain(vm, pub->ref, pk, nb) && store_ec_domain(vm, priv->ref, pk, nb) &&
               store_octets(vm, pub->ref, EC_WS, pk, OSSL_PKEY_PARAM_PUB_KEY) &&
               store_bn(vm, priv->ref, EC_WS, pk, OSSL_PKEY_PARAM_PRIV_KEY, nb);
    }
    if (!store_bn(vm, pub->ref, RSA_MOD, pk, OSSL_PKEY_PARAM_RSA_N, nb) || !store_bn(vm, pub->ref, RSA_EXP, pk, OSSL_PKEY_PARAM_RSA_E, 0))
        return false;
    if (priv->family == KF_RSA_PRIV)
        return store_bn(vm, priv->ref, RSA_MOD, pk, OSSL_PKEY_PARAM_RSA_N, nb) &&
               store_bn(vm, priv->ref, RSA_EXP, pk, OSSL_PKEY_PARAM_RSA_D, 0);
    int half = nb / 2;
    return store_bn(vm, priv->ref, CRT_P, pk, OSSL_PKEY_PARAM_RSA_FACTOR1, half) &&
           store_bn(vm, priv->ref, CRT_Q, pk, OSSL_PKEY_PARAM_RSA_FACTOR2, half) &&
           store_bn(vm, priv->ref, CRT_DP1, pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, half) &&
           store_bn(vm, priv->ref, CRT_DQ1, pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, half) &&
           store_bn(vm, priv->ref, CRT_PQ, pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, half);
}

