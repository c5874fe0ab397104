/* api_fw_system: javacard.framework.JCSystem and Util. */
#include "vm/vm_native.h"

#include <stdlib.h>
#include <string.h>

#define SYSTEM_EXC 13
#define TX_EXC 14
#define THROW_SYS(r) do { vm_throw_api(vm, VM_PKG_FRAMEWORK, SYSTEM_EXC, (r)); return VM_NAT_THROW; } while (0)
#define THROW_AIOOBE() do { vm_throw_api(vm, VM_PKG_JAVA_LANG, 5, 0); return VM_NAT_THROW; } while (0)

/* --- JCSystem --- */
static int js_is_transient(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    ret[0] = (o.flags & VM_OF_CLEAR_ON_RESET) ? 1 : (o.flags & VM_OF_CLEAR_ON_DESELECT) ? 2 : 0;
    return VM_NAT_OK;
}

static int make_transient(vm_t *vm, uint16_t *args, uint16_t *ret, uint8_t etype)
{
    int16_t len = (int16_t)args[0];
    int8_t event = (int8_t)args[1];
    if (event != 1 && event != 2) THROW_SYS(1); /* ILLEGAL_VALUE */
    uint8_t flags = event == 1 ? VM_OF_CLEAR_ON_RESET : VM_OF_CLEAR_ON_DESELECT;
    if (vm_obj_new_array(vm, etype, VM_CLASS_ID(VM_PKG_JAVA_LANG, 0), len, vm->cur_ctx, flags, &ret[0])) return VM_NAT_THROW;
    return VM_NAT_OK;
}
static int js_mt_bool(vm_t *vm, uint16_t *a, uint16_t *r) { return make_transient(vm, a, r, VM_T_BOOLEAN); }
static int js_mt_byte(vm_t *vm, uint16_t *a, uint16_t *r) { return make_transient(vm, a, r, VM_T_BYTE); }
static int js_mt_short(vm_t *vm, uint16_t *a, uint16_t *r) { return make_transient(vm, a, r, VM_T_SHORT); }
static int js_mt_object(vm_t *vm, uint16_t *a, uint16_t *r) { return make_transient(vm, a, r, VM_T_REF); }

static int js_make_global(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    static const uint8_t types[] = { 0, VM_T_BOOLEAN, VM_T_BYTE, VM_T_SHORT, VM_T_INT, VM_T_REF };
    int8_t t = (int8_t)args[0];
    if (t < 1 || t > 5) THROW_SYS(1);
    if (vm_obj_new_array(vm, types[t], VM_CLASS_ID(VM_PKG_JAVA_LANG, 0), (int16_t)args[1], vm->cur_ctx,
                         VM_OF_GLOBAL | VM_OF_CLEAR_ON_RESET, &ret[0]))
        return VM_NAT_THROW;
    return VM_NAT_OK;
}

static int js_get_version(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 0x0305; return VM_NAT_OK; }

static int js_get_aid(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    int i = vm_applet_of_ctx(vm, vm->cur_ctx);
    ret[0] = i < 0 ? 0 : vm_applet_aid_object(vm, i);
    return VM_NAT_OK;
}

static int js_lookup_aid(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    int8_t len = (int8_t)args[2];
    const uint8_t *p = vm_nat_bytes(vm, args[0], (int16_t)args[1], len, &o);
    if (!p) return VM_NAT_THROW;
    int i = len >= 5 && len <= 16 ? vm_applet_find(vm, p, (uint8_t)len) : -1;
    ret[0] = i < 0 ? 0 : vm_applet_aid_object(vm, i);
    return VM_NAT_OK;
}

static int js_begin(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args; (void)ret;
    if (vm->tx_depth) { vm_throw_api(vm, VM_PKG_FRAMEWORK, TX_EXC, 1); return VM_NAT_THROW; } /* IN_PROGRESS */
    if (vm_tx_begin(vm)) { vm_throw_api(vm, VM_PKG_FRAMEWORK, TX_EXC, 4); return VM_NAT_THROW; } /* INTERNAL_FAILURE */
    return VM_NAT_OK;
}

static int js_abort(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args; (void)ret;
    if (!vm->tx_depth) { vm_throw_api(vm, VM_PKG_FRAMEWORK, TX_EXC, 2); return VM_NAT_THROW; } /* NOT_IN_PROGRESS */
    vm_tx_abort(vm);
    return VM_NAT_OK;
}

static int js_commit(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args; (void)ret;
    if (!vm->tx_depth) { vm_throw_api(vm, VM_PKG_FRAMEWORK, TX_EXC, 2); return VM_NAT_THROW; }
    if (vm_tx_commit(vm)) { vm_throw_api(vm, VM_PKG_FRAMEWORK, TX_EXC, 4); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

static int js_depth(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = (uint16_t)vm->tx_depth; return VM_NAT_OK; }

static uint16_t clamp_short(uint32_t v) { return (uint16_t)(v > 32767 ? 32767 : v); }

static int js_unused_capacity(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    uint32_t cap = img_group_capacity(vm->img), used = vm->tx_depth ? img_group_used(vm->img) : 0;
    ret[0] = clamp_short(cap > used ? cap - used : 0);
    return VM_NAT_OK;
}

static int js_max_capacity(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = clamp_short(img_group_capacity(vm->img)); return VM_NAT_OK; }

static int js_previous_aid(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    int i = vm->prev_ctx == VM_CTX_JCRE ? -1 : vm_applet_of_ctx(vm, vm->prev_ctx);
    ret[0] = i < 0 ? 0 : vm_applet_aid_object(vm, i);
    return VM_NAT_OK;
}

static int js_available_memory(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    int8_t type = (int8_t)args[0];
    if (type == 0) ret[0] = clamp_short(vm_heap_free_bytes(vm->heap));
    else if (type == 1 || type == 2) ret[0] = clamp_short(VM_TRANSIENT_BUDGET - vm_heap_transient_bytes(vm->heap));
    else THROW_SYS(1);
    return VM_NAT_OK;
}

/* The int form: buffer[offset] = high 16 bits, buffer[offset+1] = low 16 bits (not clamped). */
static int js_available_memory_int(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    int16_t off = (int16_t)args[1];
    int8_t type = (int8_t)args[2];
    uint32_t avail;
    if (type == 0) avail = vm_heap_free_bytes(vm->heap);
    else if (type == 1 || type == 2) avail = VM_TRANSIENT_BUDGET - vm_heap_transient_bytes(vm->heap);
    else THROW_SYS(1);
    vm_obj_t o;
    if (!vm_obj_get(vm, args[0], &o)) return VM_NAT_THROW;
    if (o.kind != VM_KIND_ARRAY || o.etype != VM_T_SHORT) { vm_throw_security(vm, "short array expected"); return VM_NAT_THROW; }
    if (!vm_fw_can_access(vm, &o)) { vm_throw_security(vm, "firewall: array of another context"); return VM_NAT_THROW; }
    if (off < 0 || (uint32_t)off + 2 > o.len) THROW_AIOOBE();
    uint8_t b[4];
    cl_put32(b, avail);
    int r = vm_heap_write(vm->heap, &o, 2u * (uint32_t)off, b, 4, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    return VM_NAT_OK;
}

/* Asks the server applet for its Shareable object: runs server.getShareableInterfaceObject(clientAID, param)
 * in the server's context (JCRE spec 6.2.4). */
static int js_get_sio(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t aid[16], len;
    ret[0] = 0;
    if (!args[0] || vm_heap_is_void(vm->heap, args[0])) return VM_NAT_OK; /* null (a void reference reads as null) */
    if (!vm_aid_read(vm, args[0], aid, &len)) { vm_throw_security(vm, "not an AID"); return VM_NAT_THROW; }
    int s = vm_applet_find(vm, aid, len);
    if (s < 0) return VM_NAT_OK;
    int c = vm_applet_of_ctx(vm, vm->cur_ctx);
    uint16_t client_aid = c < 0 ? 0 : vm_applet_aid_object(vm, c);
    vm_obj_t so;
    if (!vm_heap_get(vm->heap, vm->applets[s].obj, &so)) return VM_NAT_OK;
    vm_pkg_t *mp; uint32_t mo; const vm_native_method_t *nm;
    if (!vm_find_virtual(vm, so.cls, 5, VM_CLASS_PKG(so.cls), &mp, &mo, &nm) || nm) return VM_NAT_OK; /* default: null */
    uint8_t caller = vm->cur_ctx;
    uint16_t a[3] = { vm->applets[s].obj, client_aid, args[1] }, r[2];
    enum vm_run rr = vm_run_method(vm, mp, mo, vm->applets[s].pkg, a, 3, r);
    vm->cur_ctx = caller;
    vm->exc = 0;
    vm->fatal = false;
    if (rr != VM_RUN_OK || !r[0]) return VM_NAT_OK;
    vm_obj_t ro;
    if (!vm_heap_get(vm->heap, r[0], &ro) || ro.kind != VM_KIND_INSTANCE ||
        !vm_class_implements(vm, ro.cls, VM_CLASS_ID(VM_PKG_FRAMEWORK, 2)))
        return VM_NAT_OK; /* not a Shareable: the client gets null */
    ret[0] = r[0];
    return VM_NAT_OK;
}

static int js_true(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 1; return VM_NAT_OK; }
/* The collection runs when the current command has ended (vm_card.c), as the API allows. */
static int js_request_deletion(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; (void)ret; vm->gc_requested = true; return VM_NAT_OK; }
static int js_channel(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = vm->apdu.channel; return VM_NAT_OK; }

static int js_is_active(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint8_t aid[16], len;
    /* A reference to an object of an aborted transaction reads as null (JCRE 7.6.3). */
    if (!args[0] || vm_heap_is_void(vm->heap, args[0])) { vm_throw_npe(vm); return VM_NAT_THROW; }
    int i = vm_aid_read(vm, args[0], aid, &len) ? vm_applet_find(vm, aid, len) : -1;
    ret[0] = i >= 0 && vm->applets[i].selected;
    return VM_NAT_OK;
}

static const vm_native_method_t jcsystem_methods[] = {
    { VM_NAT_STATIC, 0, "abortTransaction()V", js_abort },
    { VM_NAT_STATIC, 1, "beginTransaction()V", js_begin },
    { VM_NAT_STATIC, 2, "commitTransaction()V", js_commit },
    { VM_NAT_STATIC, 3, "getAID()Ljavacard/framework/AID;", js_get_aid },
    { VM_NAT_STATIC, 4, "getAppletShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;", js_get_sio },
    { VM_NAT_STATIC, 5, "getMaxCommitCapacity()S", js_max_capacity },
    { VM_NAT_STATIC, 6, "getPreviousContextAID()Ljavacard/framework/AID;", js_previous_aid },
    { VM_NAT_STATIC, 7, "getTransactionDepth()B", js_depth },
    { VM_NAT_STATIC, 8, "getUnusedCommitCapacity()S", js_unused_capacity },
    { VM_NAT_STATIC, 9, "getVersion()S", js_get_version },
    { VM_NAT_STATIC, 10, "isTransient(Ljava/lang/Object;)B", js_is_transient },
    { VM_NAT_STATIC, 11, "lookupAID([BSB)Ljavacard/framework/AID;", js_lookup_aid },
    { VM_NAT_STATIC, 12, "makeTransientBooleanArray(SB)[Z", js_mt_bool },
    { VM_NAT_STATIC, 13, "makeTransientByteArray(SB)[B", js_mt_byte },
    { VM_NAT_STATIC, 14, "makeTransientObjectArray(SB)[Ljava/lang/Object;", js_mt_object },
    { VM_NAT_STATIC, 15, "makeTransientShortArray(SB)[S", js_mt_short },
    { VM_NAT_STATIC, 16, "getAvailableMemory(B)S", js_available_memory },
    { VM_NAT_STATIC, 17, "isObjectDeletionSupported()Z", js_true },
    { VM_NAT_STATIC, 18, "requestObjectDeletion()V", js_request_deletion },
    { VM_NAT_STATIC, 19, "getAssignedChannel()B", js_channel },
    { VM_NAT_STATIC, 20, "isAppletActive(Ljavacard/framework/AID;)Z", js_is_active },
    { VM_NAT_STATIC, 21, "makeGlobalArray(BS)Ljava/lang/Object;", js_make_global },
    { VM_NAT_STATIC, 22, "getAvailableMemory([SSB)V", js_available_memory_int },
};

/* --- Util --- */
/* Resolves two byte-array ranges; throws NPE / AIOOBE / SecurityException as the API says. */
static const uint8_t *range(vm_t *vm, uint16_t ref, int16_t off, int16_t len, vm_obj_t *o)
{
    if (len < 0) { vm_throw_api(vm, VM_PKG_JAVA_LANG, 5, 0); return NULL; }
    return vm_nat_bytes(vm, ref, off, len, o);
}

/* The source goes to the store as the heap's own bytes, no temporary copy (of what may be key
 * material): every store path takes a source inside the area it writes and overlapping it, as
 * Java Card's copy-through-a-temporary semantics need. Transient data is memmove'd in RAM; the
 * image's img_write logs the source before a memmove into the area, img_group_write saves the
 * destination's old bytes then memmoves; an integrity array's store copies the source first. */
static int util_copy(vm_t *vm, uint16_t *args, uint16_t *ret, bool atomic)
{
    int16_t soff = (int16_t)args[1], doff = (int16_t)args[3], len = (int16_t)args[4];
    vm_obj_t so, dob;
    const uint8_t *s = range(vm, args[0], soff, len, &so);
    if (!s || !range(vm, args[2], doff, len, &dob)) return VM_NAT_THROW;
    int r = vm_heap_write(vm->heap, &dob, (uint32_t)doff, s, (uint32_t)len, atomic);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    ret[0] = (uint16_t)(doff + len);
    return VM_NAT_OK;
}
static int util_array_copy(vm_t *vm, uint16_t *a, uint16_t *r) { return util_copy(vm, a, r, true); }
static int util_array_copy_na(vm_t *vm, uint16_t *a, uint16_t *r) { return util_copy(vm, a, r, false); }

static int util_fill(vm_t *vm, uint16_t *args, uint16_t *ret, bool atomic)
{
    int16_t off = (int16_t)args[1], len = (int16_t)args[2];
    vm_obj_t o;
    if (!range(vm, args[0], off, len, &o)) return VM_NAT_THROW;
    int r = vm_heap_fill(vm->heap, &o, (uint32_t)off, (uint8_t)args[3], (uint32_t)len, atomic);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    ret[0] = (uint16_t)(off + len);
    return VM_NAT_OK;
}
static int util_array_fill(vm_t *vm, uint16_t *a, uint16_t *r) { return util_fill(vm, a, r, true); }
static int util_array_fill_na(vm_t *vm, uint16_t *a, uint16_t *r) { return util_fill(vm, a, r, false); }

static int util_compare(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    int16_t soff = (int16_t)args[1], doff = (int16_t)args[3], len = (int16_t)args[4];
    vm_obj_t so, dob;
    const uint8_t *s = range(vm, args[0], soff, len, &so);
    const uint8_t *d = s ? range(vm, args[2], doff, len, &dob) : NULL;
    if (!s || !d) return VM_NAT_THROW;
    ret[0] = 0;
    for (int i = 0; i < len; i++)
        if (s[i] != d[i]) { ret[0] = (int8_t)s[i] < (int8_t)d[i] ? (uint16_t)-1 : 1; break; }
    return VM_NAT_OK;
}

static int util_make_short(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; ret[0] = (uint16_t)(((args[0] & 0xFF) << 8) | (args[1] & 0xFF)); return VM_NAT_OK; }

static int util_get_short(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    const uint8_t *p = vm_nat_bytes(vm, args[0], (int16_t)args[1], 2, &o);
    if (!p) return VM_NAT_THROW;
    ret[0] = cl_get16(p);
    return VM_NAT_OK;
}

static int util_set_short(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    int16_t off = (int16_t)args[1];
    if (!vm_nat_bytes(vm, args[0], off, 2, &o)) return VM_NAT_THROW;
    uint8_t b[2];
    cl_put16(b, args[2]);
    int r = vm_heap_write(vm->heap, &o, (uint32_t)off, b, 2, true);
    if (r) { vm_throw_store_error(vm, r); return VM_NAT_THROW; }
    ret[0] = (uint16_t)(off + 2);
    return VM_NAT_OK;
}

static const vm_native_method_t util_methods[] = {
    { VM_NAT_STATIC, 0, "arrayCompare([BS[BSS)B", util_compare },
    { VM_NAT_STATIC, 1, "arrayCopy([BS[BSS)S", util_array_copy },
    { VM_NAT_STATIC, 2, "arrayCopyNonAtomic([BS[BSS)S", util_array_copy_na },
    { VM_NAT_STATIC, 3, "arrayFillNonAtomic([BSSB)S", util_array_fill_na },
    { VM_NAT_STATIC, 4, "getShort([BS)S", util_get_short },
    { VM_NAT_STATIC, 5, "makeShort(BB)S", util_make_short },
    { VM_NAT_STATIC, 6, "setShort([BSS)S", util_set_short },
    { VM_NAT_STATIC, 7, "arrayFill([BSSB)S", util_array_fill },
};

static const vm_native_class_t fw_system_classes[] = {
    { VM_PKG_FRAMEWORK, 8, "javacard/framework/JCSystem", VM_PKG_JAVA_LANG, 0, 0, 0, jcsystem_methods,
      CL_ARRAY_LEN(jcsystem_methods), NULL, 0 },
    { VM_PKG_FRAMEWORK, 16, "javacard/framework/Util", VM_PKG_JAVA_LANG, 0, 0, 0, util_methods, CL_ARRAY_LEN(util_methods),
      NULL, 0 },
};

const vm_native_area_t vm_api_fw_system = { "JCSystem, Util", fw_system_classes, CL_ARRAY_LEN(fw_system_classes) };
