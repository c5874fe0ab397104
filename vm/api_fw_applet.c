/* api_fw_applet: javacard.framework.Applet and AID. */
#include "vm/vm_native.h"

#include <string.h>

/* --- AID: cell 0 = length, cells 1..8 = up to 16 bytes --- */
int vm_aid_new(vm_t *vm, const uint8_t *aid, uint8_t len, uint8_t owner, uint8_t flags, uint16_t *ref)
{
    if (len < 5 || len > 16) return VM_ERR_BAD;
    vm_class_t *c = vm_class(vm, VM_AID_CLASS);
    if (!c) return VM_ERR_BAD;
    int r = vm_heap_alloc(vm->heap, VM_KIND_INSTANCE, flags, owner, 0, VM_AID_CLASS, c->inst_size, ref);
    if (r) return r;
    vm_obj_t o;
    if (!vm_heap_get(vm->heap, *ref, &o)) return VM_ERR_BAD;
    uint8_t b[18] = { 0 };
    b[1] = len;
    memcpy(b + 2, aid, len);
    return vm_heap_write(vm->heap, &o, 0, b, sizeof b, true);
}

bool vm_aid_read(vm_t *vm, uint16_t ref, uint8_t aid[16], uint8_t *len)
{
    vm_obj_t o;
    if (!vm_heap_get(vm->heap, ref, &o) || o.kind != VM_KIND_INSTANCE || !vm_instance_of(vm, &o, 0, VM_AID_CLASS) ||
        o.len < 9)
        return false;
    const uint8_t *d = vm_heap_data(vm->heap, &o);
    if (!d || d[1] < 5 || d[1] > 16) return false;
    *len = d[1];
    memcpy(aid, d + 2, d[1]);
    return true;
}

static bool this_aid(vm_t *vm, uint16_t ref, uint8_t aid[16], uint8_t *len)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, ref, &o)) return false;
    if (!vm_aid_read(vm, ref, aid, len)) { vm_throw_security(vm, "not an AID object"); return false; }
    return true;
}

static int aid_init(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    int16_t off = (int16_t)args[2], len = (int8_t)args[3];
    vm_obj_t o, a;
    const uint8_t *p = vm_nat_bytes(vm, args[1], off, len, &a);
    if (!p) return VM_NAT_THROW;
    if (len < 5 || len > 16) { vm_throw_api(vm, VM_PKG_FRAMEWORK, 13, 1); return VM_NAT_THROW; } /* ILLEGAL_VALUE */
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    uint8_t b[18] = { 0 };
    b[1] = (uint8_t)len;
    memcpy(b + 2, p, (size_t)len);
    if (o.kind != VM_KIND_INSTANCE || o.len < 9) { vm_throw_security(vm, "not an AID object"); return VM_NAT_THROW; }
    int r = vm_heap_write(vm->heap, &o, 0, b, sizeof b, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

static int aid_equals_obj(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t a[16], b[16], la, lb;
    if (!this_aid(vm, args[0], a, &la)) return VM_NAT_THROW;
    ret[0] = args[1] && vm_aid_read(vm, args[1], b, &lb) && la == lb && !memcmp(a, b, la);
    return VM_NAT_OK;
}

static int aid_rid_equals(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t a[16], b[16], la, lb;
    if (!this_aid(vm, args[0], a, &la)) return VM_NAT_THROW;
    /* A reference to an object of an aborted transaction reads as null (JCRE 7.6.3). */
    if (!args[1] || vm_heap_is_void(vm->heap, args[1])) { vm_throw_npe(vm); return VM_NAT_THROW; }
    ret[0] = vm_aid_read(vm, args[1], b, &lb) && !memcmp(a, b, 5);
    return VM_NAT_OK;
}

static int aid_equals_bytes(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t a[16], la;
    if (!this_aid(vm, args[0], a, &la)) return VM_NAT_THROW;
    if (!args[1]) { ret[0] = 0; return VM_NAT_OK; }
    vm_obj_t o;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], (int8_t)args[3], &o);
    if (!p) return VM_NAT_THROW;
    ret[0] = (int8_t)args[3] == la && !memcmp(a, p, la);
    return VM_NAT_OK;
}

static int aid_partial_equals(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t a[16], la;
    if (!this_aid(vm, args[0], a, &la)) return VM_NAT_THROW;
    if (!args[1]) { ret[0] = 0; return VM_NAT_OK; }
    int8_t len = (int8_t)args[3];
    vm_obj_t o;
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], len, &o);
    if (!p) return VM_NAT_THROW;
    ret[0] = len <= la && !memcmp(a, p, (size_t)len);
    return VM_NAT_OK;
}

static int copy_out(vm_t *vm, uint16_t dst, int32_t off, const uint8_t *src, uint32_t n)
{
    vm_obj_t o;
    if (!vm_nat_bytes(vm, dst, off, (int32_t)n, &o)) return VM_NAT_THROW;
    int r = vm_heap_write(vm->heap, &o, (uint32_t)off, src, n, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

static int aid_get_bytes(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t a[16], la;
    if (!this_aid(vm, args[0], a, &la)) return VM_NAT_THROW;
    ret[0] = la;
    return copy_out(vm, args[1], (int16_t)args[2], a, la);
}

static int aid_get_partial(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t a[16], la;
    if (!this_aid(vm, args[0], a, &la)) return VM_NAT_THROW;
    int16_t aoff = (int16_t)args[1];
    int8_t len = (int8_t)args[4];
    if (aoff < 0 || aoff > la || len < 0) { vm_throw_api(vm, VM_PKG_JAVA_LANG, 5, 0); return VM_NAT_THROW; }
    uint32_t n = len == 0 ? (uint32_t)(la - aoff) : (uint32_t)len;
    if (n > (uint32_t)(la - aoff)) n = (uint32_t)(la - aoff);
    ret[0] = (uint16_t)n;
    return copy_out(vm, args[2], (int16_t)args[3], a + aoff, n);
}

static const vm_native_method_t aid_methods[] = {
    { VM_NAT_CTOR, 0, "<init>([BSB)V", aid_init },
    { VM_NAT_VIRTUAL, 0, "equals(Ljava/lang/Object;)Z", aid_equals_obj },
    { VM_NAT_VIRTUAL, 1, "RIDEquals(Ljavacard/framework/AID;)Z", aid_rid_equals },
    { VM_NAT_VIRTUAL, 2, "equals([BSB)Z", aid_equals_bytes },
    { VM_NAT_VIRTUAL, 3, "getBytes([BS)B", aid_get_bytes },
    { VM_NAT_VIRTUAL, 4, "partialEquals([BSB)Z", aid_partial_equals },
    { VM_NAT_VIRTUAL, 5, "getPartialBytes(S[BSB)B", aid_get_partial },
};

/* --- Applet --- */
static int applet_init(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; (void)ret; return VM_NAT_OK; }

static int do_register(vm_t *vm, uint16_t obj, const uint8_t *aid, uint8_t len)
{
    if (!vm->installing || vm->registered_obj) { vm_throw_api(vm, VM_PKG_FRAMEWORK, 13, 6); return VM_NAT_THROW; } /* ILLEGAL_USE */
    if (len < 5 || len > 16 || vm_applet_find(vm, aid, len) >= 0) {
        vm_throw_api(vm, VM_PKG_FRAMEWORK, 13, 4); /* SystemException.ILLEGAL_AID */
        return VM_NAT_THROW;
    }
    vm_obj_t o;
    if (!vm_obj_get(vm, obj, &o)) return VM_NAT_THROW;
    if (o.owner != vm->cur_ctx) { vm_throw_security(vm, "register of another context's object"); return VM_NAT_THROW; }
    vm->registered_obj = obj;
    memcpy(vm->registered_aid, aid, len);
    vm->registered_aid_len = len;
    return VM_NAT_OK;
}

static int applet_register(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    return do_register(vm, args[0], vm->inst_aid, vm->inst_aid_len);
}

static int applet_register_aid(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    int8_t len = (int8_t)args[3];
    const uint8_t *p = vm_nat_bytes(vm, args[1], (int16_t)args[2], len, &o);
    if (!p) return VM_NAT_THROW;
    uint8_t aid[16];
    if (len < 5 || len > 16) { vm_throw_api(vm, VM_PKG_FRAMEWORK, 13, 4); return VM_NAT_THROW; }
    memcpy(aid, p, (size_t)len);
    return do_register(vm, args[0], aid, (uint8_t)len);
}

static int applet_selecting(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    ret[0] = vm->selecting != 0;
    return VM_NAT_OK;
}

static int applet_reselecting(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = vm->reselecting; return VM_NAT_OK; }
static int applet_select(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 1; return VM_NAT_OK; }
static int applet_deselect(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; (void)ret; return VM_NAT_OK; }
static int applet_get_sio(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 0; return VM_NAT_OK; }

static const vm_native_method_t applet_methods[] = {
    { VM_NAT_CTOR, 0, "<init>()V", applet_init },
    { VM_NAT_STATIC, 2, "reSelectingApplet()Z", applet_reselecting },
    { VM_NAT_VIRTUAL, 1, "register()V", applet_register },
    { VM_NAT_VIRTUAL, 2, "register([BSB)V", applet_register_aid },
    { VM_NAT_VIRTUAL, 3, "selectingApplet()Z", applet_selecting },
    { VM_NAT_VIRTUAL, 4, "deselect()V", applet_deselect },
    { VM_NAT_VIRTUAL, 5, "getShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;", applet_get_sio },
    { VM_NAT_VIRTUAL, 6, "select()Z", applet_select },
    /* process (7) is abstract: an applet that does not define it gets an unbound-method error. */
};

static const vm_native_class_t fw_applet_classes[] = {
    { VM_PKG_FRAMEWORK, 2, "javacard/framework/Shareable", -1, -1, 0x8 | 0x4, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 3, "javacard/framework/Applet", VM_PKG_JAVA_LANG, 0, 0, 0, applet_methods,
      CL_ARRAY_LEN(applet_methods), NULL, 0 },
    { VM_PKG_FRAMEWORK, 6, "javacard/framework/AID", VM_PKG_JAVA_LANG, 0, 0, 9, aid_methods, CL_ARRAY_LEN(aid_methods),
      NULL, 0 },
};

const vm_native_area_t vm_api_fw_applet = { "Applet, AID", fw_applet_classes, CL_ARRAY_LEN(fw_applet_classes) };
