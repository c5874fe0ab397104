/* vm_card_admin: what a card maker or the card manager does with the VM's content -- create
 * applet instances (Applet.install), load and install in one call, delete instances and
 * packages, list them (GET STATUS, cardlet image info). */
#include "vm/vm_card.h"
#include "vm/vm_card_int.h"
#include "vm/vm_gc.h"
#include "vm/vm_load.h"
#include "vm/vm_native.h"
#include "vm/vm_rt.h"

#include <string.h>

/* Is another applet instance already the default? (The card manager's default is the card's fallback: a
 * default-selected instance takes channel 0 over from it, as with GlobalPlatform's CardReset privilege.) */
static bool default_taken(vm_t *vm)
{
    for (int i = 0; i < vm->napplets; i++)
        if (vm->applets[i].flags & VM_APPLET_DEFAULT) return true;
    return false;
}

int vm_install_applet(vm_t *vm, const uint8_t *class_aid, uint8_t class_aid_len, const uint8_t *inst_aid,
                      uint8_t inst_aid_len, const uint8_t *params, uint8_t params_len, uint8_t flags, cl_error_t *e)
{
    vm_pkg_t *p = NULL;
    const vm_applet_def_t *def = NULL;
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS && !def; s++)
        for (unsigned k = 0; vm->pkgs[s] && k < vm->pkgs[s]->napplets; k++)
            if (vm->pkgs[s]->applets[k].aid_len == class_aid_len && !memcmp(vm->pkgs[s]->applets[k].aid, class_aid, class_aid_len)) {
                p = vm->pkgs[s];
                def = &p->applets[k];
                break;
            }
    if (!def) { cl_seterr(e, "no installed package defines applet class AID"); return -1; }
    if (!inst_aid) { inst_aid = class_aid; inst_aid_len = class_aid_len; }
    if (inst_aid_len < 5 || inst_aid_len > 16) { cl_seterr(e, "instance AID must have 5..16 bytes"); return -1; }
    const char *taken = vm_aid_taken(vm, inst_aid, inst_aid_len, -1, def->aid, def->aid_len);
    if (taken) {
        cl_seterr(e, "instance AID is already used by %s", taken);
        return -1;
    }
    if (vm->napplets >= VM_MAX_APPLETS) { cl_seterr(e, "applet table full"); return -1; }
    if ((flags & VM_APPLET_DEFAULT) && default_taken(vm)) {
        cl_seterr(e, "another application is already selected by default");
        return -1;
    }
    /* Install parameters (GlobalPlatform INSTALL [for install] layout): LV instance AID, LV control
     * info (empty), LV applet data; passed in the APDU buffer, a global JCRE array. */
    vm_obj_t bo;
    if (!vm_heap_get(vm->heap, vm_sys_get(vm, VM_SYS_APDU_BUF), &bo) || 3u + inst_aid_len + params_len > bo.len) {
        cl_seterr(e, "install parameters too long");
        return -1;
    }
    uint8_t *buf = (uint8_t *)vm_heap_data(vm->heap, &bo);
    if (!buf) { cl_seterr(e, "out of memory"); return -1; }
    uint32_t n = 0;
    buf[n++] = inst_aid_len; memcpy(buf + n, inst_aid, inst_aid_len); n += inst_aid_len;
    buf[n++] = 0;
    buf[n++] = params_len; if (params_len) memcpy(buf + n, params, params_len); n += params_len;

    if (img_group_begin(vm->img)) { cl_seterr(e, "a transaction is open"); return -1; }
    vm->installing = true;
    vm->install_tx_aborted = false;
    vm->out_of_memory = false;
    memcpy(vm->inst_aid, inst_aid, inst_aid_len);
    vm->inst_aid_len = inst_aid_len;
    vm->registered_obj = 0;
    /* bLength is a byte: values above 127 arrive negative, as on any card (applets mask with 0xFF). */
    uint16_t args[3] = { bo.handle, 0, (uint16_t)(int16_t)(int8_t)n }, ret[2];
    enum vm_run r = vm_run_method(vm, p, def->install, p->slot, args, 3, ret);
    if (vm->tx_depth) vm_tx_abort(vm); /* left open: aborted, as after process() */
    vm->installing = false;
    int rc = -1;
    if (r != VM_RUN_OK && vm->out_of_memory)
        cl_seterr(e, "applet install() failed with status %04X: the card ran out of memory (%u heap bytes left)",
                  vm->sw, vm_heap_free_bytes(vm->heap));
    else if (r != VM_RUN_OK) cl_seterr(e, "applet install() failed with status %04X%s%s", vm->sw,
                                       vm->last_error[0] ? ": " : "", vm->last_error);
    else if (vm->install_tx_aborted) cl_seterr(e, "applet install() aborted a transaction (not possible during installation)");
    else if (!vm->registered_obj) cl_seterr(e, "applet install() did not call register()");
    else if ((taken = vm_aid_taken(vm, vm->registered_aid, vm->registered_aid_len, -1, def->aid, def->aid_len)))
        cl_seterr(e, "applet install() registered an AID already used by %s", taken); /* register(byte[], ...) */
    else if (vm_applet_add(vm, vm->registered_aid, vm->registered_aid_len, p->slot, vm->registered_obj, flags))
        cl_seterr(e, "cannot record the applet instance (commit capacity or table full)");
    else if (img_group_commit(vm->img)) cl_seterr(e, "cannot commit the applet instance");
    else rc = 0;
    if (rc) {
        if (img_group_open(vm->img)) img_group_abort(vm->img);
        vm_heap_scrub(vm->heap);
        vm_heap_clear_transient(vm->heap, 0, 0xFFFF);
        return -1;
    }
    if (vm_applets_reload(vm)) { cl_seterr(e, "cannot reload the applet table"); return -1; }
    if (vm->reg && vm_card_register_all(vm, e)) return -1;
    return 0;
}

int vm_card_install(vm_t *vm, const uint8_t *cap, size_t cap_len, const uint8_t *class_aid, uint8_t class_aid_len,
                    const uint8_t *inst_aid, uint8_t inst_aid_len, const uint8_t *params, uint8_t params_len,
                    bool default_selected, cl_error_t *e)
{
    uint8_t slot = 0;
    if (cap && vm_load_install(vm, cap, cap_len, &slot, e)) return -1;
    if (!class_aid) return 0;
    if (vm_install_applet(vm, class_aid, class_aid_len, inst_aid, inst_aid_len, params, params_len,
                          default_selected ? VM_APPLET_DEFAULT : 0, e) == 0)
        return 0;
    /* The instance failed: the package this call loaded is deleted again, so a failed install changes
     * nothing and the corrected call can simply be repeated. The message names the applet class. */
    char why[CL_ERR_LEN], hex[2 * 16 + 1];
    snprintf(why, sizeof why, "%s", e->msg);
    cl_seterr(e, "applet %s: %s", cl_hex_encode(class_aid, class_aid_len, hex, 0), why);
    if (cap && vm->pkgs[slot]) {
        uint8_t paid[16], plen = vm->pkgs[slot]->aid_len;
        memcpy(paid, vm->pkgs[slot]->aid, plen);
        cl_error_t de = { { 0 } };
        if (vm_card_delete_package(vm, paid, plen, &de) != 0)
            cl_seterr(e, "applet %s: %s (and its package stays loaded: %s)", hex, why, de.msg);
    }
    return -1;
}

static void put_aid(FILE *out, const uint8_t *aid, unsigned n)
{
    for (unsigned i = 0; i < n; i++) fprintf(out, "%02X", aid[i]);
}

void vm_card_describe(vm_t *vm, FILE *out)
{
    fprintf(out, "heap: %u bytes free, %u objects\n", vm_heap_free_bytes(vm->heap), vm_heap_used_handles(vm->heap));
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) {
        vm_pkg_t *p = vm->pkgs[s];
        if (!p) continue;
        fprintf(out, "package ");
        put_aid(out, p->aid, p->aid_len);
        fprintf(out, " version %u.%u slot %d classes %u%s\n", p->major, p->minor, s, p->nclasses, p->has_int ? " int" : "");
        for (unsigned k = 0; k < p->napplets; k++) {
            fprintf(out, "  applet class ");
            put_aid(out, p->applets[k].aid, p->applets[k].aid_len);
            fprintf(out, "\n");
        }
    }
    for (int i = 0; i < vm->napplets; i++) {
        fprintf(out, "instance ");
        put_aid(out, vm->applets[i].aid, vm->applets[i].aid_len);
        fprintf(out, " package slot %u%s\n", vm->applets[i].pkg, (vm->applets[i].flags & VM_APPLET_DEFAULT) ? " default" : "");
    }
}

int vm_card_delete_applet(vm_t *vm, const uint8_t *aid, uint8_t aid_len, cl_error_t *e)
{
    int i = vm_applet_find(vm, aid, aid_len);
    if (i < 0) { cl_seterr(e, "no applet instance with this AID"); return -1; }
    if (vm->tx_depth) { cl_seterr(e, "a transaction is open"); return -1; }
    /* An applet implementing AppletEvent is told first (JCRE 11.3.4); what it throws is ignored. */
    vm_obj_t ao;
    vm_pkg_t *mp; uint32_t mo; const vm_native_method_t *nm;
    if (vm_heap_get(vm->heap, vm->applets[i].obj, &ao) && ao.kind == VM_KIND_INSTANCE &&
        vm_find_interface(vm, ao.cls, VM_CLASS_ID(VM_PKG_FRAMEWORK, 18), 0, &mp, &mo, &nm) && !nm) {
        uint16_t args[1] = { vm->applets[i].obj }, ret[2];
        vm->cur_applet = i;
        vm_run_method(vm, mp, mo, vm->applets[i].pkg, args, 1, ret);
        vm_card_end_of_call(vm);
        vm->cur_applet = -1;
    }
    /* The registry deselects it where it is selected (deselect() runs while the VM still knows it). */
    if (vm->reg) {
        long k = apdu_reg_find(vm->reg, aid, aid_len);
        apdu_app_info_t info;
        if (k >= 0 && apdu_reg_get(vm->reg, (size_t)k, &info) && info.ops == &vm_app_ops) {
            apdu_reg_remove(vm->reg, aid, aid_len);
            ((vm_app_ctx_t *)info.ctx)->used = false;
        }
    }
    if (vm_applet_remove(vm, aid, aid_len)) { cl_seterr(e, "cannot update the applet table"); return -1; }
    if (vm_applets_reload(vm)) { cl_seterr(e, "cannot reload the applet table"); return -1; }
    vm_gc(vm, NULL); /* its objects are garbage now */
    return 0;
}

int vm_card_delete_package(vm_t *vm, const uint8_t *aid, uint8_t aid_len, cl_error_t *e)
{
    int s = vm_pkg_find(vm, aid, aid_len);
    if (s < VM_PKG_FIRST_USER) { cl_seterr(e, "no installed package with this AID"); return -1; }
    for (int i = 0; i < vm->napplets; i++)
        if (vm->applets[i].pkg == s) { cl_seterr(e, "an applet instance of this package exists"); return -1; }
    for (int q = VM_PKG_FIRST_USER; q < VM_MAX_PKGS; q++)
        for (unsigned k = 0; vm->pkgs[q] && q != s && k < vm->pkgs[q]->nimports; k++)
            if (vm->pkgs[q]->imports[k] == s) { cl_seterr(e, "another package imports this package"); return -1; }
    if (vm->tx_depth) { cl_seterr(e, "a transaction is open"); return -1; }
    if (vm_pkg_table_set(vm, (uint8_t)s, 0, 0)) { cl_seterr(e, "cannot update the package table"); return -1; }
    vm_pkg_free(vm, (uint8_t)s);
    vm_gc(vm, NULL); /* its CAP, static fields and their arrays are garbage now */
    return 0;
}

int vm_card_instance_count(vm_t *vm) { return vm->napplets; }

bool vm_card_instance(vm_t *vm, int i, vm_instance_info_t *out)
{
    if (i < 0 || i >= vm->napplets) return false;
    vm_applet_t *a = &vm->applets[i];
    vm_pkg_t *p = vm->pkgs[a->pkg];
    out->aid = a->aid;
    out->aid_len = a->aid_len;
    out->pkg_aid = p ? p->aid : NULL;
    out->pkg_aid_len = p ? p->aid_len : 0;
    out->default_selected = (a->flags & VM_APPLET_DEFAULT) != 0;
    return true;
}

int vm_card_package_count(vm_t *vm)
{
    int n = 0;
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) n += vm->pkgs[s] != NULL;
    return n;
}
