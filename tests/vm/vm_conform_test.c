/* Differential test of the converter + VM: the computations of applets/tests/vm/vmconform (and the
 * short-only applets/tests/vm/vmconform16, expected/conform16.txt) run
 * on the card (converted by `cardlet cap build`, installed into a fresh card image) and on the
 * host JVM (tests/vm/java/.../Harness.java, run at build time). Every APDU of the host's list
 * <BUILD>/tests/vm/expected/conform.txt ("NAME COMMAND EXPECTED") is sent through
 * card_transmit and the card's response must equal the JVM's.
 *
 * Known failures (tests/vm/known-failures.txt, documented in docs/testing-vm.md) are still sent,
 * so that static state stays in step with the host, but not compared; set VMT_ALL=1 to compare
 * them too (what the owners run to check a fix). */
#include "tests/vm/vmt_card.h"

#include <ctype.h>

#define CONFORM_AID "F063617264100101"
#define CONFORM16_AID "F063617264160101"
#define MAX_REPORTED 25

static vmt_t t;

static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

/* Known failures: lines "NAME" (the whole group.op) or "NAME COMMAND-HEX", '#' comments. */
typedef struct {
    char name[32];
    char cmd[160];                  /* empty: every command of NAME */
} known_t;

static known_t known[64];
static int known_count;

static void load_known(void)
{
    known_count = 0;
    FILE *f = fopen("tests/vm/known-failures.txt", "r");
    if (!f) return;                 /* no file: nothing is skipped */
    char line[512];
    while (fgets(line, sizeof line, f) && known_count < (int)(sizeof known / sizeof known[0])) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        known_t k = { "", "" };
        int n = sscanf(line, "%31s %159s", k.name, k.cmd);
        if (n >= 1 && strncmp(k.name, "conform:", 8) == 0) {
            memmove(k.name, k.name + 8, strlen(k.name + 8) + 1);
            known[known_count++] = k;
        }
    }
    fclose(f);
}

static bool is_known(const char *name, const char *cmd)
{
    for (int i = 0; i < known_count; i++)
        if (!strcmp(known[i].name, name) && (!known[i].cmd[0] || !strcasecmp(known[i].cmd, cmd))) return true;
    return false;
}

/* Installs CAP name with applet aid, sends every command of expected/<file> in order and compares. */
static void run_expected(const char *file, const char *cap, const char *aid, int min_commands)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/tests/vm/expected/%s", t.build_dir, file);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing (made by tests/vm/module.mk)", path);
    load_known();
    bool all = getenv("VMT_ALL") != NULL;

    vmt_install(&t, cap, aid, NULL);
    vmt_select(&t, aid);

    static char report[MAX_REPORTED * 400 + 64];
    size_t rep = 0;
    /* Failing cases by name, so one message shows every construct that disagrees. */
    static struct { char name[64]; int n; } fails[128];
    int nfails = 0;
    int total = 0, failed = 0, skipped = 0, now_pass = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char name[64], cmd[600], want[600];
        if (sscanf(line, "%63s %599s %599s", name, cmd, want) != 3) continue;
        total++;
        vmt_xmit(&t, cmd);
        char got[2 * 600 + 1];
        vmt_resp_hex(&t, got, sizeof got);
        bool same = !strcasecmp(got, want);
        if (!all && is_known(name, cmd)) {
            skipped++;
            if (same) now_pass++;
            continue;
        }
        if (!same) {
            if (failed < MAX_REPORTED)
                rep += (size_t)snprintf(report + rep, sizeof report - rep, "\n  %s %s: got %s, JVM %s (%s)", name, cmd, got,
                                        want, t.vm->last_error);
            failed++;
            int k = 0;
            while (k < nfails && strcmp(fails[k].name, name)) k++;
            if (k == nfails && nfails < (int)(sizeof fails / sizeof fails[0])) snprintf(fails[nfails++].name, sizeof fails[0].name, "%s", name);
            if (k < nfails) fails[k].n++;
        }
    }
    fclose(f);
    static char names[128 * 72 + 16];
    size_t nn = 0;
    for (int k = 0; k < nfails && nn < sizeof names; k++)
        nn += (size_t)snprintf(names + nn, sizeof names - nn, " %s(%d)", fails[k].name, fails[k].n);
    if (now_pass)
        fprintf(stderr, "vm_conform: %d of %d commands of known-failure cases answer like the JVM (tests/vm/known-failures.txt)\n",
                now_pass, skipped);
    ck_assert_msg(total >= min_commands, "only %d commands in %s", total, path);
    ck_assert_msg(failed == 0, "%d of %d commands differ from the JVM (%d known failures skipped); cases:%s%s", failed, total,
                  skipped, names, report);
}

START_TEST(card_equals_host_jvm)
{
    run_expected("conform.txt", "vmconform", CONFORM_AID, 20000);
}
END_TEST

/* The int-no package: random short expressions and programs through the short-only conversion. */
START_TEST(short_only_card_equals_host_jvm)
{
    run_expected("conform16.txt", "vmconform16", CONFORM16_AID, 1500);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_conform");
    TCase *tc = tcase_create("differential");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, card_equals_host_jvm);
    tcase_add_test(tc, short_only_card_equals_host_jvm);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
