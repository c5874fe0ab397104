/* The applet firewall (JCRE 3.0.5 section 6.2.8; docs/firewall.md maps every rule to its case):
 * applets/tests/vm/vmfw-client reaches for vmfw-server's objects through every bytecode the
 * firewall guards (field, method, interface, array of each element type, cast, throw, stores of
 * entry points) and through the legal paths (Shareable interfaces, statics, global arrays, JCRE
 * entry points), conversation tests/vm/vmfw.script. Each illegal access must throw
 * SecurityException (the client catches it and says so), each legal one must work.
 *
 * wrong_class_field_*: vmfw-lib installed with FwBox.boxed's checkcast retargeted so that getfield_a
 * runs through FwBox's field reference on an FwData object: where the verifier can know the object's
 * class (a cast to the class FwData) it refuses the package at load; where it cannot (a cast to an
 * interface) the interpreter refuses the access, and the card keeps answering. */
#include "tests/vm/vmt_card.h"

#include "cap/cap_parse.h"
#include "cap/jc_opcodes.h"
#include "vm/vm_firewall.h"

static vmt_t t;

static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

static void install_all(void)
{
    vmt_install(&t, "vmfw-server", "F063617264180101", NULL);
    vmt_install(&t, "vmfw-client", "F063617264130101", NULL);
}

START_TEST(firewall_conversation)
{
    vmt_install(&t, "vmfw-lib", NULL, NULL);
    install_all();
    static char report[20 * 1200];
    int failed;
    int checked = vmt_run_script(&t, "firewall", "tests/vm/vmfw.script", &failed, report, sizeof report);
    ck_assert_int_ge(checked, 90);
    ck_assert_msg(failed == 0, "%d of %d firewall expectations failed:%s", failed, checked, report);
}
END_TEST

/* Installs vmfw-lib with the package's only checkcast (to FwBox) retargeted: its class index becomes
 * that of the package's only instruction `target` (JC_new: FwData, JC_instanceof: FwPlain). Same
 * length and operand position, so RefLocation still holds. vm_card_install's result. */
static int install_lib_with_cast_to(int target, cl_error_t *e)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/applets/vmfw-lib.cap", t.build_dir);
    cap_file_t cap;
    ck_assert_msg(cap_parse_file(&cap, path, e) == 0, "%s", e->msg);
    uint8_t *cast = NULL;
    const uint8_t *index = NULL;
    int casts = 0, targets = 0;
    for (unsigned m = 0; m < cap.method_count; m++) {
        cap_insn_iter_t it;
        cap_insn_t in;
        cap_insn_iter_init(&it, &cap.methods[m]);
        while (cap_insn_next(&it, &in) == 1) {
            if (in.op == JC_checkcast) { cast = (uint8_t *)in.bytes; casts++; } /* the parse's own copy */
            if (in.op == target) { index = in.bytes + in.len - 2; targets++; }
        }
    }
    ck_assert_int_eq(casts, 1);
    ck_assert_int_eq(targets, 1);
    ck_assert_int_eq(cast[1], 0); /* a class type */
    ck_assert_msg(memcmp(cast + 2, index, 2) != 0, "the cast already names that type");
    memcpy(cast + 2, index, 2);
    size_t len;
    uint8_t *s = cap_load_file(&cap, true, &len);
    ck_assert_ptr_nonnull(s);
    cap_free(&cap);
    int r = vm_card_install(t.vm, s, len, NULL, 0, NULL, 0, NULL, 0, false, e);
    free(s);
    return r;
}

/* The client's legal Shareable call answers as it should (the card keeps running). */
static void legal_call_works(void)
{
    ck_assert_uint_eq(vmt_xmit(&t, "8001000000"), 0x9000);
    ck_assert_int_eq(t.resp[0], 0);
    ck_assert_int_eq(cl_get16(t.resp + 1), 0x43ED);
}

/* The cast says FwData, so the verifier knows the class at getfield_a and refuses the package at
 * load, with nothing written; the genuine library installs afterwards. */
START_TEST(wrong_class_field_at_load)
{
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(install_lib_with_cast_to(JC_new, &e), -1);
    ck_assert_msg(strstr(e.msg, "getfield_a: the object's class is neither the field's class nor a subclass of it"),
                  "refused for another reason: %s", e.msg);
    ck_assert_msg(strstr(e.msg, "Method component: offset 0x") == e.msg, "no location: %s", e.msg);
    vmt_install(&t, "vmfw-lib", NULL, NULL);
    install_all();
    vmt_select(&t, "F063617264130101");
    legal_call_works();
}
END_TEST

/* The cast says FwPlain (an interface FwData implements): the verifier cannot know the class, the
 * package loads, and the interpreter refuses FwBox's field on the FwData at run time. */
START_TEST(wrong_class_field_at_run_time)
{
    cl_error_t e = { { 0 } };
    ck_assert_msg(install_lib_with_cast_to(JC_instanceof, &e) == 0, "the patched library is refused: %s", e.msg);
    install_all();
    vmt_select(&t, "F063617264130101");
    /* FwBox.ref read from the client's own FwData: refused, not the short 42 taken as a handle */
    ck_assert_uint_eq(vmt_xmit(&t, "8001330000"), 0x9000);
    ck_assert_msg(t.rlen == 5 && t.resp[0] == 1, "wrong-class getfield_a answered %02X %02X %02X (%s)", t.resp[0],
                  t.resp[1], t.resp[2], t.vm->last_error);
    legal_call_works();
}
END_TEST

/* The three packages installed, and what the direct tests need of them: the applet table indexes
 * of server and client (AID byte 5: 0x18 / 0x13), their contexts, the server's applet object and
 * FwShared (the interface of the server package the server's class implements). */
typedef struct {
    int server, client;
    uint8_t sctx, cctx;
    vm_obj_t so;
    uint16_t fwshared;
} fw_pair_t;

static void install_pair(fw_pair_t *p)
{
    vmt_install(&t, "vmfw-lib", NULL, NULL);
    install_all();
    vm_t *vm = t.vm;
    p->server = p->client = -1;
    for (int i = 0; i < vm->napplets; i++) {
        if (vm->applets[i].aid[5] == 0x18) p->server = i;
        if (vm->applets[i].aid[5] == 0x13) p->client = i;
    }
    ck_assert(p->server >= 0 && p->client >= 0);
    p->sctx = vm->applets[p->server].pkg;
    p->cctx = vm->applets[p->client].pkg;
    ck_assert(vm_heap_get(vm->heap, vm->applets[p->server].obj, &p->so));
    vm_class_t *sc = vm_class(vm, p->so.cls);
    ck_assert_ptr_nonnull(sc);
    p->fwshared = VM_NO_CLASS;
    for (int k = 0; k < sc->nifaces; k++)
        if (VM_CLASS_PKG(sc->ifaces[k].iface) == p->sctx) p->fwshared = sc->ifaces[k].iface;
    ck_assert_uint_ne(p->fwshared, VM_NO_CLASS);
}

/* 6.2.8.6 decided directly: the server's Shareable object seen from the client's context while the
 * server is (not) active on another channel, and from the server's own context on its own channel. */
START_TEST(shareable_call_rule)
{
    fw_pair_t p;
    install_pair(&p);
    vm_t *vm = t.vm;
    vm_applet_t *server = &vm->applets[p.server];
    const char *why;
    vm->cur_ctx = p.cctx;
    vm->cur_applet = p.client;
    server->channels = 0;
    ck_assert_int_eq(vm_fw_interface_ctx(vm, &p.so, p.fwshared, &why), p.sctx); /* switched to the owner */
    server->channels = 1;                                                       /* active on another channel */
    ck_assert_int_eq(vm_fw_interface_ctx(vm, &p.so, p.fwshared, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "multiselectable"));
    vm->cur_applet = p.server; /* the server itself is the applet selected here: its context may call */
    vm->cur_ctx = p.sctx;
    ck_assert_int_eq(vm_fw_interface_ctx(vm, &p.so, p.fwshared, &why), p.sctx);
    server->channels = 0;
    vm->cur_applet = -1;
    vm->cur_ctx = VM_CTX_JCRE;
}
END_TEST

/* Every vm_fw_* decision for each kind of object, from the client's context and from the JCRE's
 * (which may do everything: 6.2.3). Columns: field/element access (6.2.8.2/3), invokevirtual
 * (6.2.8.4/11), storable reference (6.2.1/6.2.2), athrow (6.2.8.7), cast to Object (6.2.8.2/8), cast
 * to FwShared (6.2.8.10), invokeinterface through FwShared (6.2.8.6) and through MultiSelectable, a
 * standard interface (6.2.8.5): vm_fw_interface_ctx, whose allowed calls run in the owner's
 * context. The multiselection part of 6.2.8.6 is shareable_call_rule's. */
START_TEST(decision_table)
{
    fw_pair_t p;
    install_pair(&p);
    vm_t *vm = t.vm;
    const uint16_t object = VM_CLASS_ID(VM_PKG_JAVA_LANG, 0);
    uint16_t arr, glob;
    vm->cur_ctx = p.sctx;
    ck_assert_int_eq(vm_obj_new_array(vm, VM_T_BYTE, object, 4, p.sctx, 0, &arr), 0);
    ck_assert_int_eq(vm_obj_new_array(vm, VM_T_BYTE, object, 4, p.sctx, VM_OF_GLOBAL | VM_OF_CLEAR_ON_RESET, &glob), 0);
    ck_assert_uint_ne(vm_sys_get(vm, VM_SYS_APDU), 0);
    const uint16_t multiselectable = VM_CLASS_ID(VM_PKG_FRAMEWORK, 17);
    ck_assert_ptr_nonnull(vm_class(vm, multiselectable));
    static const struct {
        const char *what;
        bool access, invoke, store, thrown, cast_object, cast_shared, call_shared, call_standard;
    } want[] = {
        { "the client's own applet object", 1, 1, 1, 1, 1, 1, 1, 1 },
        { "the server's applet object (Shareable)", 0, 0, 1, 0, 0, 1, 1, 0 },
        { "a server array", 0, 0, 1, 0, 0, 0, 0, 0 },
        { "a server global array", 1, 1, 0, 0, 1, 1, 0, 0 },
        { "the APDU object (temporary entry point)", 0, 1, 0, 1, 1, 1, 0, 1 },
        { "an AID object (permanent entry point)", 0, 1, 1, 1, 1, 1, 0, 1 },
    };
    for (int i = 0; i < vm->napplets; i++) vm->applets[i].channels = 0; /* nobody active elsewhere */
    const uint16_t refs[] = { vm->applets[p.client].obj, vm->applets[p.server].obj, arr, glob,
                              vm_sys_get(vm, VM_SYS_APDU), vm->applets[p.server].aid_obj };
    for (int jcre = 0; jcre < 2; jcre++) {
        vm->cur_ctx = jcre ? VM_CTX_JCRE : p.cctx;
        for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
            vm_obj_t o;
            ck_assert(vm_heap_get(vm->heap, refs[i], &o));
            const char *why_shared, *why_standard;
            int ctx_shared = vm_fw_interface_ctx(vm, &o, p.fwshared, &why_shared);
            int ctx_standard = vm_fw_interface_ctx(vm, &o, multiselectable, &why_standard);
            /* an allowed call runs in the owner's context; a refused one says why */
            ck_assert(ctx_shared == -1 ? why_shared != NULL : ctx_shared == o.owner);
            ck_assert(ctx_standard == -1 ? why_standard != NULL : ctx_standard == o.owner);
            bool got[8] = { vm_fw_can_access(vm, &o), vm_fw_can_invoke(vm, &o), vm_fw_can_store_ref(vm, &o),
                            vm_fw_can_throw(vm, &o), vm_fw_can_cast(vm, &o, 0, object),
                            vm_fw_can_cast(vm, &o, 0, p.fwshared), ctx_shared != -1, ctx_standard != -1 };
            bool exp[8] = { want[i].access, want[i].invoke, want[i].store, want[i].thrown, want[i].cast_object,
                            want[i].cast_shared, want[i].call_shared, want[i].call_standard };
            for (int k = 0; k < 8; k++)
                ck_assert_msg(got[k] == (jcre ? true : exp[k]), "%s, column %d, %s context: %d", want[i].what, k,
                              jcre ? "JCRE" : "client", got[k]);
        }
    }
    vm->cur_ctx = VM_CTX_JCRE;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_firewall");
    TCase *tc = tcase_create("contexts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, firewall_conversation);
    tcase_add_test(tc, wrong_class_field_at_load);
    tcase_add_test(tc, wrong_class_field_at_run_time);
    tcase_add_test(tc, shareable_call_rule);
    tcase_add_test(tc, decision_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
