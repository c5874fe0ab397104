/* The running-state table of crypto operation objects (api_crypto_ops.c): a reset forgets the
 * state, a full table drops the least recently used one and its object reports it lost (so an
 * operation is refused rather than giving a wrong result), ending a state leaves no trace. */
#include "vm/api_crypto_int.h"
#include "vm/vm_gc.h"
#include "vm/vm_test_util.h"

extern const vm_native_area_t vm_api_security, vm_api_crypto;

static vt_env_t T;

static void setup(void)
{
    vm_native_register(&vm_api_security);
    vm_native_register(&vm_api_crypto);
    vt_open(&T, true);
    T.vm->cur_ctx = VM_CTX_JCRE;
}

static void teardown(void) { vt_cleanup(&T); }

static uint16_t new_digest(void)
{
    uint16_t ref = 0;
    ck_assert_int_eq(api_op_new_object(T.vm, VM_PKG_SECURITY, SEC_MD, 4, &ref), 0);
    ck_assert_uint_ne(ref, 0);
    return ref;
}

START_TEST(fresh_find_end)
{
    uint16_t a = new_digest(), b = new_digest();
    bool lost = true;
    ck_assert_ptr_null(api_op_find(T.vm, a, &lost));
    ck_assert(!lost); /* never had state */
    api_op_t *op = api_op_fresh(T.vm, a);
    ck_assert_ptr_nonnull(op);
    ck_assert_ptr_eq(api_op_find(T.vm, a, &lost), op);
    ck_assert_ptr_null(api_op_find(T.vm, b, &lost)); /* another object does not see it */
    uint8_t alg = 0;
    ck_assert(api_op_object(T.vm, a, &alg));
    ck_assert_uint_eq(alg, 4);
    api_op_end(T.vm, a, op);
    ck_assert_ptr_null(api_op_find(T.vm, a, &lost));
    ck_assert(!lost);
}
END_TEST

START_TEST(reset_forgets_state)
{
    uint16_t a = new_digest();
    ck_assert_ptr_nonnull(api_op_fresh(T.vm, a));
    vm_heap_clear_transient(T.vm->heap, VM_OF_CLEAR_ON_RESET, 0xFFFF);
    bool lost = true;
    ck_assert_ptr_null(api_op_find(T.vm, a, &lost));
    ck_assert(!lost);
}
END_TEST

START_TEST(full_table_drops_oldest_and_says_so)
{
    enum { N = 140 };
    uint16_t refs[N];
    for (int i = 0; i < N; i++) {
        refs[i] = new_digest();
        ck_assert_ptr_nonnull(api_op_fresh(T.vm, refs[i]));
    }
    bool lost = false;
    ck_assert_ptr_null(api_op_find(T.vm, refs[0], &lost));
    ck_assert(lost);
    ck_assert_ptr_nonnull(api_op_find(T.vm, refs[N - 1], &lost));
    ck_assert(!lost);
}
END_TEST

START_TEST(accumulator_bounded)
{
    uint16_t a = new_digest();
    api_op_t *op = api_op_fresh(T.vm, a);
    ck_assert_ptr_nonnull(op);
    uint8_t chunk[256];
    memset(chunk, 0x5A, sizeof chunk);
    int ok = 0;
    for (int i = 0; i < 300; i++) ok += api_op_acc(op, chunk, sizeof chunk);
    ck_assert_int_eq(ok, 16); /* 4 KiB (more than any RSA input) and no more */
    ck_assert_uint_eq(op->acclen, 4096);
    ck_assert(!api_op_acc(op, chunk, 1));
    api_op_end(T.vm, a, op);
}
END_TEST

START_TEST(not_a_crypto_object)
{
    uint16_t arr;
    ck_assert_int_eq(vm_obj_new_array(T.vm, VM_T_BYTE, 0, 4, VM_CTX_JCRE, 0, &arr), 0);
    uint8_t alg;
    ck_assert(!api_op_object(T.vm, arr, &alg));
    ck_assert_uint_ne(T.vm->exc, 0); /* SecurityException pending, nothing else happened */
    T.vm->exc = 0;
    ck_assert(!api_op_object(T.vm, 0, &alg)); /* null: NullPointerException */
    ck_assert_uint_ne(T.vm->exc, 0);
}
END_TEST

/* An applet may write its own operation object's cells (a hostile CAP can putfield them). Naming
 * another applet's nonce array there must not let it end or replace that applet's running state:
 * refused (SecurityException), the other object's state still found, also after a card reset. */
START_TEST(forged_nonce_cell_cannot_touch_another_objects_state)
{
    T.vm->cur_ctx = 17;
    uint16_t victim = new_digest();
    api_op_t *vop = api_op_fresh(T.vm, victim);
    ck_assert_ptr_nonnull(vop);
    T.vm->cur_ctx = 16;
    uint16_t attacker = new_digest();
    vm_obj_t v, a;
    uint16_t cell;
    ck_assert(vm_heap_get(T.vm->heap, victim, &v));
    ck_assert(vm_obj_cell(T.vm, &v, OP_NONCE, &cell));
    ck_assert(vm_heap_get(T.vm->heap, attacker, &a));
    ck_assert(vm_obj_set_cell(T.vm, &a, OP_NONCE, cell));
    bool lost;
    ck_assert_ptr_null(api_op_fresh(T.vm, attacker));
    ck_assert_uint_ne(T.vm->exc, 0);
    T.vm->exc = 0;
    api_op_end(T.vm, attacker, NULL);
    T.vm->exc = 0;
    T.vm->cur_ctx = 17;
    ck_assert_ptr_eq(api_op_find(T.vm, victim, &lost), vop);
    /* After a reset nobody has state; the attacker still cannot claim the victim's array. */
    vm_heap_clear_transient(T.vm->heap, VM_OF_CLEAR_ON_RESET, 0xFFFF);
    T.vm->cur_ctx = 16;
    ck_assert_ptr_null(api_op_fresh(T.vm, attacker));
    T.vm->exc = 0;
    T.vm->cur_ctx = 17;
    vop = api_op_fresh(T.vm, victim);
    ck_assert_ptr_nonnull(vop);
    ck_assert_ptr_eq(api_op_find(T.vm, victim, &lost), vop);
}
END_TEST

/* The ECDSA DER <-> r || s codec: round trip, and malformed or oversized input refused without over-reads. */
START_TEST(ecdsa_codec)
{
    uint8_t rs[64], back[64], der[143];
    for (int i = 0; i < 64; i++) rs[i] = (uint8_t)(i * 37 + 1);
    rs[0] = 0x80;  /* r needs a leading zero byte in DER */
    rs[32] = 0x00; /* s is shorter than 32 bytes */
    rs[33] = 0x01;
    size_t n = api_ecdsa_plain_to_der(rs, 32, der);
    ck_assert_uint_gt(n, 8);
    ck_assert(api_ecdsa_der_to_plain(der, n, 32, back));
    ck_assert_mem_eq(back, rs, 64);
    ck_assert(!api_ecdsa_der_to_plain(der, n, 31, back)); /* r does not fit 31 bytes */
    for (size_t cut = 0; cut < n; cut++) ck_assert(!api_ecdsa_der_to_plain(der, cut, 32, back));
    uint8_t bad[143];
    memcpy(bad, der, n);
    bad[2] = 0x03; /* not an INTEGER */
    ck_assert(!api_ecdsa_der_to_plain(bad, n, 32, back));
    memcpy(bad, der, n);
    bad[3] = 0x7F; /* INTEGER longer than the sequence */
    ck_assert(!api_ecdsa_der_to_plain(bad, n, 32, back));
    /* P-521 widths use the long length form. */
    uint8_t rs66[132], der66[143], back66[132];
    memset(rs66, 0xA5, sizeof rs66);
    n = api_ecdsa_plain_to_der(rs66, 66, der66);
    ck_assert_uint_eq(der66[1], 0x81);
    ck_assert(api_ecdsa_der_to_plain(der66, n, 66, back66));
    ck_assert_mem_eq(back66, rs66, 132);
    ck_assert_uint_eq(api_ecdsa_plain_to_der(rs66, 67, der66), 0);
    /* Random bytes: refused or decoded, never more. */
    uint32_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        uint8_t r[80];
        size_t len = (seed >> 8) % sizeof r;
        for (size_t k = 0; k < len; k++) { seed = seed * 1103515245u + 12345u; r[k] = (uint8_t)(seed >> 16); }
        if (len > 2 && (seed & 1)) { r[0] = 0x30; r[1] = (uint8_t)(len - 2); r[2] = 0x02; }
        seed = seed * 1103515245u + 12345u;
        (void)api_ecdsa_der_to_plain(r, len, 32, back);
    }
}
END_TEST

/* One AES choice for Cipher and the CBC-MAC/CMAC Signatures: mode and key length pick EVP's cipher,
 * any other length has none (the caller refuses it instead of running another key size). */
START_TEST(aes_by_mode_and_length)
{
    ck_assert_ptr_eq(api_aes(API_AES_ECB, 128), EVP_aes_128_ecb());
    ck_assert_ptr_eq(api_aes(API_AES_CBC, 192), EVP_aes_192_cbc());
    ck_assert_ptr_eq(api_aes(API_AES_CTR, 256), EVP_aes_256_ctr());
    ck_assert_ptr_eq(api_aes(API_AES_GCM, 128), EVP_aes_128_gcm());
    ck_assert_str_eq(EVP_CIPHER_get0_name(api_aes(API_AES_CBC, 256)), "AES-256-CBC"); /* the CMAC parameter */
    ck_assert_ptr_null(api_aes(API_AES_CBC, 64));
    ck_assert_ptr_null(api_aes(API_AES_CBC, 0));
    ck_assert_ptr_null(api_aes((enum api_aes_mode)4, 128));
}
END_TEST

/* States hold key bytes on the host: closing a VM wipes and frees all of its states (and only
 * its own: another VM in the same process keeps its). */
START_TEST(close_drops_every_state_of_that_vm_only)
{
    vt_env_t U;
    memset(&U, 0, sizeof U);
    vt_open(&U, true);
    U.vm->cur_ctx = VM_CTX_JCRE;
    uint16_t u;
    ck_assert_int_eq(api_op_new_object(U.vm, VM_PKG_SECURITY, SEC_MD, 4, &u), 0);
    ck_assert_ptr_nonnull(api_op_fresh(U.vm, u));
    for (int i = 0; i < 5; i++) ck_assert_ptr_nonnull(api_op_fresh(T.vm, new_digest()));
    ck_assert_uint_eq(api_op_count(T.vm), 5);
    const vm_t *closed = T.vm;
    vt_close(&T);
    ck_assert_uint_eq(api_op_count(closed), 0);
    ck_assert_uint_eq(api_op_count(U.vm), 1);
    bool lost;
    ck_assert_ptr_nonnull(api_op_find(U.vm, u, &lost));
    closed = U.vm;
    vt_cleanup(&U);
    ck_assert_uint_eq(api_op_count(closed), 0);
}
END_TEST

/* A full table evicts only the caller's own states: another VM (another thread in a process
 * with several) may be using its own at that moment. A VM that holds none gets NO_RESOURCE, and
 * the other VM's states all stay. */
START_TEST(full_table_evicts_only_own_states)
{
    vt_env_t U;
    memset(&U, 0, sizeof U);
    vt_open(&U, true);
    U.vm->cur_ctx = VM_CTX_JCRE;
    enum { N = 140 };
    uint16_t refs[N];
    for (int i = 0; i < N; i++) {
        refs[i] = new_digest();
        ck_assert_ptr_nonnull(api_op_fresh(T.vm, refs[i]));
    }
    unsigned full = api_op_count(T.vm);
    uint16_t u;
    ck_assert_int_eq(api_op_new_object(U.vm, VM_PKG_SECURITY, SEC_MD, 4, &u), 0);
    ck_assert_ptr_null(api_op_fresh(U.vm, u));
    ck_assert_uint_ne(U.vm->exc, 0); /* SystemException.NO_RESOURCE */
    U.vm->exc = 0;
    ck_assert_uint_eq(api_op_count(T.vm), full);
    ck_assert_uint_eq(api_op_count(U.vm), 0);
    bool lost = true;
    ck_assert_ptr_nonnull(api_op_find(T.vm, refs[N - 1], &lost));
    vt_cleanup(&U);
}
END_TEST

/* A state whose object is gone -- made in a transaction that aborted, or collected -- or whose
 * nonce a reset cleared, is dropped by the sweep; states their objects still name are kept. */
START_TEST(sweep_drops_states_of_deleted_objects)
{
    uint16_t keep = new_digest();
    api_op_t *kop = api_op_fresh(T.vm, keep);
    ck_assert_ptr_nonnull(kop);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    uint16_t gone = new_digest();
    ck_assert_ptr_nonnull(api_op_fresh(T.vm, gone));
    vm_tx_abort(T.vm);
    ck_assert_uint_eq(api_op_count(T.vm), 2);
    api_op_sweep(T.vm);
    ck_assert_uint_eq(api_op_count(T.vm), 1);
    bool lost;
    ck_assert_ptr_eq(api_op_find(T.vm, keep, &lost), kop);
    /* A new state sweeps first: a stale one does not wait for eviction. */
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    gone = new_digest();
    ck_assert_ptr_nonnull(api_op_fresh(T.vm, gone));
    vm_tx_abort(T.vm);
    ck_assert_ptr_nonnull(api_op_fresh(T.vm, new_digest()));
    ck_assert_uint_eq(api_op_count(T.vm), 2); /* keep's and the new one's */
    /* Nothing references these objects: the collector deletes them and sweeps their states. */
    ck_assert_int_eq(vm_gc(T.vm, NULL), 0);
    ck_assert_uint_eq(api_op_count(T.vm), 0);
}
END_TEST

START_TEST(power_on_drops_every_state)
{
    for (int i = 0; i < 3; i++) ck_assert_ptr_nonnull(api_op_fresh(T.vm, new_digest()));
    ck_assert_uint_eq(api_op_count(T.vm), 3);
    vm_power_on(T.vm);
    ck_assert_uint_eq(api_op_count(T.vm), 0);
}
END_TEST

/* An operation object whose algorithm cell names nothing this card offers (only a forged cell
 * could): the informational getters throw NO_SUCH_ALGORITHM instead of making a value up. */
static void getter_throws(uint8_t pkg, uint8_t cls, uint8_t token, uint16_t ref)
{
    const vm_native_method_t *m = vm_native_method(vm_native_class(pkg, cls), VM_NAT_VIRTUAL, token);
    ck_assert_ptr_nonnull(m);
    uint16_t args[1] = { ref }, ret[2] = { 0x5A5A, 0 };
    T.vm->exc = 0;
    ck_assert_int_eq(m->fn(T.vm, args, ret), VM_NAT_THROW);
    vm_obj_t e;
    ck_assert(vm_heap_get(T.vm->heap, T.vm->exc, &e));
    ck_assert_uint_eq(e.cls, VM_CLASS_ID(VM_PKG_SECURITY, SEC_CRYPTOEXC));
    ck_assert_uint_eq(cl_get16(vm_heap_data(T.vm->heap, &e)), CE_NO_SUCH_ALGORITHM);
    ck_assert_uint_eq(ret[0], 0x5A5A);
    T.vm->exc = 0;
}

START_TEST(unknown_algorithm_getters_throw)
{
    uint16_t md, ci, sig;
    ck_assert_int_eq(api_op_new_object(T.vm, VM_PKG_SECURITY, SEC_MD, 0x77, &md), 0);
    ck_assert_int_eq(api_op_new_object(T.vm, VM_PKG_CRYPTO, CRY_CIPHER, 0x77, &ci), 0);
    ck_assert_int_eq(api_op_new_object(T.vm, VM_PKG_SECURITY, SEC_SIGNATURE, 0x77, &sig), 0);
    getter_throws(VM_PKG_SECURITY, SEC_MD, 3, md);        /* getLength */
    getter_throws(VM_PKG_CRYPTO, CRY_CIPHER, 2, ci);      /* getAlgorithm */
    getter_throws(VM_PKG_CRYPTO, CRY_CIPHER, 6, ci);      /* getCipherAlgorithm */
    getter_throws(VM_PKG_CRYPTO, CRY_CIPHER, 7, ci);      /* getPaddingAlgorithm */
    getter_throws(VM_PKG_SECURITY, SEC_SIGNATURE, 1, sig); /* getAlgorithm */
    getter_throws(VM_PKG_SECURITY, SEC_SIGNATURE, 11, sig); /* getMessageDigestAlgorithm */
    getter_throws(VM_PKG_SECURITY, SEC_SIGNATURE, 13, sig); /* getPaddingAlgorithm */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_crypto_ops");
    TCase *tc = tcase_create("ops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fresh_find_end);
    tcase_add_test(tc, reset_forgets_state);
    tcase_add_test(tc, full_table_drops_oldest_and_says_so);
    tcase_add_test(tc, accumulator_bounded);
    tcase_add_test(tc, not_a_crypto_object);
    tcase_add_test(tc, ecdsa_codec);
    tcase_add_test(tc, aes_by_mode_and_length);
    tcase_add_test(tc, close_drops_every_state_of_that_vm_only);
    tcase_add_test(tc, full_table_evicts_only_own_states);
    tcase_add_test(tc, sweep_drops_states_of_deleted_objects);
    tcase_add_test(tc, power_on_drops_every_state);
    tcase_add_test(tc, unknown_algorithm_getters_throw);
    tcase_add_test(tc, forged_nonce_cell_cannot_touch_another_objects_state);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
