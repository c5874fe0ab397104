/* vm_firewall: the Java Card applet firewall (JCRE 3.0.5 chapter 6). One context per package;
 * the JCRE (context 0) may access everything. What crosses contexts is decided here only; each
 * function follows one subsection of 6.2.8 (docs/firewall.md maps them to their tests). */
#include "vm/vm_firewall.h"

#include "cap/cap_consts.h"

#define SHAREABLE_IFACE VM_CLASS_ID(VM_PKG_FRAMEWORK, 2)
#define MULTISELECTABLE_IFACE VM_CLASS_ID(VM_PKG_FRAMEWORK, 17)

static bool own_or_jcre(const vm_t *vm, const vm_obj_t *o)
{
    return vm->cur_ctx == VM_CTX_JCRE || o->owner == vm->cur_ctx;
}

static bool is_global_array(const vm_obj_t *o)
{
    return o->kind == VM_KIND_ARRAY && (o->flags & VM_OF_GLOBAL);
}

/* Permanent (AID objects) and temporary (APDU, the JCRE's exceptions) entry points. */
static bool is_entry_point(const vm_obj_t *o)
{
    return (o->flags & (VM_OF_ENTRY_POINT | VM_OF_TEMP_ENTRY)) != 0;
}

/* 6.2.8.2 (array elements, arraylength) and 6.2.8.3 (instance fields): own objects and global arrays. */
bool vm_fw_can_access(vm_t *vm, const vm_obj_t *o)
{
    return own_or_jcre(vm, o) || is_global_array(o);
}

/* 6.2.8.4 (invokevirtual on instances: own objects and JCRE entry points) and 6.2.8.11 (invokevirtual
 * on arrays, i.e. the methods of Object: own arrays and global arrays, which behave as entry points). */
bool vm_fw_can_invoke(vm_t *vm, const vm_obj_t *o)
{
    return own_or_jcre(vm, o) || is_entry_point(o) || is_global_array(o);
}

/* 6.2.8.1 (putstatic), 6.2.8.2 (aastore), 6.2.8.3 (putfield): an applet may not keep a reference to a
 * temporary entry point or a global array in a field, a static field or an array component (6.2.1,
 * 6.2.2). Permanent entry points (AID objects) may be kept. */
bool vm_fw_can_store_ref(vm_t *vm, const vm_obj_t *value)
{
    if (vm->cur_ctx == VM_CTX_JCRE) return true;
    return !(value->flags & VM_OF_TEMP_ENTRY) && !is_global_array(value);
}

/* Is cls an interface that is, or extends, javacard.framework.Shareable? */
static bool is_shareable_iface(vm_t *vm, uint16_t cls)
{
    vm_class_t *c = vm_class(vm, cls);
    return c && (c->flags & CAP_ACC_INTERFACE) && vm_class_implements(vm, cls, SHAREABLE_IFACE);
}

bool vm_fw_can_cast(vm_t *vm, const vm_obj_t *o, uint8_t atype, uint16_t cls)
{
    if (own_or_jcre(vm, o)) return true;
    if (o->kind == VM_KIND_ARRAY) return is_global_array(o);   /* 6.2.8.2 */
    if (is_entry_point(o)) return true;                         /* 6.2.8.8, 6.2.8.9 */
    /* 6.2.8.10: only toward a Shareable interface, only for an object that shares something. */
    return atype == 0 && is_shareable_iface(vm, cls) && o->kind == VM_KIND_INSTANCE &&
           vm_class_implements(vm, o->cls, SHAREABLE_IFACE);
}

/* 6.2.8.6's second rule (JCRE 4.2): a non-multiselectable applet assumes nobody changes its objects
 * while it is selected, so its Shareable objects are closed while one of its package's
 * non-multiselectable instances is active on another channel, unless the caller runs for the
 * applet selected here and that applet is of the owner's context. */
static bool owner_busy_elsewhere(vm_t *vm, uint8_t owner)
{
    if (vm->cur_applet >= 0 && vm->cur_applet < vm->napplets && vm->applets[vm->cur_applet].pkg == owner)
        return false;
    for (int i = 0; i < vm->napplets; i++) {
        const vm_applet_t *a = &vm->applets[i];
        if (a->pkg != owner || !a->channels) continue;
        vm_obj_t ao;
        bool multi = vm_heap_get(vm->heap, a->obj, &ao) && ao.kind == VM_KIND_INSTANCE &&
                     vm_class_implements(vm, ao.cls, MULTISELECTABLE_IFACE);
        if (!multi) return true;
    }
    return false;
}

int vm_fw_interface_ctx(vm_t *vm, const vm_obj_t *o, uint16_t iface, const char **why)
{
    *why = NULL;
    if (o->owner == vm->cur_ctx) return vm->cur_ctx;
    if (is_shareable_iface(vm, iface)) { /* 6.2.8.6 */
        if (owner_busy_elsewhere(vm, o->owner)) {
            *why = "firewall: Shareable object of a non-multiselectable applet active on another channel";
            return -1;
        }
        if (o->kind == VM_KIND_INSTANCE && vm_class_implements(vm, o->cls, SHAREABLE_IFACE)) return o->owner;
    } else if (is_entry_point(o)) { /* 6.2.8.5 */
        return o->owner;
    }
    if (vm->cur_ctx == VM_CTX_JCRE) return o->owner;
    *why = is_shareable_iface(vm, iface) ? "firewall: interface call on an object that is not Shareable"
                                         : "firewall: interface of another context is not Shareable";
    return -1;
}

bool vm_fw_can_throw(vm_t *vm, const vm_obj_t *o)
{
    return own_or_jcre(vm, o) || is_entry_point(o);
}
