/* Util.arrayCopy / arrayCopyNonAtomic (api_fw_system.c) within one array: Java Card specifies the
 * result as if the source were first copied to a temporary (memmove). The natives hand the
 * heap's own bytes to the store, so overlap in both directions is checked on persistent,
 * transient and integrity-sensitive arrays, inside a transaction (committed, and aborted:
 * arrayCopy undone exactly, arrayCopyNonAtomic kept) and after an abort. Refused copies change
 * nothing. Also: JCSystem/AID natives read a reference to an aborted transaction's object as null. */
#include "vm/vm_test_util.h"

enum { T_COPY = 1, T_COPY_NA = 2 };
enum { CTX = 16, LEN = 16 };

static vt_env_t T;

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
    T.vm->cur_ctx = CTX;
}

static void teardown(void)
{
    if (T.vm && T.vm->tx_depth) vm_tx_abort(T.vm);
    vt_cleanup(&T);
}

/* A byte array of the context holding 0, 1, ..., LEN-1. */
static uint16_t counting_array(uint8_t flags)
{
    uint16_t h;
    vm_obj_t o;
    uint8_t b[LEN];
    for (int i = 0; i < LEN; i++) b[i] = (uint8_t)i;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, flags, CTX, VM_T_BYTE, 0, LEN, &h), 0);
    ck_assert(vm_heap_get(T.vm->heap, h, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, b, LEN, false), 0);
    return h;
}

static void contents(uint16_t h, uint8_t out[LEN])
{
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, h, &o));
    const uint8_t *d = vm_heap_data(T.vm->heap, &o);
    ck_assert_ptr_nonnull(d);
    memcpy(out, d, LEN);
}

/* Util.arrayCopy[NonAtomic](a, soff, a, doff, len); returns what the native returned. */
static int copy_within(uint8_t tok, uint16_t a, int16_t soff, int16_t doff, int16_t len, uint16_t *ret)
{
    const vm_native_method_t *m = vm_native_method(vm_native_class(VM_PKG_FRAMEWORK, 16), VM_NAT_STATIC, tok);
    ck_assert_ptr_nonnull(m);
    uint16_t args[5] = { a, (uint16_t)soff, a, (uint16_t)doff, (uint16_t)len };
    T.vm->exc = 0;
    return m->fn(T.vm, args, ret);
}

/* The bytes memmove gives for the same copy on 0..LEN-1. */
static void expected(int soff, int doff, int len, uint8_t out[LEN])
{
    for (int i = 0; i < LEN; i++) out[i] = (uint8_t)i;
    memmove(out + doff, out + soff, (size_t)len);
}

/* The copy must leave what memmove leaves on the array's bytes before it. */
static void check_copy(uint8_t tok, uint16_t a, int soff, int doff, int len)
{
    uint8_t want[LEN], got[LEN];
    uint16_t r[2] = { 0, 0 };
    contents(a, want);
    memmove(want + doff, want + soff, (size_t)len);
    ck_assert_int_eq(copy_within(tok, a, (int16_t)soff, (int16_t)doff, (int16_t)len, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], (uint16_t)(doff + len));
    contents(a, got);
    ck_assert_mem_eq(got, want, LEN);
}

static void reset_array(uint16_t a)
{
    vm_obj_t o;
    uint8_t b[LEN];
    for (int i = 0; i < LEN; i++) b[i] = (uint8_t)i;
    ck_assert(vm_heap_get(T.vm->heap, a, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, b, LEN, false), 0);
}

/* Forward (destination after the source) and backward overlap, both copy natives, one array kind. */
static void overlap_both_ways(uint8_t flags)
{
    static const uint8_t toks[] = { T_COPY, T_COPY_NA };
    for (size_t t = 0; t < sizeof toks; t++) {
        uint16_t a = counting_array(flags);
        check_copy(toks[t], a, 0, 3, 10);  /* forward: a plain front-to-back copy would smear a[0..2] */
        reset_array(a);
        check_copy(toks[t], a, 5, 1, 11);  /* backward */
        reset_array(a);
        check_copy(toks[t], a, 4, 4, 8);   /* onto itself */
        reset_array(a);
        check_copy(toks[t], a, 0, 15, 1);  /* edge, no overlap */
    }
}

START_TEST(overlap_persistent)
{
    overlap_both_ways(0);
}
END_TEST

START_TEST(overlap_transient)
{
    overlap_both_ways(VM_OF_CLEAR_ON_RESET);
    overlap_both_ways(VM_OF_CLEAR_ON_DESELECT);
}
END_TEST

/* SensitiveArrays: the store checks and recomputes the control element over the copied bytes. */
START_TEST(overlap_integrity_sensitive)
{
    overlap_both_ways(VM_OF_INTEGRITY);
    overlap_both_ways(VM_OF_INTEGRITY | VM_OF_CLEAR_ON_RESET);
}
END_TEST

START_TEST(overlap_in_committed_transaction)
{
    uint16_t a = counting_array(0);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    check_copy(T_COPY, a, 2, 6, 9);
    check_copy(T_COPY, a, 7, 0, 9); /* a second overlapping copy over bytes the first one wrote */
    uint8_t inside[LEN], after[LEN];
    contents(a, inside);
    ck_assert_int_eq(vm_tx_commit(T.vm), 0);
    contents(a, after);
    ck_assert_mem_eq(after, inside, LEN);
    /* Durable: the reopened image holds the same bytes. */
    vt_close(&T);
    vt_open(&T, false);
    T.vm->cur_ctx = CTX;
    contents(a, after);
    ck_assert_mem_eq(after, inside, LEN);
}
END_TEST

START_TEST(overlap_in_aborted_transaction)
{
    uint16_t a = counting_array(0), b = counting_array(0);
    uint8_t orig[LEN], got[LEN], want[LEN];
    contents(a, orig);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    check_copy(T_COPY, a, 0, 5, 11);
    check_copy(T_COPY_NA, b, 6, 2, 10);
    vm_tx_abort(T.vm);
    contents(a, got);
    ck_assert_mem_eq(got, orig, LEN); /* arrayCopy undone exactly */
    expected(6, 2, 10, want);
    contents(b, got);
    ck_assert_mem_eq(got, want, LEN); /* arrayCopyNonAtomic is not */
    /* After the abort, overlapping copies are exact again, both ways. */
    check_copy(T_COPY, a, 1, 9, 7);
    reset_array(a);
    check_copy(T_COPY, a, 9, 1, 7);
}
END_TEST

START_TEST(refused_copy_changes_nothing)
{
    uint16_t a = counting_array(0), r[2];
    uint8_t orig[LEN], got[LEN];
    contents(a, orig);
    ck_assert_int_eq(copy_within(T_COPY, a, 0, 8, 9, r), VM_NAT_THROW);  /* destination past the end */
    ck_assert_int_eq(copy_within(T_COPY, a, 9, 0, 8, r), VM_NAT_THROW);  /* source past the end */
    ck_assert_int_eq(copy_within(T_COPY, a, 0, 0, -1, r), VM_NAT_THROW); /* negative length */
    ck_assert_int_eq(copy_within(T_COPY_NA, a, -1, 0, 2, r), VM_NAT_THROW);
    contents(a, got);
    ck_assert_mem_eq(got, orig, LEN);
    T.vm->exc = 0;
}
END_TEST

/* JCRE 7.6.3: a reference to an object made in a transaction that aborted reads as null. The
 * natives that take an AID and look at it themselves treat it so: JCSystem.isAppletActive and
 * AID.RIDEquals throw NullPointerException, getAppletShareableInterfaceObject returns null. */
static int call(uint8_t cls, uint8_t kind, uint8_t tok, uint16_t *args, uint16_t *ret)
{
    const vm_native_method_t *m = vm_native_method(vm_native_class(VM_PKG_FRAMEWORK, cls), kind, tok);
    ck_assert_ptr_nonnull(m);
    T.vm->exc = 0;
    return m->fn(T.vm, args, ret);
}

static void expect_npe(void)
{
    vm_obj_t e;
    ck_assert(vm_heap_get(T.vm->heap, T.vm->exc, &e));
    ck_assert_uint_eq(e.cls, VM_CLASS_ID(VM_PKG_JAVA_LANG, 7));
    T.vm->exc = 0;
}

START_TEST(void_aid_reference_reads_as_null)
{
    static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x03, 0x01 };
    uint16_t live, gone, r[2] = { 0x5A5A, 0 };
    ck_assert_int_eq(vm_aid_new(T.vm, aid, sizeof aid, CTX, 0, &live), 0);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_aid_new(T.vm, aid, sizeof aid, CTX, 0, &gone), 0);
    vm_tx_abort(T.vm);
    ck_assert(vm_heap_is_void(T.vm->heap, gone));
    uint16_t active[1] = { gone }, sio[2] = { gone, 0 }, rid[2] = { live, gone };
    ck_assert_int_eq(call(8, VM_NAT_STATIC, 20, active, r), VM_NAT_THROW); /* isAppletActive */
    expect_npe();
    ck_assert_int_eq(call(8, VM_NAT_STATIC, 4, sio, r), VM_NAT_OK); /* getAppletShareableInterfaceObject */
    ck_assert_uint_eq(r[0], 0);
    ck_assert_int_eq(call(6, VM_NAT_VIRTUAL, 1, rid, r), VM_NAT_THROW); /* AID.RIDEquals */
    expect_npe();
    /* A live AID is still compared. */
    rid[1] = live;
    ck_assert_int_eq(call(6, VM_NAT_VIRTUAL, 1, rid, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_fw_system");
    TCase *tc = tcase_create("Util.arrayCopy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, overlap_persistent);
    tcase_add_test(tc, overlap_transient);
    tcase_add_test(tc, overlap_integrity_sensitive);
    tcase_add_test(tc, overlap_in_committed_transaction);
    tcase_add_test(tc, overlap_in_aborted_transaction);
    tcase_add_test(tc, refused_copy_changes_nothing);
    tcase_add_test(tc, void_aid_reference_reads_as_null);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
