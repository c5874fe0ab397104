/* vm: opening the VM on the image (heap, API, system objects, packages, applets), transactions. */
#include "vm/vm.h"
#include "vm/api_crypto_int.h"
#include "vm/vm_load.h"
#include "vm/vm_native.h"
#include "vm/vm_rt.h"

#include <stdlib.h>
#include <string.h>

/* Persistent tables (blobs named by heap roots). */
#define PKG_TABLE_LEN (VM_MAX_PKGS * 4)   /* slot -> CAP blob handle u16, statics handle u16 */
#define APPLET_ENTRY 24                    /* used, aid_len, aid[16], pkg, pad, obj u16, aid obj u16 */
#define APPLET_MAX VM_MAX_APPLETS

static int ensure_root(vm_t *vm, unsigned root, uint8_t kind, uint8_t etype, uint32_t len)
{
    vm_obj_t o;
    uint16_t h = vm_heap_root(vm->heap, root);
    if (h && vm_heap_get(vm->heap, h, &o) && o.kind == kind && o.len == len) return VM_OK;
    int r = vm_heap_alloc(vm->heap, kind, 0, VM_CTX_JCRE, etype, kind == VM_KIND_ARRAY ? VM_NO_CLASS : 0, len, &h);
    if (!r) r = vm_heap_set_root(vm->heap, root, h);
    return r;
}

static int ensure_sys_obj(vm_t *vm, unsigned idx, uint8_t kind, uint8_t flags, uint8_t etype, uint16_t cls, uint32_t len)
{
    vm_obj_t o;
    uint16_t h = vm_sys_get(vm, idx);
    if (h && vm_heap_get(vm->heap, h, &o) && o.kind == kind && o.len == len && o.cls == cls) return VM_OK;
    int r = vm_heap_alloc(vm->heap, kind, flags, VM_CTX_JCRE, etype, cls, len, &h);
    if (!r) r = vm_sys_set(vm, idx, h);
    return r;
}

/* The JCRE's objects, made once at the first boot of an image: tables, APDU, exception singletons. */
static int make_system(vm_t *vm)
{
    img_t *img = vm->img;
    if (img_group_begin(img)) return VM_ERR_IO;
    int r = ensure_root(vm, VM_ROOT_SYSTEM, VM_KIND_ARRAY, VM_T_REF, VM_SYS_LEN);
    if (!r) r = ensure_root(vm, VM_ROOT_PACKAGES, VM_KIND_BLOB, 0, PKG_TABLE_LEN);
    if (!r) r = ensure_root(vm, VM_ROOT_APPLETS, VM_KIND_BLOB, 0, APPLET_ENTRY * APPLET_MAX);
    if (!r) r = ensure_sys_obj(vm, VM_SYS_APDU, VM_KIND_INSTANCE, VM_OF_ENTRY_POINT | VM_OF_TEMP_ENTRY, 0,
                               VM_CLASS_ID(VM_PKG_FRAMEWORK, 10), 0);
    if (!r) r = ensure_sys_obj(vm, VM_SYS_APDU_BUF, VM_KIND_ARRAY, VM_OF_GLOBAL | VM_OF_TEMP_ENTRY | VM_OF_CLEAR_ON_RESET,
                               VM_T_BYTE, 0, VM_APDU_BUF_LEN);
    /* Exception singletons: made now, outside any transaction, so an abort never takes them away. */
    for (uint8_t pkg = VM_PKG_JAVA_LANG; !r && pkg <= VM_PKG_CRYPTO; pkg++)
        for (unsigned t = 0; t < 32 && !r; t++) {
            vm_class_t *c = vm_class(vm, VM_CLASS_ID(pkg, t));
            if (!c || (c->flags & 0x8) || !vm_class_is_subclass(vm, c->id, VM_CLASS_ID(VM_PKG_JAVA_LANG, 1))) continue;
            r = ensure_sys_obj(vm, VM_SYS_EXC_FIRST + (pkg - 1u) * 32u + t, VM_KIND_INSTANCE,
                               VM_OF_ENTRY_POINT | VM_OF_TEMP_ENTRY | VM_OF_CLEAR_ON_RESET, 0, c->id, c->inst_size);
        }
    if (r) { img_group_abort(img); return r; }
    return img_group_commit(img) ? VM_ERR_IO : VM_OK;
}

static const uint8_t *table(vm_t *vm, unsigned root, vm_obj_t *o)
{
    if (!vm_heap_get(vm->heap, vm_heap_root(vm->heap, root), o) || o->kind != VM_KIND_BLOB) return NULL;
    return vm_heap_data(vm->heap, o);
}

/* RAM copy of the persistent applet table. */
int vm_applets_reload(vm_t *vm)
{
    vm_obj_t o;
    const uint8_t *t = table(vm, VM_ROOT_APPLETS, &o);
    vm_applet_t *old = vm->applets;
    int nold = vm->napplets;
    vm->applets = NULL;
    vm->napplets = 0;
    if (!t) { free(old); return -1; }
    vm->applets = calloc(APPLET_MAX, sizeof *vm->applets);
    if (!vm->applets) { free(old); return -1; }
    for (unsigned i = 0; i < APPLET_MAX && (i + 1) * APPLET_ENTRY <= o.len; i++) {
        const uint8_t *e = t + i * APPLET_ENTRY;
        if (!e[0] || e[1] < 5 || e[1] > 16 || !vm->pkgs[e[18]]) continue;
        vm_applet_t *a = &vm->applets[vm->napplets++];
        a->aid_len = e[1];
        memcpy(a->aid, e + 2, e[1]);
        a->pkg = e[18];
        a->obj = cl_get16(e + 20);
        a->aid_obj = cl_get16(e + 22);
        a->flags = e[19];
        for (int k = 0; k < nold; k++) /* an install or delete does not deselect the others */
            if (old[k].aid_len == a->aid_len && !memcmp(old[k].aid, a->aid, a->aid_len)) {
                a->selected = old[k].selected;
                a->channels = old[k].channels;
            }
    }
    free(old);
    vm->cur_applet = -1;
    /* Each instance's AID object is made now, outside any transaction, so that JCSystem.getAID()
     * never has to allocate (inside a transaction an abort would take the object away again). */
    for (int i = 0; i < vm->napplets && !img_group_open(vm->img); i++) vm_applet_aid_object(vm, i);
    return 0;
}

int vm_applet_add(vm_t *vm, const uint8_t *aid, uint8_t len, uint8_t pkg, uint16_t obj, uint8_t flags)
{
    vm_obj_t o;
    const uint8_t *t = table(vm, VM_ROOT_APPLETS, &o);
    if (!t) return VM_ERR_BAD;
    for (unsigned i = 0; i < APPLET_MAX; i++) {
        if (t[i * APPLET_ENTRY]) continue;
        uint8_t e[APPLET_ENTRY] = { 0 };
        e[0] = 1; e[1] = len;
        memcpy(e + 2, aid, len);
        e[18] = pkg;
        e[19] = flags;
        cl_put16(e + 20, obj);
        return vm_heap_write(vm->heap, &o, i * APPLET_ENTRY, e, APPLET_ENTRY, true);
    }
    return VM_ERR_NOMEM;
}

int vm_applet_remove(vm_t *vm, const uint8_t *aid, uint8_t len)
{
    vm_obj_t o;
    const uint8_t *t = table(vm, VM_ROOT_APPLETS, &o);
    if (!t) return VM_ERR_BAD;
    for (unsigned i = 0; i < APPLET_MAX; i++) {
        const uint8_t *e = t + i * APPLET_ENTRY;
        if (e[0] && e[1] == len && !memcmp(e + 2, aid, len)) {
            /* the whole entry: its handles would otherwise keep the instance alive for the collector */
            static const uint8_t zero[APPLET_ENTRY];
            return vm_heap_write(vm->heap, &o, i * APPLET_ENTRY, zero, APPLET_ENTRY, true);
        }
    }
    return VM_ERR_BAD;
}

int vm_applet_find(vm_t *vm, const uint8_t *aid, uint8_t len)
{
    for (int i = 0; i < vm->napplets; i++)
        if (vm->applets[i].aid_len == len && !memcmp(vm->applets[i].aid, aid, len)) return i;
    return -1;
}

int vm_applet_of_ctx(vm_t *vm, uint8_t ctx)
{
    if (vm->cur_applet >= 0 && vm->cur_applet < vm->napplets && vm->applets[vm->cur_applet].pkg == ctx) return vm->cur_applet;
    for (int i = 0; i < vm->napplets; i++)
        if (vm->applets[i].pkg == ctx) return i;
    return -1;
}

uint16_t vm_applet_aid_object(vm_t *vm, int i)
{
    vm_applet_t *a = &vm->applets[i];
    uint8_t b[16], l;
    if (a->aid_obj && vm_aid_read(vm, a->aid_obj, b, &l) && l == a->aid_len && !memcmp(b, a->aid, l)) return a->aid_obj;
    /* Made outside any transaction (non-atomic entry update) so an abort cannot take it away. */
    if (img_group_open(vm->img)) return 0;
    uint16_t h;
    if (vm_aid_new(vm, a->aid, a->aid_len, VM_CTX_JCRE, VM_OF_ENTRY_POINT, &h)) return 0;
    vm_obj_t o;
    const uint8_t *t = table(vm, VM_ROOT_APPLETS, &o);
    for (unsigned k = 0; t && k < APPLET_MAX; k++) {
        const uint8_t *e = t + k * APPLET_ENTRY;
        if (e[0] && e[1] == a->aid_len && !memcmp(e + 2, a->aid, a->aid_len)) {
            uint8_t hb[2];
            cl_put16(hb, h);
            vm_heap_write(vm->heap, &o, k * APPLET_ENTRY + 22, hb, 2, false);
        }
    }
    a->aid_obj = h;
    return h;
}

/* Package table: slot -> (CAP blob, statics). */
int vm_pkg_table_get(vm_t *vm, uint8_t slot, uint16_t *blob, uint16_t *statics)
{
    vm_obj_t o;
    const uint8_t *t = table(vm, VM_ROOT_PACKAGES, &o);
    if (!t || o.len < PKG_TABLE_LEN) return -1;
    *blob = cl_get16(t + 4 * slot);
    *statics = cl_get16(t + 4 * slot + 2);
    return 0;
}

int vm_pkg_table_set(vm_t *vm, uint8_t slot, uint16_t blob, uint16_t statics)
{
    vm_obj_t o;
    if (!table(vm, VM_ROOT_PACKAGES, &o) || o.len < PKG_TABLE_LEN) return VM_ERR_BAD;
    uint8_t b[4];
    cl_put16(b, blob);
    cl_put16(b + 2, statics);
    return vm_heap_write(vm->heap, &o, 4u * slot, b, 4, true);
}

vm_t *vm_open(img_t *img, uint32_t heap_offset, cl_error_t *e)
{
    vm_t *vm = calloc(1, sizeof *vm);
    if (!vm) { cl_seterr(e, "out of memory"); return NULL; }
    vm->img = img;
    vm->cur_applet = -1;
    if (vm_heap_open(img, heap_offset, true, &vm->heap, e) || vm_native_link_api(vm, e)) { vm_close(vm); return NULL; }
    if (make_system(vm)) { cl_seterr(e, "vm: cannot create the system objects (heap full?)"); vm_close(vm); return NULL; }
    vm->apdu.resp_cap = 65536;
    vm->apdu.resp = malloc(vm->apdu.resp_cap);
    if (!vm->apdu.resp) { cl_seterr(e, "out of memory"); vm_close(vm); return NULL; }
    if (vm_load_boot(vm, e) || vm_applets_reload(vm)) {
        if (!e || !e->msg[0]) cl_seterr(e, "vm: cannot restore the installed packages");
        vm_close(vm);
        return NULL;
    }
    return vm;
}

void vm_close(vm_t *vm)
{
    if (!vm) return;
    api_op_close(vm); /* crypto states hold key bytes on the host: wiped with their VM */
    if (vm->tx_depth) vm_tx_abort(vm);
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) vm_pkg_free(vm, (uint8_t)s);
    vm_native_free_api(vm);
    vm_heap_close(vm->heap);
    free(vm->applets);
    free(vm->apdu.resp);
    free(vm);
}

void vm_power_on(vm_t *vm)
{
    if (vm->tx_depth) vm_tx_abort(vm);
    vm_heap_clear_transient(vm->heap, VM_OF_CLEAR_ON_RESET | VM_OF_CLEAR_ON_DESELECT, 0xFFFF);
    api_op_sweep(vm); /* the reset cleared every nonce: no crypto state is reachable any more */
    for (int i = 0; i < vm->napplets; i++) { vm->applets[i].selected = false; vm->applets[i].channels = 0; }
    vm->cur_applet = -1;
}

/* Inside Applet.install() the whole installation is one img group already: a transaction there
 * is nested in it (commit is a no-op, the group commits with the install); an abort cannot undo
 * only the transaction's writes, so it makes the install fail as a whole. */
int vm_tx_begin(vm_t *vm)
{
    if (vm->tx_depth) return -1;
    if (vm->installing && img_group_open(vm->img)) {
        vm->tx_depth = 1;
        vm->tx_in_install = true;
        return 0;
    }
    if (img_group_begin(vm->img)) return -1;
    vm->tx_depth = 1;
    return 0;
}

int vm_tx_commit(vm_t *vm)
{
    if (!vm->tx_depth) return -1;
    vm->tx_depth = 0;
    if (vm->tx_in_install) { vm->tx_in_install = false; return 0; }
    if (img_group_commit(vm->img)) {
        img_group_abort(vm->img);
        vm_heap_clear_transient(vm->heap, 0, 0xFFFF); /* as after any abort (vm_tx_abort) */
        return -1;
    }
    return 0;
}

void vm_tx_abort(vm_t *vm)
{
    if (!vm->tx_depth) return;
    vm->tx_depth = 0;
    if (vm->tx_in_install) {
        vm->tx_in_install = false;
        vm->install_tx_aborted = true;
        return;
    }
    img_group_abort(vm->img);
    /* Objects created in the transaction are gone: release the RAM of transient ones and zero what
     * their non-atomic stores left in the free area. */
    vm_heap_clear_transient(vm->heap, 0, 0xFFFF);
}
