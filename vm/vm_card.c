/* vm_card: applet instances as applications of the card's registry (select, deselect, process),
 * applet installation (Applet.install with the standard parameters), attach/detach. */
#include "vm/vm_card.h"
#include "apdu/apdu_reg.h"
#include "vm/vm_gc.h"
#include "vm/vm_load.h"
#include "vm/vm_native.h"
#include "vm/vm_rt.h"

#include <string.h>

enum { TOK_DESELECT = 4, TOK_SELECT = 6, TOK_PROCESS = 7 };

/* Runs a virtual method of applet i by token; returns the run result, result word in *ret0. */
static enum vm_run call_applet(vm_t *vm, int i, uint8_t token, const uint16_t *extra, int nextra, uint16_t *ret0)
{
    vm_applet_t *a = &vm->applets[i];
    vm_obj_t o;
    uint16_t ret[2] = { 0, 0 };
    *ret0 = 0;
    vm->exc = 0;
    vm->fatal = false;
    if (!vm_heap_get(vm->heap, a->obj, &o) || o.kind != VM_KIND_INSTANCE) { vm->sw = 0x6F00; return VM_RUN_EXCEPTION; }
    vm_pkg_t *mp; uint32_t mo; const vm_native_method_t *nm;
    if (!vm_find_virtual(vm, o.cls, token, VM_CLASS_PKG(o.cls), &mp, &mo, &nm)) {
        cl_err("vm: applet has no method for token %u", token);
        vm->sw = 0x6F00;
        return VM_RUN_EXCEPTION;
    }
    uint16_t args[4] = { a->obj, 0, 0, 0 };
    for (int k = 0; k < nextra && k < 3; k++) args[1 + k] = extra[k];
    vm->cur_applet = i;
    vm->cur_ctx = a->pkg;
    enum vm_run r;
    if (nm) {
        /* Inherited from Applet (select/deselect defaults): call the C directly. */
        r = nm->fn(vm, args, ret) == VM_NAT_OK ? VM_RUN_OK : VM_RUN_EXCEPTION;
        if (r != VM_RUN_OK) vm->sw = 0x6F00;
    } else {
        r = vm_run_method(vm, mp, mo, a->pkg, args, 1 + nextra, ret);
    }
    *ret0 = ret[0];
    return r;
}

static void end_of_call(vm_t *vm)
{
    if (vm->tx_depth) vm_tx_abort(vm); /* JCRE 7.6.3: a transaction left open is aborted */
}

/* The applet table index of the instance a registry context stands for, -1 if it is gone. */
static int ctx_index(vm_app_ctx_t *c) { return vm_applet_find(c->vm, c->aid, c->aid_len); }

#define MULTISELECTABLE VM_CLASS_ID(VM_PKG_FRAMEWORK, 17)

/* Another applet of the same package selected on some channel? */
static bool package_active(vm_t *vm, int idx)
{
    for (int i = 0; i < vm->napplets; i++)
        if (i != idx && vm->applets[i].channels && vm->applets[i].pkg == vm->applets[idx].pkg) return true;
    return false;
}

/* MultiSelectable.select(boolean) (token 0) / deselect(boolean) (token 1) of applet idx, if its
 * class implements the interface. Returns false when it does not (the caller uses Applet's). */
static bool call_multi(vm_t *vm, int idx, uint8_t token, bool arg, enum vm_run *r, uint16_t *ret0)
{
    vm_obj_t o;
    vm_pkg_t *mp; uint32_t mo; const vm_native_method_t *nm;
    if (!vm_heap_get(vm->heap, vm->applets[idx].obj, &o) || o.kind != VM_KIND_INSTANCE ||
        !vm_find_interface(vm, o.cls, MULTISELECTABLE, token, &mp, &mo, &nm) || nm)
        return false;
    uint16_t args[2] = { vm->applets[idx].obj, arg }, ret[2] = { 0, 0 };
    vm->cur_applet = idx;
    *r = vm_run_method(vm, mp, mo, vm->applets[idx].pkg, args, 2, ret);
    *ret0 = ret[0];
    return true;
}

static bool app_select(void *ctx, uint8_t channel)
{
    (void)channel;
    vm_app_ctx_t *c = ctx;
    vm_t *vm = c->vm;
    int idx = ctx_index(c);
    if (idx < 0) return false;
    vm_applet_t *a = &vm->applets[idx];
    uint16_t ok = 0;
    bool already = a->channels > 0;
    memset(&vm->apdu, 0, offsetof(vm_apdu_state_t, resp));
    enum vm_run r;
    /* JCRE 4.2: a MultiSelectable applet selected while it, or its package, is active elsewhere
     * gets select(appInstAlreadyActive); otherwise Applet.select(). */
    if (!((already || package_active(vm, idx)) && call_multi(vm, idx, 0, already, &r, &ok)))
        r = call_applet(vm, idx, TOK_SELECT, NULL, 0, &ok);
    end_of_call(vm);
    if (r != VM_RUN_OK || !ok) return false;
    a = &vm->applets[idx];
    a->channels++;
    a->selected = true;
    return true;
}

static void app_deselect(void *ctx, uint8_t channel)
{
    (void)channel;
    vm_app_ctx_t *c = ctx;
    vm_t *vm = c->vm;
    int idx = ctx_index(c);
    if (idx < 0) return;
    vm_applet_t *a = &vm->applets[idx];
    if (a->channels) a->channels--;
    bool still = a->channels > 0;
    uint16_t ignored;
    enum vm_run r;
    /* exceptions are ignored (JCRE 4.3) */
    if (!((still || package_active(vm, idx)) && call_multi(vm, idx, 1, still, &r, &ignored)))
        call_applet(vm, idx, TOK_DESELECT, NULL, 0, &ignored);
    end_of_call(vm);
    a = &vm->applets[idx];
    a->selected = still;
    if (!still && !package_active(vm, idx)) vm_heap_clear_transient(vm->heap, VM_OF_CLEAR_ON_DESELECT, a->pkg);
    vm->cur_applet = -1;
}

/* Copies the command header into the APDU buffer as the applet expects it at process() entry. */
static void start_apdu(vm_t *vm, const apdu_cmd_t *cmd, uint32_t resp_cap)
{
    vm_apdu_state_t *a = &vm->apdu;
    memset(a, 0, offsetof(vm_apdu_state_t, resp));
    a->active = true;
    a->cla = cmd->cla; a->ins = cmd->ins; a->p1 = cmd->p1; a->p2 = cmd->p2;
    a->channel = cmd->cla_info.channel;
    a->nc = cmd->nc; a->ne = cmd->ne; a->extended = cmd->extended;
    a->cmd_data = cmd->data;
    a->resp_len = 0;
    a->resp_cap = resp_cap < 65536 ? resp_cap : 65536;
    vm_obj_t o;
    if (!vm_heap_get(vm->heap, vm_sys_get(vm, VM_SYS_APDU_BUF), &o)) return;
    uint8_t *buf = (uint8_t *)vm_heap_data(vm->heap, &o);
    if (!buf) return;
    memset(buf, 0, o.len);
    buf[0] = cmd->cla; buf[1] = cmd->ins; buf[2] = cmd->p1; buf[3] = cmd->p2;
    if (!cmd->extended) {
        buf[4] = (uint8_t)(cmd->nc ? cmd->nc : cmd->ne);
        a->hdr_len = 5;
    } else {
        buf[4] = 0;
        cl_put16(buf + 5, (uint16_t)(cmd->nc ? cmd->nc : cmd->ne));
        a->hdr_len = 7;
    }
}

static int app_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *resp)
{
    vm_app_ctx_t *c = ctx;
    vm_t *vm = c->vm;
    int idx = ctx_index(c);
    if (idx < 0) return 0x6F00;
    start_apdu(vm, cmd, resp->cap);
    vm->selecting = cmd->selecting;
    vm->reselecting = cmd->selecting && cmd->reselecting; /* Applet.reSelectingApplet() */
    uint16_t ignored, apdu_ref = vm_sys_get(vm, VM_SYS_APDU);
    enum vm_run r = call_applet(vm, idx, TOK_PROCESS, &apdu_ref, 1, &ignored);
    int sw = r == VM_RUN_OK ? 0x9000 : vm->sw;
    end_of_call(vm);
    if (vm->gc_requested) {
        vm->gc_requested = false;
        if (vm_gc(vm, NULL)) cl_err("vm: object deletion failed (heap left as it was)");
    }
    vm->selecting = 0;
    vm->reselecting = false;
    vm->apdu.active = false;
    if (vm->apdu.resp_len && apdu_resp_append(resp, vm->apdu.resp, vm->apdu.resp_len)) return 0x6F00;
    return sw;
}

static const apdu_app_ops_t vm_app_ops = { app_select, app_deselect, app_process };

/* Registers every applet instance not yet in the registry. One that cannot be registered as
 * asked (default selection taken by another application) is registered without it, and one that
 * cannot be registered at all is logged and left out: a stored instance never stops the card. */
static int register_all(vm_t *vm, cl_error_t *e)
{
    (void)e;
    for (int i = 0; i < vm->napplets; i++) {
        vm_applet_t *a = &vm->applets[i];
        if (apdu_reg_find(vm->reg, a->aid, a->aid_len) >= 0) continue;
        vm_app_ctx_t *c = NULL;
        for (int k = 0; k < VM_MAX_APPLETS && !c; k++)
            if (!vm->app_ctx[k].used) c = &vm->app_ctx[k];
        if (!c) break;
        c->vm = vm;
        memcpy(c->aid, a->aid, a->aid_len);
        c->aid_len = a->aid_len;
        /* Only applets implementing javacard.framework.MultiSelectable may be selected on several
         * channels at once (JCRE 4.2). */
        vm_obj_t ao;
        bool multi = vm_heap_get(vm->heap, a->obj, &ao) && ao.kind == VM_KIND_INSTANCE &&
                     vm_class_implements(vm, ao.cls, VM_CLASS_ID(VM_PKG_FRAMEWORK, 17));
        unsigned flags = (multi ? APDU_APP_MULTISELECTABLE : 0) | ((a->flags & VM_APPLET_DEFAULT) ? APDU_APP_DEFAULT_SELECTED : 0);
        cl_error_t re = { { 0 } };
        if (apdu_reg_add(vm->reg, a->aid, a->aid_len, &vm_app_ops, c, flags, &re) == 0) { c->used = true; continue; }
        cl_err("vm: applet instance %d: %s", i, re.msg);
        if ((flags & APDU_APP_DEFAULT_SELECTED) &&
            apdu_reg_add(vm->reg, a->aid, a->aid_len, &vm_app_ops, c, flags & APDU_APP_MULTISELECTABLE, &re) == 0)
            c->used = true;
    }
    return 0;
}

/* Is some application of the registry already selected by default? */
static bool default_taken(vm_t *vm)
{
    apdu_app_info_t info;
    for (size_t i = 0; vm->reg && i < apdu_reg_count(vm->reg); i++)
        if (apdu_reg_get(vm->reg, i, &info) && (info.flags & APDU_APP_DEFAULT_SELECTED)) return true;
    for (int i = 0; i < vm->napplets; i++)
        if (vm->applets[i].flags & VM_APPLET_DEFAULT) return true;
    return false;
}

static void reset_hook(void *ctx)
{
    vm_power_on(ctx);
}

/* Which card has which VM (a process drives few cards; attach is counted). */
static struct { card_t *card; vm_t *vm; int refs; } attached[16];

vm_t *vm_card_vm(card_t *card)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(attached); i++)
        if (attached[i].card == card && attached[i].refs > 0) return attached[i].vm;
    return NULL;
}

vm_t *vm_card_attach(card_t *card, uint32_t heap_offset, cl_error_t *e)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(attached); i++)
        if (attached[i].card == card && attached[i].refs > 0) { attached[i].refs++; return attached[i].vm; }
    size_t slot = CL_ARRAY_LEN(attached);
    for (size_t i = 0; i < CL_ARRAY_LEN(attached) && slot == CL_ARRAY_LEN(attached); i++)
        if (attached[i].refs == 0) slot = i;
    if (slot == CL_ARRAY_LEN(attached)) { cl_seterr(e, "vm: too many cards in this process"); return NULL; }
    vm_t *vm = vm_open(card_image(card), heap_offset, e);
    if (!vm) return NULL;
    vm->reg = card_registry(card);
    register_all(vm, e);
    card_set_reset_hook(card, reset_hook, vm);
    attached[slot].card = card;
    attached[slot].vm = vm;
    attached[slot].refs = 1;
    return vm;
}

void vm_card_detach(card_t *card, vm_t *vm)
{
    if (!vm) return;
    for (size_t i = 0; i < CL_ARRAY_LEN(attached); i++)
        if (attached[i].card == card && attached[i].vm == vm && attached[i].refs > 0) {
            if (--attached[i].refs > 0) return;
            attached[i].card = NULL;
            attached[i].vm = NULL;
        }
    if (card_is_powered(card)) card_power_off(card);
    card_set_reset_hook(card, NULL, NULL);
    for (int i = 0; i < vm->napplets; i++) {
        long k = apdu_reg_find(vm->reg, vm->applets[i].aid, vm->applets[i].aid_len);
        apdu_app_info_t info;
        if (k >= 0 && apdu_reg_get(vm->reg, (size_t)k, &info) && info.ops == &vm_app_ops)
            apdu_reg_remove(vm->reg, vm->applets[i].aid, vm->applets[i].aid_len);
    }
    vm_close(vm);
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
    if (vm_applet_find(vm, inst_aid, inst_aid_len) >= 0 || (vm->reg && apdu_reg_find(vm->reg, inst_aid, inst_aid_len) >= 0)) {
        cl_seterr(e, "an application with this instance AID exists");
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
    memcpy(vm->inst_aid, inst_aid, inst_aid_len);
    vm->inst_aid_len = inst_aid_len;
    vm->registered_obj = 0;
    /* bLength is a byte: values above 127 arrive negative, as on any card (applets mask with 0xFF). */
    uint16_t args[3] = { bo.handle, 0, (uint16_t)(int16_t)(int8_t)n }, ret[2];
    enum vm_run r = vm_run_method(vm, p, def->install, p->slot, args, 3, ret);
    if (vm->tx_depth) vm_tx_abort(vm); /* left open: aborted, as after process() */
    vm->installing = false;
    int rc = -1;
    if (r != VM_RUN_OK) cl_seterr(e, "applet install() failed with status %04X%s%s", vm->sw,
                                  vm->last_error[0] ? ": " : "", vm->last_error);
    else if (vm->install_tx_aborted) cl_seterr(e, "applet install() aborted a transaction (not possible during installation)");
    else if (!vm->registered_obj) cl_seterr(e, "applet install() did not call register()");
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
    if (vm->reg && register_all(vm, e)) return -1;
    return 0;
}

int vm_card_install(vm_t *vm, const uint8_t *cap, size_t cap_len, const uint8_t *class_aid, uint8_t class_aid_len,
                    const uint8_t *inst_aid, uint8_t inst_aid_len, const uint8_t *params, uint8_t params_len,
                    bool default_selected, cl_error_t *e)
{
    uint8_t slot;
    if (cap && vm_load_install(vm, cap, cap_len, &slot, e)) return -1;
    if (!class_aid) return 0;
    return vm_install_applet(vm, class_aid, class_aid_len, inst_aid, inst_aid_len, params, params_len,
                             default_selected ? VM_APPLET_DEFAULT : 0, e);
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
        end_of_call(vm);
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

static vm_pkg_t *nth_pkg(vm_t *vm, int i)
{
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++)
        if (vm->pkgs[s] && i-- == 0) return vm->pkgs[s];
    return NULL;
}

int vm_card_package_count(vm_t *vm)
{
    int n = 0;
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) n += vm->pkgs[s] != NULL;
    return n;
}

bool vm_card_package(vm_t *vm, int i, vm_package_info_t *out)
{
    vm_pkg_t *p = i >= 0 ? nth_pkg(vm, i) : NULL;
    if (!p) return false;
    out->aid = p->aid;
    out->aid_len = p->aid_len;
    out->major = p->major;
    out->minor = p->minor;
    out->applet_classes = p->napplets;
    return true;
}

bool vm_card_package_applet(vm_t *vm, int i, int k, const uint8_t **aid, uint8_t *aid_len)
{
    vm_pkg_t *p = i >= 0 ? nth_pkg(vm, i) : NULL;
    if (!p || k < 0 || k >= p->napplets) return false;
    *aid = p->applets[k].aid;
    *aid_len = p->applets[k].aid_len;
    return true;
}
