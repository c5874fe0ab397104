/* api_keys: KeyBuilder and the key objects (AES, DES3, HMAC, EC prime field, RSA).
 *
 * A key object (class SEC_IMPL_*, all below our KeyImpl) has three cells: 0 the KeyBuilder
 * type, 1 the length given to buildKey, 2 the handle of its material array. The material array
 * is persistent (owned by the JCRE) for persistent types and transient (CLEAR_ON_RESET /
 * CLEAR_ON_DESELECT, owned by the creating context so its deselection clears it) otherwise,
 * so a transient key reads as uninitialized after a reset, like on a real card.
 *
 * Material layout: u16 handle of the key object the array belongs to, u16 mask of the components
 * set, then per component a u16 length and room for its largest value. The handle binds a
 * persistent (JCRE-owned) array to its one key: an applet may write its own key object's cells
 * (a hostile CAP can putfield them), and without the binding it could name another applet's
 * material there and read or overwrite that key. (Transient material is owned by the key's own
 * context, which the owner check enforces; its binding is cleared with it at reset/deselect.)
 * A component is stored (length and bytes in one heap write) before its mask bit, so a power
 * cut never leaves a half-written component marked as set; writes join an open transaction.
 * clearKey zeroes mask and components at once (not transactional: a secret is wiped even if the
 * transaction aborts), keeping the binding. */
#include "vm/api_crypto_int.h"

#include <string.h>

enum { KC_TYPE = 0, KC_BITS = 1, KC_DATA = 2, KC_CELLS = 3 };
/* Offsets in the material array: the owning key's handle, the mask, the first component. */
enum { KM_OWNER = 0, KM_MASK = 2, KM_COMPS = 4 };
#define HMAC_MAX_KEY 128

/* Family, material array flags, and whether the length is one this card offers. */
static int key_family(uint8_t type, int16_t bits, uint8_t *flags)
{
    *flags = 0;
    switch (type) {
    case KT_AES_TR: *flags = VM_OF_CLEAR_ON_RESET; /* fall through */
    case KT_AES_TD: if (type == KT_AES_TD) *flags = VM_OF_CLEAR_ON_DESELECT; /* fall through */
    case KT_AES: return bits == 128 || bits == 192 || bits == 256 ? KF_AES : -1;
    case KT_DES_TR: *flags = VM_OF_CLEAR_ON_RESET; /* fall through */
    case KT_DES_TD: if (type == KT_DES_TD) *flags = VM_OF_CLEAR_ON_DESELECT; /* fall through */
    case KT_DES: return bits == 128 || bits == 192 ? KF_DES : -1; /* single DES is refused */
    case KT_HMAC_TR: *flags = VM_OF_CLEAR_ON_RESET; /* fall through */
    case KT_HMAC_TD: if (type == KT_HMAC_TD) *flags = VM_OF_CLEAR_ON_DESELECT; /* fall through */
    case KT_HMAC: return bits >= 1 && bits <= HMAC_MAX_KEY * 8 ? KF_HMAC : -1;
    case KT_EC_FP_PRIV_TR: *flags = VM_OF_CLEAR_ON_RESET; /* fall through */
    case KT_EC_FP_PRIV_TD: if (type == KT_EC_FP_PRIV_TD) *flags = VM_OF_CLEAR_ON_DESELECT; /* fall through */
    case KT_EC_FP_PRIV:
    case KT_EC_FP_PUB:
        if (bits != 224 && bits != 256 && bits != 384 && bits != 521 && bits != 192 && bits != 160) return -1;
        return type == KT_EC_FP_PUB ? KF_EC_PUB : KF_EC_PRIV;
    case KT_RSA_PRIV_TR: *flags = VM_OF_CLEAR_ON_RESET; /* fall through */
    case KT_RSA_PRIV_TD: if (type == KT_RSA_PRIV_TD) *flags = VM_OF_CLEAR_ON_DESELECT; /* fall through */
    case KT_RSA_PRIV:
    case KT_RSA_PUB:
        if (bits < 512 || bits > 2048 || bits % 32) return -1;
        return type == KT_RSA_PUB ? KF_RSA_PUB : KF_RSA_PRIV;
    case KT_RSA_CRT_TR: *flags = VM_OF_CLEAR_ON_RESET; /* fall through */
    case KT_RSA_CRT_TD: if (type == KT_RSA_CRT_TD) *flags = VM_OF_CLEAR_ON_DESELECT; /* fall through */
    case KT_RSA_CRT: return bits >= 512 && bits <= 2048 && bits % 32 == 0 ? KF_RSA_CRT : -1;
    default: return -1;
    }
}

/* Largest value of each component; returns the component count. */
static int key_layout(int family, uint16_t bits, uint16_t max[API_KEY_MAXCOMP])
{
    uint16_t nb = (uint16_t)((bits + 7) / 8);
    switch (family) {
    case KF_AES: case KF_DES: max[0] = nb; return 1;
    case KF_HMAC: max[0] = HMAC_MAX_KEY; return 1;
    case KF_EC_PUB: case KF_EC_PRIV:
        max[EC_FIELD] = max[EC_A] = max[EC_B] = nb;
        max[EC_G] = (uint16_t)(1 + 2 * nb);
        max[EC_R] = (uint16_t)(nb + 1);
        max[EC_K] = 2;
        max[EC_WS] = family == KF_EC_PUB ? (uint16_t)(1 + 2 * nb) : (uint16_t)(nb + 1);
        return 7;
    case KF_RSA_PUB: case KF_RSA_PRIV: max[RSA_MOD] = max[RSA_EXP] = nb; return 2;
    case KF_RSA_CRT:
        for (int i = 0; i < 5; i++) max[i] = (uint16_t)((nb + 1) / 2);
        return 5;
    default: return 0;
    }
}

static uint32_t key_data_size(int ncomp, const uint16_t *max)
{
    uint32_t n = KM_COMPS;
    for (int i = 0; i < ncomp; i++) n += 2u + max[i];
    return n;
}

static uint32_t comp_offset(int i, const uint16_t *max)
{
    uint32_t n = KM_COMPS;
    for (int k = 0; k < i; k++) n += 2u + max[k];
    return n;
}

/* Components an operation needs (EC: K defaults to 1). */
static uint16_t required_mask(int family)
{
    switch (family) {
    case KF_EC_PUB: case KF_EC_PRIV: return 0x7F & ~(1u << EC_K);
    case KF_RSA_PUB: case KF_RSA_PRIV: return 0x3;
    case KF_RSA_CRT: return 0x1F;
    default: return 0x1;
    }
}

static uint8_t impl_class(int family)
{
    switch (family) {
    case KF_AES: return SEC_IMPL_AES;
    case KF_DES: return SEC_IMPL_DES;
    case KF_HMAC: return SEC_IMPL_HMAC;
    case KF_EC_PUB: return SEC_IMPL_ECPUB;
    case KF_EC_PRIV: return SEC_IMPL_ECPRIV;
    case KF_RSA_PUB: return SEC_IMPL_RSAPUB;
    case KF_RSA_PRIV: return SEC_IMPL_RSAPRIV;
    default: return SEC_IMPL_RSACRT;
    }
}

int api_key_build(vm_t *vm, uint8_t type, int16_t bits, uint16_t *ref)
{
    uint8_t flags;
    int family = key_family(type, bits, &flags);
    if (family < 0) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    uint16_t max[API_KEY_MAXCOMP];
    int n = key_layout(family, (uint16_t)bits, max);
    uint16_t data;
    int r = vm_obj_new_instance(vm, VM_CLASS_ID(VM_PKG_SECURITY, impl_class(family)), vm->cur_ctx, ref);
    if (r) return VM_NAT_THROW;
    r = vm_heap_alloc(vm->heap, VM_KIND_ARRAY, flags, flags ? vm->cur_ctx : VM_CTX_JCRE, VM_T_BYTE, 0,
                      key_data_size(n, max), &data);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    vm_obj_t o, d;
    if (!vm_heap_get(vm->heap, *ref, &o) || o.len < KC_CELLS || !vm_heap_get(vm->heap, data, &d)) {
        vm_throw_security(vm, "key object");
        return VM_NAT_THROW;
    }
    uint8_t owner[2];
    cl_put16(owner, *ref);
    r = vm_heap_write(vm->heap, &d, KM_OWNER, owner, 2, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    uint8_t b[2 * KC_CELLS];
    cl_put16(b, type);
    cl_put16(b + 2, (uint16_t)bits);
    cl_put16(b + 4, data);
    r = vm_heap_write(vm->heap, &o, 0, b, sizeof b, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

/* Reads a key; data (if not NULL) receives the material array object. */
static bool key_read(vm_t *vm, uint16_t ref, api_key_t *k, vm_obj_t *data)
{
    vm_obj_t o, d;
    memset(k, 0, sizeof *k);
    if (!vm_obj_get(vm, ref, &o)) return false;
    uint8_t idx = (uint8_t)o.cls;
    if (o.kind != VM_KIND_INSTANCE || VM_CLASS_PKG(o.cls) != VM_PKG_SECURITY || idx < SEC_IMPL_AES ||
        idx > SEC_IMPL_RSACRT || o.len < KC_CELLS) {
        api_throw(vm, CE_ILLEGAL_VALUE);
        return false;
    }
    if (!vm_fw_can_access(vm, &o)) { vm_throw_security(vm, "firewall: key of another context"); return false; }
    uint16_t c[KC_CELLS];
    for (int i = 0; i < KC_CELLS; i++)
        if (!vm_obj_cell(vm, &o, (uint32_t)i, &c[i])) return false;
    uint8_t flags;
    int family = key_family((uint8_t)c[KC_TYPE], (int16_t)c[KC_BITS], &flags);
    uint16_t max[API_KEY_MAXCOMP];
    int n = family > 0 ? key_layout(family, c[KC_BITS], max) : 0;
    /* A key object made by `new` of our class (never through buildKey) has no material; and the
     * material array must be the one buildKey makes (JCRE-owned, or the key owner's transient
     * array), never some other array a forged cell could name. */
    if (n == 0 || !vm_heap_get(vm->heap, c[KC_DATA], &d) || d.kind != VM_KIND_ARRAY || d.etype != VM_T_BYTE ||
        d.len != key_data_size(n, max) || (d.flags & VM_OF_TRANSIENT) != flags ||
        d.owner != (flags ? o.owner : VM_CTX_JCRE)) {
        api_throw(vm, CE_ILLEGAL_VALUE);
        return false;
    }
    const uint8_t *p = vm_heap_data(vm->heap, &d);
    if (!p) { vm_throw_store_error(vm, VM_ERR_NOMEM); return false; }
    if (!flags && cl_get16(p + KM_OWNER) != ref) { /* another key's material (see the top of the file) */
        api_throw(vm, CE_ILLEGAL_VALUE);
        return false;
    }
    k->ref = ref;
    k->type = (uint8_t)c[KC_TYPE];
    k->family = (uint8_t)family;
    k->bits = c[KC_BITS];
    k->ncomp = (uint8_t)n;
    k->mask = cl_get16(p + KM_MASK);
    for (int i = 0; i < n; i++) {
        uint32_t off = comp_offset(i, max);
        uint16_t len = cl_get16(p + off);
        if (!(k->mask & (1u << i))) continue;
        if (len > max[i]) { k->mask &= (uint16_t)~(1u << i); continue; } /* damaged: treat as unset */
        k->len[i] = len;
        k->comp[i] = p + off + 2;
    }
    if (data) *data = d;
    return true;
}

bool api_key_load(vm_t *vm, uint16_t ref, api_key_t *k) { return key_read(vm, ref, k, NULL); }

void api_key_des3(const uint8_t *k, uint16_t len, uint8_t out[24])
{
    memcpy(out, k, 16);
    memcpy(out + 16, len == 24 ? k + 16 : k, 8);
}

bool api_key_ready(vm_t *vm, const api_key_t *k)
{
    uint16_t need = required_mask(k->family);
    if ((k->mask & need) != need) { api_throw(vm, CE_UNINITIALIZED_KEY); return false; }
    return true;
}

/* Stores component i of the key ref (already validated bytes). */
bool api_key_store(vm_t *vm, uint16_t ref, int i, const uint8_t *p, uint16_t len)
{
    api_key_t k;
    vm_obj_t d;
    if (!key_read(vm, ref, &k, &d)) return false;
    uint16_t max[API_KEY_MAXCOMP];
    key_layout(k.family, k.bits, max);
    if (i >= k.ncomp || len > max[i]) { api_throw(vm, CE_ILLEGAL_VALUE); return false; }
    uint8_t tmp[2 + 520];
    cl_put16(tmp, len);
    memcpy(tmp + 2, p, len);
    int r = vm_heap_write(vm->heap, &d, comp_offset(i, max), tmp, 2u + len, true);
    cl_wipe(tmp, sizeof tmp);
    if (!r) {
        uint8_t m[2];
        cl_put16(m, (uint16_t)(k.mask | (1u << i)));
        r = vm_heap_write(vm->heap, &d, KM_MASK, m, 2, true);
    }
    if (r) { vm_throw_store_error(vm, r); return false; }
    return true;
}

bool api_key_atomic_begin(vm_t *vm, bool *own)
{
    *own = !img_group_open(vm->img);
    if (*own && img_group_begin(vm->img) != 0) { vm_throw_store_error(vm, VM_ERR_IO); return false; }
    return true;
}

bool api_key_atomic_end(vm_t *vm, bool own, bool ok)
{
    if (!own) return ok;
    if (!ok) { img_group_abort(vm->img); return false; }
    if (img_group_commit(vm->img) != 0) { vm_throw_store_error(vm, VM_ERR_IO); return false; } /* it aborted */
    return true;
}

/* --- Key interface --- */

static int key_clear(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    api_key_t k;
    vm_obj_t d;
    if (!key_read(vm, args[0], &k, &d)) return VM_NAT_THROW;
    int r = vm_heap_fill(vm->heap, &d, KM_MASK, 0, d.len - KM_MASK, false);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

static int key_size(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    ret[0] = k.bits;
    return VM_NAT_OK;
}

static int key_type(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    ret[0] = k.type;
    return VM_NAT_OK;
}

static int key_is_init(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    uint16_t need = required_mask(k.family);
    ret[0] = (k.mask & need) == need;
    return VM_NAT_OK;
}

/* Strips leading zero bytes of a big-endian integer (a value, not a fixed-width encoding). */
static void strip_zeros(const uint8_t **p, int32_t *len)
{
    while (*len > 1 && (*p)[0] == 0) { (*p)++; (*len)--; }
}

/* set*(byte[] buf, short off, short len) of component i; integer: leading zeros dropped. */
static int key_set_comp(vm_t *vm, uint16_t *args, int i, bool integer)
{
    vm_obj_t in;
    int32_t len = (int16_t)args[3];
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], len, &in);
    if (!p) return VM_NAT_THROW;
    if (len < 1) return api_throw(vm, CE_ILLEGAL_VALUE);
    if (integer) strip_zeros(&p, &len);
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    uint16_t max[API_KEY_MAXCOMP];
    key_layout(k.family, k.bits, max);
    if (len > max[i]) return api_throw(vm, CE_ILLEGAL_VALUE);
    /* Points: uncompressed X9.62 form of the key's size only. */
    if ((k.family == KF_EC_PUB || k.family == KF_EC_PRIV) && (i == EC_G || (i == EC_WS && k.family == KF_EC_PUB)) &&
        (len != max[i] || p[0] != 0x04))
        return api_throw(vm, CE_ILLEGAL_VALUE);
    if (k.family == KF_RSA_PUB || k.family == KF_RSA_PRIV) {
        if (i == RSA_MOD && len != max[i]) return api_throw(vm, CE_ILLEGAL_VALUE); /* modulus of the key's size */
    }
    return api_key_store(vm, args[0], i, p, (uint16_t)len) ? VM_NAT_OK : VM_NAT_THROW;
}

/* get*(byte[] buf, short off): copies component i, returns its length. */
static int key_get_comp(vm_t *vm, uint16_t *args, uint16_t *ret, int i)
{
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    if (!(k.mask & (1u << i))) return api_throw(vm, CE_UNINITIALIZED_KEY);
    uint8_t tmp[520];
    uint16_t len = k.len[i];
    memcpy(tmp, k.comp[i], len);
    vm_obj_t out;
    bool ok = api_out(vm, args[1], (int16_t)args[2], len, &out) && api_write(vm, &out, (int16_t)args[2], tmp, len);
    cl_wipe(tmp, sizeof tmp);
    if (!ok) return VM_NAT_THROW;
    ret[0] = len;
    return VM_NAT_OK;
}

/* --- secret keys --- */

/* AESKey/DESKey.setKey(byte[] keyData, short kOff): the key's whole length from kOff. */
static int secret_set_fixed(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    uint16_t n = (uint16_t)(k.bits / 8);
    vm_obj_t in;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], n, &in);
    if (!p) return VM_NAT_THROW;
    uint8_t tmp[32];
    memcpy(tmp, p, n);
    bool ok = api_key_store(vm, args[0], 0, tmp, n);
    cl_wipe(tmp, sizeof tmp);
    return ok ? VM_NAT_OK : VM_NAT_THROW;
}

static int secret_get(vm_t *vm, uint16_t *args, uint16_t *ret) { return key_get_comp(vm, args, ret, 0); }

/* HMACKey.setKey(byte[] keyData, short kOff, short kLen). */
static int hmac_set(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t in;
    int32_t len = (int16_t)args[3];
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], len, &in);
    if (!p) return VM_NAT_THROW;
    if (len < 1 || len > HMAC_MAX_KEY) return api_throw(vm, CE_ILLEGAL_VALUE);
    uint8_t tmp[HMAC_MAX_KEY];
    memcpy(tmp, p, (size_t)len);
    bool ok = api_key_store(vm, args[0], 0, tmp, (uint16_t)len);
    cl_wipe(tmp, sizeof tmp);
    return ok ? VM_NAT_OK : VM_NAT_THROW;
}

/* --- EC keys --- */
#define EC_SET(name, comp, integer) \
    static int name(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return key_set_comp(vm, args, comp, integer); }
#define EC_GET(name, comp) \
    static int name(vm_t *vm, uint16_t *args, uint16_t *ret) { return key_get_comp(vm, args, ret, comp); }
EC_SET(ec_set_field, EC_FIELD, true)
EC_SET(ec_set_a, EC_A, false)
EC_SET(ec_set_b, EC_B, false)
EC_SET(ec_set_g, EC_G, false)
EC_SET(ec_set_r, EC_R, true)
EC_SET(ec_set_ws, EC_WS, false)
EC_SET(ec_set_s, EC_WS, true)
EC_GET(ec_get_field, EC_FIELD)
EC_GET(ec_get_a, EC_A)
EC_GET(ec_get_b, EC_B)
EC_GET(ec_get_g, EC_G)
EC_GET(ec_get_r, EC_R)
EC_GET(ec_get_ws, EC_WS)

static int ec_set_f2m(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; (void)ret; return api_throw(vm, CE_ILLEGAL_VALUE); }

static int ec_set_k(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    uint8_t b[2];
    cl_put16(b, args[1]);
    if ((int16_t)args[1] < 1) return api_throw(vm, CE_ILLEGAL_VALUE);
    return api_key_store(vm, args[0], EC_K, b, 2) ? VM_NAT_OK : VM_NAT_THROW;
}

static int ec_get_k(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    api_key_t k;
    if (!key_read(vm, args[0], &k, NULL)) return VM_NAT_THROW;
    if (!(k.mask & (1u << EC_K))) return api_throw(vm, CE_UNINITIALIZED_KEY);
    ret[0] = cl_get16(k.comp[EC_K]);
    return VM_NAT_OK;
}

static int ec_copy_domain(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    api_key_t from, to;
    if (!key_read(vm, args[1], &from, NULL) || !key_read(vm, args[0], &to, NULL)) return VM_NAT_THROW;
    bool ec_from = from.family == KF_EC_PUB || from.family == KF_EC_PRIV;
    if (!ec_from || from.bits != to.bits) return api_throw(vm, CE_ILLEGAL_VALUE);
    uint16_t need = (1u << EC_FIELD) | (1u << EC_A) | (1u << EC_B) | (1u << EC_G) | (1u << EC_R);
    if ((from.mask & need) != need) return api_throw(vm, CE_UNINITIALIZED_KEY);
    bool own, ok = api_key_atomic_begin(vm, &own); /* never half old, half new parameters */
    for (int i = EC_FIELD; ok && i <= EC_K; i++) {
        if (!(from.mask & (1u << i))) continue;
        uint8_t tmp[200];
        uint16_t len = from.len[i];
        memcpy(tmp, from.comp[i], len);
        ok = api_key_store(vm, args[0], i, tmp, len) && key_read(vm, args[1], &from, NULL); /* pointers moved by the store */
    }
    return api_key_atomic_end(vm, own, ok) ? VM_NAT_OK : VM_NAT_THROW;
}

/* --- RSA keys --- */
#define RSA_SET(name, comp) \
    static int name(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; return key_set_comp(vm, args, comp, true); }
#define RSA_GET(name, comp) \
    static int name(vm_t *vm, uint16_t *args, uint16_t *ret) { return key_get_comp(vm, args, ret, comp); }
RSA_SET(rsa_set_mod, RSA_MOD)
RSA_SET(rsa_set_exp, RSA_EXP)
RSA_GET(rsa_get_mod, RSA_MOD)
RSA_GET(rsa_get_exp, RSA_EXP)
RSA_SET(crt_set_p, CRT_P)
RSA_SET(crt_set_q, CRT_Q)
RSA_SET(crt_set_dp1, CRT_DP1)
RSA_SET(crt_set_dq1, CRT_DQ1)
RSA_SET(crt_set_pq, CRT_PQ)
RSA_GET(crt_get_p, CRT_P)
RSA_GET(crt_get_q, CRT_Q)
RSA_GET(crt_get_dp1, CRT_DP1)
RSA_GET(crt_get_dq1, CRT_DQ1)
RSA_GET(crt_get_pq, CRT_PQ)

/* --- KeyBuilder --- */

static int kb_build(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    /* buildKey(byte keyType, short keyLength, boolean keyEncryption): encryption is not offered. */
    if (args[2]) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return api_key_build(vm, (uint8_t)args[0], (int16_t)args[1], &ret[0]);
}

/* buildKey(byte algorithmicKeyType, byte keyMemoryType, short keyLength, boolean keyEncryption):
 * the same keys by KeyBuilder.ALG_TYPE_* and JCSystem.MEMORY_TYPE_* (persistent, reset, deselect). */
static int kb_build_mem(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    /* Per algorithmic type: the TYPE_ for persistent, CLEAR_ON_RESET, CLEAR_ON_DESELECT (0: not offered). */
    static const uint8_t types[][3] = {
        [1] = { KT_DES, KT_DES_TR, KT_DES_TD },
        [2] = { KT_AES, KT_AES_TR, KT_AES_TD },
        [7] = { KT_EC_FP_PUB, 0, 0 },
        [8] = { KT_EC_FP_PRIV, KT_EC_FP_PRIV_TR, KT_EC_FP_PRIV_TD },
        [9] = { KT_HMAC, KT_HMAC_TR, KT_HMAC_TD },
        [11] = { KT_RSA_PUB, 0, 0 },
        [12] = { KT_RSA_PRIV, KT_RSA_PRIV_TR, KT_RSA_PRIV_TD },
        [13] = { KT_RSA_CRT, KT_RSA_CRT_TR, KT_RSA_CRT_TD },
    };
    uint8_t alg = (uint8_t)args[0], mem = (uint8_t)args[1];
    if (args[3] || alg >= CL_ARRAY_LEN(types) || mem > 2 || !types[alg][mem]) return api_throw(vm, CE_NO_SUCH_ALGORITHM);
    return api_key_build(vm, types[alg][mem], (int16_t)args[2], &ret[0]);
}

static int kb_shared_domain(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args; (void)ret;
    return api_throw(vm, CE_NO_SUCH_ALGORITHM);
}

const vm_native_method_t api_keybuilder_methods[] = {
    { VM_NAT_STATIC, 0, "buildKey(BSZ)Ljavacard/security/Key;", kb_build },
    { VM_NAT_STATIC, 1, "buildKey(BBSZ)Ljavacard/security/Key;", kb_build_mem },
    { VM_NAT_STATIC, 2, "buildKeyWithSharedDomain(BBLjavacard/security/Key;Z)Ljavacard/security/Key;", kb_shared_domain },
};
const size_t api_keybuilder_nmethods = CL_ARRAY_LEN(api_keybuilder_methods);

/* --- the implementation classes; virtual tokens are the most specific interface's + 1 (0 is Object.equals) --- */

static const vm_native_method_t key_base_m[] = {
    { VM_NAT_VIRTUAL, 1, "clearKey()V", key_clear },
    { VM_NAT_VIRTUAL, 2, "getSize()S", key_size },
    { VM_NAT_VIRTUAL, 3, "getType()B", key_type },
    { VM_NAT_VIRTUAL, 4, "isInitialized()Z", key_is_init },
};
static const vm_native_method_t aes_m[] = {
    { VM_NAT_VIRTUAL, 5, "setKey([BS)V", secret_set_fixed },
    { VM_NAT_VIRTUAL, 6, "getKey([BS)B", secret_get },
};
static const vm_native_method_t hmac_m[] = {
    { VM_NAT_VIRTUAL, 5, "setKey([BSS)V", hmac_set },
    { VM_NAT_VIRTUAL, 6, "getKey([BS)B", secret_get },
};
#define EC_COMMON_M \
    { VM_NAT_VIRTUAL, 5, "setFieldFP([BSS)V", ec_set_field }, { VM_NAT_VIRTUAL, 6, "setFieldF2M(S)V", ec_set_f2m }, \
    { VM_NAT_VIRTUAL, 7, "setFieldF2M(SSS)V", ec_set_f2m }, { VM_NAT_VIRTUAL, 8, "setA([BSS)V", ec_set_a }, \
    { VM_NAT_VIRTUAL, 9, "setB([BSS)V", ec_set_b }, { VM_NAT_VIRTUAL, 10, "setG([BSS)V", ec_set_g }, \
    { VM_NAT_VIRTUAL, 11, "setR([BSS)V", ec_set_r }, { VM_NAT_VIRTUAL, 12, "setK(S)V", ec_set_k }, \
    { VM_NAT_VIRTUAL, 13, "getField([BS)S", ec_get_field }, { VM_NAT_VIRTUAL, 14, "getA([BS)S", ec_get_a }, \
    { VM_NAT_VIRTUAL, 15, "getB([BS)S", ec_get_b }, { VM_NAT_VIRTUAL, 16, "getG([BS)S", ec_get_g }, \
    { VM_NAT_VIRTUAL, 17, "getR([BS)S", ec_get_r }, { VM_NAT_VIRTUAL, 18, "getK()S", ec_get_k }, \
    { VM_NAT_VIRTUAL, 21, "copyDomainParametersFrom(Ljavacard/security/ECKey;)V", ec_copy_domain }
static const vm_native_method_t ecpub_m[] = {
    EC_COMMON_M,
    { VM_NAT_VIRTUAL, 19, "setW([BSS)V", ec_set_ws },
    { VM_NAT_VIRTUAL, 20, "getW([BS)S", ec_get_ws },
};
static const vm_native_method_t ecpriv_m[] = {
    EC_COMMON_M,
    { VM_NAT_VIRTUAL, 19, "setS([BSS)V", ec_set_s },
    { VM_NAT_VIRTUAL, 20, "getS([BS)S", ec_get_ws },
};
static const vm_native_method_t rsa_m[] = {
    { VM_NAT_VIRTUAL, 5, "getExponent([BS)S", rsa_get_exp },
    { VM_NAT_VIRTUAL, 6, "getModulus([BS)S", rsa_get_mod },
    { VM_NAT_VIRTUAL, 7, "setExponent([BSS)V", rsa_set_exp },
    { VM_NAT_VIRTUAL, 8, "setModulus([BSS)V", rsa_set_mod },
};
static const vm_native_method_t crt_m[] = {
    { VM_NAT_VIRTUAL, 5, "getDP1([BS)S", crt_get_dp1 }, { VM_NAT_VIRTUAL, 6, "getDQ1([BS)S", crt_get_dq1 },
    { VM_NAT_VIRTUAL, 7, "getP([BS)S", crt_get_p }, { VM_NAT_VIRTUAL, 8, "getPQ([BS)S", crt_get_pq },
    { VM_NAT_VIRTUAL, 9, "getQ([BS)S", crt_get_q }, { VM_NAT_VIRTUAL, 10, "setDP1([BSS)V", crt_set_dp1 },
    { VM_NAT_VIRTUAL, 11, "setDQ1([BSS)V", crt_set_dq1 }, { VM_NAT_VIRTUAL, 12, "setP([BSS)V", crt_set_p },
    { VM_NAT_VIRTUAL, 13, "setPQ([BSS)V", crt_set_pq }, { VM_NAT_VIRTUAL, 14, "setQ([BSS)V", crt_set_q },
};

/* Interface method token -> virtual token maps. */
static const uint8_t map_key[] = { 1, 2, 3, 4 };
static const uint8_t map_secret6[] = { 1, 2, 3, 4, 5, 6 };
static const uint8_t map_des[] = { 1, 2, 3, 4, 6, 5 }; /* DESKey lists getKey (4) before setKey (5) */
static const uint8_t map_ec_full[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 };
static const uint8_t map_eckey[] = { 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 21 };
static const uint8_t map_rsa[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t map_crt[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };

#define IF(tok, map) { VM_PKG_SECURITY, tok, (uint8_t)CL_ARRAY_LEN(map), map }
static const vm_native_iface_t aes_if[] = { IF(SEC_KEY, map_key), IF(SEC_SECRETKEY, map_key), IF(SEC_AESKEY, map_secret6) };
static const vm_native_iface_t des_if[] = { IF(SEC_KEY, map_key), IF(SEC_SECRETKEY, map_key), IF(SEC_DESKEY, map_des) };
static const vm_native_iface_t hmac_if[] = { IF(SEC_KEY, map_key), IF(SEC_SECRETKEY, map_key), IF(SEC_HMACKEY, map_secret6) };
static const vm_native_iface_t ecpub_if[] = { IF(SEC_KEY, map_key), IF(SEC_PUBLICKEY, map_key), IF(SEC_ECKEY, map_eckey),
                                              IF(SEC_ECPUB, map_ec_full) };
static const vm_native_iface_t ecpriv_if[] = { IF(SEC_KEY, map_key), IF(SEC_PRIVATEKEY, map_key), IF(SEC_ECKEY, map_eckey),
                                               IF(SEC_ECPRIV, map_ec_full) };
static const vm_native_iface_t rsapub_if[] = { IF(SEC_KEY, map_key), IF(SEC_PUBLICKEY, map_key), IF(SEC_RSAPUB, map_rsa) };
static const vm_native_iface_t rsapriv_if[] = { IF(SEC_KEY, map_key), IF(SEC_PRIVATEKEY, map_key), IF(SEC_RSAPRIV, map_rsa) };
static const vm_native_iface_t crt_if[] = { IF(SEC_KEY, map_key), IF(SEC_PRIVATEKEY, map_key), IF(SEC_RSACRT, map_crt) };

#define IMPL(tok, name, m, ifs) \
    { VM_PKG_SECURITY, tok, "javacard/security/" name, VM_PKG_SECURITY, SEC_IMPL_KEY, 0, 0, m, CL_ARRAY_LEN(m), ifs, CL_ARRAY_LEN(ifs) }
const vm_native_class_t api_key_classes[API_KEY_NCLASSES] = {
    { VM_PKG_SECURITY, SEC_IMPL_KEY, "javacard/security/KeyImpl", VM_PKG_JAVA_LANG, 0, 0, KC_CELLS, key_base_m,
      CL_ARRAY_LEN(key_base_m), NULL, 0 },
    IMPL(SEC_IMPL_AES, "AESKeyImpl", aes_m, aes_if),
    IMPL(SEC_IMPL_DES, "DESKeyImpl", aes_m, des_if),
    IMPL(SEC_IMPL_HMAC, "HMACKeyImpl", hmac_m, hmac_if),
    IMPL(SEC_IMPL_ECPUB, "ECPublicKeyImpl", ecpub_m, ecpub_if),
    IMPL(SEC_IMPL_ECPRIV, "ECPrivateKeyImpl", ecpriv_m, ecpriv_if),
    IMPL(SEC_IMPL_RSAPUB, "RSAPublicKeyImpl", rsa_m, rsapub_if),
    IMPL(SEC_IMPL_RSAPRIV, "RSAPrivateKeyImpl", rsa_m, rsapriv_if),
    IMPL(SEC_IMPL_RSACRT, "RSAPrivateCrtKeyImpl", crt_m, crt_if),
};
const size_t api_key_nclasses = CL_ARRAY_LEN(api_key_classes);
