/* Key objects at the C level: the firewall on keys, a key object that never got material (made
 * with `new` of our class by a hostile CAP), damaged material lengths (never an over-read), and
 * the natives called directly with bad arguments. */
#include "vm/api_crypto_int.h"
#include "vm/vm_test_util.h"

extern const vm_native_area_t vm_api_security, vm_api_crypto;

static vt_env_t T;

static void setup(void)
{
    vm_native_register(&vm_api_security);
    vm_native_register(&vm_api_crypto);
    vt_open(&T, true);
    T.vm->cur_ctx = 16;
}

static void teardown(void) { vt_cleanup(&T); }

/* The pending exception's class token in pkg, and its reason (cell 0, if it has one). */
static void expect_exc(uint8_t pkg, uint8_t token, int reason)
{
    vm_obj_t o;
    ck_assert_uint_ne(T.vm->exc, 0);
    ck_assert(vm_heap_get(T.vm->heap, T.vm->exc, &o));
    ck_assert_uint_eq(o.cls, VM_CLASS_ID(pkg, token));
    if (reason >= 0) {
        uint16_t r;
        ck_assert(vm_obj_cell(T.vm, &o, 0, &r));
        ck_assert_int_eq(r, reason);
    }
    T.vm->exc = 0;
}

static vm_native_fn method(uint8_t cls, uint8_t kind, uint8_t token)
{
    const vm_native_class_t *c = vm_native_class(VM_PKG_SECURITY, cls);
    ck_assert_ptr_nonnull(c);
    const vm_native_method_t *m = vm_native_method(c, kind, token);
    ck_assert_ptr_nonnull(m);
    return m->fn;
}

static uint16_t byte_array(uint32_t len)
{
    uint16_t ref;
    ck_assert_int_eq(vm_obj_new_array(T.vm, VM_T_BYTE, 0, (int32_t)len, T.vm->cur_ctx, 0, &ref), 0);
    return ref;
}

START_TEST(firewall_on_keys)
{
    uint16_t key;
    ck_assert_int_eq(api_key_build(T.vm, KT_AES, 128, &key), VM_NAT_OK);
    api_key_t k;
    ck_assert(api_key_load(T.vm, key, &k));
    ck_assert_uint_eq(k.family, KF_AES);
    T.vm->cur_ctx = 17; /* another applet's package */
    ck_assert(!api_key_load(T.vm, key, &k));
    expect_exc(VM_PKG_JAVA_LANG, 10, -1); /* SecurityException */
    uint16_t args[3] = { key, byte_array(16), 0 }, ret[2];
    ck_assert_int_eq(method(SEC_IMPL_KEY, VM_NAT_VIRTUAL, 1)(T.vm, args, ret), VM_NAT_THROW); /* clearKey */
    expect_exc(VM_PKG_JAVA_LANG, 10, -1);
}
END_TEST

START_TEST(key_object_without_material)
{
    uint16_t ref;
    ck_assert_int_eq(vm_obj_new_instance(T.vm, VM_CLASS_ID(VM_PKG_SECURITY, SEC_IMPL_AES), 16, &ref), 0);
    api_key_t k;
    ck_assert(!api_key_load(T.vm, ref, &k));
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    uint16_t args[3] = { ref, byte_array(16), 0 }, ret[2];
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 5)(T.vm, args, ret), VM_NAT_THROW); /* setKey */
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    /* Something that is no key at all. */
    ck_assert(!api_key_load(T.vm, args[1], &k));
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    ck_assert(!api_key_load(T.vm, 0, &k));
    expect_exc(VM_PKG_JAVA_LANG, 7, -1); /* NullPointerException */
}
END_TEST

START_TEST(damaged_lengths_read_as_unset)
{
    uint16_t key, data;
    ck_assert_int_eq(api_key_build(T.vm, KT_HMAC, 64, &key), VM_NAT_OK);
    uint16_t buf = byte_array(200);
    uint16_t args[4] = { key, buf, 0, 32 }, ret[2];
    ck_assert_int_eq(method(SEC_IMPL_HMAC, VM_NAT_VIRTUAL, 5)(T.vm, args, ret), VM_NAT_OK); /* setKey, 32 bytes */
    vm_obj_t o, d;
    ck_assert(vm_heap_get(T.vm->heap, key, &o));
    ck_assert(vm_obj_cell(T.vm, &o, 2, &data));
    ck_assert(vm_heap_get(T.vm->heap, data, &d));
    /* Length field of the key component (after the owner handle and the mask) claims 0xFFFF bytes. */
    static const uint8_t bad[2] = { 0xFF, 0xFF };
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &d, 4, bad, 2, false), VM_OK);
    api_key_t k;
    ck_assert(api_key_load(T.vm, key, &k));
    ck_assert_uint_eq(k.mask & 1, 0);
    ck_assert(!api_key_ready(T.vm, &k));
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_UNINITIALIZED_KEY);
    uint16_t gargs[3] = { key, buf, 0 };
    ck_assert_int_eq(method(SEC_IMPL_HMAC, VM_NAT_VIRTUAL, 6)(T.vm, gargs, ret), VM_NAT_THROW); /* getKey */
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_UNINITIALIZED_KEY);
}
END_TEST

START_TEST(bad_arguments)
{
    uint16_t key, ret[2];
    ck_assert_int_eq(api_key_build(T.vm, KT_AES, 256, &key), VM_NAT_OK);
    uint16_t small = byte_array(16);
    /* setKey needs 32 bytes from the offset: the array is too short. */
    uint16_t args[4] = { key, small, 0, 0 };
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 5)(T.vm, args, ret), VM_NAT_THROW);
    expect_exc(VM_PKG_JAVA_LANG, 5, -1); /* ArrayIndexOutOfBoundsException */
    args[2] = (uint16_t)-1;
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 5)(T.vm, args, ret), VM_NAT_THROW);
    expect_exc(VM_PKG_JAVA_LANG, 5, -1);
    /* Key types and lengths the card does not offer. */
    uint16_t ref;
    ck_assert_int_eq(api_key_build(T.vm, KT_AES, 100, &ref), VM_NAT_THROW);
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_NO_SUCH_ALGORITHM);
    ck_assert_int_eq(api_key_build(T.vm, 7 /* TYPE_DSA_PUBLIC */, 1024, &ref), VM_NAT_THROW);
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_NO_SUCH_ALGORITHM);
    ck_assert_int_eq(api_key_build(T.vm, KT_RSA_PUB, -512, &ref), VM_NAT_THROW);
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_NO_SUCH_ALGORITHM);
    /* EC points must be uncompressed and of the key's size. */
    ck_assert_int_eq(api_key_build(T.vm, KT_EC_FP_PUB, 256, &ref), VM_NAT_OK);
    uint16_t pt = byte_array(65);
    uint16_t wargs[4] = { ref, pt, 0, 65 };
    ck_assert_int_eq(method(SEC_IMPL_ECPUB, VM_NAT_VIRTUAL, 19)(T.vm, wargs, ret), VM_NAT_THROW); /* 00.. not 04 */
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    wargs[3] = 33;
    ck_assert_int_eq(method(SEC_IMPL_ECPUB, VM_NAT_VIRTUAL, 19)(T.vm, wargs, ret), VM_NAT_THROW);
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
}
END_TEST

/* Cells that name another array (as a hostile CAP forging them would) are refused, nothing read or written. */
START_TEST(forged_cells_refused)
{
    uint16_t key;
    ck_assert_int_eq(api_key_build(T.vm, KT_AES, 128, &key), VM_NAT_OK);
    uint16_t mine = byte_array(2 + 2 + 2 + 16); /* the material array's size for AES-128, owned by the applet */
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, key, &o));
    uint8_t cell[2];
    cl_put16(cell, mine);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 2 * 2, cell, 2, false), VM_OK);
    api_key_t k;
    ck_assert(!api_key_load(T.vm, key, &k));
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    /* An operation object whose nonce cell names an applet array: refused, the array untouched. */
    uint16_t md, four = byte_array(4);
    ck_assert_int_eq(api_op_new_object(T.vm, VM_PKG_SECURITY, SEC_MD, 4, &md), 0);
    ck_assert(vm_heap_get(T.vm->heap, md, &o));
    cl_put16(cell, four);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 2 * OP_NONCE, cell, 2, false), VM_OK);
    ck_assert_ptr_null(api_op_fresh(T.vm, md));
    expect_exc(VM_PKG_JAVA_LANG, 10, -1);
    vm_obj_t f;
    ck_assert(vm_heap_get(T.vm->heap, four, &f));
    const uint8_t *d = vm_heap_data(T.vm->heap, &f);
    ck_assert(d && !d[0] && !d[1] && !d[2] && !d[3]);
}
END_TEST

/* A hostile CAP can putfield into its own key object (the firewall lets an applet write its own
 * objects). Pointing the material cell at ANOTHER applet's persistent key (JCRE-owned, same size)
 * must not lend that key: getKey, setKey and clearKey are refused and the other key is untouched. */
START_TEST(forged_cell_naming_another_applets_key)
{
    static const uint8_t secret[16] = { 0x5E, 0xC2, 0xE7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
    uint16_t theirs, mine, ret[2], material;
    T.vm->cur_ctx = 17; /* the victim applet: its own AES key */
    ck_assert_int_eq(api_key_build(T.vm, KT_AES, 128, &theirs), VM_NAT_OK);
    uint16_t src = byte_array(16);
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, src, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, secret, 16, false), VM_OK);
    uint16_t sargs[3] = { theirs, src, 0 };
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 5)(T.vm, sargs, ret), VM_NAT_OK); /* setKey */
    ck_assert(vm_heap_get(T.vm->heap, theirs, &o));
    ck_assert(vm_obj_cell(T.vm, &o, 2, &material));

    T.vm->cur_ctx = 16; /* the attacker: its own AES key, material cell forged to the victim's */
    ck_assert_int_eq(api_key_build(T.vm, KT_AES, 128, &mine), VM_NAT_OK);
    ck_assert(vm_heap_get(T.vm->heap, mine, &o));
    uint8_t cell[2];
    cl_put16(cell, material);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 2 * 2, cell, 2, false), VM_OK);
    uint16_t out = byte_array(16);
    uint16_t gargs[3] = { mine, out, 0 };
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 6)(T.vm, gargs, ret), VM_NAT_THROW); /* getKey */
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    ck_assert(vm_heap_get(T.vm->heap, out, &o));
    const uint8_t *d = vm_heap_data(T.vm->heap, &o);
    ck_assert(d != NULL);
    for (int i = 0; i < 16; i++) ck_assert_uint_eq(d[i], 0);
    uint16_t zero = byte_array(16);
    uint16_t zargs[3] = { mine, zero, 0 };
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 5)(T.vm, zargs, ret), VM_NAT_THROW); /* setKey */
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);
    ck_assert_int_eq(method(SEC_IMPL_KEY, VM_NAT_VIRTUAL, 1)(T.vm, zargs, ret), VM_NAT_THROW); /* clearKey */
    expect_exc(VM_PKG_SECURITY, SEC_CRYPTOEXC, CE_ILLEGAL_VALUE);

    T.vm->cur_ctx = 17; /* the victim's key is as it was */
    uint16_t back = byte_array(16);
    uint16_t bargs[3] = { theirs, back, 0 };
    ck_assert_int_eq(method(SEC_IMPL_AES, VM_NAT_VIRTUAL, 6)(T.vm, bargs, ret), VM_NAT_OK);
    ck_assert_uint_eq(ret[0], 16);
    ck_assert(vm_heap_get(T.vm->heap, back, &o));
    d = vm_heap_data(T.vm->heap, &o);
    ck_assert(d != NULL);
    ck_assert_mem_eq(d, secret, 16);
}
END_TEST

/* Complete records the image's log holds now (each is one atomic step). */
static uint64_t log_records(void)
{
    struct img_info info;
    cl_error_t e = { { 0 } };
    ck_assert_msg(img_inspect(T.path, &info, &e) == 0, "img_inspect: %s", e.msg);
    return info.records;
}

/* genKeyPair outside a transaction is ONE atomic step: a power cut can never leave a new public
 * key next to the old private key (both marked initialized, a pair that does not match). The
 * same for copyDomainParametersFrom (never half old, half new domain parameters). */
START_TEST(gen_key_pair_and_domain_copy_are_one_atomic_step)
{
    img_set_checkpoint_threshold(T.img, 1u << 30);
    uint16_t pub, priv, kp, ret[2];
    ck_assert_int_eq(api_key_build(T.vm, KT_EC_FP_PUB, 256, &pub), VM_NAT_OK);
    ck_assert_int_eq(api_key_build(T.vm, KT_EC_FP_PRIV, 256, &priv), VM_NAT_OK);
    ck_assert_int_eq(vm_obj_new_instance(T.vm, VM_CLASS_ID(VM_PKG_SECURITY, SEC_KEYPAIR), T.vm->cur_ctx, &kp), 0);
    uint16_t cargs[3] = { kp, pub, priv };
    ck_assert_int_eq(method(SEC_KEYPAIR, VM_NAT_CTOR, 1)(T.vm, cargs, ret), VM_NAT_OK);
    for (int round = 0; round < 2; round++) { /* first pair, then a pair replacing it */
        uint64_t before = log_records();
        uint16_t gargs[1] = { kp };
        ck_assert_int_eq(method(SEC_KEYPAIR, VM_NAT_VIRTUAL, 1)(T.vm, gargs, ret), VM_NAT_OK);
        ck_assert_uint_eq(log_records() - before, 1);
        api_key_t k;
        ck_assert(api_key_load(T.vm, priv, &k));
        ck_assert(api_key_ready(T.vm, &k));
        ck_assert(api_key_load(T.vm, pub, &k));
        ck_assert(api_key_ready(T.vm, &k));
    }
    /* copyDomainParametersFrom: the six domain components in one step too. */
    uint16_t other;
    ck_assert_int_eq(api_key_build(T.vm, KT_EC_FP_PUB, 256, &other), VM_NAT_OK);
    uint64_t before = log_records();
    uint16_t dargs[2] = { other, priv };
    ck_assert_int_eq(method(SEC_IMPL_ECPUB, VM_NAT_VIRTUAL, 21)(T.vm, dargs, ret), VM_NAT_OK);
    ck_assert_uint_eq(log_records() - before, 1);
    api_key_t k;
    ck_assert(api_key_load(T.vm, other, &k));
    ck_assert_uint_eq(k.mask, 0x3F); /* field, a, b, G, r, k: all but W */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_keys");
    TCase *tc = tcase_create("keys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, firewall_on_keys);
    tcase_add_test(tc, key_object_without_material);
    tcase_add_test(tc, damaged_lengths_read_as_unset);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, forged_cells_refused);
    tcase_add_test(tc, forged_cell_naming_another_applets_key);
    tcase_add_test(tc, gen_key_pair_and_domain_copy_are_one_atomic_step);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
