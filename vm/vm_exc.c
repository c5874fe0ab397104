/* vm_exc: throwing API exceptions from C. The JCRE owns one instance per exception class (a
 * temporary JCRE entry point whose reason lives in RAM, like the singletons of a real card),
 * made on first use and kept in the system table so the heap does not grow per throw. */
#include "vm/vm_rt.h"
#include "vm/vm_native.h"

#include <stdio.h>

static void fatal(vm_t *vm, const char *why)
{
    vm->fatal = true;
    vm->exc = 0;
    snprintf(vm->last_error, sizeof vm->last_error, "%s", why);
}

void vm_throw_api(vm_t *vm, uint8_t pkg, uint8_t cls_token, int16_t reason)
{
    if (pkg < 1 || pkg > 5 || cls_token >= 32) { fatal(vm, "exception class out of range"); return; }
    unsigned idx = VM_SYS_EXC_FIRST + (pkg - 1u) * 32u + cls_token;
    uint16_t cls = VM_CLASS_ID(pkg, cls_token);
    uint16_t ref = vm_sys_get(vm, idx);
    vm_obj_t o;
    if (!ref || !vm_heap_get(vm->heap, ref, &o) || o.cls != cls) {
        vm_class_t *c = vm_class(vm, cls);
        if (!c) { fatal(vm, "exception class not linked"); return; }
        if (vm_heap_alloc(vm->heap, VM_KIND_INSTANCE, VM_OF_ENTRY_POINT | VM_OF_TEMP_ENTRY | VM_OF_CLEAR_ON_RESET,
                          VM_CTX_JCRE, 0, cls, c->inst_size, &ref) != VM_OK ||
            vm_sys_set(vm, idx, ref) != VM_OK || !vm_heap_get(vm->heap, ref, &o)) {
            fatal(vm, "no room for an exception object");
            return;
        }
    }
    if (o.len >= 1) { /* CardException / CardRuntimeException and subclasses: cell 0 is the reason */
        uint8_t b[2];
        cl_put16(b, (uint16_t)reason);
        vm_heap_write(vm->heap, &o, 0, b, 2, false);
    }
    vm->exc = ref;
}

void vm_throw_security(vm_t *vm, const char *why)
{
    snprintf(vm->last_error, sizeof vm->last_error, "%s", why);
    cl_debug("vm: SecurityException: %s", why);
    vm_throw_api(vm, VM_PKG_JAVA_LANG, 10, 0);
}

void vm_throw_npe(vm_t *vm) { vm_throw_api(vm, VM_PKG_JAVA_LANG, 7, 0); }
