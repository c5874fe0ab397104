/* The heap's free area under write faults: whatever a failed or aborted step leaves beyond the bump
 * pointer (an aborted group's non-atomic stores, a refused blob's data, the old copies compaction
 * moved away from) is zeroed before any of it is handed out again, also when the zeroing itself
 * fails once (img_fault_once: that write gets ENOSPC, the card keeps running) or power is lost
 * before it; a failed allocation inside a group leaves nothing behind. From a review's probes. */
#include "vm/vm_gc.h"
#include "vm/vm_test_util.h"
#include "image/img_io.h"

static vt_env_t T;
static vt_pkg_t *P;

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
    P = vt_pkg(&T, 16, 16);
    P->pkg.methods_len = 1;
}
static void teardown(void)
{
    img_fault_disarm();
    if (T.vm && T.vm->tx_depth) vm_tx_abort(T.vm);
    vt_unlink(&T, P);
    vt_cleanup(&T);
}
/* Whether the image holds n zero bytes at off. */
static bool zero_at(uint32_t off, uint32_t n)
{
    const uint8_t *m = img_mem(T.img);
    for (uint32_t i = 0; i < n; i++) if (m[off + i]) return false;
    return true;
}
static vm_obj_t get(uint16_t h) { vm_obj_t o; ck_assert(vm_heap_get(T.vm->heap, h, &o)); return o; }

/* the zeroing after the abort fails once (ENOSPC): the next allocation must still be zero. */
START_TEST(zeroing_fails_at_abort)
{
    uint16_t s, n;
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 100, &s), 0);
    vm_obj_t so = get(s);
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &so, 0, 0x55, 100, false), 0);
    img_fault_once(1, 0); /* call 0: the abort's record of restored ranges; call 1: the zeroing */
    vm_tx_abort(T.vm);
    ck_assert(img_fault_fired());
    img_fault_disarm();
    ck_assert(!zero_at(so.data_off, 100)); /* the zeroing did fail */
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 100, &n), 0);
    vm_obj_t no = get(n);
    ck_assert_uint_eq(no.data_off, so.data_off);
    ck_assert(zero_at(no.data_off, 100));
}
END_TEST

/* compaction: the scrub after the bump pointer came down fails once. */
START_TEST(compaction_scrub_fails)
{
    long found = -1;
    for (long at = 0; at < 8 && found < 0; at++) {
        if (at) { teardown(); setup(); }
        uint16_t a, b, n;
        ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 100, &a), 0);
        ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 100, &b), 0);
        vm_obj_t bo = get(b);
        ck_assert_int_eq(vm_heap_fill(T.vm->heap, &bo, 0, 0xBB, 100, true), 0);
        uint16_t nh = vm_heap_handle_count(T.vm->heap);
        uint8_t *live = calloc(nh / 8 + 1, 1);
        vm_obj_t x;
        for (uint32_t i = 1; i < nh; i++) if (vm_heap_get(T.vm->heap, (uint16_t)i, &x) && i != a) live[i / 8] |= (uint8_t)(1u << (i % 8));
        uint32_t free0 = vm_heap_free_bytes(T.vm->heap);
        img_fault_once(at, 0);
        long r = vm_heap_compact(T.vm->heap, live);
        img_fault_disarm();
        free(live);
        if (r == -1 && vm_heap_free_bytes(T.vm->heap) > free0) {
            found = at; /* the step that fails after the bump came down */
            ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 200, &n), 0);
            vm_obj_t no = get(n);
            const uint8_t *d = vm_heap_data(T.vm->heap, &no);
            int nz = 0;
            for (int i = 0; i < 200; i++) nz += d[i] != 0;
            ck_assert_int_eq(nz, 0);
        }
    }
    ck_assert_int_ge(found, 0);
}
END_TEST

/* alloc_blob inside a group: the allocation does not fit (TXFULL), the scrub of the data fails once. */
START_TEST(refused_blob_scrub_fails)
{
    uint16_t filler, b, n;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 8200, &filler), 0);
    vm_obj_t fo = get(filler);
    ck_assert_int_eq(img_group_begin(T.img), 0);
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &fo, 0, 1, img_group_capacity(T.img) - 10 - IMG_GROUP_ENTRY_COST, true), 0);
    img_fault_once(1, 0); /* call 0: the blob data; call 1: the scrub */
    ck_assert_int_ne(vm_heap_alloc_blob(T.vm->heap, 16, "SECRET-CAP-BYTES", 16, &b), 0);
    img_fault_disarm();
    ck_assert_int_eq(img_group_commit(T.img), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 32, &n), 0);
    vm_obj_t no = get(n);
    const uint8_t *d = vm_heap_data(T.vm->heap, &no);
    int nz = 0;
    for (int i = 0; i < 32; i++) nz += d[i] != 0;
    ck_assert_int_eq(nz, 0);
}
END_TEST

/* failed sensitive allocation in a group: header, control element and entry written, the bump
 * pointer does not fit: all undone, then commit, reopen, the heap is consistent. */
START_TEST(failed_sensitive_alloc_undone)
{
    uint16_t filler, h;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 8200, &filler), 0);
    vm_obj_t fo = get(filler);
    uint32_t top = fo.data_off + 8200, used0 = vm_heap_used_handles(T.vm->heap), free0 = vm_heap_free_bytes(T.vm->heap);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    uint32_t room = 18 + 12 + 12 + 5; /* header, ctl (4 bytes), entry fit; the bump pointer (12) does not */
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &fo, 0, 1, img_group_capacity(T.img) - room - IMG_GROUP_ENTRY_COST, true), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, VM_OF_INTEGRITY, 16, VM_T_BYTE, 0, 2, &h), VM_ERR_TXFULL);
    ck_assert_uint_eq(vm_heap_used_handles(T.vm->heap), used0);
    ck_assert_uint_eq(vm_heap_free_bytes(T.vm->heap), free0);
    ck_assert(zero_at(top, 64));
    ck_assert_int_eq(vm_tx_commit(T.vm), 0);
    ck_assert(zero_at(top, 64));
    vt_unlink(&T, P); vt_close(&T); vt_open(&T, false); P = vt_pkg(&T, 16, 0);
    ck_assert_uint_eq(vm_heap_used_handles(T.vm->heap), used0);
    ck_assert(zero_at(top, 64));
}
END_TEST


/* crash between the abort and its zeroing (the zeroing write fails, then power loss). */
START_TEST(power_loss_before_zeroing)
{
    uint16_t s, n;
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 100, &s), 0);
    vm_obj_t so = get(s);
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &so, 0, 0x55, 100, false), 0);
    img_fault_once(1, 0);
    vm_tx_abort(T.vm);
    img_fault_disarm();
    ck_assert(!zero_at(so.data_off, 100));
    img_tear(T.img); T.vm->tx_depth = 0; vt_unlink(&T, P); vm_close(T.vm); T.vm = NULL; T.img = NULL;
    vt_open(&T, false); P = vt_pkg(&T, 16, 0);
    ck_assert(zero_at(so.data_off, 100));
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 100, &n), 0);
    ck_assert(zero_at(get(n).data_off, 100));
}
END_TEST

/* failed alloc, then a fitting one at the same place in the same tx, non-atomic fill, abort. */
START_TEST(failed_then_fitting_alloc_then_abort)
{
    uint16_t filler, h, n;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 8200, &filler), 0);
    vm_obj_t fo = get(filler);
    ck_assert_int_eq(vm_tx_begin(T.vm), 0);
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &fo, 0, 1, img_group_capacity(T.img) - 50 - IMG_GROUP_ENTRY_COST, true), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, VM_OF_INTEGRITY, 16, VM_T_BYTE, 0, 2600, &h), VM_ERR_TXFULL);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 50, &h), 0);
    vm_obj_t ho = get(h);
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &ho, 0, 0x5A, 50, false), 0);
    vm_tx_abort(T.vm);
    ck_assert(zero_at(ho.data_off - 10, 80));
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 50, &n), 0);
    ck_assert(zero_at(get(n).data_off, 50));
    vt_unlink(&T, P); vt_close(&T); vt_open(&T, false); P = vt_pkg(&T, 16, 0);
    ck_assert(zero_at(get(n).data_off, 70));
}
END_TEST

/* group abort with no clear_transient, then a collection before any allocation. */
START_TEST(group_abort_then_compaction)
{
    uint16_t h, n;
    ck_assert_int_eq(img_group_begin(T.img), 0);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 16, VM_T_BYTE, 0, 64, &h), 0);
    vm_obj_t o = get(h);
    ck_assert_int_eq(vm_heap_fill(T.vm->heap, &o, 0, 0x77, 64, false), 0);
    img_group_abort(T.img);
    uint16_t nh = vm_heap_handle_count(T.vm->heap);
    uint8_t *live = calloc(nh / 8 + 1, 1);
    vm_obj_t x;
    for (uint32_t i = 1; i < nh; i++) if (vm_heap_get(T.vm->heap, (uint16_t)i, &x)) live[i / 8] |= (uint8_t)(1u << (i % 8));
    ck_assert_int_ge(vm_heap_compact(T.vm->heap, live), 0);
    free(live);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, 17, VM_T_BYTE, 0, 64, &n), 0);
    ck_assert(zero_at(get(n).data_off, 64));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_heap_fault");
    TCase *tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, zeroing_fails_at_abort);
    tcase_add_test(tc, compaction_scrub_fails);
    tcase_add_test(tc, refused_blob_scrub_fails);
    tcase_add_test(tc, failed_sensitive_alloc_undone);
    tcase_add_test(tc, power_loss_before_zeroing);
    tcase_add_test(tc, failed_then_fitting_alloc_then_abort);
    tcase_add_test(tc, group_abort_then_compaction);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
