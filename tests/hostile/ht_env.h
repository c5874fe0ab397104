/* ht_env: the environment of the hostile CAP tests (header-only, shared by vm_hostile_test.c and
 * vm_hostile_run_test.c): a card image holding the hello sample, kept as bytes so every case
 * starts from the same image; try_cap() installs a damaged CAP into a fresh copy and checks the
 * outcome (refused: a message and the image unchanged; accepted: commands answered, hello still
 * works); and the places in the hostile applet's component stream the cases patch. */
#ifndef HT_ENV_H
#define HT_ENV_H

#include "cap/jc_opcodes.h"
#include "tests/hostile/ht_card.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t HOSTILE_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x12, 0x01, 0x01 };
static const uint8_t HELLO_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
#define SELECT_HOSTILE "00A4040008F063617264120101"

/* ---- the card with hello installed, kept as bytes so every case starts from the same image ---- */
typedef struct {
    ht_dir_t d;
    uint8_t *base, *base_wal; /* the image file and its log (NULL: none) as they were */
    size_t base_len, base_wal_len;
} env_t;

static inline void write_file(const char *path, const uint8_t *p, size_t n) { ht_write(path, p, n); }

/* Are the image and its log as they were? The persistent area and the main header must be
 * byte-identical. Two places may move: the checkpoint stamp (main file bytes 512..575) and the
 * log header's generation, which change when a refused install wrote into the log and scrubbed
 * its writes again (content unchanged, one checkpoint spent). Those are counted in
 * bookkeeping_moves; a CAP refused by the loader must not move them (vm_hostile_test asserts 0),
 * an Applet.install() that fails after running may. */
static int bookkeeping_moves;
static inline bool same_files(const env_t *env)
{
    size_t n;
    uint8_t *now = ht_read(env->d.img, &n);
    bool same = n == env->base_len && n > 4096 && memcmp(now, env->base, 512) == 0 &&
                memcmp(now + 576, env->base + 576, n - 576) == 0;
    bool stamp_moved = same && memcmp(now + 512, env->base + 512, 64) != 0;
    if (!same && getenv("HOSTILE_DEBUG"))
        for (size_t i = 0; i < n && i < env->base_len; i++)
            if (now[i] != env->base[i]) fprintf(stdout, "  image differs at %zu: %02X -> %02X\n", i, env->base[i], now[i]);
    free(now);
    if (!env->base_wal) return same && access(env->d.wal, F_OK) != 0;
    if (access(env->d.wal, F_OK) != 0) return false;
    now = ht_read(env->d.wal, &n);
    /* after a close the log is only its header */
    same = same && n == env->base_wal_len;
    if (same && memcmp(now, env->base_wal, n) != 0) stamp_moved = true;
    free(now);
    if (same && stamp_moved) bookkeeping_moves++;
    return same;
}

static inline void env_setup(env_t *env)
{
    ht_dir_make(&env->d, "hostile");
    vm_t *vm;
    card_t *card = ht_card_open(env->d.img, &vm);
    size_t len;
    uint8_t *hello = ht_cap_stream("hello", &len);
    cl_error_t e = { { 0 } };
    ck_assert_msg(vm_card_install(vm, hello, len, HELLO_APPLET, sizeof HELLO_APPLET, NULL, 0, NULL, 0, false, &e) == 0,
                  "%s", e.msg);
    free(hello);
    ht_hello_answers(card, "install");
    ht_card_close(card, vm);
    /* One idle open/close first, so the files are in their steady state (the log file exists
     * after the first close); then the image and the log are the reference. */
    card = ht_card_open(env->d.img, &vm);
    ht_card_close(card, vm);
    env->base = ht_read(env->d.img, &env->base_len);
    env->base_wal = access(env->d.wal, F_OK) == 0 ? ht_read(env->d.wal, &env->base_wal_len) : NULL;
    /* Opening and closing the card without installing anything must leave both as they were:
     * the "refused changes nothing" check below relies on it. */
    card = ht_card_open(env->d.img, &vm);
    ht_card_close(card, vm);
    ck_assert_msg(same_files(env), "an idle open/close changed the image");
}

static inline void env_teardown(env_t *env)
{
    free(env->base);
    free(env->base_wal);
    ht_dir_remove(&env->d);
}

static inline void env_reset(env_t *env)
{
    unlink(env->d.wal);
    write_file(env->d.img, env->base, env->base_len);
    if (env->base_wal) write_file(env->d.wal, env->base_wal, env->base_wal_len);
}

/* stderr is quiet during sweeps (the VM logs every refusal); Check reports on stdout. */
static int saved_stderr = -1;
static inline void quiet(bool on)
{
    fflush(stderr);
    if (on) {
        saved_stderr = dup(2);
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        close(fd);
    } else if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
}

enum outcome { REFUSED = 0, ACCEPTED = 1 };
static char last_msg[256];
static int last_select_sw; /* of the accepted applet's instance; its commands answer -1 when not 9000 */

/* Installs cap into a fresh copy of the base card. Refused: the message is kept in last_msg and
 * the image must be unchanged. Accepted: cmds (hex, NULL-terminated) are sent to the instance,
 * each must get a status word, then hello must still answer. */
static inline enum outcome try_cap(env_t *env, const uint8_t *cap, size_t len, const char *what, const char *const *cmds,
                            int *sws)
{
    env_reset(env);
    vm_t *vm;
    card_t *card = ht_card_open(env->d.img, &vm);
    cl_error_t e = { { 0 } };
    uint8_t slot;
    last_msg[0] = 0;
    /* The package first, then the instance: each is its own atomic step, checked separately. */
    if (vm_load_install(vm, cap, len, &slot, &e) != 0) {
        ck_assert_msg(e.msg[0] != 0, "%s: refused without a message", what);
        snprintf(last_msg, sizeof last_msg, "%s", e.msg);
        ht_card_close(card, vm);
        ck_assert_msg(same_files(env), "%s: refused (%s) but the image changed", what, e.msg);
        return REFUSED;
    }
    /* The package is in; the instance install is the next atomic step. */
    uint32_t isize = img_size(card_image(card));
    uint8_t *before = malloc(isize);
    ck_assert_ptr_nonnull(before);
    memcpy(before, img_mem(card_image(card)), isize);
    if (vm_install_applet(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET, NULL, 0, NULL, 0, 0, &e) != 0) {
        ck_assert_msg(e.msg[0] != 0, "%s: instance refused without a message", what);
        snprintf(last_msg, sizeof last_msg, "%s", e.msg);
        ck_assert_msg(memcmp(before, img_mem(card_image(card)), isize) == 0, "%s: instance refused (%s) but the image changed",
                      what, e.msg);
    }
    free(before);
    /* A fresh card from the image: the package is re-linked at boot, the instance registered. */
    ht_card_close(card, vm);
    card = ht_card_open(env->d.img, &vm);
    last_select_sw = ht_cmd(card, SELECT_HOSTILE, NULL, NULL);
    /* A mutant may loop in every command (the VM stops each after its instruction budget): after
     * half a second of such commands the rest are skipped (-2), the card is still checked. */
    uint64_t t0 = cl_now_ns();
    for (int k = 0; cmds && cmds[k]; k++) {
        bool late = cl_now_ns() - t0 > 500000000u;
        int sw = last_select_sw != 0x9000 ? -1 : late ? -2 : ht_cmd(card, cmds[k], NULL, NULL);
        if (sws) sws[k] = sw;
    }
    ht_hello_answers(card, what);
    ht_card_close(card, vm);
    return ACCEPTED;
}

/* ---- locating things in the hostile applet's component stream ---- */
typedef struct {
    uint8_t *s;
    size_t len;
    size_t comp[CAP_COMP_DEBUG + 1]; /* stream offset of each component's info, 0 if absent */
    uint16_t comp_size[CAP_COMP_DEBUG + 1];
} hcap_t;

static inline void hcap_load(hcap_t *h)
{
    h->s = ht_cap_stream("hostile", &h->len);
    memset(h->comp, 0, sizeof h->comp);
    for (size_t at = 0; at + 3 <= h->len;) {
        uint8_t tag = h->s[at];
        uint16_t size = cl_get16(h->s + at + 1);
        if (tag <= CAP_COMP_DEBUG) { h->comp[tag] = at + 3; h->comp_size[tag] = size; }
        at += 3u + size;
    }
    ck_assert_uint_ne(h->comp[CAP_COMP_METHOD], 0);
}

/* Stream offset of the first occurrence of pat in the Method component (a method's bytecode). */
static inline size_t find_code(const hcap_t *h, const uint8_t *pat, size_t n)
{
    size_t m = h->comp[CAP_COMP_METHOD], end = m + h->comp_size[CAP_COMP_METHOD];
    for (size_t at = m; at + n <= end; at++)
        if (memcmp(h->s + at, pat, n) == 0) return at;
    ck_abort_msg("bytecode pattern not found in the hostile applet (did the converter change?)");
    return 0;
}

/* The patch targets of Hostile.java (see its comments), as stream offsets of their first opcode. */
static inline size_t at_peek(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_getfield_s }, 2); }
static inline size_t at_poke(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_sload_2, JC_putfield_s }, 3); }
static inline size_t at_call(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_invokevirtual }, 2); }
static inline size_t at_first(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_sconst_0, JC_baload, JC_sreturn }, 4); }
/* mix(a, b): sload_0 sload_1 sadd sstore_2 sload_2 bspush 10 if_scmple +8 ... goto +6 ... */
static inline size_t at_mix(const hcap_t *h)
{
    return find_code(h, (const uint8_t[]){ JC_sload_0, JC_sload_1, JC_sadd, JC_sstore_2, JC_sload_2, JC_bspush, 10, JC_if_scmple }, 8);
}

static inline uint32_t area_snapshot_cmp(card_t *card, uint8_t **snap, bool take)
{
    uint32_t n = img_size(card_image(card));
    if (take) {
        free(*snap);
        *snap = malloc(n);
        ck_assert_ptr_nonnull(*snap);
        memcpy(*snap, img_mem(card_image(card)), n);
        return 0;
    }
    return memcmp(*snap, img_mem(card_image(card)), n) == 0 ? 0 : 1;
}

static inline size_t stream_comp(const uint8_t *s, size_t len, int tag)
{
    for (size_t at = 0; at + 3 <= len; at += 3u + cl_get16(s + at + 1))
        if (s[at] == tag) return at + 3;
    ck_abort_msg("component %d not found", tag);
    return 0;
}

#endif
