/* img_power_test: host power loss, simulated (img_fault_power_on/cut).
 *
 * Writes wait in a simulated page cache until their descriptor is fsynced; at the power cut each
 * waiting write independently lands whole, torn at 512-byte sectors, or not at all. The process
 * also dies at a random changing call. After recovery:
 *  - IMG_SYNC_FULL: every step that returned is there (state = the last step before the death,
 *    or the one in progress);
 *  - IMG_SYNC_NORMAL: some step boundary at or after the last completed checkpoint.
 * This is what shows the fsync order of the checkpoint is right (drop one and it fails). */
#include "image/img.h"
#include "image/img_format.h"
#include "image/img_io.h"
#include "image/img_test_util.h"

#include <limits.h>

#define AREA 16384u
#define MAX_SNAPS 256
#include "image/img_test_workload.h"

static char *dir, *path, *wal;

static void setup(void)
{
    dir = itu_tmpdir();
    path = itu_path(dir, "card.img");
    wal = itu_path(dir, "card.img.wal");
    img_fault_disarm();
}

static void teardown(void)
{
    img_fault_disarm();
    free(path);
    free(wal);
    itu_rmdir(dir);
}

static img_t *open_mode(enum img_sync sync, uint64_t threshold)
{
    img_t *img = NULL;
    cl_error_t e = { { 0 } };
    int rc = img_open(path, AREA, sync, &img, &e);
    ck_assert_msg(rc == 0, "img_open: %s", e.msg);
    img_set_checkpoint_threshold(img, threshold);
    return img;
}

static void power_rounds(enum img_sync sync, int rounds, uint64_t base)
{
    long lost_steps = 0, exact = 0;
    for (int round = 0; round < rounds; round++) {
        uint64_t seed = base + (uint64_t)round * 104729u, rs = seed;
        uint64_t threshold = 1024u << (round % 4); /* checkpoints every few steps */
        int steps = 10 + (int)(itu_rand(&rs) % 50);
        unlink(path);
        unlink(wal);
        /* A start with data in the main file and an empty log, kept to start both passes from. */
        img_t *img = open_mode(sync, UINT64_MAX);
        workload(img, seed ^ 0x5555, 8, NULL);
        cl_error_t e = { { 0 } };
        ck_assert_int_eq(img_checkpoint(img, &e), 0);
        img_tear(img);
        size_t main_len, log_len;
        uint8_t *main0 = itu_slurp(path, &main_len), *log0 = itu_slurp(wal, &log_len);

        /* Pass 1: no faults; the model's states and the call count at each. */
        struct model *m = model_new();
        img = open_mode(sync, threshold);
        img_fault_arm(LONG_MAX, IMG_FAULT_PREFIX, 0, 0); /* counts calls, never fires */
        workload(img, seed, steps, m);
        long total = img_fault_calls();
        img_fault_disarm();
        img_tear(img);

        /* Pass 2: same start, page cache simulated, death at call k, then the power cut. */
        itu_spit(path, main0, main_len);
        itu_spit(wal, log0, log_len);
        long k = (long)(itu_rand(&rs) % (uint64_t)(total + 1));
        img = open_mode(sync, threshold);
        img_fault_arm(k, IMG_FAULT_PREFIX, 0, 0);
        img_fault_power_on();
        workload(img, seed, steps, NULL);
        img_fault_power_cut((uint32_t)itu_rand(&rs));
        img_fault_disarm();
        img_tear(img);

        int lo = 0;
        while (lo + 1 < m->n && m->ops[lo + 1] <= k) lo++;
        int hi = lo + 1 < m->n ? lo + 1 : lo;
        int from = sync == IMG_SYNC_FULL ? lo : m->ckpt_at[lo];
        img = open_mode(sync, threshold);
        int match = -1;
        for (int i = hi; i >= from && match < 0; i--)
            if (memcmp(img_mem(img), m->state[i], AREA) == 0) match = i;
        ck_assert_msg(match >= 0, "%s round %d: death at call %ld of %ld: state is none of steps %d..%d",
                      sync == IMG_SYNC_FULL ? "FULL" : "NORMAL", round, k, total, from, hi);
        if (match >= lo) exact++;
        else lost_steps += lo - match;
        img_tear(img);
        model_free(m);
        free(main0);
        free(log0);
    }
    if (sync == IMG_SYNC_NORMAL) ck_assert_int_gt(lost_steps, 0); /* the simulation does lose unsynced steps */
    ck_assert_int_gt(exact, 0);
}

START_TEST(power_loss_full_sync) { power_rounds(IMG_SYNC_FULL, 150, 11); }
END_TEST

START_TEST(power_loss_normal_sync) { power_rounds(IMG_SYNC_NORMAL, 150, 77); }
END_TEST

int main(void)
{
    /* The dying process's checkpoint errors are expected: keep them out of the test output. */
    if (!freopen("/dev/null", "w", stderr)) return 99;
    Suite *s = suite_create("img_power");
    TCase *t = tcase_create("power");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, power_loss_full_sync);
    tcase_add_test(t, power_loss_normal_sync);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
