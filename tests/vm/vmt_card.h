/* vmt_card: the card fixture shared by the tests/vm suites. A fresh card image in a temporary
 * directory, the VM attached, CAP files installed from the build tree, APDUs sent through
 * card_transmit (no transport). Header-only (static inline) because tests/ is not a library
 * module: each *_test.c is its own program. */
#ifndef VMT_CARD_H
#define VMT_CARD_H

#include "vm/vm_card.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <check.h>
#include <ctype.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VMT_IMAGE_SIZE (4u * 1024 * 1024)

typedef struct {
    char build_dir[PATH_MAX];
    char dir[128];
    char image[192];
    card_t *card;
    vm_t *vm;
    uint8_t resp[CARD_RESP_MAX];
    size_t rlen;
} vmt_t;

/* The test program is <BUILD>/test/tests/vm/NAME: the build tree is four levels up. */
static inline void vmt_find_build_dir(vmt_t *t)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert(n > 0);
    exe[n] = 0;
    char *d = dirname(dirname(dirname(dirname(exe))));
    snprintf(t->build_dir, sizeof t->build_dir, "%s", d);
}

static inline void vmt_open(vmt_t *t)
{
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(t->image, VMT_IMAGE_SIZE, IMG_SYNC_NORMAL, &t->card, &e) == 0, "card_open: %s", e.msg);
    t->vm = vm_card_attach(t->card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_msg(t->vm != NULL, "attach: %s", e.msg);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(t->card, atr);
}

static inline void vmt_close(vmt_t *t)
{
    if (!t->card) return;
    vm_card_detach(t->card, t->vm);
    card_close(t->card);
    t->card = NULL;
    t->vm = NULL;
}

static inline int vmt_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

/* A fresh image in /dev/shm (or /tmp), the card opened and powered. */
static inline void vmt_setup(vmt_t *t)
{
    memset(t, 0, sizeof *t);
    vmt_find_build_dir(t);
    snprintf(t->dir, sizeof t->dir, "%s/cardlet-vmt-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->image, sizeof t->image, "%s/card.img", t->dir);
    vmt_open(t);
}

static inline void vmt_teardown(vmt_t *t)
{
    vmt_close(t);
    if (t->dir[0]) nftw(t->dir, vmt_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Installs <BUILD>/applets/NAME.cap and an instance of class_aid_hex (NULL: none). */
static inline void vmt_install(vmt_t *t, const char *name, const char *class_aid_hex, const char *params_hex)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/applets/%s.cap", t->build_dir, name);
    cl_error_t e = { { 0 } };
    size_t len;
    uint8_t *cap = cl_read_file(path, 4u << 20, &len, &e);
    ck_assert_msg(cap != NULL, "%s (built by make applets)", e.msg);
    uint8_t aid[16], params[128];
    long al = class_aid_hex ? cl_hex_decode(class_aid_hex, aid, sizeof aid) : 0;
    long pl = params_hex ? cl_hex_decode(params_hex, params, sizeof params) : 0;
    ck_assert(al >= 0 && pl >= 0);
    int r = vm_card_install(t->vm, cap, len, al ? aid : NULL, (uint8_t)al, NULL, 0, params, (uint8_t)pl, false, &e);
    free(cap);
    ck_assert_msg(r == 0, "install %s: %s", name, e.msg);
}

/* Sends a hex command; the response (data + SW) is in t->resp / t->rlen. Returns the SW. */
static inline unsigned vmt_xmit(vmt_t *t, const char *hex)
{
    uint8_t cmd[600];
    long n = cl_hex_decode(hex, cmd, sizeof cmd);
    ck_assert_msg(n >= 4, "bad command hex %s", hex);
    t->rlen = card_transmit(t->card, cmd, (size_t)n, t->resp);
    ck_assert_msg(t->rlen >= 2, "no status word for %s", hex);
    return (unsigned)(t->resp[t->rlen - 2] << 8 | t->resp[t->rlen - 1]);
}

/* Response as hex without separators (for messages and comparisons). */
static inline const char *vmt_resp_hex(vmt_t *t, char *buf, size_t cap)
{
    size_t n = t->rlen;
    if (n * 2 + 1 > cap) n = (cap - 1) / 2;
    cl_hex_encode(t->resp, n, buf, 0);
    return buf;
}

/* SELECT by AID; asserts 90 00. */
static inline void vmt_select(vmt_t *t, const char *aid_hex)
{
    char cmd[80];
    snprintf(cmd, sizeof cmd, "00A40400%02X%s", (unsigned)(strlen(aid_hex) / 2), aid_hex);
    unsigned sw = vmt_xmit(t, cmd);
    ck_assert_msg(sw == 0x9000, "SELECT %s: %04X (%s)", aid_hex, sw, t->vm->last_error);
}

/* Known failures (tests/vm/known-failures.txt): "SUITE:NAME [COMMAND-HEX]" lines, '#' comments.
 * For scripts NAME is the command hex without spaces. A known command is still sent (later
 * commands may depend on its effect) but not compared, unless VMT_ALL is set. */
static inline bool vmt_known(const char *suite, const char *name, const char *cmd)
{
    if (getenv("VMT_ALL")) return false;
    FILE *f = fopen("tests/vm/known-failures.txt", "r");
    if (!f) return false;
    char line[512];
    bool hit = false;
    size_t sl = strlen(suite);
    while (!hit && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char k[200] = "", c[200] = "";
        if (sscanf(line, "%199s %199s", k, c) < 1) continue;
        if (strncmp(k, suite, sl) || k[sl] != ':') continue;
        if (!strcasecmp(k + sl + 1, name) && (!c[0] || (cmd && !strcasecmp(c, cmd)))) hit = true;
    }
    fclose(f);
    return hit;
}

/* Hex without spaces, upper case, of a script's hex text (spaces allowed). */
static inline void vmt_compact_hex(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++)
        if (*in != ' ' && *in != '\t') out[n++] = (char)toupper((unsigned char)*in);
    out[n] = 0;
}

/* Does the response (data + SW) equal the expected hex (spaces allowed, ?? any byte, ? any digit)? */
static inline bool vmt_resp_matches(const vmt_t *t, const char *want_hex)
{
    char want[2048];
    vmt_compact_hex(want_hex, want, sizeof want);
    if (strlen(want) != 2 * t->rlen) return false;
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < t->rlen; i++) {
        const char *w = want + 2 * i;
        if (w[0] != '?' && w[0] != digits[t->resp[i] >> 4]) return false;
        if (w[1] != '?' && w[1] != digits[t->resp[i] & 15]) return false;
    }
    return true;
}

/* Whether the suite may go on after one expectation: it held, or the suite's known-failure list
 * names it. name: the expectation's name, or the command hex for an unnamed one. */
typedef bool (*vmt_verdict_fn)(const char *suite, const char *name, bool held, const char *detail);

/* tests/vm/known-failures.txt, keyed by command (vmt_known). */
static inline bool vmt_verdict_vm(const char *suite, const char *name, bool held, const char *detail)
{
    (void)detail;
    return held || vmt_known(suite, name, NULL);
}

/* Runs a conversation file: "> command" (or a bare hex command, as applets/samples/NAME/test.script
 * write them), "< expected" or "< NAME: expected" (?? = any byte),
 * "select AID", "reset", "reopen"; named is true when every expectation must carry a name
 * (tests/api). Each verdict comes from verdict (NULL: vmt_verdict_vm). Every failure is
 * collected; returns the number of expectations checked, *failed the number that failed, report
 * the first ones. */
static inline int vmt_run_script_with(vmt_t *t, const char *suite, const char *path, bool named, vmt_verdict_fn verdict,
                                      int *failed, char *report, size_t rcap)
{
    if (!verdict) verdict = vmt_verdict_vm;
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing (run from the repository root)", path);
    char line[2048], last[2048] = "";
    int checked = 0, lineno = 0;
    size_t rep = 0;
    *failed = 0;
    report[0] = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        char *p = line;
        while (*p == ' ') p++;
        if (!*p || *p == '#') continue;
        if (!strncmp(p, "select ", 7)) { vmt_select(t, p + 7); continue; }
        if (!strcmp(p, "reset")) { uint8_t atr[CARD_ATR_MAX]; card_reset(t->card, atr); continue; }
        if (!strcmp(p, "reopen")) { vmt_close(t); vmt_open(t); continue; }
        if (*p == '>' || isxdigit((unsigned char)*p)) { /* "> 00 A4 ..", or the samples' bare "00 A4 .." */
            vmt_compact_hex(p + (*p == '>'), last, sizeof last);
            vmt_xmit(t, last);
            continue;
        }
        ck_assert_msg(*p == '<', "%s:%d: not a '> COMMAND' or '< RESPONSE' line: %s", path, lineno, p);
        char name[200];
        const char *want = p + 1, *colon = strchr(p, ':');
        if (colon) {
            ck_assert_msg(sscanf(p + 1, " %199[^: ]", name) == 1, "%s:%d: expectation without a name", path, lineno);
            want = colon + 1;
        } else {
            ck_assert_msg(!named, "%s:%d: expectation without a name ('< NAME: RESPONSE')", path, lineno);
            snprintf(name, sizeof name, "%.199s", last);
        }
        checked++;
        char got[2 * 300 + 1], detail[2200];
        vmt_resp_hex(t, got, sizeof got);
        /* Precisions keep every part readable and the whole inside detail (commands here are short). */
        snprintf(detail, sizeof detail, "%.600s -> %.600s, expected %.700s (%.200s)", last, got, want, t->vm->last_error);
        if (verdict(suite, name, vmt_resp_matches(t, want), detail)) continue;
        if (*failed < 20 && rep < rcap)
            rep += (size_t)snprintf(report + rep, rcap - rep, "\n  %s:%d %s: %s", path, lineno, colon ? name : "", detail);
        (*failed)++;
    }
    fclose(f);
    return checked;
}

/* The tests/vm form: unnamed expectations, tests/vm/known-failures.txt. */
static inline int vmt_run_script(vmt_t *t, const char *suite, const char *path, int *failed, char *report, size_t rcap)
{
    return vmt_run_script_with(t, suite, path, false, NULL, failed, report, rcap);
}

#endif
