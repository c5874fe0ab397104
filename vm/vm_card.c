/* vm_card: applet instances as applications of the card's registry (select, deselect, process)
 * and attaching the VM to a card (vm_card_admin.c installs, deletes and lists). */
#include "vm/vm_card.h"
#include "vm/vm_card_int.h"
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

void vm_card_end_of_call(vm_t *vm)
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

/* No command in progress: the APDU methods see STATE_INITIAL and no data. Outside process() nothing
 * may reach the last command's data (its bytes belong to the caller of card_transmit and are gone),
 * so this runs before select() and deselect() and once process() has returned. */
static void apdu_idle(vm_t *vm)
{
    memset(&vm->apdu, 0, offsetof(vm_apdu_state_t, resp));
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
    apdu_idle(vm);
    enum vm_run r;
    /* JCRE 4.2: a MultiSelectable applet selected while it, or its package, is active elsewhere
     * gets select(appInstAlreadyActive); otherwise Applet.select(). One that is not MultiSelectable
     * cannot be selected then: the registry refuses it first (69 85, the package is its context),
     * and should that ever be bypassed it is refused here too, never selected twice by Applet.select(). */
    if (already || package_active(vm, idx)) {
        if (!call_multi(vm, idx, 0, already, &r, &ok)) return false;
    } else {
        r = call_applet(vm, idx, TOK_SELECT, NULL, 0, &ok);
    }
    vm_card_end_of_call(vm);
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
    apdu_idle(vm);
    uint16_t ignored;
    enum vm_run r;
    /* exceptions are ignored (JCRE 4.3) */
    if (!((still || package_active(vm, idx)) && call_multi(vm, idx, 1, still, &r, &ignored)))
        call_applet(vm, idx, TOK_DESELECT, NULL, 0, &ignored);
    vm_card_end_of_call(vm);
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

bool vm_card_applet_extended(vm_t *vm, int i)
{
    vm_obj_t o;
    if (i < 0 || i >= vm->napplets) return false;
    return vm_heap_get(vm->heap, vm->applets[i].obj, &o) && o.kind == VM_KIND_INSTANCE &&
           vm_class_implements(vm, o.cls, VM_EXTENDED_LENGTH);
}

/* JCRE 3.0.5 9.4.4: an extended command reaches only an applet implementing ExtendedLength, and
 * none with more data than the API's shorts can count; otherwise the runtime answers 67 00 and
 * process() never runs. The format decides, not the sizes: an extended command with 10 bytes of
 * data puts its data at offset 7, which an applet written for short APDUs would not expect. */
static bool extended_refused(vm_t *vm, int idx, const apdu_cmd_t *cmd)
{
    if (!cmd->extended) return false;
    return cmd->nc > VM_APDU_EXT_MAX || !vm_card_applet_extended(vm, idx);
}

static int app_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *resp)
{
    vm_app_ctx_t *c = ctx;
    vm_t *vm = c->vm;
    int idx = ctx_index(c);
    if (idx < 0) return 0x6F00;
    if (extended_refused(vm, idx, cmd)) return 0x6700;
    start_apdu(vm, cmd, resp->cap);
    vm->selecting = cmd->selecting;
    vm->reselecting = cmd->selecting && cmd->reselecting; /* Applet.reSelectingApplet() */
    uint16_t ignored, apdu_ref = vm_sys_get(vm, VM_SYS_APDU);
    enum vm_run r = call_applet(vm, idx, TOK_PROCESS, &apdu_ref, 1, &ignored);
    int sw = r == VM_RUN_OK ? 0x9000 : vm->sw;
    vm_card_end_of_call(vm);
    if (vm->gc_requested) {
        vm->gc_requested = false;
        if (vm_gc(vm, NULL)) cl_err("vm: object deletion failed (heap left as it was)");
    }
    vm->selecting = 0;
    vm->reselecting = false;
    apdu_idle(vm);
    if (vm->apdu.resp_len && apdu_resp_append(resp, vm->apdu.resp, vm->apdu.resp_len)) return 0x6F00;
    return sw;
}

const apdu_app_ops_t vm_app_ops = { app_select, app_deselect, app_process };

/* Registers every applet instance not yet in the registry. One that cannot be registered as
 * asked (default selection taken by another application) is registered without it, and one that
 * cannot be registered at all is logged and left out: a stored instance never stops the card. */
int vm_card_register_all(vm_t *vm, cl_error_t *e)
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
        unsigned flags = multi ? APDU_APP_MULTISELECTABLE : 0;
        cl_error_t re = { { 0 } };
        if (apdu_reg_add(vm->reg, a->aid, a->aid_len, &vm_app_ops, c, flags, &re) != 0) {
            cl_err("vm: applet instance %d: %s", i, re.msg);
            continue;
        }
        c->used = true;
        /* Its package is its context: a non-multiselectable applet is refused (69 85) while another
         * applet of the package is selected on another channel (JCRE 4.2, 4.5.2 step 5). The slot is
         * never 0 (API packages and "no context" below VM_PKG_FIRST_USER). */
        if (apdu_reg_set_context(vm->reg, a->aid, a->aid_len, a->pkg) != 0)
            cl_err("vm: applet instance %d: cannot set its context", i);
        /* A default-selected instance (GlobalPlatform's CardReset privilege) takes channel 0's default from
         * the card manager: power-on, SELECT with empty data and MANAGE CHANNEL from channel 0 reach it.
         * The card manager keeps its card-wide default flag and stays selectable by its AID. */
        if ((a->flags & VM_APPLET_DEFAULT) && apdu_reg_set_channel_default(vm->reg, 0, a->aid, a->aid_len) != 0)
            cl_err("vm: applet instance %d: cannot make it the default of channel 0", i);
    }
    return 0;
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
    vm_card_register_all(vm, e);
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
