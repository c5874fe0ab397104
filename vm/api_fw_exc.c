/* api_fw_exc: the javacard.framework exceptions. CardException and CardRuntimeException hold
 * the reason in instance cell 0; throwIt throws the JCRE-owned instance (vm_throw_api). */
#include "vm/vm_native.h"

static int exc_init(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o) || !vm_obj_set_cell(vm, &o, 0, args[1])) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int exc_init0(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint16_t a[2] = { args[0], 0 };
    return exc_init(vm, a, ret);
}

static int exc_get_reason(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o) || !vm_obj_cell(vm, &o, 0, &ret[0])) return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int exc_set_reason(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    /* The JCRE's singletons keep their reason in RAM: any context may set it (entry point). */
    uint8_t b[2];
    cl_put16(b, args[1]);
    if (o.kind != VM_KIND_INSTANCE || o.len < 1) { vm_throw_security(vm, "not an exception object"); return VM_NAT_THROW; }
    if (!vm_fw_can_access(vm, &o) && !(o.flags & VM_OF_ENTRY_POINT)) { vm_throw_security(vm, "firewall"); return VM_NAT_THROW; }
    int r = vm_heap_write(vm->heap, &o, 0, b, 2, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

#define THROWER(name, tok) \
    static int name(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)ret; vm_throw_api(vm, VM_PKG_FRAMEWORK, tok, (int16_t)args[0]); return VM_NAT_THROW; }
THROWER(card_exc_throw, 4)
THROWER(card_rt_throw, 5)
THROWER(iso_throw, 7)
THROWER(pin_exc_throw, 11)
THROWER(apdu_exc_throw, 12)
THROWER(system_exc_throw, 13)
THROWER(tx_exc_throw, 14)
THROWER(user_exc_throw, 15)

#define EXC_METHODS(arr, thrower) \
    static const vm_native_method_t arr[] = { \
        { VM_NAT_CTOR, 0, "<init>(S)V", exc_init }, \
        { VM_NAT_STATIC, 1, "throwIt(S)V", thrower }, \
        { VM_NAT_VIRTUAL, 1, "getReason()S", exc_get_reason }, \
        { VM_NAT_VIRTUAL, 2, "setReason(S)V", exc_set_reason }, \
    };
EXC_METHODS(card_exc_m, card_exc_throw)
EXC_METHODS(card_rt_m, card_rt_throw)
EXC_METHODS(iso_m, iso_throw)
EXC_METHODS(pin_exc_m, pin_exc_throw)
EXC_METHODS(apdu_exc_m, apdu_exc_throw)
EXC_METHODS(system_exc_m, system_exc_throw)
EXC_METHODS(tx_exc_m, tx_exc_throw)

static const vm_native_method_t user_exc_m[] = {
    { VM_NAT_CTOR, 0, "<init>()V", exc_init0 },
    { VM_NAT_CTOR, 1, "<init>(S)V", exc_init },
    { VM_NAT_STATIC, 2, "throwIt(S)V", user_exc_throw },
    { VM_NAT_VIRTUAL, 1, "getReason()S", exc_get_reason },
    { VM_NAT_VIRTUAL, 2, "setReason(S)V", exc_set_reason },
};

#define FW_EXC(tok, name, sup, cells, m) \
    { VM_PKG_FRAMEWORK, tok, "javacard/framework/" name, sup##_PKG, sup##_TOK, 0, cells, m, CL_ARRAY_LEN(m), NULL, 0 }
#define EXCEPTION_PKG VM_PKG_JAVA_LANG
#define EXCEPTION_TOK 2
#define RUNTIME_PKG VM_PKG_JAVA_LANG
#define RUNTIME_TOK 3
#define CARDEXC_PKG VM_PKG_FRAMEWORK
#define CARDEXC_TOK 4
#define CARDRT_PKG VM_PKG_FRAMEWORK
#define CARDRT_TOK 5

static const vm_native_class_t fw_exc_classes[] = {
    FW_EXC(4, "CardException", EXCEPTION, 1, card_exc_m),
    FW_EXC(5, "CardRuntimeException", RUNTIME, 1, card_rt_m),
    FW_EXC(7, "ISOException", CARDRT, 0, iso_m),
    FW_EXC(11, "PINException", CARDRT, 0, pin_exc_m),
    FW_EXC(12, "APDUException", CARDRT, 0, apdu_exc_m),
    FW_EXC(13, "SystemException", CARDRT, 0, system_exc_m),
    FW_EXC(14, "TransactionException", CARDRT, 0, tx_exc_m),
    FW_EXC(15, "UserException", CARDEXC, 0, user_exc_m),
};

const vm_native_area_t vm_api_fw_exc = { "javacard.framework exceptions", fw_exc_classes, CL_ARRAY_LEN(fw_exc_classes) };
