/* java.lang.Object.equals is bound once (api_lang.c): every API class reaches it through its
 * superclass chain, only AID overrides it. A class whose chain does not end at Object, or a
 * new copy of the identity native, fails here. */
#include "cap/cap_consts.h"
#include "vm/vm_test_util.h"

static vt_env_t T;

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
}

static void teardown(void) { vt_cleanup(&T); }

static const char *equals_sig = "equals(Ljava/lang/Object;)Z";

/* What invokevirtual Object.equals finds for an object of class id. */
static const vm_native_method_t *equals_of(uint16_t id)
{
    vm_pkg_t *mp = NULL;
    uint32_t moff = 0;
    const vm_native_method_t *nat = NULL;
    ck_assert_msg(vm_find_virtual(T.vm, id, 0, VM_CLASS_PKG(id), &mp, &moff, &nat), "class %04X: no equals", id);
    ck_assert_ptr_nonnull(nat);
    ck_assert_str_eq(nat->sig, equals_sig);
    return nat;
}

START_TEST(every_api_class_inherits_object_equals)
{
    const vm_native_method_t *object_eq = vm_native_method(vm_native_class(VM_PKG_JAVA_LANG, 0), VM_NAT_VIRTUAL, 0);
    ck_assert_ptr_nonnull(object_eq);
    ck_assert_str_eq(object_eq->sig, equals_sig);
    const uint16_t aid_id = VM_AID_CLASS;
    int classes = 0, own_bindings = 0;
    for (unsigned slot = 0; slot < VM_PKG_FIRST_USER; slot++) {
        const vm_pkg_t *p = T.vm->pkgs[slot];
        if (!p || !p->native) continue;
        for (unsigned i = 0; i < p->nclasses; i++) {
            const vm_class_t *c = &p->classes[i];
            if (c->id == VM_NO_CLASS || (c->flags & CAP_ACC_INTERFACE)) continue;
            classes++;
            const vm_native_method_t *m = equals_of(c->id);
            if (m == object_eq) continue;
            own_bindings++;
            ck_assert_msg(c->id == aid_id, "%s binds its own equals", c->nat->name);
        }
    }
    ck_assert_int_gt(classes, 40); /* the framework, security and crypto classes were all seen */
    ck_assert_int_eq(own_bindings, 1);  /* AID's */
}
END_TEST

START_TEST(object_equals_is_identity_aid_equals_compares_bytes)
{
    static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x03, 0x01 };
    uint16_t a1, a2, r[2] = { 7, 7 };
    ck_assert_int_eq(vm_aid_new(T.vm, aid, sizeof aid, 16, 0, &a1), 0);
    ck_assert_int_eq(vm_aid_new(T.vm, aid, sizeof aid, 16, 0, &a2), 0);
    T.vm->cur_ctx = 16;
    /* Cipher inherits identity: two different objects are not equal, one is equal to itself. */
    const vm_native_method_t *m = equals_of(VM_CLASS_ID(VM_PKG_CRYPTO, 1));
    uint16_t same[2] = { a1, a1 }, diff[2] = { a1, a2 };
    ck_assert_int_eq(m->fn(T.vm, same, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
    ck_assert_int_eq(m->fn(T.vm, diff, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 0);
    /* AID: equal bytes are equal. */
    m = equals_of(VM_AID_CLASS);
    ck_assert_int_eq(m->fn(T.vm, diff, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_lang");
    TCase *tc = tcase_create("Object.equals");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_api_class_inherits_object_equals);
    tcase_add_test(tc, object_equals_is_identity_aid_equals_compares_bytes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
