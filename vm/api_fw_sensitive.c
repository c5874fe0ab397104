/* api_fw_sensitive: javacard.framework.SensitiveArrays (Java Card 3.0.5).
 *
 * An integrity-sensitive array is an ordinary array object with VM_OF_INTEGRITY and a control
 * element (one CRC-32 per 256-byte block of its data, vm/vm_heap.h). Before every store the heap
 * checks the CRCs of the blocks that store touches, not the whole array, so a store's cost does
 * not grow with the array (SecurityException on a mismatch, nothing written), and stores their new
 * CRCs in the same atomic step as the data, inside and outside transactions. A fault in a block
 * no store touches is found only by assertIntegrity, which checks every block; reads are not
 * checked. The control element protects against faults (a flipped bit in the image or in RAM),
 * not against an attacker who can write both: it is no MAC. */
#include "vm/vm_native.h"

#define SYSTEM_EXC 13
#define ILLEGAL_VALUE 1

/* JCSystem.ARRAY_TYPE_* -> element type; JCSystem.MEMORY_TYPE_* -> object flags. */
static const uint8_t array_types[] = { 0, VM_T_BOOLEAN, VM_T_BYTE, VM_T_SHORT, VM_T_INT, VM_T_REF };
static const uint8_t memory_flags[] = { 0, VM_OF_CLEAR_ON_RESET, VM_OF_CLEAR_ON_DESELECT };

static int throw_illegal_value(vm_t *vm)
{
    vm_throw_api(vm, VM_PKG_FRAMEWORK, SYSTEM_EXC, ILLEGAL_VALUE);
    return VM_NAT_THROW;
}

/* The array argument of assertIntegrity/clearArray: null -> NullPointerException, another
 * context's array -> SecurityException, anything not integrity-sensitive -> ILLEGAL_VALUE. */
static bool sensitive_arg(vm_t *vm, uint16_t ref, vm_obj_t *o)
{
    if (!vm_obj_get(vm, ref, o)) return false;
    if (!vm_fw_can_access(vm, o)) { vm_throw_security(vm, "firewall: array of another context"); return false; }
    if (o->kind != VM_KIND_ARRAY || !(o->flags & VM_OF_INTEGRITY)) { throw_illegal_value(vm); return false; }
    return true;
}

static int sa_supported(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 1; return VM_NAT_OK; }

static int sa_is_sensitive(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    ret[0] = o.kind == VM_KIND_ARRAY && (o.flags & VM_OF_INTEGRITY);
    return VM_NAT_OK;
}

static int sa_make(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    int8_t type = (int8_t)args[0], memory = (int8_t)args[1];
    if (type < 1 || type >= (int)CL_ARRAY_LEN(array_types) || memory < 0 || memory >= (int)CL_ARRAY_LEN(memory_flags))
        return throw_illegal_value(vm);
    /* NegativeArraySizeException, NO_TRANSIENT_SPACE and NO_RESOURCE come from the allocation */
    if (vm_obj_new_array(vm, array_types[type], VM_CLASS_ID(VM_PKG_JAVA_LANG, 0), (int16_t)args[2], vm->cur_ctx,
                         (uint8_t)(memory_flags[memory] | VM_OF_INTEGRITY), &ret[0]))
        return VM_NAT_THROW;
    return VM_NAT_OK;
}

/* The full check: every block of the array (a store checks only the blocks it writes). */
static int sa_assert(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    if (!sensitive_arg(vm, args[0], &o)) return VM_NAT_THROW;
    if (!vm_heap_integrity_ok(vm->heap, &o)) {
        vm_throw_store_error(vm, VM_ERR_INTEGRITY);
        return VM_NAT_THROW;
    }
    return VM_NAT_OK;
}

/* Zeroes (nulls) every element and resets the control element without checking it first; one
 * atomic step that joins an open transaction (BUFFER_FULL: nothing cleared). */
static int sa_clear(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    if (!sensitive_arg(vm, args[0], &o)) return VM_NAT_THROW;
    int r = vm_heap_clear_array(vm->heap, &o);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    ret[0] = (uint16_t)o.len;
    return VM_NAT_OK;
}

static const vm_native_method_t sensitive_methods[] = {
    { VM_NAT_STATIC, 0, "assertIntegrity(Ljava/lang/Object;)V", sa_assert },
    { VM_NAT_STATIC, 1, "isIntegritySensitive(Ljava/lang/Object;)Z", sa_is_sensitive },
    { VM_NAT_STATIC, 2, "isIntegritySensitiveArraysSupported()Z", sa_supported },
    { VM_NAT_STATIC, 3, "makeIntegritySensitiveArray(BBS)Ljava/lang/Object;", sa_make },
    { VM_NAT_STATIC, 4, "clearArray(Ljava/lang/Object;)S", sa_clear },
};

static const vm_native_class_t sensitive_classes[] = {
    { VM_PKG_FRAMEWORK, 22, "javacard/framework/SensitiveArrays", VM_PKG_JAVA_LANG, 0, 0, 0, sensitive_methods,
      CL_ARRAY_LEN(sensitive_methods), NULL, 0 },
};

const vm_native_area_t vm_api_fw_sensitive = { "SensitiveArrays", sensitive_classes, CL_ARRAY_LEN(sensitive_classes) };
VM_NATIVE_AREA(vm_api_fw_sensitive)
