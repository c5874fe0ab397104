/* Opcode coverage by execution: every JCVM instruction of cap/jc_opcodes.h must actually run.
 *
 * Presence in a CAP file proves nothing about the interpreter (a dead or skipped case would stay
 * green), so this test counts what the VM executes: it runs the conformance suite
 * (vm_conform_test: every command of expected/conform.txt and conform16.txt against vmconform and
 * vmconform16, the full run, no subset: 4-8 s plain, 15-20 s under ASan) and the
 * hand-assembled programs (vm_handasm_test) as child processes with CARDLET_VM_TRACE=1, reads
 * their stderr through a pipe and counts the mnemonic of every "vm trace:" line the interpreter
 * logs (vm/vm_interp.c, one line per instruction, through cl_info).
 *
 * Running the sibling programs, not a copy of their loops, keeps one definition of "the
 * conformance run" and keeps every sanitizer report of the traced run visible (the parent reads
 * until EOF and shows the child's other output when it fails).
 *
 * Verdict: an opcode executed zero times in both runs fails the test, by name. The three opcodes
 * no Java source produces with javac + our converter (not_emitted) may come from the
 * hand-assembled programs alone; every other opcode must run in the conformance run, so that a
 * converter change that stops emitting one (e.g. swap_x, sinc_w, which vm_handasm_test also runs)
 * is noticed. docs/testing-vm.md "Coverage" describes how the failure was shown. */
#include "cap/jc_opcodes.h"
#include "tests/vm/vmt_card.h"

#include <errno.h>
#include <sys/wait.h>

/* Opcodes javac + our converter do not emit from any Java source (javac 8+ has no jsr/ret;
 * the converter never picks these forms): run by tests/vm/vm_handasm_test.c instead. */
static const struct { int op; const char *why; } not_emitted[] = {
    { JC_nop, "javac emits no nop" },
    { JC_jsr, "javac (class version >= 51) inlines finally, no jsr" },
    { JC_ret, "no jsr, so no ret" },
};

static bool not_emittable(int op)
{
    for (size_t i = 0; i < sizeof not_emitted / sizeof not_emitted[0]; i++)
        if (not_emitted[i].op == op) return true;
    return false;
}

/* Counts per mnemonic text: a small open-addressing table in front of jc_opcode_by_name (a
 * linear search), which is asked once per distinct mnemonic instead of millions of times. */
#define NAME_SLOTS 512
#define NAME_MAX_LEN 24
typedef struct {
    struct { char name[NAME_MAX_LEN]; long n; } slot[NAME_SLOTS];
    long lines;                 /* trace lines counted */
    long bad_lines;             /* trace lines without a usable mnemonic */
    char other[4096];           /* the child's first lines that are not trace lines */
    size_t other_len;
} trace_count_t;

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void count_name(trace_count_t *tc, const char *s, size_t n)
{
    if (n == 0 || n >= NAME_MAX_LEN) { tc->bad_lines++; return; }
    for (uint32_t i = name_hash(s, n) % NAME_SLOTS, probes = 0; probes < NAME_SLOTS; i = (i + 1) % NAME_SLOTS, probes++) {
        if (!tc->slot[i].name[0]) {
            memcpy(tc->slot[i].name, s, n);
            tc->slot[i].name[n] = 0;
        } else if (strncmp(tc->slot[i].name, s, n) || tc->slot[i].name[n]) {
            continue;
        }
        tc->slot[i].n++;
        tc->lines++;
        return;
    }
    tc->bad_lines++; /* more distinct names than slots: not a trace we understand */
}

/* One line of the child's output (without the newline). The mnemonic is the last word of a
 * "vm trace: pkg P ctx C pc PC sp SP MNEMONIC" line. */
static void count_line(trace_count_t *tc, const char *line, size_t len)
{
    static const char marker[] = "vm trace: ";
    const char *m = memmem(line, len, marker, sizeof marker - 1);
    if (!m) {
        if (tc->other_len < sizeof tc->other - 1) {
            int w = snprintf(tc->other + tc->other_len, sizeof tc->other - tc->other_len, "  | %.*s\n", (int)len, line);
            if (w > 0) tc->other_len += (size_t)w;
            if (tc->other_len > sizeof tc->other - 1) tc->other_len = sizeof tc->other - 1;
        }
        return;
    }
    const char *end = line + len, *word = end;
    while (word > m && word[-1] != ' ') word--;
    count_name(tc, word, (size_t)(end - word));
}

/* Reads fd to EOF, splitting lines; a line longer than the buffer (cl_log lines are at most
 * 1 KB) is counted as not a trace line. */
static void count_stream(trace_count_t *tc, int fd)
{
    static char buf[1 << 16];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have += (size_t)r;
        size_t start = 0;
        for (char *nl; (nl = memchr(buf + start, '\n', have - start)) != NULL; start = (size_t)(nl - buf) + 1)
            count_line(tc, buf + start, (size_t)(nl - buf) - start);
        if (start == 0 && have == sizeof buf) { tc->bad_lines++; have = 0; continue; }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    if (have) count_line(tc, buf, have);
}

/* Runs <BUILD>/test/tests/vm/<prog> with tracing on, stdout and stderr into the counter.
 * Returns its wait status. */
static int run_traced(const char *build_dir, const char *prog, trace_count_t *tc)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/test/tests/vm/%s", build_dir, prog);
    ck_assert_msg(access(path, X_OK) == 0, "%s missing (a prerequisite of vm_coverage_test in tests/vm/module.mk)", path);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        setenv("CARDLET_VM_TRACE", "1", 1);
        /* The whole suite, whatever selection the caller made for this program. */
        unsetenv("CK_RUN_CASE");
        unsetenv("CK_RUN_SUITE");
        unsetenv("CK_INCLUDE_TAGS");
        unsetenv("CK_EXCLUDE_TAGS");
        execl(path, prog, (char *)NULL);
        fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(p[1]);
    count_stream(tc, p[0]);
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

/* Adds tc's counts per opcode into counts; returns how many distinct opcodes ran. */
static int to_opcodes(const trace_count_t *tc, long counts[JC_OPCODE_LAST + 1], char *unknown, size_t ucap)
{
    int distinct = 0;
    size_t un = 0;
    unknown[0] = 0;
    for (int i = 0; i < NAME_SLOTS; i++) {
        if (!tc->slot[i].name[0]) continue;
        int op = jc_opcode_by_name(tc->slot[i].name);
        if (op < 0) {
            if (un < ucap) un += (size_t)snprintf(unknown + un, ucap - un, " %s", tc->slot[i].name);
            continue;
        }
        counts[op] += tc->slot[i].n;
        distinct++;
    }
    return distinct;
}

static bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

static const char *describe_status(int status, char *buf, size_t cap)
{
    if (WIFEXITED(status)) snprintf(buf, cap, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) snprintf(buf, cap, "killed by signal %d", WTERMSIG(status));
    else snprintf(buf, cap, "status %d", status);
    return buf;
}

/* Checks one traced run: it passed, its trace has lines and only mnemonics of jc_opcodes.
 * Returns the number of instructions it executed. */
static long check_run(const char *prog, int status, const trace_count_t *tc, long counts[JC_OPCODE_LAST + 1])
{
    char unknown[512], st[64];
    if (!exited_ok(status)) fprintf(stderr, "%s output (not trace lines):\n%s", prog, tc->other);
    ck_assert_msg(exited_ok(status), "%s under CARDLET_VM_TRACE=1: %s (its output above); coverage is judged on passing runs only", prog,
                  describe_status(status, st, sizeof st));
    ck_assert_msg(tc->lines > 0, "%s: no 'vm trace:' line on stderr (does vm/vm_interp.c still honour CARDLET_VM_TRACE?)", prog);
    int distinct = to_opcodes(tc, counts, unknown, sizeof unknown);
    ck_assert_msg(tc->bad_lines == 0 && !unknown[0], "%s: %ld trace lines without a mnemonic, names not in jc_opcodes:%s", prog,
                  tc->bad_lines, unknown);
    fprintf(stderr, "vm_coverage: %s executed %ld instructions, %d distinct opcodes\n", prog, tc->lines, distinct);
    return tc->lines;
}

static trace_count_t conform_trace, handasm_trace;

START_TEST(every_opcode_is_executed)
{
    vmt_t t;
    memset(&t, 0, sizeof t);
    vmt_find_build_dir(&t);
    static long from_java[JC_OPCODE_LAST + 1], by_hand[JC_OPCODE_LAST + 1];
    memset(from_java, 0, sizeof from_java);
    memset(by_hand, 0, sizeof by_hand);
    memset(&conform_trace, 0, sizeof conform_trace);
    memset(&handasm_trace, 0, sizeof handasm_trace);

    int st = run_traced(t.build_dir, "vm_conform_test", &conform_trace);
    check_run("vm_conform_test", st, &conform_trace, from_java);
    st = run_traced(t.build_dir, "vm_handasm_test", &handasm_trace);
    check_run("vm_handasm_test", st, &handasm_trace, by_hand);

    /* Zero executions anywhere; converter-emittable opcodes that ran only by hand. */
    char never[2048] = "", hand_only[1024] = "";
    size_t nn = 0, hn = 0;
    int total = 0, executed = 0, fewest_op = -1;
    for (int op = 0; op <= JC_OPCODE_LAST; op++) {
        const char *name = jc_opcode_name(op);
        if (!name) continue;
        total++;
        if (from_java[op] + by_hand[op] == 0) {
            if (nn < sizeof never) nn += (size_t)snprintf(never + nn, sizeof never - nn, " %s", name);
            continue;
        }
        executed++;
        if (!not_emittable(op) && from_java[op] == 0) {
            if (hn < sizeof hand_only) hn += (size_t)snprintf(hand_only + hn, sizeof hand_only - hn, " %s", name);
            continue;
        }
        if (!not_emittable(op) && (fewest_op < 0 || from_java[op] < from_java[fewest_op])) fewest_op = op;
    }
    ck_assert_int_eq(total, JC_OPCODE_COUNT);
    fprintf(stderr, "vm_coverage: %d of %d opcodes executed", executed, total);
    if (fewest_op >= 0)
        fprintf(stderr, " (fewest in the conformance run: %s, %ld times; nop %ld, jsr %ld, ret %ld by hand)",
                jc_opcode_name(fewest_op), from_java[fewest_op], by_hand[JC_nop], by_hand[JC_jsr], by_hand[JC_ret]);
    fprintf(stderr, "\n");
    ck_assert_msg(!never[0] && !hand_only[0],
                  "opcodes executed zero times (conformance run + hand-assembled programs):%s; "
                  "converter-emitted opcodes no converted Java executed (run only by vm_handasm_test):%s",
                  never[0] ? never : " none", hand_only[0] ? hand_only : " none");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_coverage");
    TCase *tc = tcase_create("opcodes");
    /* Two traced child runs: 4-8 s plain, 15-20 s under ASan; headroom for a loaded machine. */
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, every_opcode_is_executed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
