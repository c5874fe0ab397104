/* api_known: the tests/api suite's named expectations and its list of known failures
 * (tests/api/known-failures.txt). Header-only like tests/vm/vmt_card.h, whose fixture it uses:
 * tests/ is not a library module, each *_test.c is its own program.
 *
 * Every expectation has a name (script lines "< NAME: RESPONSE", C checks API_CHECK(t, NAME, ...)).
 * A failing expectation whose name is in the known-failures list is reported on stderr and does not
 * fail the suite (the owner is fixing it); one that passes again is reported too, so the entry can go.
 * API_ALL=1 in the environment makes known failures fail like any other. */
#ifndef API_KNOWN_H
#define API_KNOWN_H

#include "tests/vm/vmt_card.h"

#define API_KNOWN_FILE "tests/api/known-failures.txt"

/* Is NAME listed as a known failure? (Read each time: the list is short and tests are few.) */
static inline bool api_known(const char *name)
{
    if (getenv("API_ALL")) return false;
    FILE *f = fopen(API_KNOWN_FILE, "r");
    if (!f) return false;
    char line[512], k[200];
    bool hit = false;
    while (!hit && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        if (sscanf(line, "%199s", k) == 1 && !strcmp(k, name)) hit = true;
    }
    fclose(f);
    return hit;
}

/* The verdict on one named expectation: true if the suite may go on (it held, or it is a known
 * failure); notes on stderr for known failures and for known failures that pass now. */
static inline bool api_verdict(const char *name, bool held, const char *detail)
{
    bool known = api_known(name);
    if (held && known) fprintf(stderr, "api: %s passes now: remove it from %s\n", name, API_KNOWN_FILE);
    if (!held && known) fprintf(stderr, "api: known failure %s: %s\n", name, detail);
    return held || known;
}

/* A C check with a name: fails the test unless it holds or is a known failure. */
#define API_CHECK(name, cond, ...)                                                     \
    do {                                                                               \
        char api_detail_[512];                                                         \
        snprintf(api_detail_, sizeof api_detail_, __VA_ARGS__);                        \
        ck_assert_msg(api_verdict(name, (cond), api_detail_), "%s: %s", name, api_detail_); \
    } while (0)

/* Does the response equal the expected hex (spaces allowed, ?? any byte)? */
static inline bool api_resp_matches(const vmt_t *t, const char *want_hex)
{
    char want[2048];
    vmt_compact_hex(want_hex, want, sizeof want);
    size_t wl = strlen(want);
    if (wl != 2 * t->rlen) return false;
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < t->rlen; i++) {
        const char *w = want + 2 * i;
        if (w[0] != '?' && w[0] != digits[t->resp[i] >> 4]) return false;
        if (w[1] != '?' && w[1] != digits[t->resp[i] & 15]) return false;
    }
    return true;
}

/* Runs a conversation file (format: tests/api/api2.script). Returns the number of expectations
 * checked; *failed counts the ones that failed and are not known failures; report gets the first. */
static inline int api_run_script(vmt_t *t, const char *path, int *failed, char *report, size_t rcap)
{
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
        if (*p == '>') {
            vmt_compact_hex(p + 1, last, sizeof last);
            vmt_xmit(t, last);
            continue;
        }
        char *colon = strchr(p, ':');
        ck_assert_msg(*p == '<' && colon, "%s:%d: not a '> COMMAND' or '< NAME: RESPONSE' line: %s", path, lineno, p);
        *colon = 0;
        char name[200];
        ck_assert_msg(sscanf(p + 1, "%199s", name) == 1, "%s:%d: expectation without a name", path, lineno);
        checked++;
        char got[2 * 300 + 1], detail[2200];
        vmt_resp_hex(t, got, sizeof got);
        /* Precisions keep every part readable and the whole inside detail (commands here are short). */
        snprintf(detail, sizeof detail, "%.600s -> %.600s, expected %.700s (%.200s)", last, got, colon + 1, t->vm->last_error);
        if (api_verdict(name, api_resp_matches(t, colon + 1), detail)) continue;
        if (*failed < 20 && rep < rcap)
            rep += (size_t)snprintf(report + rep, rcap - rep, "\n  %s:%d %s: %s", path, lineno, name, detail);
        (*failed)++;
    }
    fclose(f);
    return checked;
}

#endif
