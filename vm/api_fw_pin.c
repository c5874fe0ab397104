/* api_fw_pin: javacard.framework.OwnerPIN (and its PIN interface).
 * State in the object's cells: 0 try limit, 1 max PIN size, 2 tries remaining, 3 PIN length,
 * 4 handle of the PIN value (persistent byte array owned by the JCRE), 5 handle of the PIN's
 * transient state (CLEAR_ON_RESET boolean array owned by the JCRE): [0] the validated flag, [1] for
 * OwnerPINxWithPredecrement "decrementTriesRemaining was called" (the API wants that state
 * CLEAR_ON_RESET, cleared by check and by every method that changes the try counter, the
 * validated flag or the blocking state: every store of the validated flag here clears it). The try counter is
 * decremented and persisted with a non-transactional store BEFORE the comparison, so neither a
 * power cut nor an aborted transaction gives a free try; the comparison is constant time.
 *
 * The value array starts with the handles of the PIN object it belongs to and of that PIN's flag
 * array (as key material records its key, api_keys.c): an applet can write its own object's
 * cells (a hostile CAP can putfield them), and the natives refuse any value or flag array that
 * is not bound to this very object, so another applet's PIN cells are never reached even if the
 * loader or verifier let such a store through. */
#include "vm/vm_native.h"

#include <string.h>

enum { PIN_LIMIT = 0, PIN_MAX = 1, PIN_TRIES = 2, PIN_LEN = 3, PIN_VALUE = 4, PIN_FLAG = 5, PIN_CELLS = 6 };
/* The value array: owner PIN object handle, flag array handle, then PIN_MAX bytes of PIN. */
enum { PV_OWNER = 0, PV_FLAG = 2, PV_PIN = 4 };
/* The transient state array: validated flag, predecrement done. */
enum { PF_VALIDATED = 0, PF_DECREMENTED = 1, PF_LEN = 2 };
#define PIN_ILLEGAL_VALUE 1
#define PIN_ILLEGAL_STATE 2
#define PIN_EXC 11
#define OWNER_PIN_CLASS VM_CLASS_ID(VM_PKG_FRAMEWORK, 9)

/* An OwnerPIN as the natives see it: the object, its cells, and its two JCRE arrays (checked). */
typedef struct {
    vm_obj_t o, val, flag;
    uint16_t c[PIN_CELLS];
} pin_t;

/* Are the value and flag arrays of p the ones made for object ref by its constructor. */
static bool pin_bound(vm_t *vm, uint16_t ref, pin_t *p)
{
    vm_obj_t *v = &p->val, *f = &p->flag;
    if (!vm_heap_get(vm->heap, p->c[PIN_VALUE], v) || v->kind != VM_KIND_ARRAY || v->etype != VM_T_BYTE ||
        v->owner != VM_CTX_JCRE || (v->flags & VM_OF_TRANSIENT) || v->len != PV_PIN + (uint32_t)p->c[PIN_MAX] ||
        p->c[PIN_LEN] > p->c[PIN_MAX])
        return false;
    if (!vm_heap_get(vm->heap, p->c[PIN_FLAG], f) || f->kind != VM_KIND_ARRAY || f->etype != VM_T_BOOLEAN ||
        f->owner != VM_CTX_JCRE || (f->flags & VM_OF_TRANSIENT) != VM_OF_CLEAR_ON_RESET || f->len != PF_LEN)
        return false;
    const uint8_t *d = vm_heap_data(vm->heap, v);
    return d && cl_get16(d + PV_OWNER) == ref && cl_get16(d + PV_FLAG) == p->c[PIN_FLAG];
}

static bool pin_obj(vm_t *vm, uint16_t ref, pin_t *p)
{
    if (!vm_obj_get(vm, ref, &p->o)) return false;
    if (!vm_instance_of(vm, &p->o, 0, OWNER_PIN_CLASS)) { vm_throw_security(vm, "not an OwnerPIN"); return false; }
    if (!vm_fw_can_access(vm, &p->o)) { vm_throw_security(vm, "firewall: PIN of another context"); return false; }
    for (int i = 0; i < PIN_CELLS; i++)
        if (!vm_obj_cell(vm, &p->o, (uint32_t)i, &p->c[i])) return false;
    if (!pin_bound(vm, ref, p)) { vm_throw_security(vm, "PIN state damaged"); return false; }
    return true;
}

/* Persistent cell store outside any transaction (try counter, as the API requires). */
static bool set_now(vm_t *vm, const pin_t *p, uint32_t cell, uint16_t v)
{
    uint8_t b[2];
    cl_put16(b, v);
    int r = vm_heap_write(vm->heap, &p->o, 2 * cell, b, 2, false);
    if (r) { vm_throw_store_error(vm, r); return false; }
    return true;
}

/* Stores the transient state: the validated flag, and whether a predecrement is pending. */
static bool set_state(vm_t *vm, const pin_t *p, bool validated, bool decremented)
{
    uint8_t b[PF_LEN] = { validated, decremented };
    int r = vm_heap_write(vm->heap, &p->flag, 0, b, PF_LEN, false);
    if (r) { vm_throw_store_error(vm, r); return false; }
    return true;
}

/* Every change of the validated flag also ends a pending predecrement (see the top). */
static bool set_validated(vm_t *vm, const pin_t *p, bool v) { return set_state(vm, p, v, false); }

static bool get_state(vm_t *vm, const pin_t *p, int which)
{
    const uint8_t *d = vm_heap_data(vm->heap, &p->flag);
    return d && d[which];
}

static bool get_validated(vm_t *vm, const pin_t *p) { return get_state(vm, p, PF_VALIDATED); }

/* Does the candidate [p, p+len) equal the PIN (constant time over the stored length). */
static bool pin_matches(vm_t *vm, const pin_t *p, const uint8_t *cand, int8_t len)
{
    const uint8_t *d = vm_heap_data(vm->heap, &p->val);
    return d && len == (int8_t)p->c[PIN_LEN] && cl_ct_equal(cand, d + PV_PIN, (size_t)len);
}

static int pin_init(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    int8_t limit = (int8_t)args[1], max = (int8_t)args[2];
    if (limit < 1 || max < 1) { vm_throw_api(vm, VM_PKG_FRAMEWORK, PIN_EXC, PIN_ILLEGAL_VALUE); return VM_NAT_THROW; }
    vm_obj_t o, vo;
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    if (o.kind != VM_KIND_INSTANCE || o.len < PIN_CELLS || !vm_instance_of(vm, &o, 0, OWNER_PIN_CLASS)) {
        vm_throw_security(vm, "not an OwnerPIN");
        return VM_NAT_THROW;
    }
    uint16_t value, flag;
    int r = vm_heap_alloc(vm->heap, VM_KIND_ARRAY, 0, VM_CTX_JCRE, VM_T_BYTE, 0, PV_PIN + (uint32_t)max, &value);
    if (!r) r = vm_heap_alloc(vm->heap, VM_KIND_ARRAY, VM_OF_CLEAR_ON_RESET, VM_CTX_JCRE, VM_T_BOOLEAN, 0, PF_LEN, &flag);
    if (!r) r = vm_heap_get(vm->heap, value, &vo) ? VM_OK : VM_ERR_BAD;
    uint8_t bind[PV_PIN];
    cl_put16(bind + PV_OWNER, args[0]);
    cl_put16(bind + PV_FLAG, flag);
    if (!r) r = vm_heap_write(vm->heap, &vo, PV_OWNER, bind, sizeof bind, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    uint16_t cells[PIN_CELLS] = { (uint16_t)limit, (uint16_t)max, (uint16_t)limit, 0, value, flag };
    uint8_t b[2 * PIN_CELLS];
    for (int i = 0; i < PIN_CELLS; i++) cl_put16(b + 2 * i, cells[i]);
    r = vm_heap_write(vm->heap, &o, 0, b, sizeof b, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

/* The end of both check() variants, once the try is spent: compares the candidate (args[1..3]:
 * array, offset, length) in constant time; a match restores the tries and validates. */
static int compare_candidate(vm_t *vm, pin_t *p, const uint16_t *args, uint16_t *ret)
{
    vm_obj_t in;
    int8_t len = (int8_t)args[3];
    const uint8_t *cand = vm_nat_bytes(vm, args[1], (int16_t)args[2], len < 0 ? 0 : len, &in);
    if (!cand) return VM_NAT_THROW;
    if (!pin_matches(vm, p, cand, len)) return VM_NAT_OK;
    if (!set_now(vm, p, PIN_TRIES, p->c[PIN_LIMIT]) || !set_validated(vm, p, true)) return VM_NAT_THROW;
    ret[0] = 1;
    return VM_NAT_OK;
}

/* check(): a wrong candidate costs a try that is persisted before the comparison. */
static int pin_check(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    pin_t p;
    ret[0] = 0;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    if (!set_validated(vm, &p, false)) return VM_NAT_THROW;
    if (p.c[PIN_TRIES] == 0) return VM_NAT_OK;
    if (!set_now(vm, &p, PIN_TRIES, (uint16_t)(p.c[PIN_TRIES] - 1))) return VM_NAT_THROW;
    return compare_candidate(vm, &p, args, ret);
}

static int pin_tries(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    ret[0] = p.c[PIN_TRIES];
    return VM_NAT_OK;
}

static int pin_is_validated(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    ret[0] = get_validated(vm, &p);
    return VM_NAT_OK;
}

static int pin_set_flag(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    pin_t p;
    if (!pin_obj(vm, args[0], &p) || !set_validated(vm, &p, args[1] != 0)) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int pin_reset(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    /* A validated PIN gets its try counter back and is no longer validated. */
    if (get_validated(vm, &p) && !set_now(vm, &p, PIN_TRIES, p.c[PIN_LIMIT])) return VM_NAT_THROW;
    return set_validated(vm, &p, false) ? VM_NAT_OK : VM_NAT_THROW;
}

static int pin_reset_unblock(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    if (!set_now(vm, &p, PIN_TRIES, p.c[PIN_LIMIT]) || !set_validated(vm, &p, false)) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int pin_update(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t in;
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    int8_t len = (int8_t)args[3];
    if (len < 0 || len > (int16_t)p.c[PIN_MAX]) { vm_throw_api(vm, VM_PKG_FRAMEWORK, PIN_EXC, PIN_ILLEGAL_VALUE); return VM_NAT_THROW; }
    const uint8_t *src = vm_nat_bytes(vm, args[1], (int16_t)args[2], len, &in);
    if (!src) return VM_NAT_THROW;
    uint8_t tmp[128];
    memcpy(tmp, src, (size_t)len);
    int r = vm_heap_write(vm->heap, &p.val, PV_PIN, tmp, (uint32_t)len, true);
    cl_wipe(tmp, sizeof tmp);
    if (r || !vm_obj_set_cell(vm, &p.o, PIN_LEN, (uint16_t)len)) { if (r) vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    if (!set_now(vm, &p, PIN_TRIES, p.c[PIN_LIMIT]) || !set_validated(vm, &p, false)) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static const vm_native_method_t pin_methods[] = {
    { VM_NAT_CTOR, 0, "<init>(BB)V", pin_init },
    { VM_NAT_VIRTUAL, 1, "check([BSB)Z", pin_check },
    { VM_NAT_VIRTUAL, 2, "getTriesRemaining()B", pin_tries },
    { VM_NAT_VIRTUAL, 3, "getValidatedFlag()Z", pin_is_validated },
    { VM_NAT_VIRTUAL, 4, "isValidated()Z", pin_is_validated },
    { VM_NAT_VIRTUAL, 5, "reset()V", pin_reset },
    { VM_NAT_VIRTUAL, 6, "resetAndUnblock()V", pin_reset_unblock },
    { VM_NAT_VIRTUAL, 7, "setValidatedFlag(Z)V", pin_set_flag },
    { VM_NAT_VIRTUAL, 8, "update([BSB)V", pin_update },
};

/* --- OwnerPINx / OwnerPINxWithPredecrement (3.0.5), made by OwnerPINBuilder.buildOwnerPIN ---
 * Implemented by two classes of ours (tokens no export file names, so only the builder makes
 * them), subclasses of OwnerPIN sharing its cells. */
enum { TOK_PINX_IMPL = 40, TOK_PINX_PRE_IMPL = 41 };

static int pinx_get_limit(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    ret[0] = p.c[PIN_LIMIT];
    return VM_NAT_OK;
}

static int pinx_set_limit(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    int8_t limit = (int8_t)args[1];
    if (limit < 1) { vm_throw_api(vm, VM_PKG_FRAMEWORK, PIN_EXC, PIN_ILLEGAL_VALUE); return VM_NAT_THROW; }
    if (!set_now(vm, &p, PIN_LIMIT, (uint16_t)limit)) return VM_NAT_THROW;
    if (p.c[PIN_TRIES] > (uint16_t)limit && !set_now(vm, &p, PIN_TRIES, (uint16_t)limit)) return VM_NAT_THROW;
    return set_validated(vm, &p, false) ? VM_NAT_OK : VM_NAT_THROW; /* "... and resets the validated flag" */
}

static int pinx_set_tries(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    int8_t tries = (int8_t)args[1];
    if (tries < 0 || tries > (int16_t)p.c[PIN_LIMIT]) { vm_throw_api(vm, VM_PKG_FRAMEWORK, PIN_EXC, PIN_ILLEGAL_VALUE); return VM_NAT_THROW; }
    /* "... and resets the validated flag" */
    return set_now(vm, &p, PIN_TRIES, (uint16_t)tries) && set_validated(vm, &p, false) ? VM_NAT_OK : VM_NAT_THROW;
}

static int pinx_decrement(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    pin_t p;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    uint16_t t = p.c[PIN_TRIES] ? (uint16_t)(p.c[PIN_TRIES] - 1) : 0;
    /* The try is spent first (persisted); the PIN is no longer validated and check may follow. */
    if (!set_now(vm, &p, PIN_TRIES, t) || !set_state(vm, &p, false, true)) return VM_NAT_THROW;
    ret[0] = t;
    return VM_NAT_OK;
}

/* check() of the predecrement variant: the caller decremented already (decrementTriesRemaining);
 * without that, PINException.ILLEGAL_STATE. */
static int pinx_pre_check(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    pin_t p;
    ret[0] = 0;
    if (!pin_obj(vm, args[0], &p)) return VM_NAT_THROW;
    if (!get_state(vm, &p, PF_DECREMENTED)) { vm_throw_api(vm, VM_PKG_FRAMEWORK, PIN_EXC, PIN_ILLEGAL_STATE); return VM_NAT_THROW; }
    if (!set_validated(vm, &p, false)) return VM_NAT_THROW; /* also consumes the predecrement */
    if (p.c[PIN_TRIES] == 0) return VM_NAT_OK;
    return compare_candidate(vm, &p, args, ret);
}

static const vm_native_method_t pinx_methods[] = {
    { VM_NAT_VIRTUAL, 9, "getTryLimit()B", pinx_get_limit },
    { VM_NAT_VIRTUAL, 10, "setTryLimit(B)V", pinx_set_limit },
    { VM_NAT_VIRTUAL, 11, "setTriesRemaining(B)V", pinx_set_tries },
};
static const vm_native_method_t pinx_pre_methods[] = {
    { VM_NAT_VIRTUAL, 1, "check([BSB)Z", pinx_pre_check },
    { VM_NAT_VIRTUAL, 12, "decrementTriesRemaining()B", pinx_decrement },
};

static int builder_build(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    int8_t type = (int8_t)args[2];
    uint8_t tok = type == 1 ? 9 : type == 2 ? TOK_PINX_IMPL : type == 3 ? TOK_PINX_PRE_IMPL : 0;
    if (!tok) { vm_throw_api(vm, VM_PKG_FRAMEWORK, PIN_EXC, PIN_ILLEGAL_VALUE); return VM_NAT_THROW; }
    uint16_t ref;
    if (vm_obj_new_instance(vm, VM_CLASS_ID(VM_PKG_FRAMEWORK, tok), vm->cur_ctx, &ref)) return VM_NAT_THROW;
    uint16_t init[3] = { ref, args[0], args[1] }, r[2];
    if (pin_init(vm, init, r) != VM_NAT_OK) return VM_NAT_THROW;
    ret[0] = ref;
    return VM_NAT_OK;
}

static const vm_native_method_t builder_methods[] = {
    { VM_NAT_STATIC, 0, "buildOwnerPIN(BBB)Ljavacard/framework/PIN;", builder_build },
};

/* Interface method tokens -> OwnerPIN (and subclass) virtual tokens.
 * PIN: check, getTriesRemaining, isValidated, reset. OwnerPINx adds update, getTryLimit,
 * setTryLimit, setTriesRemaining; WithPredecrement adds decrementTriesRemaining. */
static const uint8_t pin_iface_map[] = { 1, 2, 4, 5 };
static const uint8_t pinx_iface_map[] = { 1, 2, 4, 5, 8, 9, 10, 11 };
static const uint8_t pinx_pre_iface_map[] = { 1, 2, 4, 5, 8, 9, 10, 11, 12 };
static const vm_native_iface_t pin_ifaces[] = { { VM_PKG_FRAMEWORK, 1, 4, pin_iface_map } };
static const vm_native_iface_t pinx_ifaces[] = { { VM_PKG_FRAMEWORK, 1, 4, pin_iface_map },
                                                 { VM_PKG_FRAMEWORK, 19, 8, pinx_iface_map } };
static const vm_native_iface_t pinx_pre_ifaces[] = { { VM_PKG_FRAMEWORK, 1, 4, pin_iface_map },
                                                     { VM_PKG_FRAMEWORK, 19, 8, pinx_iface_map },
                                                     { VM_PKG_FRAMEWORK, 20, 9, pinx_pre_iface_map } };

static const vm_native_class_t fw_pin_classes[] = {
    { VM_PKG_FRAMEWORK, 1, "javacard/framework/PIN", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 9, "javacard/framework/OwnerPIN", VM_PKG_JAVA_LANG, 0, 0, PIN_CELLS, pin_methods,
      CL_ARRAY_LEN(pin_methods), pin_ifaces, 1 },
    { VM_PKG_FRAMEWORK, 17, "javacard/framework/MultiSelectable", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 18, "javacard/framework/AppletEvent", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 19, "javacard/framework/OwnerPINx", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 20, "javacard/framework/OwnerPINxWithPredecrement", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 21, "javacard/framework/OwnerPINBuilder", VM_PKG_JAVA_LANG, 0, 0, 0, builder_methods,
      CL_ARRAY_LEN(builder_methods), NULL, 0 },
    { VM_PKG_FRAMEWORK, TOK_PINX_IMPL, "javacard/framework/OwnerPINx (cardlet)", VM_PKG_FRAMEWORK, 9, 0, 0, pinx_methods,
      CL_ARRAY_LEN(pinx_methods), pinx_ifaces, 2 },
    { VM_PKG_FRAMEWORK, TOK_PINX_PRE_IMPL, "javacard/framework/OwnerPINxWithPredecrement (cardlet)", VM_PKG_FRAMEWORK,
      TOK_PINX_IMPL, 0, 0, pinx_pre_methods, CL_ARRAY_LEN(pinx_pre_methods), pinx_pre_ifaces, 3 },
};

const vm_native_area_t vm_api_fw_pin = { "OwnerPIN, OwnerPINx, OwnerPINBuilder", fw_pin_classes, CL_ARRAY_LEN(fw_pin_classes) };
