/* vm_class: class lookup by id and the subtype tests (checkcast, instanceof, catch clauses). */
#include "vm/vm_rt.h"
#include "vm/vm_native.h"
#include "cap/cap_consts.h"

#define VM_HIERARCHY_MAX 64 /* a class chain longer than this is refused as malformed */

vm_class_t *vm_class(vm_t *vm, uint16_t id)
{
    vm_pkg_t *p = vm->pkgs[VM_CLASS_PKG(id)];
    uint16_t idx = id & 0xFF;
    if (!p || idx >= p->nclasses || p->classes[idx].id != id) return NULL;
    return &p->classes[idx];
}

bool vm_class_is_subclass(vm_t *vm, uint16_t cls, uint16_t super)
{
    for (int i = 0; i < VM_HIERARCHY_MAX && cls != VM_NO_CLASS; i++) {
        if (cls == super) return true;
        vm_class_t *c = vm_class(vm, cls);
        if (!c) return false;
        cls = c->super;
    }
    return false;
}

static bool iface_extends(vm_t *vm, uint16_t iface, uint16_t target, int depth)
{
    if (iface == target) return true;
    if (depth > 8) return false;
    vm_class_t *c = vm_class(vm, iface);
    if (!c || !(c->flags & CAP_ACC_INTERFACE) || !c->supers) return false;
    for (int i = 0; i < c->nifaces; i++)
        if (iface_extends(vm, c->supers[i], target, depth + 1)) return true;
    return false;
}

bool vm_class_implements(vm_t *vm, uint16_t cls, uint16_t iface)
{
    vm_class_t *c = vm_class(vm, cls);
    if (c && (c->flags & CAP_ACC_INTERFACE)) return iface_extends(vm, cls, iface, 0);
    for (int i = 0; i < VM_HIERARCHY_MAX && cls != VM_NO_CLASS; i++) {
        c = vm_class(vm, cls);
        if (!c) return false;
        for (int k = 0; k < c->nifaces && c->ifaces; k++)
            if (iface_extends(vm, c->ifaces[k].iface, iface, 0)) return true;
        cls = c->super;
    }
    return false;
}

/* Is a class (or interface) id assignable to the target class or interface id. */
static bool class_assignable(vm_t *vm, uint16_t cls, uint16_t target)
{
    if (target == VM_CLASS_ID(VM_PKG_JAVA_LANG, 0)) return true; /* java.lang.Object */
    vm_class_t *t = vm_class(vm, target);
    if (!t) return false;
    if (t->flags & CAP_ACC_INTERFACE) return vm_class_implements(vm, cls, target);
    return vm_class_is_subclass(vm, cls, target);
}

bool vm_instance_of(vm_t *vm, const vm_obj_t *o, uint8_t atype, uint16_t cls)
{
    if (o->kind == VM_KIND_INSTANCE) return atype == 0 && class_assignable(vm, o->cls, cls);
    if (o->kind != VM_KIND_ARRAY) return false;
    if (atype == 0) return cls == VM_CLASS_ID(VM_PKG_JAVA_LANG, 0);
    if (atype != o->etype) return false;
    if (atype != VM_T_REF) return true;
    if (cls == VM_CLASS_ID(VM_PKG_JAVA_LANG, 0)) return true;
    return o->cls != VM_NO_CLASS && class_assignable(vm, o->cls, cls);
}
