/* vm_firewall: the Java Card applet firewall (JCRE spec chapter 6). One context per package;
 * the JCRE (context 0) may access everything. What crosses contexts is listed here only. */
#include "vm/vm_rt.h"

bool vm_fw_can_access(vm_t *vm, const vm_obj_t *o)
{
    uint8_t ctx = vm->cur_ctx;
    if (ctx == VM_CTX_JCRE || o->owner == ctx) return true;
    return o->kind == VM_KIND_ARRAY && (o->flags & VM_OF_GLOBAL); /* the APDU buffer, global arrays */
}

bool vm_fw_can_invoke(vm_t *vm, const vm_obj_t *o)
{
    uint8_t ctx = vm->cur_ctx;
    if (ctx == VM_CTX_JCRE || o->owner == ctx) return true;
    return (o->flags & (VM_OF_ENTRY_POINT | VM_OF_TEMP_ENTRY)) != 0; /* JCRE entry point objects */
}

bool vm_fw_can_store_ref(vm_t *vm, const vm_obj_t *value)
{
    (void)vm;
    /* JCRE spec 6.2.1: temporary entry points and global arrays may not be stored in fields,
     * array elements or static fields by applets. */
    if (vm->cur_ctx == VM_CTX_JCRE) return true;
    return !(value->flags & VM_OF_TEMP_ENTRY) && !(value->kind == VM_KIND_ARRAY && (value->flags & VM_OF_GLOBAL));
}
