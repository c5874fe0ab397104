/* api_security_md: MessageDigest (SHA-1, SHA-2 and SHA-3 families over EVP), RandomData (RAND_bytes),
 * CryptoException, and the classes this card refuses (Checksum, the OneShot variants):
 * their getInstance/open throws CryptoException.NO_SUCH_ALGORITHM as a real card does. */
#include "vm/api_crypto_int.h"

#include <openssl/rand.h>
#include <string.h>

enum { MD_SHA = 1, MD_SHA_256 = 4, MD_SHA_384 = 5, MD_SHA_512 = 6, MD_SHA_224 = 7, MD_SHA3_224 = 8, MD_SHA3_256 = 9,
       MD_SHA3_384 = 10, MD_SHA3_512 = 11 };

const EVP_MD *api_md_by_alg(uint8_t alg)
{
    switch (alg) {
    case MD_SHA: return EVP_sha1();
    case MD_SHA_224: return EVP_sha224();
    case MD_SHA_256: return EVP_sha256();
    case MD_SHA_384: return EVP_sha384();
    case MD_SHA_512: return EVP_sha512();
    case MD_SHA3_224: return EVP_sha3_224();
    case MD_SHA3_256: return EVP_sha3_256();
    case MD_SHA3_384: return EVP_sha3_384();
    case MD_SHA3_512: return EVP_sha3_512();
    default: return NULL;
    }
}

static int md_get_instance(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg = (uint8_t)args[0];
    if (!api_md_by_alg(alg)) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return api_op_new_object(vm, VM_PKG_SECURITY, SEC_MD, alg, &ret[0]) ? VM_NAT_THROW : VM_NAT_OK;
}

/* setInitialDigest needs an exported intermediate state, which EVP does not offer: refused. */
static int md_get_initialized(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args; (void)ret;
    return api_throw(vm, CE_NO_SUCH_ALGORITHM);
}

/* The running digest of this object: found, or started fresh (after doFinal/reset/reset of the card). */
static api_op_t *md_state(vm_t *vm, uint16_t ref, uint8_t *alg)
{
    if (!api_op_object(vm, ref, alg)) return NULL;
    bool lost;
    api_op_t *op = api_op_find(vm, ref, &lost);
    if (vm->exc) return NULL;
    if (op && op->md) return op;
    if (lost) { api_throw(vm, CE_ILLEGAL_USE); return NULL; } /* state dropped from the table: never a wrong hash */
    op = api_op_fresh(vm, ref);
    if (!op) return NULL;
    op->md = EVP_MD_CTX_new();
    const EVP_MD *md = api_md_by_alg(*alg);
    if (!op->md || !md || !EVP_DigestInit_ex(op->md, md, NULL)) {
        api_op_end(vm, ref, op);
        api_throw(vm, CE_ILLEGAL_VALUE);
        return NULL;
    }
    return op;
}

static int md_update(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t in;
    uint8_t alg;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    api_op_t *op = md_state(vm, args[0], &alg);
    if (!op) return VM_NAT_THROW;
    if (!EVP_DigestUpdate(op->md, p, (size_t)(int16_t)args[3])) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_USE); }
    return VM_NAT_OK;
}

static int md_do_final(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t in, out;
    uint8_t alg;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const EVP_MD *md = api_md_by_alg(alg);
    int len = md ? EVP_MD_get_size(md) : 0;
    if (!api_out(vm, args[4], (int16_t)args[5], len, &out)) return VM_NAT_THROW;
    api_op_t *op = md_state(vm, args[0], &alg);
    if (!op) return VM_NAT_THROW;
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    bool ok = EVP_DigestUpdate(op->md, p, (size_t)(int16_t)args[3]) && EVP_DigestFinal_ex(op->md, h, &hl) && (int)hl == len;
    /* The object is reset for the next message. */
    if (!ok || !EVP_DigestInit_ex(op->md, NULL, NULL)) { api_op_end(vm, args[0], op); cl_wipe(h, sizeof h); return api_throw(vm, CE_ILLEGAL_USE); }
    ok = api_write(vm, &out, (int16_t)args[5], h, hl);
    cl_wipe(h, sizeof h); /* a digest of a secret can be key material (derivations) */
    if (!ok) return VM_NAT_THROW;
    ret[0] = (uint16_t)hl;
    return VM_NAT_OK;
}

static int md_reset(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    uint8_t alg;
    bool lost;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    api_op_t *op = api_op_find(vm, args[0], &lost);
    if (vm->exc) return VM_NAT_THROW;
    api_op_drop(op);
    /* A fresh state with nothing hashed (also clears a "lost" mark). */
    op = api_op_fresh(vm, args[0]);
    if (!op) return VM_NAT_THROW;
    op->md = EVP_MD_CTX_new();
    const EVP_MD *md = api_md_by_alg(alg);
    if (!op->md || !md || !EVP_DigestInit_ex(op->md, md, NULL)) { api_op_end(vm, args[0], op); return api_throw(vm, CE_ILLEGAL_VALUE); }
    return VM_NAT_OK;
}

static int md_get_alg(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    ret[0] = alg;
    return VM_NAT_OK;
}

static int md_get_length(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const EVP_MD *md = api_md_by_alg(alg);
    if (!md) return api_throw(vm, CE_NO_SUCH_ALGORITHM); /* never a made-up length */
    ret[0] = (uint16_t)EVP_MD_get_size(md);
    return VM_NAT_OK;
}

static int refuse(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; (void)ret; return api_throw(vm, CE_NO_SUCH_ALGORITHM); }
static int illegal_use(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; (void)ret; return api_throw(vm, CE_ILLEGAL_USE); }

const vm_native_method_t api_md_methods[] = {
    { VM_NAT_STATIC, 0, "getInstance(BZ)Ljavacard/security/MessageDigest;", md_get_instance },
    { VM_NAT_STATIC, 2, "getInitializedMessageDigestInstance(BZ)Ljavacard/security/InitializedMessageDigest;",
      md_get_initialized },
    { VM_NAT_VIRTUAL, 1, "doFinal([BSS[BS)S", md_do_final },
    { VM_NAT_VIRTUAL, 2, "getAlgorithm()B", md_get_alg },
    { VM_NAT_VIRTUAL, 3, "getLength()B", md_get_length },
    { VM_NAT_VIRTUAL, 4, "reset()V", md_reset },
    { VM_NAT_VIRTUAL, 5, "update([BSS)V", md_update },
};
const size_t api_md_nmethods = CL_ARRAY_LEN(api_md_methods);

const vm_native_method_t api_initmd_methods[] = {
    { VM_NAT_VIRTUAL, 6, "setInitialDigest([BSS[BSS)V", illegal_use },
};
const size_t api_initmd_nmethods = CL_ARRAY_LEN(api_initmd_methods);

/* --- RandomData: every offered algorithm is OpenSSL's DRBG (RAND_bytes). ALG_PSEUDO_RANDOM gets
 * it too: a stronger generator than asked for is never a wrong result. setSeed adds entropy. --- */

enum { RND_PSEUDO = 1, RND_SECURE = 2, RND_TRNG = 3, RND_PRESEEDED_DRBG = 4, RND_FAST = 5, RND_KEYGEN = 6 };

static int rnd_get_instance(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t alg = (uint8_t)args[0];
    if (alg < RND_PSEUDO || alg > RND_KEYGEN) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return api_op_new_object(vm, VM_PKG_SECURITY, SEC_RANDOM, alg, &ret[0]) ? VM_NAT_THROW : VM_NAT_OK;
}

static int rnd_fill(vm_t *vm, uint16_t *args)
{
    uint8_t alg, buf[256];
    vm_obj_t out;
    int32_t off = (int16_t)args[2], len = (int16_t)args[3];
    if (!api_op_object(vm, args[0], &alg) || !api_out(vm, args[1], off, len, &out)) return VM_NAT_THROW;
    int r = VM_NAT_OK;
    while (len > 0 && r == VM_NAT_OK) {
        int n = len > (int32_t)sizeof buf ? (int)sizeof buf : (int)len;
        if (RAND_bytes(buf, n) != 1) r = api_throw(vm, CE_ILLEGAL_USE);
        else if (!api_write(vm, &out, off, buf, (uint32_t)n)) r = VM_NAT_THROW;
        off += n;
        len -= n;
    }
    cl_wipe(buf, sizeof buf); /* on every path: the bytes may become a key */
    return r;
}

static int rnd_generate(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return rnd_fill(vm, args); }

static int rnd_next_bytes(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    int r = rnd_fill(vm, args);
    if (r == VM_NAT_OK) ret[0] = (uint16_t)((int16_t)args[2] + (int16_t)args[3]);
    return r;
}

static int rnd_set_seed(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    uint8_t alg;
    vm_obj_t in;
    if (!api_op_object(vm, args[0], &alg)) return VM_NAT_THROW;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int16_t)args[3], &in);
    if (!p) return VM_NAT_THROW;
    RAND_add(p, (int16_t)args[3], 0.0); /* mixed in, credited with no entropy */
    return VM_NAT_OK;
}

const vm_native_method_t api_random_methods[] = {
    { VM_NAT_STATIC, 0, "getInstance(B)Ljavacard/security/RandomData;", rnd_get_instance },
    { VM_NAT_VIRTUAL, 1, "generateData([BSS)V", rnd_generate },
    { VM_NAT_VIRTUAL, 2, "setSeed([BSS)V", rnd_set_seed },
    { VM_NAT_VIRTUAL, 3, "nextBytes([BSS)S", rnd_next_bytes },
    { VM_NAT_VIRTUAL, 4, "getAlgorithm()B", md_get_alg },
};
const size_t api_random_nmethods = CL_ARRAY_LEN(api_random_methods);

/* --- CryptoException: a CardRuntimeException; reason in cell 0 like the framework's. --- */

static int ce_init(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o) || !vm_obj_set_cell(vm, &o, 0, args[1])) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int ce_throw(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return api_throw(vm, (int16_t)args[0]); }

static int ce_get_reason(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o) || !vm_obj_cell(vm, &o, 0, &ret[0])) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int ce_set_reason(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    if (o.kind != VM_KIND_INSTANCE || o.len < 1) { vm_throw_security(vm, "not an exception object"); return VM_NAT_THROW; }
    if (!vm_fw_can_access(vm, &o) && !(o.flags & VM_OF_ENTRY_POINT)) { vm_throw_security(vm, "firewall"); return VM_NAT_THROW; }
    uint8_t b[2];
    cl_put16(b, args[1]);
    int r = vm_heap_write(vm->heap, &o, 0, b, 2, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

const vm_native_method_t api_cryptoexc_methods[] = {
    { VM_NAT_CTOR, 0, "<init>(S)V", ce_init },
    { VM_NAT_STATIC, 1, "throwIt(S)V", ce_throw },
    { VM_NAT_VIRTUAL, 1, "getReason()S", ce_get_reason },
    { VM_NAT_VIRTUAL, 2, "setReason(S)V", ce_set_reason },
};
const size_t api_cryptoexc_nmethods = CL_ARRAY_LEN(api_cryptoexc_methods);

/* --- refused classes --- */
const vm_native_method_t api_checksum_methods[] = {
    { VM_NAT_STATIC, 0, "getInstance(BZ)Ljavacard/security/Checksum;", refuse },
};
const size_t api_checksum_nmethods = CL_ARRAY_LEN(api_checksum_methods);
const vm_native_method_t api_oneshot_md_methods[] = {
    { VM_NAT_STATIC, 0, "open(B)Ljavacard/security/MessageDigest$OneShot;", refuse },
};
const size_t api_oneshot_md_nmethods = CL_ARRAY_LEN(api_oneshot_md_methods);
const vm_native_method_t api_oneshot_initmd_methods[] = {
    { VM_NAT_STATIC, 0, "open(B)Ljavacard/security/InitializedMessageDigest$OneShot;", refuse },
};
const size_t api_oneshot_initmd_nmethods = CL_ARRAY_LEN(api_oneshot_initmd_methods);
const vm_native_method_t api_oneshot_random_methods[] = {
    { VM_NAT_STATIC, 0, "open(B)Ljavacard/security/RandomData$OneShot;", refuse },
};
const size_t api_oneshot_random_nmethods = CL_ARRAY_LEN(api_oneshot_random_methods);
const vm_native_method_t api_oneshot_sig_methods[] = {
    { VM_NAT_STATIC, 0, "open(BBB)Ljavacard/security/Signature$OneShot;", refuse },
};
const size_t api_oneshot_sig_nmethods = CL_ARRAY_LEN(api_oneshot_sig_methods);
