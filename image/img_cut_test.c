/* img_cut_test: crash consistency by construction.
 *  - the log cut at EVERY byte offset recovers exactly the state after the last complete step;
 *  - a step whose write is cut short (fault injection, then the process is "dead") likewise;
 *  - a write that fails but the process goes on: the step is refused and later steps still recover;
 *  - a crash at every changing call of a checkpoint (cut short or torn in sectors) loses nothing;
 *  - a crash while creating an image or while opening one.
 * A model keeps the expected area after every step that reached the log. */
#include "image/img.h"
#include "image/img_format.h"
#include "image/img_io.h"
#include "image/img_test_util.h"

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

static img_t *open_ok(void)
{
    img_t *img = NULL;
    cl_error_t e = { { 0 } };
    int rc = img_open(path, AREA, IMG_SYNC_NORMAL, &img, &e);
    ck_assert_msg(rc == 0, "img_open: %s", e.msg);
    img_set_checkpoint_threshold(img, UINT64_MAX); /* checkpoints only where the test says */
    return img;
}

/* A main file that already holds data, then the workload in the log only. */
static void build(uint64_t seed, int steps, struct model *m)
{
    img_t *img = open_ok();
    workload(img, seed ^ 0xABCDEF, 10, NULL);
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_checkpoint(img, &e), 0);
    workload(img, seed, steps, m);
    img_tear(img);
}

static void expect_state(const uint8_t *want, const char *what, long a, long b)
{
    img_t *img = open_ok();
    ck_assert_msg(memcmp(img_mem(img), want, AREA) == 0, "%s %ld/%ld: wrong state after recovery", what, a, b);
    img_tear(img);
}

START_TEST(log_cut_at_every_byte)
{
    struct model *m = model_new();
    build(1000 + (uint64_t)_i, 40, m);
    ck_assert_int_gt(m->n, 30);
    size_t log_len, main_len;
    uint8_t *log = itu_slurp(wal, &log_len);
    uint8_t *main0 = itu_slurp(path, &main_len);
    ck_assert_uint_eq(log_len, m->log_end[m->n - 1]);
    int si = 0;
    for (size_t k = 0; k <= log_len; k++) {
        while (si + 1 < m->n && m->log_end[si + 1] <= k) si++;
        itu_spit(wal, log, k);
        img_t *img = open_ok();
        ck_assert_msg(memcmp(img_mem(img), m->state[si], AREA) == 0, "cut at %zu: not the state of step %d", k, si);
        /* the torn tail is gone, so the next step would follow the last good record */
        ck_assert_uint_eq(img_log_bytes(img), k < IMG_WAL_HDR_LEN ? IMG_WAL_HDR_LEN : m->log_end[si]);
        img_tear(img);
    }
    /* Opening never touched the main file: checkpoints only happen after the log is safe. */
    size_t n;
    uint8_t *main1 = itu_slurp(path, &n);
    ck_assert_uint_eq(n, main_len);
    ck_assert_mem_eq(main0, main1, n);
    free(main0);
    free(main1);
    free(log);
    model_free(m);
}
END_TEST

START_TEST(log_corrupt_in_the_middle_ends_it)
{
    struct model *m = model_new();
    build(77, 30, m);
    size_t log_len;
    uint8_t *log = itu_slurp(wal, &log_len);
    /* Flip one byte inside each record in turn (length, sequence, count, entry, data, checksum):
     * recovery stops right before that record. */
    for (int r = 1; r < m->n; r++) {
        uint64_t start = m->log_end[r - 1], len = m->log_end[r] - start;
        uint64_t picks[] = { 0, 3, 5, 12, 15, 16, 20, 24, len / 2, len - 1 };
        for (size_t p = 0; p < CL_ARRAY_LEN(picks); p++) {
            if (picks[p] >= len) continue;
            log[start + picks[p]] ^= 0x40;
            itu_spit(wal, log, log_len);
            expect_state(m->state[r - 1], "flip in record", r, (long)picks[p]);
            log[start + picks[p]] ^= 0x40;
        }
    }
    /* Records of another generation after the good ones (a reset whose truncation was lost). */
    itu_spit(wal, log, log_len);
    img_t *img = open_ok();
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_write(img, 0, "new", 3), 0);
    uint8_t want[AREA];
    memcpy(want, img_mem(img), AREA);
    ck_assert_int_eq(img_checkpoint(img, &e), 0);
    ck_assert_int_eq(img_write(img, 3, "gen", 3), 0);
    memcpy(want, img_mem(img), AREA);
    img_tear(img);
    size_t nl;
    uint8_t *newlog = itu_slurp(wal, &nl);
    /* The old generation's record with sequence number 2 right behind the new generation's first:
     * complete, right sequence number, but it does not verify under the new generation's seed. */
    uint64_t r2 = m->log_end[2] - m->log_end[1];
    uint8_t *both = malloc(nl + r2);
    memcpy(both, newlog, nl);
    memcpy(both + nl, log + m->log_end[1], r2);
    itu_spit(wal, both, nl + r2);
    expect_state(want, "stale generation", 0, 0);
    free(both);
    free(newlog);
    free(log);
    model_free(m);
}
END_TEST

START_TEST(write_cut_short_then_dead)
{
    struct model *m = model_new();
    uint64_t seed = 555;
    build(seed, 25, m);
    size_t main_len;
    uint8_t *main0 = itu_slurp(path, &main_len);
    size_t log_len;
    uint8_t *log0 = itu_slurp(wal, &log_len);
    long runs = 0;
    for (int r = 0; r + 1 < m->n; r++) {
        uint64_t rec_len = m->log_end[r + 1] - m->log_end[r];
        for (uint64_t keep = 0; keep <= rec_len; keep += (keep < 40 || keep + 40 > rec_len) ? 1 : 37) {
            /* Same start as build(): main file after the checkpoint, empty log. */
            itu_spit(path, main0, main_len);
            itu_spit(wal, log0, IMG_WAL_HDR_LEN);
            img_t *img = open_ok();
            img_fault_arm(r, IMG_FAULT_PREFIX, keep, 0);
            workload(img, seed, 25, NULL);
            ck_assert(img_fault_fired());
            img_tear(img);
            img_fault_disarm();
            expect_state(m->state[keep >= rec_len ? r + 1 : r], "record/keep", r, (long)keep);
            runs++;
        }
    }
    ck_assert_int_gt(runs, 500);
    free(main0);
    free(log0);
    model_free(m);
}
END_TEST

START_TEST(write_fails_process_goes_on)
{
    /* A full disk: the write fails part way and nothing else does. The step is refused (memory
     * unchanged), the partial record is cut off, the following steps land and recover. */
    img_t *img = open_ok();
    ck_assert_int_eq(img_write(img, 0, "before", 6), 0);
    uint8_t want[AREA];
    memcpy(want, img_mem(img), AREA);
    img_fault_once(0, 10);
    ck_assert_int_eq(img_write(img, 100, "lost-step", 9), -1);
    img_fault_disarm(); /* the disk has room again */
    ck_assert_mem_eq(img_mem(img), want, AREA);
    ck_assert_int_eq(img_write(img, 200, "after", 5), 0);
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 300, "grp", 3), 0);
    img_fault_once(0, 30);
    ck_assert_int_eq(img_group_commit(img), -1); /* refused: rolled back in memory */
    img_fault_disarm();
    ck_assert(!img_group_open(img));
    memcpy(want + 200, "after", 5);
    ck_assert_mem_eq(img_mem(img), want, AREA);
    img_tear(img);
    expect_state(want, "after failed writes", 0, 0);

    /* A checkpoint whose main-file write fails part way (disk full): refused, the log still holds
     * everything, steps go on, a later checkpoint completes. */
    img = open_ok();
    ck_assert_int_eq(img_write(img, 5000, "more", 4), 0);
    memcpy(want + 5000, "more", 4);
    cl_error_t e = { { 0 } };
    img_fault_once(0, 100); /* the first page write keeps 100 bytes */
    ck_assert_int_eq(img_checkpoint(img, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "the log still holds every step"));
    img_fault_disarm();
    ck_assert_int_eq(img_write(img, 6000, "go on", 5), 0);
    memcpy(want + 6000, "go on", 5);
    img_tear(img);
    expect_state(want, "after failed checkpoint", 0, 0);
    img = open_ok();
    img_fault_once(0, 0);
    ck_assert_int_eq(img_checkpoint(img, &e), -1);
    img_fault_disarm();
    ck_assert_int_eq(img_write(img, 7000, "same handle", 11), 0);
    memcpy(want + 7000, "same handle", 11);
    ck_assert_int_eq(img_checkpoint(img, &e), 0); /* the same handle checkpoints fine later */
    ck_assert_uint_eq(img_log_bytes(img), IMG_WAL_HDR_LEN);
    img_tear(img);
    expect_state(want, "after the later checkpoint", 0, 0);
}
END_TEST

START_TEST(crash_during_checkpoint)
{
    struct model *m = model_new();
    build(4242, 40, m);
    size_t main_len, log_len;
    uint8_t *main0 = itu_slurp(path, &main_len), *log0 = itu_slurp(wal, &log_len);
    const uint8_t *want = m->state[m->n - 1];
    struct { enum img_fault_mode mode; size_t keep; uint32_t seed; } plans[] = {
        { IMG_FAULT_PREFIX, 0, 0 },    { IMG_FAULT_PREFIX, 1, 0 },     { IMG_FAULT_PREFIX, 63, 0 },
        { IMG_FAULT_PREFIX, 512, 0 },  { IMG_FAULT_PREFIX, 4095, 0 },  { IMG_FAULT_PREFIX, 4097, 0 },
        { IMG_FAULT_PREFIX, 9000, 0 }, { IMG_FAULT_SECTORS, 0, 1 },    { IMG_FAULT_SECTORS, 0, 2 },
        { IMG_FAULT_SECTORS, 0, 3 },   { IMG_FAULT_SECTORS, 0, 99 },   { IMG_FAULT_PREFIX, 1u << 30, 0 },
    };
    long crashes = 0;
    for (size_t p = 0; p < CL_ARRAY_LEN(plans); p++) {
        for (long at = 0;; at++) {
            itu_spit(path, main0, main_len);
            itu_spit(wal, log0, log_len);
            img_t *img = open_ok();
            cl_error_t e = { { 0 } };
            img_fault_arm(at, plans[p].mode, plans[p].keep, plans[p].seed);
            int rc = img_checkpoint(img, &e);
            bool fired = img_fault_fired();
            img_tear(img);
            img_fault_disarm();
            if (!fired) { ck_assert_int_eq(rc, 0); break; } /* past the checkpoint's last call */
            ck_assert_int_eq(rc, -1);
            expect_state(want, "checkpoint crash plan/call", (long)p, at);
            /* and a second, clean checkpoint from there is still right */
            img = open_ok();
            ck_assert_int_eq(img_checkpoint(img, &e), 0);
            img_tear(img);
            expect_state(want, "checkpoint after crash plan/call", (long)p, at);
            crashes++;
        }
    }
    ck_assert_int_gt(crashes, 30);
    free(main0);
    free(log0);
    model_free(m);
}
END_TEST

START_TEST(crash_while_creating_or_opening)
{
    /* Creating: a crash at either write of the new file leaves no image under the name; a crash
     * when the log starts leaves a good empty image. */
    for (long at = 0; at < 4; at++) { /* calls: new file write, truncate; log header, truncate */
        img_t *img = NULL;
        cl_error_t e = { { 0 } };
        img_fault_arm(at, IMG_FAULT_PREFIX, 20, 0);
        ck_assert_int_eq(img_open(path, AREA, IMG_SYNC_NORMAL, &img, &e), -1);
        img_fault_disarm();
        if (at < 2) ck_assert_int_eq(access(path, F_OK), -1);
        static const uint8_t zero[AREA];
        expect_state(zero, "create crash", at, 0);
        unlink(path);
        unlink(wal);
    }
    /* Opening with a torn log tail or no log: it cuts or starts the log; a crash there is harmless. */
    struct model *m = model_new();
    build(31337, 12, m);
    size_t log_len;
    uint8_t *log = itu_slurp(wal, &log_len);
    const uint8_t *want = m->state[m->n - 1];
    for (int variant = 0; variant < 3; variant++) {
        for (long at = 0; at < 4; at++) {
            for (size_t keep = 0; keep < 70; keep += 7) {
                if (variant == 0) itu_spit(wal, log, log_len - 1);         /* torn tail */
                else if (variant == 1) unlink(wal);                      /* no log */
                else itu_spit(wal, "garbage that is not a log header", 32); /* foreign log */
                const uint8_t *w = variant == 0 ? m->state[m->n - 2] : m->state[0];
                img_t *img = NULL;
                cl_error_t e = { { 0 } };
                img_fault_arm(at, IMG_FAULT_PREFIX, keep, 0);
                if (img_open(path, AREA, IMG_SYNC_NORMAL, &img, &e) == 0) img_tear(img);
                img_fault_disarm();
                expect_state(w, "open crash variant/call", variant, at);
            }
        }
    }
    (void)want;
    free(log);
    model_free(m);
}
END_TEST

START_TEST(torn_payload_cannot_come_back)
{
    /* The data of a step may look like a log record (an applet stores whatever it likes). If a
     * step holding such data is cut short, its leftover bytes must never be read as a record after
     * the log goes on: recovery cuts the torn tail before the next record is appended. */
    img_t *img = open_ok();
    ck_assert_int_eq(img_write(img, 10, "R1", 2), 0);
    uint64_t r1_end = img_log_bytes(img);
    img_tear(img);
    size_t n;
    uint8_t *log = itu_slurp(wal, &n);
    uint64_t gen = (uint64_t)cl_get32(log + 32) << 32 | cl_get32(log + 36);
    free(log);
    /* A forged record with sequence number 3 writing "EVIL" at offset 0, placed at byte X of the
     * payload of step 2. */
    enum { X = 100 };
    uint8_t payload[400], fake[IMG_REC_MIN + 4];
    memset(payload, 0x11, sizeof payload);
    img_rec_head_encode(fake, sizeof fake, 3, 1);
    cl_put32(fake + IMG_REC_HEAD, 0);
    cl_put32(fake + IMG_REC_HEAD + 4, 4);
    memcpy(fake + IMG_REC_HEAD + 8, "EVIL", 4);
    cl_put32(fake + sizeof fake - 4, img_crc(img_rec_seed(gen), fake, sizeof fake - 4));
    memcpy(payload + X, fake, sizeof fake);
    img = open_ok();
    img_fault_arm(0, IMG_FAULT_PREFIX, IMG_REC_HEAD + 8 + X + sizeof fake + 10, 0); /* cut after the fake */
    ck_assert_int_eq(img_write(img, 1000, payload, sizeof payload), -1);
    img_tear(img);
    img_fault_disarm();
    /* Reopen and write a step 2 that ends exactly where the fake record starts in the file. */
    img = open_ok();
    uint8_t want[AREA];
    memcpy(want, img_mem(img), AREA);
    uint32_t m = (uint32_t)(IMG_REC_HEAD + 8 + X) - IMG_REC_MIN;
    uint8_t b[200];
    memset(b, 0x22, m);
    ck_assert_int_eq(img_write(img, 2000, b, m), 0);
    ck_assert_uint_eq(img_log_bytes(img), r1_end + IMG_REC_HEAD + 8 + X);
    memcpy(want + 2000, b, m);
    img_tear(img);
    expect_state(want, "torn payload", 0, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("img_cut");
    TCase *t = tcase_create("cut");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_loop_test(t, log_cut_at_every_byte, 0, 2);
    tcase_add_test(t, log_corrupt_in_the_middle_ends_it);
    tcase_add_test(t, write_cut_short_then_dead);
    tcase_add_test(t, write_fails_process_goes_on);
    tcase_add_test(t, crash_during_checkpoint);
    tcase_add_test(t, crash_while_creating_or_opening);
    tcase_add_test(t, torn_payload_cannot_come_back);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    cl_log_level = 0;
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
