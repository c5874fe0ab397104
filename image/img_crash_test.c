/* img_crash_test: kill the process at random moments, many times, and check recovery.
 *
 * A child runs a deterministic workload (single steps, groups, aborts, writes inside groups,
 * checkpoints, both sync modes) on the image until the parent SIGKILLs it after a random delay.
 * The parent then reopens the image and checks:
 *  - the invariants the workload keeps inside every group (a counter at both ends of the area,
 *    a sum over the group region);
 *  - that the whole area equals the model's state after some step of that run (replaying the same
 *    workload on a model in memory): never a state between steps, never a lost or invented step.
 * IMG_CRASH_ROUNDS sets the number of kills (default 300; `make crash` runs thousands),
 * IMG_CRASH_MAX_DELAY_US the longest delay before a kill (default 4000). */
#include "image/img.h"
#include "image/img_test_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define AREA 65536u
#define IMM_AT 8u         /* [8,16): immediate-step counter w, then its data up to 16384 */
#define IMM_MAX 16000u    /* longest immediate data: a step over several pages */
#define SUM_AT 16384u     /* [16384,16392): sum of the bytes of the group region */
#define GRP_LO 16392u     /* group region [16392, AREA-8) */
#define GRP_HI (AREA - 8u)
#define MAX_STEPS 4000

static uint64_t get64(const uint8_t *p) { return (uint64_t)cl_get32(p) << 32 | cl_get32(p + 4); }
static void put64(uint8_t *p, uint64_t v) { cl_put32(p, (uint32_t)(v >> 32)); cl_put32(p + 4, (uint32_t)v); }

/* The workload talks to a sink: the real image (child) or a model (parent). */
struct sink {
    img_t *img;
    uint8_t cur[AREA];                 /* model: what img_mem shows */
    struct { uint32_t off, len; uint8_t old[1000]; } undo[64];
    int n_undo;
    bool in_group;
    const uint8_t *target;             /* model: stop when the state equals this */
    bool found;
    long steps;                        /* model: durable steps taken */
};

static const uint8_t *s_mem(struct sink *k) { return k->img ? img_mem(k->img) : k->cur; }

static void die(const char *what) { fprintf(stderr, "img_crash child: %s failed\n", what); _exit(3); }

/* Model: a durable step just completed; is this the state the image recovered? */
static void s_step(struct sink *k)
{
    k->steps++;
    if (!k->target) return;
    if (!k->in_group) {
        if (memcmp(k->cur, k->target, AREA) == 0) k->found = true;
        return;
    }
    /* an immediate step inside a group: the durable state lacks the open group's bytes */
    static uint8_t dur[AREA];
    memcpy(dur, k->cur, AREA);
    for (int i = k->n_undo; i-- > 0;) memcpy(dur + k->undo[i].off, k->undo[i].old, k->undo[i].len);
    if (memcmp(dur, k->target, AREA) == 0) k->found = true;
}

static void s_write(struct sink *k, uint32_t off, const uint8_t *b, uint32_t len)
{
    if (k->img) { if (img_write(k->img, off, b, len) != 0) die("img_write"); return; }
    memcpy(k->cur + off, b, len);
    s_step(k);
}

static void s_begin(struct sink *k)
{
    if (k->img) { if (img_group_begin(k->img) != 0) die("img_group_begin"); return; }
    k->in_group = true;
    k->n_undo = 0;
}

static void s_gwrite(struct sink *k, uint32_t off, const uint8_t *b, uint32_t len)
{
    if (k->img) { if (img_group_write(k->img, off, b, len) != 0) die("img_group_write"); return; }
    k->undo[k->n_undo].off = off;
    k->undo[k->n_undo].len = len;
    memcpy(k->undo[k->n_undo].old, k->cur + off, len);
    k->n_undo++;
    memcpy(k->cur + off, b, len);
}

/* Group bytes are not durable until the commit: the model's durable state leaves them out. In this
 * workload immediate writes never touch the group's bytes, so "durable" = cur minus open group. */
static void s_end(struct sink *k, bool commit)
{
    if (k->img) {
        if (commit) { if (img_group_commit(k->img) != 0) die("img_group_commit"); }
        else img_group_abort(k->img);
        return;
    }
    if (!commit) for (int i = k->n_undo; i-- > 0;) memcpy(k->cur + k->undo[i].off, k->undo[i].old, k->undo[i].len);
    k->in_group = false;
    if (commit) s_step(k);
}

/* An immediate step: bump w and write it with some data, all in one img_write; now and then a
 * long one spanning several pages. */
static void immediate(struct sink *k, uint64_t *s)
{
    static uint8_t b[8 + IMM_MAX];
    uint32_t m = 1 + (uint32_t)(itu_rand(s) % (itu_rand(s) % 10 == 0 ? IMM_MAX : 200));
    put64(b, get64(s_mem(k) + IMM_AT) + 1);
    for (uint32_t i = 0; i < m; i++) b[8 + i] = (uint8_t)itu_rand(s);
    s_write(k, IMM_AT, b, 8 + m);
}

static void workload(struct sink *k, uint64_t seed)
{
    uint64_t s = seed;
    for (int step = 0; step < MAX_STEPS && !k->found; step++) {
        int r = (int)(itu_rand(&s) % 20);
        if (r < 6) { immediate(k, &s); continue; }
        if (r == 19) {
            if (k->img) {
                cl_error_t e;
                if (img_checkpoint(k->img, &e) != 0) die("img_checkpoint");
            }
            continue;
        }
        s_begin(k);
        uint64_t sum = get64(s_mem(k) + SUM_AT);
        /* Mostly small groups; one in ten near the capacity (7 x 1000 bytes + 3 x 8 bytes + costs). */
        bool big = itu_rand(&s) % 10 == 0;
        int writes = big ? 7 : 1 + (int)(itu_rand(&s) % 24);
        for (int w = 0; w < writes; w++) {
            uint8_t b[1000];
            uint32_t len = big ? 1000 : 1 + (uint32_t)(itu_rand(&s) % 100);
            uint32_t off = GRP_LO + (uint32_t)(itu_rand(&s) % (GRP_HI - GRP_LO - len));
            for (uint32_t i = 0; i < len; i++) {
                b[i] = (uint8_t)itu_rand(&s);
                sum += (uint64_t)b[i] - s_mem(k)[off + i];
            }
            s_gwrite(k, off, b, len);
            if (r == 18 && w == 0) immediate(k, &s);
        }
        uint8_t c[8];
        put64(c, sum);
        s_gwrite(k, SUM_AT, c, 8);
        uint64_t g = get64(s_mem(k)) + 1;
        put64(c, g);
        s_gwrite(k, 0, c, 8);          /* the group counter at both ends of the area: */
        s_gwrite(k, AREA - 8, c, 8);   /* first and last page move together or not at all */
        s_end(k, itu_rand(&s) % 6 != 0);
    }
}

static void check_invariants(const uint8_t *m, long round)
{
    ck_assert_msg(get64(m) == get64(m + AREA - 8), "round %ld: group counter differs at the two ends", round);
    uint64_t sum = 0;
    for (uint32_t i = GRP_LO; i < GRP_HI; i++) sum += m[i];
    ck_assert_msg(sum == get64(m + SUM_AT), "round %ld: group region sum broken", round);
}

START_TEST(kill_at_random_moments)
{
    const char *env = getenv("IMG_CRASH_ROUNDS");
    long rounds = env ? atol(env) : 300;
    /* Kills land within this many microseconds of the start; on a real disk (fsyncs at every
     * checkpoint) a child needs longer to get going. IMG_CRASH_MAX_DELAY_US, at most 999999. */
    const char *denv = getenv("IMG_CRASH_MAX_DELAY_US");
    uint64_t max_delay_us = denv ? (uint64_t)atol(denv) : 4000;
    if (max_delay_us < 1 || max_delay_us > 999999) max_delay_us = 4000;
    char *dir = itu_tmpdir(), *path = itu_path(dir, "card.img");
    static uint8_t prev[AREA], got[AREA];
    struct sink *model = calloc(1, sizeof *model);
    ck_assert_ptr_nonnull(model);
    uint64_t rs = (uint64_t)time(NULL) * 2654435761u + 1, base = rs;
    long verified_steps = 0, at_start = 0;
    memset(prev, 0, sizeof prev);
    for (long round = 0; round < rounds; round++) {
        uint64_t seed = base + (uint64_t)round * 7919u;
        enum img_sync sync = round % 10 == 9 ? IMG_SYNC_FULL : IMG_SYNC_NORMAL;
        uint64_t threshold = 4096u << (round % 5); /* checkpoints often, at varying points */
        fflush(NULL);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            struct sink *k = calloc(1, sizeof *k);
            cl_error_t e = { { 0 } };
            if (!k || img_open(path, AREA, sync, &k->img, &e) != 0) { fprintf(stderr, "child: %s\n", e.msg); _exit(2); }
            img_set_checkpoint_threshold(k->img, threshold);
            workload(k, seed);
            for (;;) pause(); /* done: wait for the kill like the others */
        }
        struct timespec d = { 0, (long)(itu_rand(&rs) % max_delay_us) * 1000 };
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "round %ld: child ended by itself (status %d)", round, st);

        img_t *img = NULL;
        cl_error_t e = { { 0 } };
        ck_assert_msg(img_open(path, AREA, IMG_SYNC_NORMAL, &img, &e) == 0, "round %ld: reopen: %s", round, e.msg);
        memcpy(got, img_mem(img), AREA);
        check_invariants(got, round);
        /* Replay the same workload on the model from the last verified state until it matches. */
        memset(model, 0, sizeof *model);
        memcpy(model->cur, prev, AREA);
        model->target = got;
        if (memcmp(prev, got, AREA) == 0) { model->found = true; at_start++; }
        else workload(model, seed);
        ck_assert_msg(model->found, "round %ld: recovered state is no step boundary of the workload (g=%llu w=%llu)",
                      round, (unsigned long long)get64(got), (unsigned long long)get64(got + IMM_AT));
        verified_steps += model->steps;
        memcpy(prev, got, AREA);
        /* Sometimes close cleanly (checkpoint), mostly leave the log for the next child to recover. */
        if (round % 4 == 0) img_close(img);
        else img_tear(img);
    }
    if (env) fprintf(stderr, "\nimg_crash: %ld kills, %ld steps verified, %ld kills before the first step\n", rounds,
            verified_steps, at_start);
    ck_assert_int_gt(verified_steps, rounds); /* the kills did land inside real work */
    free(model);
    free(path);
    itu_rmdir(dir);
}
END_TEST

int main(void)
{
    cl_log_level = 0;
    Suite *s = suite_create("img_crash");
    TCase *t = tcase_create("kill");
    const char *env = getenv("IMG_CRASH_ROUNDS");
    long rounds = env ? atol(env) : 300;
    tcase_set_timeout(t, 120.0 + (double)rounds / 50.0); /* 20 ms a kill is ample, even on disk */
    tcase_add_test(t, kill_at_random_moments);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
