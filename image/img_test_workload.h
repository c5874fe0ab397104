/* img_test_workload: a deterministic workload of steps, groups, aborts and writes inside groups,
 * checked against an independent model of the image semantics (header-only, for the image tests).
 * The including file defines AREA (area size) and MAX_SNAPS before including it. */
#ifndef IMG_TEST_WORKLOAD_H
#define IMG_TEST_WORKLOAD_H

#include "image/img.h"
#include "image/img_format.h"
#include "image/img_io.h"
#include "image/img_test_util.h"

struct model {
    int n;
    uint64_t log_end[MAX_SNAPS];
    uint8_t *state[MAX_SNAPS];
    /* An independent model of the semantics: cur is what img_mem must show, dur what recovery must
     * give; the open group's ranges and old bytes are kept here too. */
    uint8_t cur[AREA], dur[AREA];
    uint32_t g_off[64], g_len[64];
    uint8_t g_old[64][200];
    int g_n;
    bool g_saw_write;
    int last_ckpt;    /* index of the last state a completed checkpoint put into the main file */
    int ckpt_at[MAX_SNAPS]; /* last_ckpt as it was when state i was taken */
    long ops[MAX_SNAPS];    /* changing file calls made when state i was taken (img_fault_calls) */
};

static struct model *model_new(void)
{
    struct model *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    return m;
}

static void model_free(struct model *m)
{
    for (int i = 0; i < m->n; i++) free(m->state[i]);
    free(m);
}

/* After every call: memory matches the model; a call that was a step (one record in the log)
 * adds a durable state. */
static void snap(struct model *m, img_t *img, bool step)
{
    if (!m) return;
    ck_assert_mem_eq(img_mem(img), m->cur, AREA);
    if (!step && m->n > 0) {
        ck_assert_uint_eq(m->log_end[m->n - 1], img_log_bytes(img)); /* no record */
        ck_assert_mem_eq(m->state[m->n - 1], m->dur, AREA);        /* no durable change */
        return;
    }
    ck_assert_int_lt(m->n, MAX_SNAPS);
    /* The log back at its bare header after a step: a checkpoint has just folded everything in. */
    if (m->n > 0 && img_log_bytes(img) == IMG_WAL_HDR_LEN) m->last_ckpt = m->n;
    else if (m->n > 0) ck_assert_uint_gt(img_log_bytes(img), m->log_end[m->n - 1]);
    m->log_end[m->n] = img_log_bytes(img);
    m->ckpt_at[m->n] = m->last_ckpt;
    m->ops[m->n] = img_fault_calls();
    m->state[m->n] = malloc(AREA);
    memcpy(m->state[m->n], m->dur, AREA);
    m->n++;
}

static void fill(uint64_t *s, uint8_t *b, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) b[i] = (uint8_t)itu_rand(s);
}

static void do_write(img_t *img, struct model *m, uint32_t off, const uint8_t *b, uint32_t len)
{
    int rc = img_write(img, off, b, len);
    if (!m) return;
    ck_assert_int_eq(rc, 0);
    if (m->g_n < 0 && memcmp(m->cur + off, b, len) == 0) { snap(m, img, false); return; } /* no change: no record */
    memcpy(m->cur + off, b, len);
    memcpy(m->dur + off, b, len);
    if (m->g_n >= 0) m->g_saw_write = true;
    snap(m, img, true);
}

/* A deterministic mix of steps, groups, aborts and writes inside groups. After a fault every call
 * fails; the workload simply runs on, as the code above the image would until it noticed.
 * With m, every result is checked against the model. */
static void workload(img_t *img, uint64_t seed, int steps, struct model *m)
{
    uint64_t s = seed;
    uint8_t b[6000];
    if (m) {
        memcpy(m->cur, img_mem(img), AREA);
        memcpy(m->dur, img_mem(img), AREA);
        m->g_n = -1;
        snap(m, img, true);
    }
    for (int i = 0; i < steps; i++) {
        int kind = (int)(itu_rand(&s) % 8);
        if (kind <= 3) {
            uint32_t len = (itu_rand(&s) % 10 == 0) ? 1 + (uint32_t)(itu_rand(&s) % 6000)
                                                    : 1 + (uint32_t)(itu_rand(&s) % 120);
            uint32_t off = (uint32_t)(itu_rand(&s) % (AREA - len + 1));
            fill(&s, b, len);
            do_write(img, m, off, b, len);
            continue;
        }
        img_group_begin(img);
        if (m) { m->g_n = 0; m->g_saw_write = false; }
        int writes = 1 + (int)(itu_rand(&s) % 12);
        for (int w = 0; w < writes; w++) {
            uint32_t len = 1 + (uint32_t)(itu_rand(&s) % 200);
            uint32_t off = (uint32_t)(itu_rand(&s) % (AREA - len + 1));
            fill(&s, b, len);
            int rc = img_group_write(img, off, b, len);
            if (m) {
                ck_assert_int_eq(rc, 0);
                m->g_off[m->g_n] = off;
                m->g_len[m->g_n] = len;
                memcpy(m->g_old[m->g_n], m->cur + off, len);
                m->g_n++;
                memcpy(m->cur + off, b, len);
                snap(m, img, false);
            }
            if (kind == 7 && w == 0) {
                /* an immediate write inside the group, sometimes over the group's bytes */
                uint32_t o2 = (itu_rand(&s) & 1) ? off : (uint32_t)(itu_rand(&s) % (AREA - 16));
                fill(&s, b, 16);
                do_write(img, m, o2, b, o2 + 16 <= AREA ? 16 : AREA - o2);
            }
        }
        bool abort = kind == 6 || (kind == 7 && (itu_rand(&s) & 1));
        if (abort) img_group_abort(img);
        else img_group_commit(img);
        if (m) {
            if (abort) {
                for (int k = m->g_n; k-- > 0;) memcpy(m->cur + m->g_off[k], m->g_old[k], m->g_len[k]);
            }
            if (!abort || m->g_saw_write) {
                for (int k = 0; k < m->g_n; k++)
                    memcpy(m->dur + m->g_off[k], m->cur + m->g_off[k], m->g_len[k]);
            }
            bool step = !abort || m->g_saw_write;
            m->g_n = -1;
            snap(m, img, step);
        }
    }
}

#endif
