/* The interpreter's object caches and the reference rules checked around them, on hand-assembled
 * methods (no verifier in the way, as for a CAP loaded without its Descriptor):
 *  - a field ref of class B applied to an object of an unrelated class A is refused at run time
 *    (SecurityException, 6F00), a subclass passes, and the card keeps running;
 *  - the array cache is dropped by a native: an array created in a transaction that a native then
 *    aborts throws NullPointerException at the next access (JCRE 7.6.3), not a stale cached hit;
 *  - a stale handle (object of an aborted transaction) reads as null in ifnonnull, if_acmpne,
 *    instanceof, checkcast and is stored as null by putfield_a, putstatic_a and aastore;
 *  - the caches hold for one context: after a Shareable call the client is refused the server's
 *    object even though the server's frame just cached it;
 *  - code running off a method that ends its buffer is refused without reading past it;
 *  - a store into a transient integrity-sensitive array goes through the heap (its control element
 *    stays right: SensitiveArrays.assertIntegrity passes), not the RAM fast path;
 *  - the static image cache keeps two packages' statics apart and still bounds every access. */
#include "vm/vm_test_asm.h"

#define OBJECT_CLASS VM_CLASS_ID(VM_PKG_JAVA_LANG, 0)
#define NPE_CLASS VM_CLASS_ID(VM_PKG_JAVA_LANG, 7)
#define JCSYSTEM 8
#define SENSITIVE_ARRAYS 22

/* The class of the exception an uncaught run left (VM_NO_CLASS if none). */
static uint16_t uncaught_class(void)
{
    vm_obj_t o;
    return T.vm->exc && vm_heap_get(T.vm->heap, T.vm->exc, &o) ? o.cls : VM_NO_CLASS;
}

/* Classes: A (2 cells), B (1 cell, unrelated to A), C extends B (1 more cell).
 * cp 1: class A, 2: class B, 3: class C; cp 5: field B.f (cell 0), cp 6: field C.g (cell 1). */
static void make_classes(void)
{
    vm_class_t *A = &P->classes[0], *B = &P->classes[1], *C = &P->classes[2];
    A->id = VM_CLASS_ID(16, 0); A->super = OBJECT_CLASS; A->inst_size = 2;
    B->id = VM_CLASS_ID(16, 1); B->super = OBJECT_CLASS; B->inst_size = 1;
    C->id = VM_CLASS_ID(16, 2); C->super = B->id; C->inst_base = 1; C->inst_size = 2;
    P->pkg.nclasses = 3;
    vt_cp_class(P, 1, A->id);
    vt_cp_class(P, 2, B->id);
    vt_cp_class(P, 3, C->id);
    P->cp[5].tag = 2; P->cp[5].cls = B->id; P->cp[5].a = 0;
    P->cp[6].tag = 2; P->cp[6].cls = C->id; P->cp[6].a = 1;
}

START_TEST(field_of_unrelated_class_refused)
{
    make_classes();
    /* new A; getfield_s B.f: A's cell 0 read as B's field */
    static const uint8_t get[] = { JC_new, H(1), JC_getfield_s, 5, JC_sreturn };
    uint32_t mg = vt_method(P, &at, 1, 0, 0, get, sizeof get);
    /* new A; putfield_a B.f = this method's own object: a reference written into A's cell */
    static const uint8_t put[] = { JC_new, H(1), JC_dup, JC_putfield_a, 5, JC_sconst_1, JC_sreturn };
    uint32_t mp = vt_method(P, &at, 2, 0, 0, put, sizeof put);
    /* the _this and _w forms through a local: A in local 0 */
    static const uint8_t get_this[] = { JC_new, H(1), JC_astore_0, JC_getfield_s_this, 5, JC_sreturn };
    uint32_t mt = vt_method(P, &at, 1, 0, 1, get_this, sizeof get_this);
    static const uint8_t get_w[] = { JC_new, H(1), JC_getfield_s_w, H(5), JC_sreturn };
    uint32_t mw = vt_method(P, &at, 1, 0, 0, get_w, sizeof get_w);
    /* legal: C c = new C; c.f = 5 (B's field on a subclass); c.g = 7; return c.f * 10 + c.g, twice
     * through each class so the cached answer is used */
    static const uint8_t ok[] = {
        JC_new, H(3), JC_astore_0,
        JC_aload_0, JC_sconst_5, JC_putfield_s, 5, JC_aload_0, JC_bspush, 7, JC_putfield_s, 6,
        JC_aload_0, JC_getfield_s, 5, JC_bspush, 10, JC_smul, JC_aload_0, JC_getfield_s, 6, JC_sadd,
        JC_aload_0, JC_getfield_s, 5, JC_sadd, JC_aload_0, JC_getfield_s, 6, JC_sadd,
        JC_sreturn };
    uint32_t mo = vt_method(P, &at, 3, 0, 1, ok, sizeof ok);
    uint16_t r[2];
    uint32_t bad[] = { mg, mp, mt, mw };
    for (size_t i = 0; i < CL_ARRAY_LEN(bad); i++) {
        ck_assert_int_eq(vt_run(&T, P, bad[i], NULL, 0, r), 0x6F00);
        ck_assert_msg(strstr(T.vm->last_error, "not an instance of"), "method %zu: %s", i, T.vm->last_error);
    }
    ck_assert_int_eq(vt_run(&T, P, mo, NULL, 0, r), 0x9000); /* the card keeps running */
    ck_assert_int_eq((int16_t)r[0], 5 * 10 + 7 + 5 + 7);
}
END_TEST

START_TEST(array_cache_dropped_by_abort)
{
    vt_cp_native(P, 10, VM_PKG_FRAMEWORK, JCSYSTEM, VM_NAT_STATIC, 1); /* beginTransaction */
    vt_cp_native(P, 11, VM_PKG_FRAMEWORK, JCSYSTEM, VM_NAT_STATIC, 0); /* abortTransaction */
    /* begin; byte[] a = new byte[4]; a[0] = 7; a[0] (cached); abort; return a[0] -> NPE */
    static const uint8_t code[] = {
        JC_invokestatic, H(10),
        JC_sconst_4, JC_newarray, VM_T_BYTE, JC_astore_0,
        JC_aload_0, JC_sconst_0, JC_bspush, 7, JC_bastore,
        JC_aload_0, JC_sconst_0, JC_baload, JC_pop,
        JC_invokestatic, H(11),
        JC_aload_0, JC_sconst_0, JC_baload, JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 1, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x6F00);
    ck_assert_uint_eq(uncaught_class(), NPE_CLASS);
    /* the same without a transaction: the value is read back */
    static const uint8_t live[] = {
        JC_sconst_4, JC_newarray, VM_T_BYTE, JC_astore_0,
        JC_aload_0, JC_sconst_0, JC_bspush, 7, JC_bastore,
        JC_aload_0, JC_sconst_0, JC_baload, JC_pop,
        JC_aload_0, JC_sconst_0, JC_baload, JC_sreturn };
    uint32_t ml = vt_method(P, &at, 3, 0, 1, live, sizeof live);
    ck_assert_int_eq(vt_run(&T, P, ml, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 7);
}
END_TEST

START_TEST(stale_handle_reads_as_null)
{
    make_classes();
    vt_cp_native(P, 10, VM_PKG_FRAMEWORK, JCSYSTEM, VM_NAT_STATIC, 1); /* beginTransaction */
    vt_cp_native(P, 11, VM_PKG_FRAMEWORK, JCSYSTEM, VM_NAT_STATIC, 0); /* abortTransaction */
    P->cp[12].tag = 5; P->cp[12].pkg = 16; P->cp[12].a = 0; /* a static reference at offset 0 */
    P->cp[13].tag = 2; P->cp[13].cls = VM_CLASS_ID(16, 0); P->cp[13].a = 1; /* A.r (cell 1) */
    vt_cp_class(P, 14, OBJECT_CLASS);
    /* live objects first: A holder = new A (local 1), Object[] arr = new Object[1] (local 2), each
     * pointing at themselves, the static at holder; then local 0 = an A made in an aborted
     * transaction. Each test adds a bit to the result. */
    static const uint8_t code[] = {
        JC_new, H(1), JC_astore_1, JC_aload_1, JC_aload_1, JC_putfield_a, 13,
        JC_sconst_1, JC_anewarray, H(14), JC_astore_2, JC_aload_2, JC_sconst_0, JC_aload_2, JC_aastore,
        JC_aload_1, JC_putstatic_a, H(12),
        JC_invokestatic, H(10), JC_new, H(1), JC_astore_0, JC_invokestatic, H(11),
        JC_sconst_0, JC_sstore_3,
        /* 1: ifnull jumps */
        JC_aload_0, JC_ifnonnull, 5, JC_sinc, 3, 1,
        /* 2: == null */
        JC_aload_0, JC_aconst_null, JC_if_acmpne, 5, JC_sinc, 3, 2,
        /* 4: instanceof A is 0 */
        JC_aload_0, JC_instanceof, 0, H(1), JC_ifne, 5, JC_sinc, 3, 4,
        /* 8: checkcast passes (as for null), the value stays on the stack */
        JC_aload_0, JC_checkcast, 0, H(1), JC_pop, JC_sinc, 3, 8,
        /* 16: putfield_a stores null */
        JC_aload_1, JC_aload_0, JC_putfield_a, 13, JC_aload_1, JC_getfield_a, 13, JC_ifnonnull, 5, JC_sinc, 3, 16,
        /* 32: putstatic_a stores null */
        JC_aload_0, JC_putstatic_a, H(12), JC_getstatic_a, H(12), JC_ifnonnull, 5, JC_sinc, 3, 32,
        /* 64: aastore stores null */
        JC_aload_2, JC_sconst_0, JC_aload_0, JC_aastore, JC_aload_2, JC_sconst_0, JC_aaload, JC_ifnonnull, 5,
        JC_sinc, 3, 64,
        JC_sload_3, JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 4, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 127);
}
END_TEST

START_TEST(integrity_store_keeps_control_element)
{
    vt_cp_native(P, 10, VM_PKG_FRAMEWORK, SENSITIVE_ARRAYS, VM_NAT_STATIC, 3); /* makeIntegritySensitiveArray */
    vt_cp_native(P, 11, VM_PKG_FRAMEWORK, SENSITIVE_ARRAYS, VM_NAT_STATIC, 0); /* assertIntegrity */
    /* for memory type M (argument): short[] a = make(SHORT, M, 4); a[1] = 9; a[2] = a[1] + 1 (cached
     * array); assertIntegrity(a); return a[1] * 100 + a[2] */
    static const uint8_t code[] = {
        JC_sconst_3, JC_sload_0, JC_sconst_4, JC_invokestatic, H(10), JC_astore_1,
        JC_aload_1, JC_sconst_1, JC_bspush, 9, JC_sastore,
        JC_aload_1, JC_sconst_2, JC_aload_1, JC_sconst_1, JC_saload, JC_sconst_1, JC_sadd, JC_sastore,
        JC_aload_1, JC_invokestatic, H(11),
        JC_aload_1, JC_sconst_1, JC_saload, JC_bspush, 100, JC_smul, JC_aload_1, JC_sconst_2, JC_saload, JC_sadd,
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 5, 1, 1, code, sizeof code);
    for (uint16_t memory = 0; memory <= 2; memory++) { /* persistent, CLEAR_ON_RESET, CLEAR_ON_DESELECT */
        uint16_t r[2], a[1] = { memory };
        ck_assert_msg(vt_run(&T, P, m, a, 1, r) == 0x9000, "memory type %u: %s", memory, T.vm->last_error);
        ck_assert_int_eq(r[0], 9 * 100 + 10);
    }
}
END_TEST

START_TEST(statics_of_two_packages)
{
    /* The static image cache is keyed by package: stores and loads alternating between this
     * package's static (offset 2) and package 17's (offset 4) keep each apart. */
    vt_pkg_t *Q = vt_pkg(&T, 17, 32);
    P->cp[1].tag = 5; P->cp[1].pkg = 16; P->cp[1].a = 2;
    P->cp[2].tag = 5; P->cp[2].pkg = 17; P->cp[2].a = 4;
    P->cp[3].tag = 5; P->cp[3].pkg = 17; P->cp[3].a = 31; /* a short at 31 ends past the 32-byte image */
    static const uint8_t code[] = {
        JC_bspush, 11, JC_putstatic_s, H(1), JC_bspush, 22, JC_putstatic_s, H(2),
        JC_getstatic_s, H(1), JC_bspush, 100, JC_smul, JC_getstatic_s, H(2), JC_sadd, /* 1122 */
        JC_getstatic_s, H(1), JC_sconst_1, JC_sadd, JC_putstatic_s, H(1),             /* 12 */
        JC_getstatic_s, H(1), JC_bspush, 100, JC_smul, JC_getstatic_s, H(2), JC_sadd, /* 1222 */
        JC_sadd, JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 0, code, sizeof code);
    static const uint8_t outside[] = { JC_getstatic_s, H(3), JC_sreturn };
    uint32_t mo = vt_method(P, &at, 1, 0, 0, outside, sizeof outside);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 1122 + 1222);
    /* each value is in its own package's image, read from the heap directly */
    vm_obj_t s16, s17;
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &s16) && vm_heap_get(T.vm->heap, Q->pkg.statics, &s17));
    const uint8_t *d16 = vm_heap_data(T.vm->heap, &s16), *d17 = vm_heap_data(T.vm->heap, &s17);
    ck_assert_int_eq(cl_get16(d16 + 2), 12);
    ck_assert_int_eq(cl_get16(d16 + 4), 0);
    ck_assert_int_eq(cl_get16(d17 + 4), 22);
    ck_assert_int_eq(cl_get16(d17 + 2), 0);
    ck_assert_int_eq(vt_run(&T, P, mo, NULL, 0, r), 0x6F00);
    ck_assert_msg(strstr(T.vm->last_error, "static image"), "%s", T.vm->last_error);
    vt_unlink(&T, Q);
}
END_TEST

/* The caches hold a firewall answer for one context: after a Shareable call in which the server
 * (context 17) read its own object's field (filling the field cache there), the client (context
 * 16) reading the same object's field directly is refused, not served from the server's cache. */
START_TEST(cache_does_not_cross_contexts)
{
    vt_pkg_t *Q = vt_pkg(&T, 17, 0);
    static uint8_t pub[2];
    static const uint8_t map[1] = { 0 };
    static uint16_t supers[1];
    vm_iface_impl_t *impl = calloc(1, sizeof *impl);
    ck_assert_ptr_nonnull(impl);
    uint32_t qat = 1;
    Q->pkg.methods_len = 1;
    static const uint8_t get[] = { JC_getfield_s_this, 1, JC_sreturn };
    cl_put16(pub, (uint16_t)vt_method(Q, &qat, 1, 1, 0, get, sizeof get));
    vm_class_t *S = &Q->classes[0], *I = &Q->classes[1];
    I->id = VM_CLASS_ID(17, 1);
    I->super = VM_NO_CLASS;
    I->flags = 0xC; /* interface, Shareable */
    supers[0] = VM_CLASS_ID(VM_PKG_FRAMEWORK, 2);
    I->supers = supers;
    I->nifaces = 1;
    impl->iface = I->id;
    impl->count = 1;
    impl->map = map;
    S->id = VM_CLASS_ID(17, 0);
    S->super = VM_CLASS_ID(VM_PKG_JAVA_LANG, 0);
    S->inst_size = 1;
    S->pub_base = 0;
    S->pub_count = 1;
    S->pub_tab = pub;
    S->nifaces = 1;
    S->ifaces = impl;
    Q->pkg.nclasses = 2;
    Q->cp[1].tag = 2;
    Q->cp[1].cls = S->id;
    Q->cp[1].a = 0;
    uint16_t obj;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_INSTANCE, 0, 17, 0, S->id, 1, &obj), 0);
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, obj, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x12\x34", 2, false), 0); /* the server's own data */
    vt_cp_class(P, 30, I->id);
    P->cp[31].tag = 2;
    P->cp[31].cls = S->id;
    P->cp[31].a = 0;
    /* the call alone answers the server's value: the interface call is legal */
    static const uint8_t call[] = { JC_aload_0, JC_invokeinterface, 1, H(30), 0, JC_sreturn };
    /* the call, then the client's own getfield on the server's object */
    static const uint8_t peek[] = { JC_aload_0, JC_invokeinterface, 1, H(30), 0, JC_pop,
                                    JC_aload_0, JC_getfield_s, 31, JC_sreturn };
    uint32_t mc = vt_method(P, &at, 1, 1, 0, call, sizeof call), mp = vt_method(P, &at, 1, 1, 0, peek, sizeof peek);
    uint16_t a[1] = { obj }, r[2] = { 0, 0 };
    ck_assert_int_eq(vt_run(&T, P, mc, a, 1, r), 0x9000);
    ck_assert_uint_eq(r[0], 0x1234);
    r[0] = 0;
    ck_assert_int_eq(vt_run(&T, P, mp, a, 1, r), 0x6F00);
    ck_assert_uint_ne(r[0], 0x1234);
    ck_assert_msg(strstr(T.vm->last_error, "firewall"), "%s", T.vm->last_error);
    vt_unlink(&T, Q);
    free(impl);
}
END_TEST

/* Runs code as the only method of a Method component that ends exactly where the method does (a
 * load file whose Method component comes last): what runs off that end is refused without reading
 * the byte after it (AddressSanitizer, `make SAN=1`, sees any such read). */
static int run_at_buffer_end(const uint8_t *comp, size_t len, uint32_t method, uint16_t mend)
{
    uint8_t *m = malloc(len);
    ck_assert_ptr_nonnull(m);
    memcpy(m, comp, len);
    const uint8_t *old = P->pkg.methods;
    uint32_t old_len = P->pkg.methods_len;
    P->pkg.methods = m;
    P->pkg.methods_len = (uint32_t)len;
    P->mext[0] = (vm_method_ext_t){ 1, 3, 4, 0, 0, 0 };
    P->mext[1] = (vm_method_ext_t){ (uint16_t)method, (uint16_t)(method + 2), mend, 1, 0, 0 };
    if (method == 1) P->mext[0] = P->mext[1];
    P->pkg.mext = P->mext;
    P->pkg.nmext = method == 1 ? 1 : 2;
    uint16_t r[2];
    int sw = vt_run(&T, P, method, NULL, 0, r);
    P->pkg.methods = old;
    P->pkg.methods_len = old_len;
    P->pkg.nmext = 0;
    free(m);
    return sw;
}

START_TEST(method_end_is_not_read)
{
    P->cp[0].tag = 6;
    P->cp[0].pkg = 16;
    P->cp[0].a = 1;
    /* falls off its end: sconst_0; pop */
    static const uint8_t fall[] = { 0, 0x01, 0x00, JC_sconst_0, JC_pop };
    ck_assert_int_eq(run_at_buffer_end(fall, sizeof fall, 1, sizeof fall), 0x6F00);
    ck_assert_msg(strstr(T.vm->last_error, "pc outside the method"), "%s", T.vm->last_error);
    /* B at 1: return; A at 4: invokestatic B as its last instruction, so the return lands on the end */
    static const uint8_t ret[] = { 0, 0x00, 0x00, JC_return, 0x00, 0x00, JC_invokestatic, 0, 0 };
    ck_assert_int_eq(run_at_buffer_end(ret, sizeof ret, 4, sizeof ret), 0x6F00);
    ck_assert_msg(strstr(T.vm->last_error, "pc outside the method"), "%s", T.vm->last_error);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vm_interp_cache");
    TCase *tc = tcase_create("refs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, field_of_unrelated_class_refused);
    tcase_add_test(tc, array_cache_dropped_by_abort);
    tcase_add_test(tc, stale_handle_reads_as_null);
    tcase_add_test(tc, integrity_store_keeps_control_element);
    tcase_add_test(tc, statics_of_two_packages);
    tcase_add_test(tc, cache_does_not_cross_contexts);
    tcase_add_test(tc, method_end_is_not_read);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
