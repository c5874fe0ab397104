/* api_crypto_ops: running state of crypto operation objects, plus small helpers every crypto
 * native uses (throwing CryptoException, writing output arrays).
 *
 * OpenSSL contexts cannot live in the card image, so a Signature/Cipher/MessageDigest keeps
 * its running state in this host table, keyed by (VM, object handle, nonce). The nonce is
 * stored in a JCRE-owned CLEAR_ON_RESET array the object references: a card reset zeroes it,
 * so stale state is never found again (the object reads as uninitialized, as on a real card
 * where this state is in RAM). The table is bounded; when full the least recently used state
 * is dropped and its object reports "state lost" instead of ever giving a wrong result. */
#include "vm/api_crypto_int.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define API_OPS_MAX 128

static api_op_t *ops[API_OPS_MAX];
static uint32_t next_nonce = 1;
static uint64_t use_clock;
static pthread_mutex_t ops_lock = PTHREAD_MUTEX_INITIALIZER;

int api_throw(vm_t *vm, int reason)
{
    vm_throw_api(vm, VM_PKG_SECURITY, SEC_CRYPTOEXC, (int16_t)reason);
    return VM_NAT_THROW;
}

int api_op_new_object(vm_t *vm, uint8_t pkg, uint8_t token, uint8_t alg, uint16_t *ref)
{
    uint16_t nonce, bind;
    vm_obj_t o, bo;
    int r = vm_obj_new_instance(vm, VM_CLASS_ID(pkg, token), vm->cur_ctx, ref);
    if (r) return r;
    r = vm_heap_alloc(vm->heap, VM_KIND_ARRAY, VM_OF_CLEAR_ON_RESET, VM_CTX_JCRE, VM_T_BYTE, 0, 4, &nonce);
    if (!r) r = vm_heap_alloc(vm->heap, VM_KIND_ARRAY, 0, VM_CTX_JCRE, VM_T_BYTE, 0, 4, &bind);
    if (r) { vm_throw_store_error(vm, r); return r; }
    if (!vm_heap_get(vm->heap, *ref, &o) || o.len < OP_CELLS || !vm_heap_get(vm->heap, bind, &bo)) {
        vm_throw_security(vm, "operation object");
        return VM_ERR_BAD;
    }
    uint8_t b[2 * OP_CELLS];
    cl_put16(b, *ref);
    cl_put16(b + 2, nonce);
    r = vm_heap_write(vm->heap, &bo, 0, b, 4, true);
    if (r) { vm_throw_store_error(vm, r); return r; }
    cl_put16(b + 2 * OP_ALG, alg);
    cl_put16(b + 2 * OP_NONCE, nonce);
    cl_put16(b + 2 * OP_BIND, bind);
    r = vm_heap_write(vm->heap, &o, 0, b, sizeof b, true);
    if (r) { vm_throw_store_error(vm, r); return r; }
    return VM_OK;
}

/* Reads cells of an operation object the caller may use. */
static bool op_cells(vm_t *vm, uint16_t ref, uint16_t c[OP_CELLS])
{
    vm_obj_t o;
    if (!vm_obj_get(vm, ref, &o)) return false;
    if (o.kind != VM_KIND_INSTANCE || o.len < OP_CELLS) { vm_throw_security(vm, "not a crypto object"); return false; }
    if (!vm_fw_can_access(vm, &o)) { vm_throw_security(vm, "firewall: crypto object of another context"); return false; }
    for (int i = 0; i < OP_CELLS; i++)
        if (!vm_obj_cell(vm, &o, (uint32_t)i, &c[i])) return false;
    return true;
}

bool api_op_object(vm_t *vm, uint16_t ref, uint8_t *alg)
{
    uint16_t c[OP_CELLS];
    if (!op_cells(vm, ref, c)) return false;
    *alg = (uint8_t)c[OP_ALG];
    return true;
}

/* A JCRE-owned byte array of 4 elements with these transient flags. */
static bool jcre_quad(vm_t *vm, uint16_t handle, uint8_t transient, vm_obj_t *a)
{
    return vm_heap_get(vm->heap, handle, a) && a->kind == VM_KIND_ARRAY && a->etype == VM_T_BYTE && a->len == 4 &&
           a->owner == VM_CTX_JCRE && (a->flags & VM_OF_TRANSIENT) == transient;
}

/* The nonce array of an operation object (vm_obj_t of it), checked against the object's binding. */
static bool nonce_array(vm_t *vm, uint16_t ref, vm_obj_t *n, uint32_t *value)
{
    uint16_t c[OP_CELLS];
    vm_obj_t bo;
    if (!op_cells(vm, ref, c)) return false;
    const uint8_t *bind = jcre_quad(vm, c[OP_BIND], 0, &bo) ? vm_heap_data(vm->heap, &bo) : NULL;
    if (!bind || cl_get16(bind) != ref || cl_get16(bind + 2) != c[OP_NONCE] ||
        !jcre_quad(vm, c[OP_NONCE], VM_OF_CLEAR_ON_RESET, n)) {
        vm_throw_security(vm, "crypto object state damaged");
        return false;
    }
    const uint8_t *d = vm_heap_data(vm->heap, n);
    if (!d) { vm_throw_store_error(vm, VM_ERR_NOMEM); return false; }
    *value = cl_get32(d);
    return true;
}

void api_op_drop(api_op_t *op)
{
    if (!op) return;
    EVP_MD_CTX_free(op->md);
    EVP_MAC_CTX_free(op->mac);
    EVP_CIPHER_CTX_free(op->cipher);
    EVP_PKEY_free(op->pkey);
    if (op->acc) OPENSSL_clear_free(op->acc, op->acccap);
    pthread_mutex_lock(&ops_lock);
    for (int i = 0; i < API_OPS_MAX; i++)
        if (ops[i] == op) ops[i] = NULL;
    pthread_mutex_unlock(&ops_lock);
    OPENSSL_clear_free(op, sizeof *op);
}

api_op_t *api_op_find(vm_t *vm, uint16_t ref, bool *lost)
{
    vm_obj_t n;
    uint32_t nonce;
    *lost = false;
    if (!nonce_array(vm, ref, &n, &nonce)) return NULL;
    if (!nonce) return NULL;
    api_op_t *found = NULL;
    pthread_mutex_lock(&ops_lock);
    for (int i = 0; i < API_OPS_MAX && !found; i++)
        if (ops[i] && ops[i]->vm == vm && ops[i]->handle == ref && ops[i]->nonce == nonce) found = ops[i];
    if (found) found->last_use = ++use_clock;
    pthread_mutex_unlock(&ops_lock);
    if (!found) *lost = true;
    return found;
}

api_op_t *api_op_live(vm_t *vm, uint16_t ref, uint8_t *alg)
{
    bool lost;
    if (!api_op_object(vm, ref, alg)) return NULL;
    api_op_t *op = api_op_find(vm, ref, &lost);
    if (vm->exc) return NULL;
    if (!op || op->alg != *alg) { api_throw(vm, CE_INVALID_INIT); return NULL; }
    return op;
}

/* Does op's object still name op: a live operation object whose bound nonce array holds op's nonce.
 * Reads the heap only (no exception, no firewall: the JCRE looks at its own bookkeeping). */
static bool op_named(vm_t *vm, const api_op_t *op)
{
    vm_obj_t o, bo, n;
    if (!vm_heap_get(vm->heap, op->handle, &o) || o.kind != VM_KIND_INSTANCE || o.len < OP_CELLS) return false;
    const uint8_t *c = vm_heap_data(vm->heap, &o);
    uint16_t nonce_h = c ? cl_get16(c + 2 * OP_NONCE) : 0, bind_h = c ? cl_get16(c + 2 * OP_BIND) : 0;
    const uint8_t *b = c && jcre_quad(vm, bind_h, 0, &bo) ? vm_heap_data(vm->heap, &bo) : NULL;
    if (!b || cl_get16(b) != op->handle || cl_get16(b + 2) != nonce_h || !jcre_quad(vm, nonce_h, VM_OF_CLEAR_ON_RESET, &n))
        return false;
    const uint8_t *d = vm_heap_data(vm->heap, &n);
    return d && cl_get32(d) == op->nonce;
}

/* Drops the states of vm that keep (all) or that their object no longer names (!all). */
static void drop_states(vm_t *vm, const vm_t *owner, bool all)
{
    api_op_t *mine[API_OPS_MAX];
    int n = 0;
    pthread_mutex_lock(&ops_lock);
    for (int i = 0; i < API_OPS_MAX; i++)
        if (ops[i] && ops[i]->vm == owner) mine[n++] = ops[i];
    pthread_mutex_unlock(&ops_lock);
    for (int i = 0; i < n; i++)
        if (all || !op_named(vm, mine[i])) api_op_drop(mine[i]);
}

void api_op_sweep(vm_t *vm) { drop_states(vm, vm, false); }
void api_op_close(const vm_t *vm) { drop_states(NULL, vm, true); }

unsigned api_op_count(const vm_t *vm)
{
    unsigned n = 0;
    pthread_mutex_lock(&ops_lock);
    for (int i = 0; i < API_OPS_MAX; i++) n += ops[i] && ops[i]->vm == vm;
    pthread_mutex_unlock(&ops_lock);
    return n;
}

api_op_t *api_op_fresh(vm_t *vm, uint16_t ref)
{
    bool lost;
    vm_obj_t n;
    uint32_t nonce;
    api_op_sweep(vm); /* room first from states nothing names any more */
    api_op_t *old = api_op_find(vm, ref, &lost);
    if (vm->exc) return NULL;
    api_op_drop(old);
    if (!nonce_array(vm, ref, &n, &nonce)) return NULL;
    api_op_t *op = OPENSSL_zalloc(sizeof *op);
    if (!op) { vm_throw_store_error(vm, VM_ERR_NOMEM); return NULL; }
    api_op_t *evict = NULL;
    pthread_mutex_lock(&ops_lock);
    int slot = -1;
    for (int i = 0; i < API_OPS_MAX && slot < 0; i++)
        if (!ops[i]) slot = i;
    if (slot < 0) { /* full: this VM's least recently used state goes. Never another VM's: that
                     * VM's thread may be using it, and only its own thread drops it. */
        for (int i = 0; i < API_OPS_MAX; i++)
            if (ops[i]->vm == vm && (slot < 0 || ops[i]->last_use < ops[slot]->last_use)) slot = i;
        if (slot < 0) {
            pthread_mutex_unlock(&ops_lock);
            OPENSSL_clear_free(op, sizeof *op);
            vm_throw_store_error(vm, VM_ERR_NOMEM); /* SystemException.NO_RESOURCE */
            return NULL;
        }
        evict = ops[slot];
        ops[slot] = NULL;
    }
    op->vm = vm;
    op->handle = ref;
    op->nonce = next_nonce++;
    if (!next_nonce) next_nonce = 1;
    op->last_use = ++use_clock;
    ops[slot] = op;
    pthread_mutex_unlock(&ops_lock);
    api_op_drop(evict);
    uint8_t b[4];
    cl_put32(b, op->nonce);
    int r = vm_heap_write(vm->heap, &n, 0, b, 4, false);
    if (r) { api_op_drop(op); vm_throw_store_error(vm, r); return NULL; }
    return op;
}

void api_op_end(vm_t *vm, uint16_t ref, api_op_t *op)
{
    vm_obj_t n;
    uint32_t nonce;
    api_op_drop(op);
    vm_t *v = vm;
    uint16_t keep = v->exc; /* ending state must not disturb an exception already pending */
    v->exc = 0;
    if (nonce_array(vm, ref, &n, &nonce) && nonce) {
        static const uint8_t zero[4];
        vm_heap_write(vm->heap, &n, 0, zero, 4, false);
    }
    if (keep) v->exc = keep;
}

bool api_op_acc(api_op_t *op, const uint8_t *p, uint32_t n)
{
    if (!n) return true;
    if (op->acclen + (uint64_t)n > API_OP_ACC_MAX) return false;
    if (op->acclen + n > op->acccap) {
        uint32_t cap = op->acccap ? op->acccap : 256;
        while (cap < op->acclen + n) cap *= 2;
        uint8_t *b = OPENSSL_malloc(cap);
        if (!b) return false;
        if (op->acclen) memcpy(b, op->acc, op->acclen);
        if (op->acc) OPENSSL_clear_free(op->acc, op->acccap);
        op->acc = b;
        op->acccap = cap;
    }
    memcpy(op->acc + op->acclen, p, n);
    op->acclen += n;
    return true;
}

bool api_out(vm_t *vm, uint16_t ref, int32_t off, int32_t len, vm_obj_t *o)
{
    return vm_nat_bytes(vm, ref, off, len, o) != NULL;
}

bool api_write(vm_t *vm, const vm_obj_t *o, int32_t off, const uint8_t *p, uint32_t n)
{
    if (!n) return true;
    int r = vm_heap_write(vm->heap, o, (uint32_t)off, p, n, false);
    if (r) { vm_throw_store_error(vm, r); return false; }
    return true;
}

const EVP_CIPHER *api_aes(enum api_aes_mode mode, uint16_t bits)
{
    static const EVP_CIPHER *(*const by_mode[4][3])(void) = {
        [API_AES_ECB] = { EVP_aes_128_ecb, EVP_aes_192_ecb, EVP_aes_256_ecb },
        [API_AES_CBC] = { EVP_aes_128_cbc, EVP_aes_192_cbc, EVP_aes_256_cbc },
        [API_AES_CTR] = { EVP_aes_128_ctr, EVP_aes_192_ctr, EVP_aes_256_ctr },
        [API_AES_GCM] = { EVP_aes_128_gcm, EVP_aes_192_gcm, EVP_aes_256_gcm },
    };
    int i = bits == 128 ? 0 : bits == 192 ? 1 : bits == 256 ? 2 : -1;
    if (i < 0 || (unsigned)mode >= CL_ARRAY_LEN(by_mode)) return NULL;
    return by_mode[mode][i]();
}

bool api_init_iv(vm_t *vm, const uint16_t *args, bool with_iv, const uint8_t **iv, int32_t *ivlen)
{
    vm_obj_t o;
    *iv = NULL;
    *ivlen = 0;
    if (!with_iv) return true;
    *ivlen = (int16_t)args[5];
    *iv = vm_nat_bytes(vm, args[3], (int16_t)args[4], *ivlen, &o);
    return *iv != NULL;
}
