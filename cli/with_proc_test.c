/* Tests of the process helpers of `cardlet with` (cli/with_proc.c): spawning with a log, stopping with a deadline
 * (a child that ignores SIGTERM still goes), exit descriptions, temp tree removal, free ports.
 * The cli/ objects are not in a library, so the unit under test is compiled in here. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/with_proc.c"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/with_proc_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { with_remove_tree(tmpdir); }

static bool alive(pid_t pid) { return kill(pid, 0) == 0; }

/* Runs a shell command through with_spawn with its output in log; returns its wait status. */
static int sh_with_log(const char *script, const char *log)
{
    char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
    cl_error_t e;
    pid_t pid = with_spawn(argv, log, NULL, NULL, &e);
    ck_assert_int_gt(pid, 0);
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return st;
}

START_TEST(spawn_writes_log_and_exits)
{
    char log[128];
    snprintf(log, sizeof log, "%s/child.log", tmpdir);
    int st = sh_with_log("echo out; echo err >&2; exit 3", log);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 3);
    cl_error_t e;
    size_t len;
    uint8_t *text = cl_read_file(log, 4096, &len, &e);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, 8);
    ck_assert_mem_eq(text, "out\nerr\n", 8);
    free(text);
    char why[96];
    ck_assert_str_eq(with_describe_status(st, why, sizeof why), "exited with status 3");
}
END_TEST

/* Descriptors 3 and up of this process that a child inherits and that name /dev/null (the environment
 * running the tests may pass some down; they are not with_spawn's doing). */
static unsigned inherited_dev_null(void)
{
    unsigned n = 0;
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    for (struct dirent *de; (de = readdir(d));) {
        int fd = atoi(de->d_name);
        char target[64], link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (fd < 3 || fd == dirfd(d) || k <= 0) continue;
        target[k] = 0;
        if (!strcmp(target, "/dev/null") && !(fcntl(fd, F_GETFD) & FD_CLOEXEC)) n++;
    }
    closedir(d);
    return n;
}

/* The helper gets /dev/null as stdin and the log as stdout/stderr, and no stray descriptor of ours:
 * pcscd and the card daemon run for long and must not hold files they do not use. */
START_TEST(spawned_child_gets_no_stray_descriptor)
{
    char log[128];
    snprintf(log, sizeof log, "%s/fds.log", tmpdir);
    ck_assert(WIFEXITED(sh_with_log("for f in /proc/self/fd/*; do readlink \"$f\"; done", log)));
    cl_error_t e;
    size_t len;
    uint8_t *text = cl_read_file(log, 65536, &len, &e);
    ck_assert_ptr_nonnull(text);
    char *lines = strndup((const char *)text, len); /* cl_read_file does not terminate it */
    free(text);
    ck_assert_ptr_nonnull(lines);
    unsigned nul = 0, logs = 0;
    for (char *l = strtok(lines, "\n"); l; l = strtok(NULL, "\n")) {
        nul += !strcmp(l, "/dev/null");
        logs += !strcmp(l, log);
    }
    free(lines);
    ck_assert_uint_eq(nul, 1 + inherited_dev_null()); /* stdin, and what the test runner passed down */
    ck_assert_uint_eq(logs, 2); /* stdout and stderr */
}
END_TEST

START_TEST(spawned_child_has_its_own_process_group)
{
    char *argv[] = { "/bin/sleep", "5", NULL };
    cl_error_t e;
    pid_t pid = with_spawn(argv, NULL, NULL, NULL, &e);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(getpgid(pid), pid); /* a terminal's ^C for our group does not reach it */
    int st;
    ck_assert_int_eq(with_stop_child(pid, SIGTERM, 2000, &st), WITH_END_STOPPED);
    ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    ck_assert(!alive(pid));
}
END_TEST

static int fail_setup(void *arg)
{
    (void)arg;
    return -1;
}

START_TEST(failing_setup_means_no_exec)
{
    char *argv[] = { "/bin/true", NULL };
    cl_error_t e;
    pid_t pid = with_spawn(argv, NULL, fail_setup, NULL, &e);
    ck_assert_int_gt(pid, 0);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_int_eq(WEXITSTATUS(st), 125);
}
END_TEST

START_TEST(stop_escalates_to_sigkill)
{
    /* A child that ignores SIGTERM: stop must still end it, after the grace period, not hang. */
    char *argv[] = { "/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done", NULL };
    cl_error_t e;
    pid_t pid = with_spawn(argv, NULL, NULL, NULL, &e);
    ck_assert_int_gt(pid, 0);
    usleep(100 * 1000); /* let the shell install its trap */
    uint64_t t0 = cl_now_ns();
    int st;
    ck_assert_int_eq(with_stop_child(pid, SIGTERM, 300, &st), WITH_END_KILLED);
    ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    uint64_t ms = (cl_now_ns() - t0) / 1000000u;
    ck_assert(!alive(pid));
    ck_assert_uint_ge(ms, 250); /* it did wait the grace period first */
    ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1); /* reaped already: no zombie left */
    ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(child_exited_reports_once_reaped)
{
    char *argv[] = { "/bin/sh", "-c", "kill -9 $$", NULL };
    cl_error_t e;
    pid_t pid = with_spawn(argv, NULL, NULL, NULL, &e);
    int st = 0;
    for (int i = 0; i < 200 && !with_child_exited(pid, &st); i++) usleep(10000);
    ck_assert(WIFSIGNALED(st));
    ck_assert_int_eq(WTERMSIG(st), SIGKILL);
    char why[96];
    ck_assert_ptr_nonnull(strstr(with_describe_status(st, why, sizeof why), "killed by signal 9"));
    ck_assert_int_eq(with_stop_child(0, SIGTERM, 10, NULL), WITH_END_NONE);
}
END_TEST

START_TEST(stop_reports_a_child_that_ended_first)
{
    char *argv[] = { "/bin/sh", "-c", "exit 4", NULL };
    cl_error_t e;
    pid_t pid = with_spawn(argv, NULL, NULL, NULL, &e);
    ck_assert_int_gt(pid, 0);
    usleep(200 * 1000);
    int st;
    ck_assert_int_eq(with_stop_child(pid, SIGTERM, 1000, &st), WITH_END_EARLY);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 4);
}
END_TEST

START_TEST(remove_tree_removes_all_but_not_link_targets)
{
    char path[256], outside[128];
    snprintf(outside, sizeof outside, "%s.keep", tmpdir);
    ck_assert_int_eq(mkdir(outside, 0700), 0);
    snprintf(path, sizeof path, "%s/a/b/c", tmpdir);
    char a[160], b[200];
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/a/b", tmpdir);
    ck_assert_int_eq(mkdir(a, 0700), 0);
    ck_assert_int_eq(mkdir(b, 0700), 0);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    char f[300], l[300];
    snprintf(f, sizeof f, "%s/file", path);
    snprintf(l, sizeof l, "%s/link", tmpdir);
    FILE *fp = fopen(f, "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    ck_assert_int_eq(symlink(outside, l), 0);
    ck_assert_int_eq(with_remove_tree(tmpdir), 0);
    struct stat st;
    ck_assert_int_ne(stat(tmpdir, &st), 0);
    ck_assert_int_eq(stat(outside, &st), 0); /* the symlink went, not what it pointed to */
    rmdir(outside);
    ck_assert_int_eq(mkdir(tmpdir, 0700), 0); /* for teardown */
}
END_TEST

START_TEST(free_port_is_bindable)
{
    cl_error_t e;
    unsigned port = with_free_tcp_port(&e);
    ck_assert_uint_gt(port, 0);
    ck_assert_uint_lt(port, 65536);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
}
END_TEST

/* Runs with_print_log_tail with stderr captured into out (NUL-terminated); returns the byte count. */
static size_t capture_log_tail(const char *log, int lines, char *out, size_t cap)
{
    char cap_path[128];
    snprintf(cap_path, sizeof cap_path, "%s/captured", tmpdir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(cap_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    with_print_log_tail("the test log", log, lines);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fopen(cap_path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = 0;
    return n;
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Creates tmpdir/name for writing; its path goes to path (128 bytes). */
static FILE *new_log(const char *name, char path[128])
{
    snprintf(path, 128, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

/* A line longer than a ring slot is shown cut, as one line: it must not push the real last lines out. */
START_TEST(log_tail_keeps_a_long_line_as_one)
{
    char log[128];
    FILE *f = new_log("long.log", log);
    fprintf(f, "first\nsecond\nthird\n");
    for (int i = 0; i < 2000; i++) fputc('x', f);
    fprintf(f, "\nlast\n");
    fclose(f);
    static char out[8192];
    capture_log_tail(log, 3, out, sizeof out);
    ck_assert_msg(strstr(out, "    third\n"), "third line lost: %s", out);
    ck_assert_msg(strstr(out, "    last\n"), "last line lost: %s", out);
    ck_assert_ptr_null(strstr(out, "second"));
    ck_assert_uint_eq(count_lines(out), 1 + 3); /* heading and three lines */
}
END_TEST

/* A caller asking for no lines gets nothing, not a division by zero. */
/* A kill() for us alone is passed on to CMD even when a terminal ^C (the kernel's, which CMD got too) lands
 * before the wait loop looks: the ^C must not overwrite it (the cause of e2e 09's rare hang under load). */
START_TEST(forward_survives_a_later_terminal_signal)
{
    siginfo_t by_kill, by_tty;
    memset(&by_kill, 0, sizeof by_kill);
    memset(&by_tty, 0, sizeof by_tty);
    by_kill.si_code = SI_USER;
    by_tty.si_code = SI_KERNEL;
    with_take_forward();
    with_on_stop_signal(SIGTERM, &by_kill, NULL);
    with_on_stop_signal(SIGINT, &by_tty, NULL);
    ck_assert_int_eq(with_stop_signal, SIGINT);
    ck_assert_int_eq(with_take_forward(), SIGTERM);
    ck_assert_int_eq(with_stop_signal, 0);
    ck_assert_int_eq(with_take_forward(), 0); /* passed on once */
    with_on_stop_signal(SIGINT, &by_tty, NULL);
    ck_assert_int_eq(with_take_forward(), 0); /* a ^C alone is CMD's business */
}
END_TEST

START_TEST(log_tail_of_zero_lines_prints_nothing)
{
    char log[128];
    FILE *f = new_log("short.log", log);
    fprintf(f, "one\ntwo\n");
    fclose(f);
    static char out[1024];
    ck_assert_uint_eq(capture_log_tail(log, 0, out, sizeof out), 0);
    ck_assert_uint_eq(capture_log_tail(log, -3, out, sizeof out), 0);
    ck_assert_uint_gt(capture_log_tail(log, 1, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "    two\n"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("with_proc");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, spawn_writes_log_and_exits);
    tcase_add_test(tc, spawned_child_gets_no_stray_descriptor);
    tcase_add_test(tc, spawned_child_has_its_own_process_group);
    tcase_add_test(tc, failing_setup_means_no_exec);
    tcase_add_test(tc, stop_escalates_to_sigkill);
    tcase_add_test(tc, child_exited_reports_once_reaped);
    tcase_add_test(tc, stop_reports_a_child_that_ended_first);
    tcase_add_test(tc, remove_tree_removes_all_but_not_link_targets);
    tcase_add_test(tc, free_port_is_bindable);
    tcase_add_test(tc, forward_survives_a_later_terminal_signal);
    tcase_add_test(tc, log_tail_keeps_a_long_line_as_one);
    tcase_add_test(tc, log_tail_of_zero_lines_prints_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
