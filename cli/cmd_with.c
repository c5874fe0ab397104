/* cardlet with: runs a command against a private PC/SC stack: its own pcscd (in a private mount namespace,
 * loading only our reader driver), a card daemon inserted in that reader, and CMD with PCSCLITE_CSOCK_NAME
 * pointing at it. Everything started is stopped again, on success, on error and on SIGINT/SIGTERM. */
#include "cli/cli.h"
#include "cli/with.h"
#include "common/cl_util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WITH_DEFAULT_TIMEOUT_MS 10000
#define VICC_MODULE_DIR "/usr/lib/python3/site-packages/virtualsmartcard"
#define CRYPTODOME_DIR "/usr/lib/python3/dist-packages/Cryptodome"

struct with_opts {
    const char *card;      /* --card IMAGE: persistent image; default a fresh one in the temp dir */
    const char *size;      /* --size N: passed to the card daemon for a new image */
    const char *driver;    /* --driver PATH */
    bool keep, verbose, no_card, vicc;
    enum with_reader_driver reader_driver;
    int timeout_ms;
    char **cmd;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cardlet with [OPTIONS] [--] CMD [ARGS...]\n"
            "Runs CMD against a private pcscd with a cardlet reader and card; exits with CMD's status.\n\n"
            "  --card IMAGE         card image to use (created if missing, kept); default: a fresh temporary one\n"
            "  --size N             size in bytes of a newly created image (passed to `cardlet card`)\n"
            "  --no-card            start no card: CMD starts `cardlet card --reader \"$CARDLET_READER\"` itself\n"
            "  --vicc               insert vsmartcard's vicc (a Python ISO 7816 card) instead of a cardlet card\n"
            "  --reader-driver D    cardlet (default: our libifdcardlet.so) or vpcd (vsmartcard's driver)\n"
            "  --driver PATH        the reader driver .so (default: $CARDLET_DRIVER, else beside this binary)\n"
            "  --timeout SECONDS    how long to wait for pcscd, the reader and the card (default 10)\n"
            "  --keep               keep the temp dir (image, logs, config) and print its path\n"
            "  -v, --verbose        pcscd debug log (pcscd -d) kept in the temp dir, progress on stderr\n\n"
            "CMD sees: PCSCLITE_CSOCK_NAME (the private pcscd), CARDLET_READER (address for `cardlet card --reader`),\n"
            "CARDLET_READER_NAME (the PC/SC reader name), CARDLET_IMAGE (the card image), CARDLET_WITH_DIR.\n"
            "Exit status: CMD's (128+N if killed by signal N); 1 if the stack could not be set up; 2 bad usage.\n");
}

static int parse_timeout(const char *s, int *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || v > 3600) return -1;
    *ms = (int)(v * 1000);
    return *ms > 0 ? 0 : -1;
}

/* Returns 0, 1 for --help (done), or 2 after printing what is wrong. */
static int parse_opts(int argc, char **argv, struct with_opts *o)
{
    enum { O_CARD = 256, O_SIZE, O_KEEP, O_NOCARD, O_VICC, O_RDRV, O_DRIVER, O_TIMEOUT };
    static const struct option longs[] = {
        { "card", required_argument, 0, O_CARD },       { "size", required_argument, 0, O_SIZE },
        { "keep", no_argument, 0, O_KEEP },             { "no-card", no_argument, 0, O_NOCARD },
        { "vicc", no_argument, 0, O_VICC },             { "reader-driver", required_argument, 0, O_RDRV },
        { "driver", required_argument, 0, O_DRIVER },   { "timeout", required_argument, 0, O_TIMEOUT },
        { "verbose", no_argument, 0, 'v' },             { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->timeout_ms = WITH_DEFAULT_TIMEOUT_MS;
    optind = 1;
    opterr = 0;
    int c;
    /* '+': stop at the first non-option, so CMD's own options are never taken for ours. */
    while ((c = getopt_long(argc, argv, "+vh", longs, NULL)) != -1) {
        switch (c) {
        case O_CARD: o->card = optarg; break;
        case O_SIZE: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 0);
            if (errno || end == optarg || *end || v == 0 || v > UINT32_MAX || optarg[0] == '-') {
                fprintf(stderr, "cardlet with: --size wants a positive byte count, got '%s'\n", optarg);
                return 2;
            }
            o->size = optarg;
            break;
        }
        case O_KEEP: o->keep = true; break;
        case O_NOCARD: o->no_card = true; break;
        case O_VICC: o->vicc = true; break;
        case O_RDRV:
            if (!strcmp(optarg, "cardlet")) o->reader_driver = WITH_DRIVER_CARDLET;
            else if (!strcmp(optarg, "vpcd")) o->reader_driver = WITH_DRIVER_VPCD;
            else {
                fprintf(stderr, "cardlet with: --reader-driver is 'cardlet' or 'vpcd', not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_DRIVER: o->driver = optarg; break;
        case O_TIMEOUT:
            if (parse_timeout(optarg, &o->timeout_ms) != 0) {
                fprintf(stderr, "cardlet with: --timeout wants seconds (0 < s <= 3600), got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); return 1;
        default:
            if (optopt && optopt < 256) fprintf(stderr, "cardlet with: unknown option '-%c'\n", optopt);
            else if (optopt) fprintf(stderr, "cardlet with: option '%s' needs a value\n", argv[optind - 1]);
            else fprintf(stderr, "cardlet with: unknown option '%s'\n", argv[optind - 1]);
            fprintf(stderr, "usage: cardlet with [OPTIONS] [--] CMD [ARGS...]   (cardlet with --help)\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "cardlet with: no command given\nusage: cardlet with [OPTIONS] [--] CMD [ARGS...]\n");
        return 2;
    }
    if (o->no_card && (o->vicc || o->card || o->size)) {
        fprintf(stderr, "cardlet with: --no-card cannot be combined with --vicc, --card or --size\n");
        return 2;
    }
    if (o->vicc && (o->card || o->size)) {
        fprintf(stderr, "cardlet with: --vicc uses vicc's own card: --card/--size do not apply\n");
        return 2;
    }
    if (o->card && !*o->card) {
        fprintf(stderr, "cardlet with: --card wants a file name\n");
        return 2;
    }
    o->cmd = argv + optind;
    return 0;
}

/* Our driver: --driver, $CARDLET_DRIVER, beside the binary (build tree), or the installed location. */
static int find_driver(const struct with_opts *o, struct with_run *run, cl_error_t *e)
{
    if (run->reader_driver == WITH_DRIVER_VPCD) {
        if (o->driver) snprintf(run->driver_path, sizeof run->driver_path, "%s", o->driver);
        return 0;
    }
    const char *env = getenv("CARDLET_DRIVER");
    const char *given = o->driver ? o->driver : (env && *env ? env : NULL);
    char cand[2][PATH_MAX + 32];
    int n = 0;
    if (given) snprintf(cand[n++], sizeof cand[0], "%s", given);
    else {
        snprintf(cand[n++], sizeof cand[0], "%s/../lib/libifdcardlet.so", cli_self_dir());
        snprintf(cand[n++], sizeof cand[0], "%s/../lib/cardlet/libifdcardlet.so", cli_self_dir());
    }
    for (int i = 0; i < n; i++) {
        char abs[PATH_MAX];
        if (realpath(cand[i], abs) && access(abs, R_OK) == 0) {
            snprintf(run->driver_path, sizeof run->driver_path, "%s", abs);
            return 0;
        }
    }
    cl_seterr(e, "reader driver not found: %s%s (build it with `make`, or give --driver / $CARDLET_DRIVER)", cand[0],
              n > 1 ? " nor ../lib/cardlet/libifdcardlet.so" : "");
    return -1;
}

/* ---- the card: `cardlet card`, or vicc ---- */

static int vicc_setup(void *arg)
{
    const struct with_run *run = arg;
    /* Debian's vicc: its modules are off sys.path and it imports Crypto.* while Debian ships Cryptodome;
     * a link in our own dir on PYTHONPATH fixes both without touching system dirs. */
    char py[sizeof run->dir + 8], link[sizeof run->dir + 16], path[sizeof run->dir + 128];
    snprintf(py, sizeof py, "%s/py", run->dir);
    snprintf(link, sizeof link, "%s/Crypto", py);
    if ((mkdir(py, 0700) != 0 && errno != EEXIST) || (symlink(CRYPTODOME_DIR, link) != 0 && errno != EEXIST)) {
        fprintf(stderr, "cardlet with: cannot prepare vicc's PYTHONPATH in %s: %s\n", py, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s:%s", py, VICC_MODULE_DIR);
    setenv("PYTHONPATH", path, 1);
    return 0;
}

static int start_card(const struct with_opts *o, struct with_run *run, const char *image, cl_error_t *e)
{
    char port[16];
    snprintf(port, sizeof port, "%u", run->port);
    if (o->vicc) {
        if (access("/usr/bin/vicc", X_OK) != 0 || access(CRYPTODOME_DIR, R_OK) != 0) {
            cl_seterr(e, "vicc not usable: install vsmartcard-vpicc and python3-pycryptodome");
            return -1;
        }
        char *argv[] = { "/usr/bin/vicc", "-t", "iso7816", "-H", "127.0.0.1", "-P", port, NULL };
        run->card_pid = with_spawn(argv, run->card_log, vicc_setup, run, e);
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            cl_seterr(e, "cannot find the cardlet binary: %s", strerror(errno));
            return -1;
        }
        self[n] = 0;
        char *argv[12];
        int i = 0;
        argv[i++] = self;
        argv[i++] = "card";
        argv[i++] = "--card";
        argv[i++] = (char *)image;
        argv[i++] = "--reader";
        argv[i++] = run->reader_addr;
        if (o->size) {
            argv[i++] = "--size";
            argv[i++] = (char *)o->size;
        }
        if (o->verbose) argv[i++] = "-v"; /* the daemon then logs each APDU's header and SW, never data */
        argv[i] = NULL;
        run->card_pid = with_spawn(argv, run->card_log, NULL, NULL, e);
    }
    return run->card_pid > 0 ? 0 : -1;
}

/* ---- CMD ---- */

static int run_cmd(char **cmd, int *exit_status)
{
    pid_t parent = getpid();
    sigset_t block, old;
    with_signals_block(&block, &old); /* see with_spawn: no signal lost between fork and exec */
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        cl_err("fork: %s", strerror(errno));
        return -1;
    }
    if (pid > 0) sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid == 0) {
        with_signals_default();
        /* CMD is useless without our pcscd: if we are killed outright it gets SIGTERM too. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(125);
        execvp(cmd[0], cmd);
        int err = errno;
        fprintf(stderr, "cardlet with: cannot run '%s': %s\n", cmd[0], strerror(err));
        _exit(err == ENOENT ? 127 : 126);
    }
    int forwarded = 0, st = 0;
    for (;;) {
        /* Wait in short slices and look at the flag every time: a signal that lands just before a blocking
         * waitpid would run its handler without interrupting anything, and CMD would never be told. */
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            cl_err("waitpid: %s", strerror(errno));
            return -1;
        }
        if (r == 0 && !with_stop_signal) nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
        if (with_stop_signal) {
            /* A ^C from the terminal reached CMD as well (same process group): CMD decides, as an interactive
             * shell ignoring it would. A signal sent to us alone is passed on once; a second one kills CMD,
             * so we never hang on it. The flags are taken with the signals blocked: a kill() landing between
             * a check and the clearing (or a ^C right after it) must not be lost. */
            int fwd = with_take_forward();
            if (fwd) {
                kill(pid, forwarded ? SIGKILL : fwd);
                forwarded++;
            }
        }
    }
    if (WIFEXITED(st)) *exit_status = WEXITSTATUS(st);
    else if (WIFSIGNALED(st)) *exit_status = 128 + WTERMSIG(st);
    else *exit_status = 1;
    return 0;
}

static void export_env(const struct with_run *run, const char *image)
{
    setenv("PCSCLITE_CSOCK_NAME", run->csock, 1);
    setenv("CARDLET_WITH_DIR", run->dir, 1);
    setenv("CARDLET_READER", run->reader_addr, 1);
    if (image) setenv("CARDLET_IMAGE", image, 1);
}

static int cmd_with(int argc, char **argv)
{
    struct with_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    if (o.verbose) cl_log_level = 2;

    static struct with_run run; /* large; one per process */
    memset(&run, 0, sizeof run);
    run.reader_driver = o.reader_driver;
    run.pcscd_debug = o.verbose;
    cl_error_t e = { "" };
    int status = 1;
    bool setup_failed = true;
    char image[PATH_MAX + 16] = "";
    const char *pcscd = getenv("CARDLET_PCSCD");
    if (!pcscd || !*pcscd) pcscd = "/usr/sbin/pcscd";

    with_signals_install();
    if (find_driver(&o, &run, &e) != 0) goto out;
    if (with_make_dir(&run, &e) != 0) goto out;
    /* vpcd and vicc speak TCP; everything else uses a unix socket in our private dir. */
    if (run.reader_driver == WITH_DRIVER_VPCD || o.vicc) {
        run.port = with_free_tcp_port(&e);
        if (!run.port) goto out;
    }
    if (with_write_config(&run, &e) != 0) goto out;
    if (!o.no_card && !o.vicc) {
        if (o.card) {
            if (o.card[0] == '/') snprintf(image, sizeof image, "%s", o.card);
            else {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof cwd)) {
                    cl_seterr(&e, "getcwd: %s", strerror(errno));
                    goto out;
                }
                snprintf(image, sizeof image, "%s/%s", cwd, o.card);
            }
        } else {
            snprintf(image, sizeof image, "%s/card.img", run.dir);
        }
    }
    export_env(&run, image[0] ? image : NULL); /* before the first libpcsclite call: it reads the socket name once */
    cl_debug("private dir %s, driver %s, reader address %s", run.dir, run.driver_path, run.reader_addr);

    if (with_start_pcscd(&run, pcscd, &e) != 0) goto out;
    if (with_wait_reader(&run, o.timeout_ms, &e) != 0) goto out;
    setenv("CARDLET_READER_NAME", run.reader_name, 1);
    cl_debug("pcscd up (pid %d), reader \"%s\"", (int)run.pcscd_pid, run.reader_name);
    if (!o.no_card) {
        if (start_card(&o, &run, image, &e) != 0) goto out;
        if (with_wait_card(&run, true, o.timeout_ms, &e) != 0) goto out;
        cl_debug("card present (daemon pid %d)", (int)run.card_pid);
    }
    setup_failed = false;
    if (run_cmd(o.cmd, &status) != 0) status = 1;

out:
    if (setup_failed) {
        cl_err("%s", e.msg[0] ? e.msg : "setup failed");
        if (run.pcscd_log[0]) with_print_log_tail("pcscd's log", run.pcscd_log, 15);
        if (run.card_log[0]) with_print_log_tail("the card's log", run.card_log, 15);
        if (run.dir[0] && !o.keep && !o.verbose)
            fprintf(stderr, "cardlet with: the logs go away with %s; rerun with -v to keep them (and pcscd -d)\n", run.dir);
        status = with_stop_signal ? 128 + with_stop_signal : 1;
    }
    /* Card first (it is a client of the driver), then pcscd. SIGTERM, not SIGINT: with SIGINT pcscd closes
     * its channels politely but takes ~1.5 s; our temp dir (sockets included) goes away anyway. */
    int card_st = 0;
    bool card_was_running = run.card_pid > 0;
    enum with_end card_end = with_stop_child(run.card_pid, SIGTERM, 2000, &card_st);
    cl_debug("card daemon stopped");
    with_stop_child(run.pcscd_pid, SIGTERM, 3000, NULL);
    cl_debug("pcscd stopped");
    /* A card that crashed, died during CMD, failed its clean shutdown (a sanitizer report, say) or hung in it
     * makes the run a failure even if CMD did not notice: tests must not pass over a broken card. */
    if (card_was_running && !setup_failed) {
        bool clean = card_end == WITH_END_STOPPED &&
                     ((WIFEXITED(card_st) && WEXITSTATUS(card_st) == 0) ||
                      (WIFSIGNALED(card_st) && WTERMSIG(card_st) == SIGTERM));
        if (!clean) {
            char why[96];
            cl_err("the card daemon %s%s", with_describe_status(card_st, why, sizeof why),
                   card_end == WITH_END_EARLY    ? " while CMD ran"
                   : card_end == WITH_END_KILLED ? " (it did not stop on SIGTERM)"
                                                 : " when stopped");
            with_print_log_tail("the card's log", run.card_log, 15);
            if (status == 0) status = 1;
        }
    }
    if (run.dir[0]) {
        if (o.keep || o.verbose) {
            /* Sockets are useless once their servers are gone; the rest is what a debugger wants. */
            char sock[sizeof run.dir + 16];
            snprintf(sock, sizeof sock, "%s/card.sock", run.dir);
            unlink(sock);
            cl_info("kept %s (reader.conf, pcscd.log, card.log%s)", run.dir, image[0] && !o.card ? ", card.img" : "");
        } else if (with_remove_tree(run.dir) != 0) {
            cl_err("could not remove %s: %s", run.dir, strerror(errno));
        }
    }
    return status;
}

CLI_REGISTER(with, "run a command against a private pcscd with a cardlet card inserted", cmd_with)
