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

static inline bool api_script_verdict(const char *suite, const char *name, bool held, const char *detail)
{
    (void)suite;
    return api_verdict(name, held, detail);
}

/* Runs a conversation file (format: tests/api/api2.script, every expectation named; tests/vm's
 * runner). Returns the number of expectations checked; *failed counts the ones that failed and
 * are not known failures; report gets the first. */
static inline int api_run_script(vmt_t *t, const char *path, int *failed, char *report, size_t rcap)
{
    return vmt_run_script_with(t, "api", path, true, api_script_verdict, failed, report, rcap);
}

#endif
