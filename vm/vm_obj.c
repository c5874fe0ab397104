/* vm_obj: creating objects and reading/writing instance cells, with every check an access needs. */
#include "vm/vm_rt.h"
#include "vm/vm_gc.h"
#include "vm/vm_native.h"

bool vm_obj_get(vm_t *vm, uint16_t ref, vm_obj_t *o)
{
    if (ref == 0) { vm_throw_npe(vm); return false; }
    if (!vm_heap_get(vm->heap, ref, o) || o->kind == VM_KIND_BLOB) {
        /* JCRE 7.6.3: an object created in an aborted transaction is gone and a reference to it
         * is equivalent to null; anything else that names no object is forged */
        if (vm_heap_is_void(vm->heap, ref)) vm_throw_npe(vm);
        else vm_throw_security(vm, "reference does not name an object");
        return false;
    }
    return true;
}

void vm_throw_store_error(vm_t *vm, int err)
{
    if (err == VM_ERR_TXFULL) vm_throw_api(vm, VM_PKG_FRAMEWORK, 14, 3); /* TransactionException.BUFFER_FULL */
    else if (err == VM_ERR_NOMEM) {
        vm->out_of_memory = true; /* an install that fails after this says so */
        vm_throw_api(vm, VM_PKG_FRAMEWORK, 13, 5); /* SystemException.NO_RESOURCE */
    }
    else if (err == VM_ERR_INTEGRITY) vm_throw_security(vm, "integrity-sensitive array: data does not match its control element");
    else vm_throw_security(vm, "persistent store failed");
}

/* Allocation with one retry when the handles ran out while some are void: those nothing names
 * any more become free again (vm_gc_forget_void), so a loop of aborted transactions cannot
 * exhaust the handle table. */
static int alloc_obj(vm_t *vm, uint8_t kind, uint8_t flags, uint8_t owner, uint8_t etype, uint16_t cls, uint32_t len,
                     uint16_t *ref)
{
    int r = vm_heap_alloc(vm->heap, kind, flags, owner, etype, cls, len, ref);
    if (r == VM_ERR_NOMEM && vm_heap_void_count(vm->heap) && vm_gc_forget_void(vm) == 0)
        r = vm_heap_alloc(vm->heap, kind, flags, owner, etype, cls, len, ref);
    return r;
}

int vm_obj_new_instance(vm_t *vm, uint16_t cls, uint8_t owner, uint16_t *ref)
{
    vm_class_t *c = vm_class(vm, cls);
    if (!c || (c->flags & 0x8)) { vm_throw_security(vm, "new of an interface or unknown class"); return -1; }
    int r = alloc_obj(vm, VM_KIND_INSTANCE, 0, owner, 0, cls, c->inst_size, ref);
    if (r) { vm_throw_store_error(vm, r); return -1; }
    return 0;
}

int vm_obj_new_array(vm_t *vm, uint8_t etype, uint16_t elem_cls, int32_t len, uint8_t owner, uint8_t flags,
                     uint16_t *ref)
{
    if (len < 0) { vm_throw_api(vm, VM_PKG_JAVA_LANG, 6, 0); return -1; } /* NegativeArraySizeException */
    if (!vm_heap_elem_size(etype)) { vm_throw_security(vm, "bad array type"); return -1; }
    int r = alloc_obj(vm, VM_KIND_ARRAY, flags, owner, etype, etype == VM_T_REF ? elem_cls : 0, (uint32_t)len, ref);
    if (r) {
        if (r == VM_ERR_NOMEM && (flags & VM_OF_TRANSIENT)) {
            vm->out_of_memory = true;
            vm_throw_api(vm, VM_PKG_FRAMEWORK, 13, 2); /* SystemException.NO_TRANSIENT_SPACE */
        }
        else vm_throw_store_error(vm, r);
        return -1;
    }
    return 0;
}

bool vm_obj_cell(vm_t *vm, const vm_obj_t *o, uint32_t cell, uint16_t *v)
{
    if (o->kind != VM_KIND_INSTANCE || cell >= o->len) { vm_throw_security(vm, "field outside the object"); return false; }
    const uint8_t *d = vm_heap_data(vm->heap, o);
    if (!d) { vm_throw_store_error(vm, VM_ERR_NOMEM); return false; }
    *v = cl_get16(d + 2 * cell);
    return true;
}

bool vm_obj_set_cell(vm_t *vm, const vm_obj_t *o, uint32_t cell, uint16_t v)
{
    if (o->kind != VM_KIND_INSTANCE || cell >= o->len) { vm_throw_security(vm, "field outside the object"); return false; }
    uint8_t b[2];
    cl_put16(b, v);
    int r = vm_heap_write(vm->heap, o, 2 * cell, b, 2, true);
    if (r) { vm_throw_store_error(vm, r); return false; }
    return true;
}

uint16_t vm_sys_get(vm_t *vm, unsigned idx)
{
    vm_obj_t o;
    if (idx >= VM_SYS_LEN || !vm_heap_get(vm->heap, vm_heap_root(vm->heap, VM_ROOT_SYSTEM), &o) ||
        o.kind != VM_KIND_ARRAY || o.etype != VM_T_REF || o.len <= idx)
        return 0;
    return cl_get16(vm_heap_data(vm->heap, &o) + 2 * idx);
}

int vm_sys_set(vm_t *vm, unsigned idx, uint16_t ref)
{
    vm_obj_t o;
    if (idx >= VM_SYS_LEN || !vm_heap_get(vm->heap, vm_heap_root(vm->heap, VM_ROOT_SYSTEM), &o) ||
        o.kind != VM_KIND_ARRAY || o.len <= idx)
        return VM_ERR_BAD;
    uint8_t b[2];
    cl_put16(b, ref);
    return vm_heap_write(vm->heap, &o, 2 * idx, b, 2, true);
}
