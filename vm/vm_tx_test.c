/* JCSystem transactions, the OwnerPIN try counter and the firewall, on hand-assembled methods. */
#include "vm/vm_gc.h"
#include "vm/vm_test_util.h"

#define H(x) ((uint8_t)((x) >> 8)), ((uint8_t)(x))

static vt_env_t T;
static vt_pkg_t *P;
static uint32_t at;

enum { CP_BEGIN = 1, CP_COMMIT, CP_ABORT, CP_COPY_NA, CP_FILL_NA, CP_FIELD_X = 10, CP_CLASS_A, CP_STATIC_REF = 12, CP_STATIC_S };

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
    P = vt_pkg(&T, 16, 16);
    at = 1;
    P->pkg.methods_len = 1;
    vt_cp_native(P, CP_BEGIN, VM_PKG_FRAMEWORK, 8, VM_NAT_STATIC, 1);
    vt_cp_native(P, CP_COMMIT, VM_PKG_FRAMEWORK, 8, VM_NAT_STATIC, 2);
    vt_cp_native(P, CP_ABORT, VM_PKG_FRAMEWORK, 8, VM_NAT_STATIC, 0);
    vt_cp_native(P, CP_COPY_NA, VM_PKG_FRAMEWORK, 16, VM_NAT_STATIC, 2);
    vt_cp_native(P, CP_FILL_NA, VM_PKG_FRAMEWORK, 16, VM_NAT_STATIC, 3);
    vm_class_t *A = &P->classes[0];
    A->id = VM_CLASS_ID(16, 0); A->super = VM_CLASS_ID(VM_PKG_JAVA_LANG, 0); A->inst_size = 2;
    P->pkg.nclasses = 1;
    vt_cp_class(P, CP_CLASS_A, A->id);
    P->cp[CP_FIELD_X].tag = 2; P->cp[CP_FIELD_X].cls = A->id; P->cp[CP_FIELD_X].a = 1;
    P->cp[CP_STATIC_REF].tag = 5; P->cp[CP_STATIC_REF].pkg = 16; P->cp[CP_STATIC_REF].a = 0;
    P->cp[CP_STATIC_S].tag = 5; P->cp[CP_STATIC_S].pkg = 16; P->cp[CP_STATIC_S].a = 2;
}

static void teardown(void)
{
    if (T.vm && T.vm->tx_depth) vm_tx_abort(T.vm);
    vt_unlink(&T, P);
    vt_cleanup(&T);
}

static uint16_t new_array(uint8_t etype, uint32_t len, uint8_t owner, uint8_t flags)
{
    uint16_t h;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, flags, owner, etype, 0, len, &h), 0);
    return h;
}

static const uint8_t *data_of(uint16_t h)
{
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, h, &o));
    return vm_heap_data(T.vm->heap, &o);
}

static uint16_t exc_reason(void)
{
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, T.vm->exc, &o));
    return cl_get16(vm_heap_data(T.vm->heap, &o));
}

START_TEST(abort_restores_fields_arrays_statics)
{
    uint16_t arr = new_array(VM_T_SHORT, 4, 16, 0), obj;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_INSTANCE, 0, 16, 0, VM_CLASS_ID(16, 0), 2, &obj), 0);
    /* m(arr, obj): arr[2] = 11; obj.x = 22; static s = 33; begin; arr[2] = 99; obj.x = 98; s = 97; abort */
    static const uint8_t code[] = {
        JC_aload_0, JC_sconst_2, JC_bspush, 11, JC_sastore,
        JC_aload_1, JC_bspush, 22, JC_putfield_s, CP_FIELD_X,
        JC_bspush, 33, JC_putstatic_s, H(CP_STATIC_S),
        JC_invokestatic, H(CP_BEGIN),
        JC_aload_0, JC_sconst_2, JC_bspush, 99, JC_sastore,
        JC_aload_1, JC_bspush, 98, JC_putfield_s, CP_FIELD_X,
        JC_bspush, 97, JC_putstatic_s, H(CP_STATIC_S),
        JC_invokestatic, H(CP_ABORT),
        JC_aload_0, JC_sconst_2, JC_saload, JC_aload_1, JC_getfield_s, CP_FIELD_X, JC_sadd,
        JC_getstatic_s, H(CP_STATIC_S), JC_sadd, JC_sreturn };
    uint16_t args[2] = { arr, obj }, r[2];
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 3, 2, 0, code, sizeof code), args, 2, r), 0x9000);
    ck_assert_int_eq(r[0], 11 + 22 + 33);
    ck_assert_int_eq(cl_get16(data_of(arr) + 4), 11);
    ck_assert_int_eq(T.vm->tx_depth, 0);
}
END_TEST

START_TEST(commit_persists_across_reopen)
{
    uint16_t arr = new_array(VM_T_BYTE, 8, 16, 0);
    static const uint8_t code[] = { JC_invokestatic, H(CP_BEGIN), JC_aload_0, JC_sconst_5, JC_bspush, 0x5A, JC_bastore,
                                    JC_invokestatic, H(CP_COMMIT), JC_return };
    uint16_t args[1] = { arr };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 3, 1, 0, code, sizeof code), args, 1, NULL), 0x9000);
    vt_unlink(&T, P);
    vt_close(&T);
    vt_open(&T, false);
    P = vt_pkg(&T, 16, 0);
    ck_assert_int_eq(data_of(arr)[5], 0x5A);
}
END_TEST

START_TEST(objects_created_in_aborted_tx_vanish)
{
    static const uint8_t code[] = { JC_invokestatic, H(CP_BEGIN), JC_bspush, 4, JC_newarray, 11, JC_dup,
                                    JC_putstatic_a, H(CP_STATIC_REF), JC_invokestatic, H(CP_ABORT), JC_areturn };
    uint16_t r[2];
    uint32_t free0 = vm_heap_free_bytes(T.vm->heap);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 0, 0, code, sizeof code), NULL, 0, r), 0x9000);
    vm_obj_t o;
    ck_assert_int_ne(r[0], 0);
    ck_assert(!vm_heap_get(T.vm->heap, r[0], &o));           /* the handle no longer names an object */
    ck_assert_uint_eq(vm_heap_free_bytes(T.vm->heap), free0); /* and its memory is free again */
    vm_obj_t so;
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &so));
    ck_assert_int_eq(cl_get16(vm_heap_data(T.vm->heap, &so)), 0); /* the static field is null again */
}
END_TEST

/* The exception vm_obj_get left pending is java.lang.NullPointerException (token 7). */
static bool pending_npe(void)
{
    vm_obj_t e;
    return T.vm->exc && vm_heap_get(T.vm->heap, T.vm->exc, &e) && e.cls == VM_CLASS_ID(VM_PKG_JAVA_LANG, 7);
}

static uint16_t new_in_tx(bool commit)
{
    uint16_t h;
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_obj_new_instance(T.vm, VM_CLASS_ID(16, 0), 16, &h), 0);
    if (commit) ck_assert_int_eq(vm_tx_commit(T.vm), 0);
    else vm_tx_abort(T.vm);
    return h;
}

/* True when one of the next n allocations gets handle want. */
static bool allocates(uint16_t want, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint16_t h;
        ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 0, &h), 0);
        if (h == want) return true;
    }
    return false;
}

/* JCRE 7.6.3: an object created in an aborted transaction is gone and a reference to it acts as
 * null: vm_obj_get throws NullPointerException (not SecurityException, as for a forged handle).
 * A committed transaction's object is an ordinary object. */
START_TEST(aborted_objects_read_as_null)
{
    uint16_t dead = new_in_tx(false), live = new_in_tx(true);
    vm_obj_t o;
    ck_assert(vm_heap_is_void(T.vm->heap, dead));
    ck_assert(!vm_heap_is_void(T.vm->heap, live));
    ck_assert(!vm_heap_is_void(T.vm->heap, 0));
    T.vm->exc = 0;
    ck_assert(!vm_obj_get(T.vm, dead, &o));
    ck_assert(pending_npe());
    ck_assert(vm_obj_get(T.vm, live, &o));
    /* A handle nothing ever allocated stays a forged reference. */
    uint16_t forged = (uint16_t)(vm_heap_handle_count(T.vm->heap) - 1);
    ck_assert(!vm_heap_get(T.vm->heap, forged, &o));
    T.vm->exc = 0;
    ck_assert(!vm_obj_get(T.vm, forged, &o));
    ck_assert(!pending_npe());
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "does not name an object"));
    /* An install group (or any group) that aborts voids its objects too. */
    uint16_t h;
    ck_assert_int_eq(img_group_begin(T.img), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 4, &h), 0);
    img_group_abort(T.img);
    ck_assert(vm_heap_is_void(T.vm->heap, h));
    ck_assert_uint_eq(vm_heap_void_count(T.vm->heap), 2);
    /* Between commands nothing names them (no frame, no transient array): a collection frees them. */
    ck_assert_int_eq(vm_gc(T.vm, NULL), 0);
    ck_assert_uint_eq(vm_heap_void_count(T.vm->heap), 0);
    ck_assert(!vm_heap_is_void(T.vm->heap, dead));
}
END_TEST

/* A void handle held where it survives the command (a CLEAR_ON_RESET Object[]) is never handed out
 * again, however many transactions abort later (70 000, far more than the heap has handles: the
 * unreferenced void handles are reused, so allocation never runs out); the power-up clears the
 * array and then the handle may be reused. */
START_TEST(void_handle_not_reused_in_session)
{
    uint16_t keep = new_array(VM_T_REF, 1, 16, VM_OF_CLEAR_ON_RESET), dead;
    vm_obj_t ko;
    ck_assert(vm_heap_get(T.vm->heap, keep, &ko));
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_obj_new_instance(T.vm, VM_CLASS_ID(16, 0), 16, &dead), 0);
    uint8_t b[2];
    cl_put16(b, dead);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &ko, 0, b, 2, true), 0); /* transient: not rolled back */
    vm_tx_abort(T.vm);
    ck_assert_int_eq(cl_get16(data_of(keep)), dead);
    vm_obj_t so; /* the package's static field names the array, so a collection keeps it */
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &so));
    cl_put16(b, keep);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &so, 0, b, 2, false), 0);
    uint32_t nh = vm_heap_handle_count(T.vm->heap), max_void = 0;
    for (int i = 0; i < 70000; i++) {
        uint16_t h = new_in_tx(false);
        ck_assert_int_ne(h, dead);
        uint32_t nv = vm_heap_void_count(T.vm->heap);
        if (nv > max_void) max_void = nv;
    }
    ck_assert_uint_gt(70000, nh);           /* so void handles were reused ... */
    ck_assert_uint_lt(max_void, nh);        /* ... and they never filled the table */
    ck_assert(vm_heap_is_void(T.vm->heap, dead));
    /* A collection between commands keeps it void as well: the transient array still names it. */
    ck_assert_int_eq(vm_gc(T.vm, NULL), 0);
    ck_assert(vm_heap_is_void(T.vm->heap, dead));
    ck_assert_uint_eq(vm_heap_void_count(T.vm->heap), 1);
    /* Power-up: the array is cleared, nothing names the handle, it becomes an ordinary free one. */
    vm_power_on(T.vm);
    ck_assert_int_eq(cl_get16(data_of(keep)), 0);
    ck_assert(!vm_heap_is_void(T.vm->heap, dead));
    ck_assert_uint_eq(vm_heap_void_count(T.vm->heap), 0);
    ck_assert(allocates(dead, nh));
}
END_TEST

/* The void bitmap is RAM: a reopened heap (power-up) hands the handle out again. */
START_TEST(void_handle_reused_after_reopen)
{
    uint16_t dead = new_in_tx(false);
    ck_assert(vm_heap_is_void(T.vm->heap, dead));
    vt_unlink(&T, P);
    vt_close(&T);
    vt_open(&T, false);
    P = vt_pkg(&T, 16, 0);
    ck_assert(!vm_heap_is_void(T.vm->heap, dead));
    uint32_t nh = vm_heap_handle_count(T.vm->heap);
    ck_assert(allocates(dead, nh));
}
END_TEST

/* The interpreter's side of 7.6.3 on hand-assembled code: a reference to an object of an aborted
 * transaction, stored into a static field and an array element after the abort, stores null (0
 * in the cell, so no stale handle reaches persistent memory); ifnonnull treats it as null. */
START_TEST(void_reference_stores_null)
{
    uint16_t arr = new_array(VM_T_REF, 1, 16, 0);
    vm_obj_t so, ao;
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &so));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &so, 0, "\x12\x34", 2, false), 0); /* not 0 before */
    static const uint8_t code[] = {
        JC_invokestatic, H(CP_BEGIN), JC_new, H(CP_CLASS_A), JC_astore_1, JC_invokestatic, H(CP_ABORT),
        JC_aload_1, JC_putstatic_a, H(CP_STATIC_REF),
        JC_aload_0, JC_sconst_0, JC_aload_1, JC_aastore,
        JC_aload_1, JC_ifnonnull, 4, JC_sconst_1, JC_sreturn, JC_sconst_0, JC_sreturn };
    uint16_t args[1] = { arr }, r[2] = { 9, 9 };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 3, 1, 1, code, sizeof code), args, 1, r), 0x9000);
    ck_assert_int_eq(r[0], 1);                                    /* ifnonnull: null */
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &so));
    ck_assert_int_eq(cl_get16(vm_heap_data(T.vm->heap, &so)), 0); /* the static holds 0 */
    ck_assert(vm_heap_get(T.vm->heap, arr, &ao));
    ck_assert_int_eq(cl_get16(vm_heap_data(T.vm->heap, &ao)), 0); /* and so does the element */
}
END_TEST

START_TEST(nested_begin_and_stray_commit_throw)
{
    static const uint8_t nested[] = { JC_invokestatic, H(CP_BEGIN), JC_invokestatic, H(CP_BEGIN), JC_return };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, nested, sizeof nested), NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(exc_reason(), 1); /* TransactionException.IN_PROGRESS */
    ck_assert_int_eq(T.vm->tx_depth, 1);
    vm_tx_abort(T.vm);
    static const uint8_t stray[] = { JC_invokestatic, H(CP_COMMIT), JC_return };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, stray, sizeof stray), NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(exc_reason(), 2); /* NOT_IN_PROGRESS */
}
END_TEST

START_TEST(commit_capacity_overflow)
{
    uint16_t arr = new_array(VM_T_SHORT, 2000, 16, 0);
    /* begin; for (i = 0; i < 2000; i++) arr[i] = i; -- distinct writes overflow the commit buffer */
    static const uint8_t code[] = {
        JC_invokestatic, H(CP_BEGIN),
        JC_sconst_0, JC_sstore_1,                               /* 3 */
        JC_sload_1, JC_sspush, H(2000), JC_if_scmpge, 11,        /* 5..10 */
        JC_aload_0, JC_sload_1, JC_sload_1, JC_sastore,          /* 11..14 */
        JC_sinc, 1, 1, JC_goto, (uint8_t)-13,                     /* 15..19 */
        JC_return };                                             /* 20 */
    uint16_t args[1] = { arr };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 3, 1, 1, code, sizeof code), args, 1, NULL), 0x6F00);
    ck_assert_int_eq(exc_reason(), 3); /* BUFFER_FULL */
    vm_tx_abort(T.vm);
    const uint8_t *d = data_of(arr);
    for (int i = 0; i < 2000; i++) ck_assert_int_eq(cl_get16(d + 2 * i), 0);
}
END_TEST

START_TEST(non_atomic_copy_survives_abort)
{
    uint16_t src = new_array(VM_T_BYTE, 4, 16, 0), dst = new_array(VM_T_BYTE, 4, 16, 0);
    vm_obj_t so;
    ck_assert(vm_heap_get(T.vm->heap, src, &so));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &so, 0, "\x01\x02\x03\x04", 4, false), 0);
    static const uint8_t code[] = { JC_invokestatic, H(CP_BEGIN), JC_aload_0, JC_sconst_0, JC_aload_1, JC_sconst_0,
                                    JC_sconst_4, JC_invokestatic, H(CP_COPY_NA), JC_pop, JC_invokestatic, H(CP_ABORT),
                                    JC_return };
    uint16_t args[2] = { src, dst };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 5, 2, 0, code, sizeof code), args, 2, NULL), 0x9000);
    ck_assert_int_eq(memcmp(data_of(dst), "\x01\x02\x03\x04", 4), 0);
}
END_TEST

/* The card loses power here (no commit, no abort, no checkpoint) and is powered up again. */
static void power_loss_and_reopen(void)
{
    img_tear(T.img);
    T.vm->tx_depth = 0;
    vt_unlink(&T, P);
    vm_close(T.vm);
    T.vm = NULL;
    T.img = NULL;
    vt_open(&T, false);
    P = vt_pkg(&T, 16, 0);
}

/* True when n image bytes from off are all zero. */
static bool image_zero(uint32_t off, uint32_t n)
{
    const uint8_t *m = img_mem(T.img);
    for (uint32_t i = 0; i < n; i++)
        if (m[off + i]) return false;
    return true;
}

/* Review finding: non-atomic stores (img_write) into an object created in a transaction outlive the
 * abort, which rolls back only its handle and the bump pointer. The next object allocated there
 * (another context's, a sensitive array whose control element is for zero data) must still start
 * zero, and the bytes must not linger in the image's free area. */
START_TEST(aborted_non_atomic_writes_do_not_leak)
{
    uint16_t secret, other;
    vm_obj_t so, oo;
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 100, &secret), 0);
    ck_assert(vm_heap_get(T.vm->heap, secret, &so));
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &so, 0, 0x55, 100, false), 0);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &so, 10, "DECRYPTED", 9, false), 0);
    vm_tx_abort(T.vm);
    ck_assert(image_zero(so.data_off, 100)); /* gone from the free area at the abort already */
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 100, &other), 0);
    ck_assert(vm_heap_get(T.vm->heap, other, &oo));
    ck_assert_uint_eq(oo.data_off, so.data_off); /* the same memory, as the reviewer's probe showed */
    ck_assert(image_zero(oo.data_off, 100));
    /* A sensitive array born where the aborted data lay: consistent and storable. */
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 300, &secret), 0);
    ck_assert(vm_heap_get(T.vm->heap, secret, &so));
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &so, 0, 0xA5, 300, false), 0);
    vm_tx_abort(T.vm);
    uint16_t sens;
    vm_obj_t se;
    ck_assert_int_eq(vm_obj_new_array(T.vm, VM_T_BYTE, VM_NO_CLASS, 300, 17, VM_OF_INTEGRITY, &sens), 0);
    ck_assert(vm_heap_get(T.vm->heap, sens, &se));
    ck_assert_uint_eq(se.data_off, so.data_off);
    ck_assert(image_zero(se.data_off, 300));
    ck_assert(vm_heap_integrity_ok(T.vm->heap, &se));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &se, 299, "\x01", 1, true), 0);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &se, 0, "\x02", 1, false), 0);
    ck_assert(vm_heap_integrity_ok(T.vm->heap, &se));
}
END_TEST

/* The same after any group abort, even one no vm_heap_clear_transient follows (an install group,
 * a crypto key update): the next allocation clears what it would otherwise inherit. A blob (the
 * CAP file an install stores) keeps its own data. A crash before the clearing: vm_heap_open
 * scrubs the whole free area. */
START_TEST(aborted_group_writes_cleared_before_reuse)
{
    uint16_t h, fresh;
    vm_obj_t o, f;
    ck_assert_int_eq(img_group_begin(T.img), 0);
    ck_assert_int_eq(vm_heap_alloc_blob(T.vm->heap, 16, "CAPFILE-BYTES", 13, &h), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 64, &h), 0);
    ck_assert(vm_heap_get(T.vm->heap, h, &o));
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &o, 0, 0x77, 64, false), 0);
    img_group_abort(T.img);
    ck_assert_int_eq(vm_heap_alloc_blob(T.vm->heap, 16, "NEW", 3, &fresh), 0);
    ck_assert(vm_heap_get(T.vm->heap, fresh, &f));
    ck_assert_int_eq(memcmp(vm_heap_data(T.vm->heap, &f), "NEW", 3), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 64, &fresh), 0);
    ck_assert(vm_heap_get(T.vm->heap, fresh, &f));
    ck_assert_uint_lt(f.data_off, o.data_off + 64); /* lies over the aborted array's data */
    ck_assert(image_zero(f.data_off, 64));
    ck_assert(image_zero(f.data_off + 64, o.data_off + 64 - (f.data_off + 64) + 16));
    /* Power loss with the transaction still open (the open scrubs; power loss between an abort and
     * its zeroing: vm_heap_fault_test power_loss_before_zeroing). */
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 64, &h), 0);
    ck_assert(vm_heap_get(T.vm->heap, h, &o));
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &o, 0, 0x66, 64, false), 0);
    power_loss_and_reopen();
    ck_assert(image_zero(o.data_off, 64));
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 64, &fresh), 0);
    ck_assert(vm_heap_get(T.vm->heap, fresh, &f));
    ck_assert(image_zero(f.data_off, 64));
}
END_TEST

/* The probe from bytecode: new byte[100], Util.arrayFillNonAtomic(a, 0, 100, 0x55), abort; the
 * next new byte[100] reads b[0] | b[99] == 0. */
START_TEST(aborted_non_atomic_fill_from_bytecode)
{
    static const uint8_t code[] = {
        JC_invokestatic, H(CP_BEGIN),
        JC_bspush, 100, JC_newarray, 11, JC_astore_0,
        JC_aload_0, JC_sconst_0, JC_bspush, 100, JC_bspush, 0x55, JC_invokestatic, H(CP_FILL_NA), JC_pop,
        JC_invokestatic, H(CP_ABORT),
        JC_bspush, 100, JC_newarray, 11, JC_astore_1,
        JC_aload_1, JC_sconst_0, JC_baload, JC_aload_1, JC_bspush, 99, JC_baload, JC_sor, JC_sreturn };
    uint16_t r[2] = { 0xFFFF, 0xFFFF };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 4, 0, 2, code, sizeof code), NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 0);
}
END_TEST

/* Review finding: an allocation that does not fit the open transaction (TXFULL on its last write,
 * the bump pointer's) left its handle-table entry in the group; the applet catches the
 * TransactionException and commits, and that orphan handle named the memory the next allocation
 * got too. Now a failed allocation leaves nothing: no handle, no header bytes, same free space. */
START_TEST(failed_alloc_in_tx_leaves_nothing)
{
    uint16_t filler = new_array(VM_T_BYTE, 8200, 16, 0), h;
    vm_obj_t fo;
    ck_assert(vm_heap_get(T.vm->heap, filler, &fo));
    uint32_t used0 = vm_heap_used_handles(T.vm->heap), free0 = vm_heap_free_bytes(T.vm->heap);
    uint32_t top = fo.data_off + 8200; /* the bump pointer (the filler is the last object) */
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    /* 8159 of 8192 bytes used: header (10 + 8) and entry (4 + 8) fit, the bump pointer (4 + 8) does not */
    uint32_t fill = img_group_capacity(T.img) - 33 - IMG_GROUP_ENTRY_COST;
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &fo, 0, 1, fill, true), 0);
    ck_assert_uint_eq(img_group_used(T.img), img_group_capacity(T.img) - 33);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 4, &h), VM_ERR_TXFULL);
    ck_assert_uint_eq(vm_heap_used_handles(T.vm->heap), used0);
    ck_assert_uint_eq(vm_heap_free_bytes(T.vm->heap), free0);
    ck_assert(image_zero(top, 32));
    /* A sensitive array after the failed one: its header and entry ranges are already in the group,
     * so it fails at the control element (header, control element and entry fitting with only the
     * bump pointer refused: vm_heap_fault_test failed_sensitive_alloc_undone). */
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, VM_OF_INTEGRITY, 16, VM_T_BYTE, 0, 2, &h), VM_ERR_TXFULL);
    ck_assert_uint_eq(vm_heap_used_handles(T.vm->heap), used0);
    ck_assert(image_zero(top, 32));
    ck_assert_int_eq(vm_tx_commit(T.vm), 0);
    ck_assert_uint_eq(vm_heap_used_handles(T.vm->heap), used0);
    ck_assert(image_zero(top, 32));
    /* The next allocations: each data_off is named by exactly one handle. */
    for (int k = 0; k < 2; k++) {
        vm_obj_t o;
        ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 4, &h), 0);
        ck_assert(vm_heap_get(T.vm->heap, h, &o));
        uint32_t naming = 0;
        for (uint32_t i = 1; i < vm_heap_handle_count(T.vm->heap); i++) {
            vm_obj_t x;
            naming += vm_heap_get(T.vm->heap, (uint16_t)i, &x) && x.data_off == o.data_off;
        }
        ck_assert_uint_eq(naming, 1);
    }
    ck_assert_uint_eq(vm_heap_used_handles(T.vm->heap), used0 + 2);
}
END_TEST

/* Calls an API native directly (as the interpreter does). */
static int nat(uint8_t cls, uint8_t kind, uint8_t tok, uint16_t *args, uint16_t *ret)
{
    const vm_native_method_t *m = vm_native_method(vm_native_class(VM_PKG_FRAMEWORK, cls), kind, tok);
    ck_assert_ptr_nonnull(m);
    T.vm->cur_ctx = 16;
    return m->fn(T.vm, args, ret);
}

START_TEST(owner_pin_counter)
{
    uint16_t pin, r[2] = { 0, 0 }, buf = new_array(VM_T_BYTE, 8, 16, 0);
    vm_obj_t bo;
    ck_assert(vm_heap_get(T.vm->heap, buf, &bo));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &bo, 0, "12349999", 8, false), 0);
    ck_assert_int_eq(vm_obj_new_instance(T.vm, VM_CLASS_ID(VM_PKG_FRAMEWORK, 9), 16, &pin), 0);
    uint16_t init[3] = { pin, 3, 8 }, upd[4] = { pin, buf, 0, 4 }, bad[4] = { pin, buf, 4, 4 }, self[1] = { pin };
    ck_assert_int_eq(nat(9, VM_NAT_CTOR, 0, init, r), VM_NAT_OK);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 8, upd, r), VM_NAT_OK);
    /* A wrong PIN inside a transaction that aborts still costs the try. */
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 1, bad, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 0);
    vm_tx_abort(T.vm);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 2, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 2);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 1, upd, r), VM_NAT_OK); /* the right PIN */
    ck_assert_int_eq(r[0], 1);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 4, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 1);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 2, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 3);
    /* Three wrong tries block it; then even the right PIN fails. */
    for (int i = 0; i < 3; i++) ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 1, bad, r), VM_NAT_OK);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 1, upd, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 0);
    /* The counter is persistent; the validated flag is not. */
    vt_unlink(&T, P);
    vt_close(&T);
    vt_open(&T, false);
    P = vt_pkg(&T, 16, 0);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 2, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 0);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 6, self, r), VM_NAT_OK); /* resetAndUnblock */
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 1, upd, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 1);
}
END_TEST

/* Many objects, dead and live, small and larger than one commit group: after the collection
 * every live one holds its bytes, whether it moved in a batch, alone, or stayed. */
START_TEST(gc_mixed_sizes)
{
    enum { N = 60 };
    uint16_t h[N];
    uint32_t sizes[N];
    vm_obj_t so;
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &so));
    uint16_t holder = new_array(VM_T_REF, N, 16, 0);
    uint8_t hb[2];
    cl_put16(hb, holder);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &so, 0, hb, 2, false), 0);
    vm_obj_t ho;
    ck_assert(vm_heap_get(T.vm->heap, holder, &ho));
    for (int i = 0; i < N; i++) {
        sizes[i] = (i % 7 == 3) ? 12000u + (uint32_t)i : 20u + (uint32_t)(i * 37 % 400);
        h[i] = new_array(VM_T_BYTE, sizes[i], 16, 0);
        vm_obj_t o;
        ck_assert(vm_heap_get(T.vm->heap, h[i], &o));
        uint8_t *fill = malloc(sizes[i]);
        for (uint32_t k = 0; k < sizes[i]; k++) fill[k] = (uint8_t)(i * 31 + k);
        ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, fill, sizes[i], false), 0);
        free(fill);
        if (i % 3 != 0) { /* two in three stay reachable */
            cl_put16(hb, h[i]);
            ck_assert_int_eq(vm_heap_write(T.vm->heap, &ho, 2u * (uint32_t)i, hb, 2, false), 0);
        }
    }
    uint32_t got = 0;
    ck_assert_int_eq(vm_gc(T.vm, &got), 0);
    ck_assert_uint_gt(got, 0);
    for (int i = 0; i < N; i++) {
        vm_obj_t o;
        if (i % 3 == 0) { ck_assert(!vm_heap_get(T.vm->heap, h[i], &o)); continue; }
        const uint8_t *d = data_of(h[i]);
        for (uint32_t k = 0; k < sizes[i]; k++) ck_assert_int_eq(d[k], (uint8_t)(i * 31 + k));
    }
}
END_TEST

START_TEST(transient_budget)
{
    uint16_t r[2] = { 0, 0 }, mem[1] = { 1 }; /* MEMORY_TYPE_TRANSIENT_RESET */
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 16, mem, r), VM_NAT_OK);
    uint16_t before = r[0];
    ck_assert_uint_gt(before, 1000);
    uint16_t small[2] = { 1000, 2 }; /* CLEAR_ON_DESELECT */
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 13, small, r), VM_NAT_OK);
    ck_assert_int_ne(r[0], 0);
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 16, mem, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], before - 1000);
    uint16_t huge[2] = { 32767, 1 };
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 15, huge, r), VM_NAT_THROW); /* makeTransientShortArray */
    ck_assert_int_eq(exc_reason(), 2);                                  /* NO_TRANSIENT_SPACE */
    uint16_t sa = new_array(VM_T_SHORT, 4, 16, 0), ia[3] = { sa, 1, 0 };   /* getAvailableMemory(short[], 1, PERSISTENT) */
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 22, ia, r), VM_NAT_OK);
    const uint8_t *sd = data_of(sa);
    ck_assert_uint_eq(cl_get32(sd + 2), vm_heap_free_bytes(T.vm->heap));
    uint16_t ib[3] = { sa, 3, 0 };
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 22, ib, r), VM_NAT_THROW);     /* needs two elements */
    uint16_t bad_event[2] = { 4, 3 };
    ck_assert_int_eq(nat(8, VM_NAT_STATIC, 13, bad_event, r), VM_NAT_THROW);
    ck_assert_int_eq(exc_reason(), 1);                                  /* ILLEGAL_VALUE */
}
END_TEST

START_TEST(owner_pin_builder)
{
    uint16_t r[2] = { 0, 0 }, buf = new_array(VM_T_BYTE, 8, 16, 0);
    vm_obj_t bo;
    ck_assert(vm_heap_get(T.vm->heap, buf, &bo));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &bo, 0, "12349999", 8, false), 0);
    uint16_t b3[3] = { 3, 8, 3 }; /* OWNER_PIN_X_WITH_PREDECREMENT */
    ck_assert_int_eq(nat(21, VM_NAT_STATIC, 0, b3, r), VM_NAT_OK);
    uint16_t pin = r[0];
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, pin, &o));
    ck_assert(vm_instance_of(T.vm, &o, 0, VM_CLASS_ID(VM_PKG_FRAMEWORK, 20)));
    ck_assert(vm_instance_of(T.vm, &o, 0, VM_CLASS_ID(VM_PKG_FRAMEWORK, 1)));
    const vm_native_class_t *impl = vm_native_class(VM_PKG_FRAMEWORK, 41);
    ck_assert_ptr_nonnull(impl);
    uint16_t upd[4] = { pin, buf, 0, 4 }, good[4] = { pin, buf, 0, 4 }, bad[4] = { pin, buf, 4, 4 }, self[1] = { pin };
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 8, upd, r), VM_NAT_OK);
    /* Predecrement: the caller decrements, check() itself does not. */
    ck_assert_int_eq(vm_native_method(impl, VM_NAT_VIRTUAL, 12)->fn(T.vm, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 2);
    ck_assert_int_eq(vm_native_method(impl, VM_NAT_VIRTUAL, 1)->fn(T.vm, bad, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 0);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 2, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 2);
    /* every check needs its own decrement first (PINException.ILLEGAL_STATE otherwise) */
    ck_assert_int_eq(vm_native_method(impl, VM_NAT_VIRTUAL, 12)->fn(T.vm, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 1);
    ck_assert_int_eq(vm_native_method(impl, VM_NAT_VIRTUAL, 1)->fn(T.vm, good, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 1);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 2, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 3);
    uint16_t lim[2] = { pin, 2 };
    ck_assert_int_eq(vm_native_method(vm_native_class(VM_PKG_FRAMEWORK, 40), VM_NAT_VIRTUAL, 10)->fn(T.vm, lim, r), VM_NAT_OK);
    ck_assert_int_eq(nat(9, VM_NAT_VIRTUAL, 2, self, r), VM_NAT_OK);
    ck_assert_int_eq(r[0], 2); /* tries follow a lower limit */
    uint16_t bad_type[3] = { 3, 8, 9 };
    ck_assert_int_eq(nat(21, VM_NAT_STATIC, 0, bad_type, r), VM_NAT_THROW);
}
END_TEST

START_TEST(firewall_denies_other_context)
{
    uint16_t foreign_arr = new_array(VM_T_BYTE, 4, 17, 0), foreign_obj;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_INSTANCE, 0, 17, 0, VM_CLASS_ID(16, 0), 2, &foreign_obj), 0);
    static const uint8_t rd_arr[] = { JC_aload_0, JC_sconst_0, JC_baload, JC_sreturn };
    static const uint8_t rd_len[] = { JC_aload_0, JC_arraylength, JC_sreturn };
    static const uint8_t rd_field[] = { JC_aload_0, JC_getfield_s, CP_FIELD_X, JC_sreturn };
    static const uint8_t wr_field[] = { JC_aload_0, JC_sconst_1, JC_putfield_s, CP_FIELD_X, JC_return };
    uint16_t a1[1] = { foreign_arr }, a2[1] = { foreign_obj };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 1, 0, rd_arr, sizeof rd_arr), a1, 1, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "firewall"));
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 1, 0, rd_len, sizeof rd_len), a1, 1, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 1, 0, rd_field, sizeof rd_field), a2, 1, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 1, 0, wr_field, sizeof wr_field), a2, 1, NULL), 0x6F00);
    /* The same code on objects of its own context works. */
    uint16_t own = new_array(VM_T_BYTE, 4, 16, 0);
    uint16_t a3[1] = { own }, r[2];
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 1, 0, rd_len, sizeof rd_len), a3, 1, r), 0x9000);
    ck_assert_int_eq(r[0], 4);
}
END_TEST

START_TEST(firewall_allows_jcre_entry_points)
{
    /* APDU (JCRE entry point): getBuffer works; the buffer (global array) is readable; storing it is not allowed. */
    P->cp[20].tag = 3; P->cp[20].cls = VM_CLASS_ID(VM_PKG_FRAMEWORK, 10); P->cp[20].a = 1; /* APDU.getBuffer */
    static const uint8_t code[] = { JC_aload_0, JC_invokevirtual, H(20), JC_arraylength, JC_sreturn };
    uint16_t a[1] = { vm_sys_get(T.vm, VM_SYS_APDU) }, r[2];
    ck_assert_int_ne(a[0], 0);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 1, 0, code, sizeof code), a, 1, r), 0x9000);
    ck_assert_int_eq(r[0], VM_APDU_BUF_LEN);
    static const uint8_t store[] = { JC_aload_0, JC_invokevirtual, H(20), JC_putstatic_a, H(CP_STATIC_REF), JC_return };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 1, 0, store, sizeof store), a, 1, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "temporary"));
    /* A JCRE object that is not an entry point (the system table) stays out of reach. */
    uint16_t sys[1] = { vm_heap_root(T.vm->heap, VM_ROOT_SYSTEM) };
    static const uint8_t rd[] = { JC_aload_0, JC_sconst_0, JC_aaload, JC_areturn };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 1, 0, rd, sizeof rd), sys, 1, NULL), 0x6F00);
}
END_TEST

/* Package 17 has class S implementing interface I, whose method reads S's own field. Called from
 * context 16 through invokeinterface: allowed only when I is Shareable, and then the method runs in
 * context 17 (so the field read passes the firewall). */
static int shareable_call(bool shareable)
{
    vt_pkg_t *Q = vt_pkg(&T, 17, 0);
    static uint8_t pub[2];
    static const uint8_t map[1] = { 0 };
    static uint16_t supers[1];
    vm_iface_impl_t *impl = calloc(1, sizeof *impl);
    ck_assert_ptr_nonnull(impl);
    uint32_t qat = 1;
    Q->pkg.methods_len = 1;
    static const uint8_t m[] = { JC_getfield_s_this, 1, JC_sreturn };
    cl_put16(pub, (uint16_t)vt_method(Q, &qat, 1, 1, 0, m, sizeof m));
    vm_class_t *S = &Q->classes[0], *I = &Q->classes[1];
    I->id = VM_CLASS_ID(17, 1); I->super = VM_NO_CLASS; I->flags = shareable ? 0xC : 0x8;
    supers[0] = VM_CLASS_ID(VM_PKG_FRAMEWORK, 2);
    I->supers = supers; I->nifaces = shareable ? 1 : 0;
    impl->iface = I->id; impl->count = 1; impl->map = map;
    S->id = VM_CLASS_ID(17, 0); S->super = VM_CLASS_ID(VM_PKG_JAVA_LANG, 0); S->inst_size = 1;
    S->pub_base = 0; S->pub_count = 1; S->pub_tab = pub; S->nifaces = 1; S->ifaces = impl;
    Q->pkg.nclasses = 2;
    Q->cp[1].tag = 2; Q->cp[1].cls = S->id; Q->cp[1].a = 0;
    uint16_t obj;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_INSTANCE, 0, 17, 0, S->id, 1, &obj), 0);
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, obj, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x12\x34", 2, false), 0);
    vt_cp_class(P, 30, I->id);
    static const uint8_t call[] = { JC_aload_0, JC_invokeinterface, 1, H(30), 0, JC_sreturn };
    uint16_t a[1] = { obj }, r[2] = { 0, 0 };
    int sw = vt_run(&T, P, vt_method(P, &at, 1, 1, 0, call, sizeof call), a, 1, r);
    vt_unlink(&T, Q);
    free(impl);
    return sw == 0x9000 ? r[0] : -sw;
}

START_TEST(firewall_shareable_interface)
{
    ck_assert_int_eq(shareable_call(true), 0x1234);
    ck_assert_int_eq(shareable_call(false), -0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "Shareable"));
}
END_TEST

START_TEST(transient_arrays_cleared)
{
    uint16_t rst = new_array(VM_T_BYTE, 4, 16, VM_OF_CLEAR_ON_RESET), dsl = new_array(VM_T_BYTE, 4, 16, VM_OF_CLEAR_ON_DESELECT);
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, rst, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x07", 1, true), 0);
    ck_assert(vm_heap_get(T.vm->heap, dsl, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x08", 1, true), 0);
    vm_heap_clear_transient(T.vm->heap, VM_OF_CLEAR_ON_DESELECT, 16);
    ck_assert_int_eq(data_of(rst)[0], 7);
    ck_assert_int_eq(data_of(dsl)[0], 0);
    ck_assert(vm_heap_get(T.vm->heap, dsl, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x08", 1, true), 0);
    vm_power_on(T.vm);
    ck_assert_int_eq(data_of(rst)[0], 0);
    ck_assert_int_eq(data_of(dsl)[0], 0);
}
END_TEST

START_TEST(heap_refuses_damaged_header)
{
    vt_unlink(&T, P);
    vt_close(&T);
    img_t *img;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(T.path, 0, IMG_SYNC_NORMAL, &img, &e), 0);
    ck_assert_int_eq(img_write(img, 4096, "XXXX", 4), 0);
    vm_t *vm = vm_open(img, 4096, &e);
    ck_assert_ptr_null(vm);
    ck_assert_ptr_nonnull(strstr(e.msg, "magic"));
    ck_assert_int_eq(memcmp(img_mem(img) + 4096, "XXXX", 4), 0); /* left as it was */
    ck_assert_int_eq(img_write(img, 4096, VM_HEAP_MAGIC, 4), 0);
    /* A heap of the previous version (its OwnerPINs would read as damaged) is refused by name. */
    const uint8_t v1[2] = { 0, 1 };
    ck_assert_int_eq(img_write(img, 4096 + 4, v1, 2), 0);
    e.msg[0] = 0;
    ck_assert_ptr_null(vm_open(img, 4096, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "version 1 not supported"));
    ck_assert_int_eq(memcmp(img_mem(img) + 4096 + 4, v1, 2), 0);
    uint8_t cur[2];
    cl_put16(cur, VM_HEAP_VERSION);
    ck_assert_int_eq(img_write(img, 4096 + 4, cur, 2), 0);
    img_close(img);
    vt_open(&T, false);
    P = vt_pkg(&T, 16, 0);
}
END_TEST

START_TEST(power_loss_in_transaction_rolls_back)
{
    uint16_t arr = new_array(VM_T_BYTE, 4, 16, 0), fresh;
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, arr, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x01", 1, true), 0);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\x09", 1, true), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 8, &fresh), 0);
    power_loss_and_reopen();
    ck_assert_int_eq(data_of(arr)[0], 1);
    ck_assert(!vm_heap_get(T.vm->heap, fresh, &o) || fresh == arr);
}
END_TEST

START_TEST(gc_frees_garbage_and_compacts)
{
    uint16_t dead = new_array(VM_T_BYTE, 300, 16, 0);
    uint16_t live = new_array(VM_T_SHORT, 50, 16, 0);
    uint16_t tr = new_array(VM_T_BYTE, 8, 16, VM_OF_CLEAR_ON_RESET);
    uint16_t inner = new_array(VM_T_BYTE, 4, 16, 0), holder = new_array(VM_T_REF, 2, 16, 0);
    vm_obj_t o;
    ck_assert(vm_heap_get(T.vm->heap, live, &o));
    for (int i = 0; i < 50; i++) { uint8_t b[2]; cl_put16(b, (uint16_t)(i * 7)); ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 2u * i, b, 2, false), 0); }
    ck_assert(vm_heap_get(T.vm->heap, tr, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "TRANSIEN", 8, false), 0);
    ck_assert(vm_heap_get(T.vm->heap, inner, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, "\xDE\xAD\xBE\xEF", 4, false), 0);
    ck_assert(vm_heap_get(T.vm->heap, holder, &o));
    uint8_t hb[2];
    cl_put16(hb, inner);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 2, hb, 2, false), 0); /* holder[1] = inner */
    /* The package's static image refers to live, tr and holder; nothing refers to dead. */
    vm_obj_t so;
    ck_assert(vm_heap_get(T.vm->heap, P->pkg.statics, &so));
    uint8_t st[6];
    cl_put16(st, live); cl_put16(st + 2, tr); cl_put16(st + 4, holder);
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &so, 0, st, 6, false), 0);
    uint32_t free0 = vm_heap_free_bytes(T.vm->heap), got = 0;
    ck_assert_int_eq(vm_gc(T.vm, &got), 0);
    ck_assert_uint_ge(got, 300);
    ck_assert_uint_eq(vm_heap_free_bytes(T.vm->heap), free0 + got);
    ck_assert(!vm_heap_get(T.vm->heap, dead, &o));
    const uint8_t *d = data_of(live);
    for (int i = 0; i < 50; i++) ck_assert_int_eq(cl_get16(d + 2 * i), i * 7);
    ck_assert_int_eq(memcmp(data_of(tr), "TRANSIEN", 8), 0);          /* moved, RAM data kept */
    ck_assert_int_eq(cl_get16(data_of(holder) + 2), inner);
    ck_assert_int_eq(memcmp(data_of(inner), "\xDE\xAD\xBE\xEF", 4), 0); /* reached through an array */
    /* Nothing more to collect; new objects land in the reclaimed space and are zero. */
    ck_assert_int_eq(vm_gc(T.vm, &got), 0);
    ck_assert_uint_eq(got, 0);
    uint16_t fresh = new_array(VM_T_BYTE, 200, 16, 0);
    d = data_of(fresh);
    for (int i = 0; i < 200; i++) ck_assert_int_eq(d[i], 0);
    /* And it all holds after a re-open. */
    uint16_t statics = P->pkg.statics;
    vt_unlink(&T, P);
    vt_close(&T);
    vt_open(&T, false);
    P = vt_pkg(&T, 16, 0);
    P->pkg.statics = statics;
    d = data_of(live);
    for (int i = 0; i < 50; i++) ck_assert_int_eq(cl_get16(d + 2 * i), i * 7);
    ck_assert_int_eq(memcmp(data_of(inner), "\xDE\xAD\xBE\xEF", 4), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_tx");
    TCase *tc = tcase_create("tx");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, abort_restores_fields_arrays_statics);
    tcase_add_test(tc, commit_persists_across_reopen);
    tcase_add_test(tc, objects_created_in_aborted_tx_vanish);
    tcase_add_test(tc, aborted_objects_read_as_null);
    tcase_add_test(tc, void_handle_not_reused_in_session);
    tcase_add_test(tc, void_handle_reused_after_reopen);
    tcase_add_test(tc, void_reference_stores_null);
    tcase_add_test(tc, nested_begin_and_stray_commit_throw);
    tcase_add_test(tc, commit_capacity_overflow);
    tcase_add_test(tc, non_atomic_copy_survives_abort);
    tcase_add_test(tc, aborted_non_atomic_writes_do_not_leak);
    tcase_add_test(tc, aborted_group_writes_cleared_before_reuse);
    tcase_add_test(tc, aborted_non_atomic_fill_from_bytecode);
    tcase_add_test(tc, failed_alloc_in_tx_leaves_nothing);
    tcase_add_test(tc, owner_pin_counter);
    tcase_add_test(tc, firewall_denies_other_context);
    tcase_add_test(tc, firewall_allows_jcre_entry_points);
    tcase_add_test(tc, transient_arrays_cleared);
    tcase_add_test(tc, firewall_shareable_interface);
    tcase_add_test(tc, gc_frees_garbage_and_compacts);
    tcase_add_test(tc, transient_budget);
    tcase_add_test(tc, gc_mixed_sizes);
    tcase_add_test(tc, owner_pin_builder);
    tcase_add_test(tc, heap_refuses_damaged_header);
    tcase_add_test(tc, power_loss_in_transaction_rolls_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
