/* api_security_pair: KeyPair (EC over the domain parameters the keys hold, or the named curve of
 * that size when they hold none; RSA with public exponent 65537, also when the public key holds
 * it already, any other preset exponent is refused) and KeyAgreement (ECDH: the
 * plain shared x coordinate, or its SHA-1 as ALG_EC_SVDP_DH specifies).
 * KeyPair cells: 0 public key, 1 private key. */
#include "vm/api_crypto_int.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <string.h>

enum { KP_PUB = 0, KP_PRIV = 1, KP_CELLS = 2 };
enum { KPA_RSA = 1, KPA_RSA_CRT = 2, KPA_EC_FP = 5 };
enum { KA_DH = 1, KA_DHC = 2, KA_DH_PLAIN = 3, KA_DHC_PLAIN = 4 };

static int kp_store(vm_t *vm, uint16_t self, uint16_t pub, uint16_t priv)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, self, &o)) return VM_NAT_THROW;
    if (o.kind != VM_KIND_INSTANCE || o.len < KP_CELLS) { vm_throw_security(vm, "not a KeyPair"); return VM_NAT_THROW; }
    if (!vm_obj_set_cell(vm, &o, KP_PUB, pub) || !vm_obj_set_cell(vm, &o, KP_PRIV, priv)) return VM_NAT_THROW;
    return VM_NAT_OK;
}

/* KeyPair(byte algorithm, short keyLength). */
static int kp_init_alg(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    uint8_t pubt, privt;
    switch ((uint8_t)args[1]) {
    case KPA_RSA: pubt = KT_RSA_PUB; privt = KT_RSA_PRIV; break;
    case KPA_RSA_CRT: pubt = KT_RSA_PUB; privt = KT_RSA_CRT; break;
    case KPA_EC_FP: pubt = KT_EC_FP_PUB; privt = KT_EC_FP_PRIV; break;
    default: return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    }
    uint16_t pub, priv;
    if (api_key_build(vm, pubt, (int16_t)args[2], &pub) || api_key_build(vm, privt, (int16_t)args[2], &priv)) return VM_NAT_THROW;
    return kp_store(vm, args[0], pub, priv);
}

static bool pair_matches(const api_key_t *pub, const api_key_t *priv)
{
    if (pub->bits != priv->bits) return false;
    if (pub->family == KF_EC_PUB) return priv->family == KF_EC_PRIV;
    return pub->family == KF_RSA_PUB && (priv->family == KF_RSA_PRIV || priv->family == KF_RSA_CRT);
}

/* KeyPair(PublicKey, PrivateKey). */
static int kp_init_keys(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    api_key_t pub, priv;
    if (!api_key_load(vm, args[1], &pub) || !api_key_load(vm, args[2], &priv)) return VM_NAT_THROW;
    if (!pair_matches(&pub, &priv)) return api_throw(vm, CE_ILLEGAL_VALUE);
    return kp_store(vm, args[0], args[1], args[2]);
}

static bool kp_keys(vm_t *vm, uint16_t self, uint16_t *pub, uint16_t *priv)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, self, &o)) return false;
    if (o.kind != VM_KIND_INSTANCE || o.len < KP_CELLS) { vm_throw_security(vm, "not a KeyPair"); return false; }
    if (!vm_fw_can_access(vm, &o)) { vm_throw_security(vm, "firewall: KeyPair of another context"); return false; }
    return vm_obj_cell(vm, &o, KP_PUB, pub) && vm_obj_cell(vm, &o, KP_PRIV, priv);
}

static const char *named_curve(uint16_t bits)
{
    switch (bits) {
    case 192: return "P-192";
    case 224: return "P-224";
    case 256: return "P-256";
    case 384: return "P-384";
    case 521: return "P-521";
    default: return NULL;
    }
}

static bool has_domain(const api_key_t *k)
{
    uint16_t need = (1u << EC_FIELD) | (1u << EC_A) | (1u << EC_B) | (1u << EC_G) | (1u << EC_R);
    return (k->mask & need) == need;
}

static int kp_gen(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    uint16_t pubref, privref;
    api_key_t pub, priv;
    if (!kp_keys(vm, args[0], &pubref, &privref)) return VM_NAT_THROW;
    if (!api_key_load(vm, pubref, &pub) || !api_key_load(vm, privref, &priv)) return VM_NAT_THROW;
    if (!pair_matches(&pub, &priv)) return api_throw(vm, CE_ILLEGAL_VALUE);
    EVP_PKEY *pk = NULL;
    if (pub.family == KF_EC_PUB) {
        EVP_PKEY *dom = NULL;
        EVP_PKEY_CTX *c = NULL;
        if (has_domain(&pub) || has_domain(&priv)) {
            dom = api_key_ec_domain(vm, has_domain(&pub) ? &pub : &priv);
            if (!dom) return VM_NAT_THROW;
            c = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL);
            if (c && EVP_PKEY_keygen_init(c) <= 0) { EVP_PKEY_CTX_free(c); c = NULL; }
        } else {
            const char *curve = named_curve(pub.bits);
            if (!curve) { return api_throw(vm, CE_UNINITIALIZED_KEY); } /* no parameters and no default */
            c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
            OSSL_PARAM prm[2] = { OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
                                  OSSL_PARAM_construct_end() };
            if (c && (EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_CTX_set_params(c, prm) <= 0)) { EVP_PKEY_CTX_free(c); c = NULL; }
        }
        if (!c || EVP_PKEY_keygen(c, &pk) <= 0) pk = NULL;
        EVP_PKEY_CTX_free(c);
        EVP_PKEY_free(dom);
    } else {
        /* genKeyPair keeps a public exponent the applet set (Java Card); the keys this card uses
         * have e = 65537 (api_keys_evp.c), so another preset value is refused rather than replaced. */
        static const uint8_t f4[3] = { 0x01, 0x00, 0x01 };
        const uint8_t *pe = pub.comp[RSA_EXP];
        int32_t pel = (pub.mask & (1u << RSA_EXP)) ? pub.len[RSA_EXP] : 0;
        while (pel > 1 && pe[0] == 0) { pe++; pel--; }
        if (pel && (pel != 3 || memcmp(pe, f4, 3))) return api_throw(vm, CE_ILLEGAL_VALUE);
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        if (!c || EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(c, pub.bits) <= 0 ||
            EVP_PKEY_keygen(c, &pk) <= 0)
            pk = NULL;
        EVP_PKEY_CTX_free(c);
    }
    if (!pk) return api_throw(vm, CE_ILLEGAL_VALUE);
    /* Both keys change in one atomic step (joining a transaction or install that is open): a
     * power cut or a failed store never leaves a new public key next to the old private one. */
    bool own, ok = api_key_atomic_begin(vm, &own) && api_key_store_pair(vm, &pub, &priv, pk);
    EVP_PKEY_free(pk);
    return api_key_atomic_end(vm, own, ok) ? VM_NAT_OK : VM_NAT_THROW;
}

static int kp_get_private(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint16_t pub, priv;
    if (!kp_keys(vm, args[0], &pub, &priv)) return VM_NAT_THROW;
    ret[0] = priv;
    return VM_NAT_OK;
}

static int kp_get_public(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint16_t pub, priv;
    if (!kp_keys(vm, args[0], &pub, &priv)) return VM_NAT_THROW;
    ret[0] = pub;
    return VM_NAT_OK;
}

const vm_native_method_t api_keypair_methods[] = {
    { VM_NAT_CTOR, 0, "<init>(BS)V", kp_init_alg },
    { VM_NAT_CTOR, 1, "<init>(Ljavacard/security/PublicKey;Ljavacard/security/PrivateKey;)V", kp_init_keys },
    { VM_NAT_VIRTUAL, 1, "genKeyPair()V", kp_gen },
    { VM_NAT_VIRTUAL, 2, "getPrivate()Ljavacard/security/PrivateKey;", kp_get_private },
    { VM_NAT_VIRTUAL, 3, "getPublic()Ljavacard/security/PublicKey;", kp_get_public },
};
const size_t api_keypair_nmethods = CL_ARRAY_LEN(api_keypair_methods);

/* --- KeyAgreement --- */

static int ka_get_instance(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg = (uint8_t)args[0];
    if (alg < KA_DH || alg > KA_DHC_PLAIN) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return api_op_new_object(vm, VM_PKG_SECURITY, SEC_KEYAGREEMENT, alg, &ret[0]) ? VM_NAT_THROW : VM_NAT_OK;
}

static int ka_init(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    uint8_t alg;
    api_key_t k;
    if (!api_op_object(vm, args[0], &alg) || !api_key_load(vm, args[1], &k)) return VM_NAT_THROW;
    if (k.family != KF_EC_PRIV) return api_throw(vm, CE_ILLEGAL_VALUE);
    EVP_PKEY *pk = api_key_pkey(vm, &k);
    if (!pk) return VM_NAT_THROW;
    api_op_t *op = api_op_fresh(vm, args[0]);
    if (!op) { EVP_PKEY_free(pk); return VM_NAT_THROW; }
    op->alg = alg;
    op->pkey = pk;
    return VM_NAT_OK;
}

/* generateSecret(publicData, publicOffset, publicLength, secret, secretOffset). */
static int ka_generate(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg;
    bool lost;
    vm_obj_t in, out;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const uint8_t *pt = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!pt) return VM_NAT_THROW;
    api_op_t *op = api_op_find(vm, args[0], &lost);
    if (vm->exc) return VM_NAT_THROW;
    if (!op || !op->pkey) return api_throw(vm, CE_INVALID_INIT);
    /* The private key's material as it is now (domain parameters for the peer's point). */
    uint8_t ptcopy[200];
    uint16_t ptlen = (uint16_t)args[3];
    if (ptlen > sizeof ptcopy) return api_throw(vm, CE_ILLEGAL_VALUE);
    memcpy(ptcopy, pt, ptlen);
    BIGNUM *p = NULL;
    int nb = 0;
    if (EVP_PKEY_get_bn_param(op->pkey, OSSL_PKEY_PARAM_EC_P, &p)) nb = BN_num_bytes(p);
    BN_free(p);
    /* Rebuild the peer from our domain: take it from the key via its parameters. */
    EVP_PKEY *peer = NULL;
    {
        OSSL_PARAM *prm = NULL;
        EVP_PKEY_CTX *c = NULL;
        if (EVP_PKEY_todata(op->pkey, EVP_PKEY_KEY_PARAMETERS, &prm) == 1) {
            OSSL_PARAM *pub = NULL;
            OSSL_PARAM extra[2] = { OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, ptcopy, ptlen),
                                    OSSL_PARAM_construct_end() };
            pub = OSSL_PARAM_merge(prm, extra);
            c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
            if (!pub || !c || EVP_PKEY_fromdata_init(c) <= 0 || EVP_PKEY_fromdata(c, &peer, EVP_PKEY_PUBLIC_KEY, pub) <= 0)
                peer = NULL;
            OSSL_PARAM_free(pub);
        }
        OSSL_PARAM_free(prm);
        EVP_PKEY_CTX_free(c);
    }
    if (!peer || nb == 0 || ptlen != 1 + 2 * nb || ptcopy[0] != 0x04) { EVP_PKEY_free(peer); return api_throw(vm, CE_ILLEGAL_VALUE); }
    uint8_t z[80];
    size_t zl = sizeof z;
    EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new_from_pkey(NULL, op->pkey, NULL);
    bool ok = dc && EVP_PKEY_derive_init(dc) > 0 &&
              ((alg != KA_DHC && alg != KA_DHC_PLAIN) || EVP_PKEY_CTX_set_ecdh_cofactor_mode(dc, 1) > 0) &&
              EVP_PKEY_derive_set_peer(dc, peer) > 0 && EVP_PKEY_derive(dc, z, &zl) > 0;
    EVP_PKEY_CTX_free(dc);
    EVP_PKEY_free(peer);
    if (!ok) { cl_wipe(z, sizeof z); return api_throw(vm, CE_ILLEGAL_VALUE); }
    uint8_t res[80]; /* SHA-1 or the x coordinate (P-521: 66 bytes) */
    unsigned rl = 0;
    if (alg == KA_DH || alg == KA_DHC) {
        ok = EVP_Digest(z, zl, res, &rl, EVP_sha1(), NULL) == 1;
    } else {
        ok = zl <= sizeof res;
        if (ok) memcpy(res, z, zl);
        rl = (unsigned)zl;
    }
    cl_wipe(z, sizeof z);
    if (ok) ok = api_out(vm, args[4], (int16_t)args[5], (int32_t)rl, &out) && api_write(vm, &out, (int16_t)args[5], res, rl);
    cl_wipe(res, sizeof res);
    if (!ok) return vm->exc ? VM_NAT_THROW : api_throw(vm, CE_ILLEGAL_VALUE);
    ret[0] = (uint16_t)rl;
    return VM_NAT_OK;
}

static int ka_get_alg(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    ret[0] = alg;
    return VM_NAT_OK;
}

const vm_native_method_t api_keyagreement_methods[] = {
    { VM_NAT_STATIC, 0, "getInstance(BZ)Ljavacard/security/KeyAgreement;", ka_get_instance },
    { VM_NAT_VIRTUAL, 1, "init(Ljavacard/security/PrivateKey;)V", ka_init },
    { VM_NAT_VIRTUAL, 2, "getAlgorithm()B", ka_get_alg },
    { VM_NAT_VIRTUAL, 3, "generateSecret([BSS[BS)S", ka_generate },
};
const size_t api_keyagreement_nmethods = CL_ARRAY_LEN(api_keyagreement_methods);
