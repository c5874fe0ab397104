/* with_proc: child processes of `cardlet with` (spawn, stop, reap), its stop signals, temp dir removal. */
#include "cli/with.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile int with_stop_signal;
volatile int with_stop_from_tty;
volatile int with_stop_forward;

void with_on_stop_signal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    with_stop_signal = sig;
    /* Sent by the kernel (the terminal's ^C, ^\, hangup), not by kill(): the whole foreground process group,
     * CMD included, got it too. */
    with_stop_from_tty = info && info->si_code == SI_KERNEL;
    if (!with_stop_from_tty) with_stop_forward = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

void with_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = with_on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: waitpid/nanosleep return EINTR so loops notice at once */
    for (size_t i = 0; i < CL_ARRAY_LEN(stop_signals); i++) sigaction(stop_signals[i], &sa, NULL);
}

int with_take_forward(void)
{
    sigset_t blk, prev;
    with_signals_block(&blk, &prev);
    int fwd = with_stop_forward;
    with_stop_forward = 0;
    with_stop_signal = 0;
    sigprocmask(SIG_SETMASK, &prev, NULL);
    return fwd;
}

void with_signals_block(sigset_t *block, sigset_t *old)
{
    sigemptyset(block);
    for (size_t i = 0; i < CL_ARRAY_LEN(stop_signals); i++) sigaddset(block, stop_signals[i]);
    sigprocmask(SIG_BLOCK, block, old);
}

void with_signals_default(void)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(stop_signals); i++) signal(stop_signals[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t with_spawn(char *const argv[], const char *log, with_child_setup_fn setup, void *arg, cl_error_t *e)
{
    pid_t parent = getpid();
    /* Stop signals stay blocked across fork until the child has default handlers: a SIGTERM sent right after
     * the fork then kills the child instead of running the parent's handler in it and being lost. */
    sigset_t block, old;
    with_signals_block(&block, &old);
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        cl_seterr(e, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid > 0) {
        setpgid(pid, pid); /* also done in the child: whichever runs first wins the race harmlessly */
        sigprocmask(SIG_SETMASK, &old, NULL);
        return pid;
    }
    with_signals_default();
    setpgid(0, 0);
    /* If `cardlet with` is killed outright, its helpers must not outlive it. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(125);
    if (setup && setup(arg) != 0) _exit(125);
    if (log) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0) {
            fprintf(stderr, "cardlet with: cannot open %s: %s\n", log, strerror(errno));
            _exit(125);
        }
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC); /* only its copy on stdin outlives exec */
        if (nul > STDIN_FILENO) dup2(nul, STDIN_FILENO);
        else if (nul == STDIN_FILENO) fcntl(nul, F_SETFD, 0); /* stdin was closed: this is it */
    }
    execv(argv[0], argv);
    fprintf(stderr, "cardlet with: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

bool with_child_exited(pid_t pid, int *status)
{
    if (pid <= 0) return false;
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
        if (status) *status = st;
        return true;
    }
    if (r < 0 && errno == ECHILD) { /* already reaped elsewhere */
        if (status) *status = 0;
        return true;
    }
    return false;
}

enum with_end with_stop_child(pid_t pid, int sig, int grace_ms, int *status)
{
    int st = 0;
    if (status) *status = 0;
    if (pid <= 0) return WITH_END_NONE;
    if (with_child_exited(pid, &st)) {
        if (status) *status = st;
        return WITH_END_EARLY;
    }
    kill(pid, sig);
    uint64_t deadline = cl_now_ns() + (uint64_t)grace_ms * 1000000u;
    while (cl_now_ns() < deadline) {
        if (with_child_exited(pid, &st)) {
            if (status) *status = st;
            return WITH_END_STOPPED;
        }
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (status) *status = st;
    return WITH_END_KILLED;
}

const char *with_describe_status(int status, char *buf, size_t cap)
{
    if (WIFEXITED(status)) snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else snprintf(buf, cap, "ended (wait status 0x%x)", (unsigned)status);
    return buf;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    if (remove(path) != 0 && errno != ENOENT) return -1;
    return 0;
}

int with_remove_tree(const char *dir)
{
    if (!dir || !*dir) return 0;
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void with_print_log_tail(const char *what, const char *path, int lines)
{
    if (lines < 1) return;
    FILE *f = fopen(path, "r");
    if (!f) return;
    /* Keep the last `lines` lines in a ring of fixed-size slots: logs can be large, we only need the end. */
    enum { SLOT = 512, MAXL = 40 };
    static char ring[MAXL][SLOT];
    if (lines > MAXL) lines = MAXL;
    int count = 0;
    while (fgets(ring[count % lines], SLOT, f)) {
        size_t n = strlen(ring[count % lines]);
        /* A line that filled its slot was cut: drop its rest so that it stays one line of the tail. */
        if (n + 1 == SLOT && ring[count % lines][n - 1] != '\n') {
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {}
        }
        count++;
    }
    fclose(f);
    if (!count) return;
    fprintf(stderr, "cardlet with: last lines of %s (%s):\n", what, path);
    int first = count > lines ? count - lines : 0;
    for (int i = first; i < count; i++) {
        char *l = ring[i % lines];
        size_t n = strlen(l);
        fprintf(stderr, "    %s%s", l, (n && l[n - 1] == '\n') ? "" : "\n");
    }
}

void with_sleep_ms(int ms)
{
    if (with_stop_signal) return;
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

unsigned with_free_tcp_port(cl_error_t *e)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        cl_seterr(e, "socket: %s", strerror(errno));
        return 0;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        cl_seterr(e, "cannot find a free TCP port on 127.0.0.1: %s", strerror(errno));
        close(fd);
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}
