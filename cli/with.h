/* with: the pieces of `cardlet with` (cli/cmd_with.c): a private pcscd in its own mount namespace,
 * a card daemon connected to its reader, and the waits in between. Split by job:
 *   with_proc.c   child processes: spawn with a log file, stop with a deadline, the stop-signal flag, temp dir removal
 *   with_pcscd.c  the reader configuration and pcscd started inside a private mount namespace
 *   with_wait.c   waiting through libpcsclite until the reader exists and the card is present or absent */
#ifndef WITH_H
#define WITH_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/cl_util.h"

/* Which IFD handler the private pcscd loads. */
enum with_reader_driver {
    WITH_DRIVER_CARDLET, /* our libifdcardlet.so; the card connects to unix:DIR/card.sock (or tcp with --vicc) */
    WITH_DRIVER_VPCD,    /* Debian's vsmartcard-vpcd; the card connects to tcp:127.0.0.1:PORT */
};

/* Everything one `cardlet with` run starts; pids are 0 when not running. */
struct with_run {
    char dir[256];          /* private temp dir: pcscd/ (bound on /run/pcscd), reader.conf, logs, card.sock, card.img */
    char csock[300];        /* PCSCLITE_CSOCK_NAME for clients: DIR/pcscd/pcscd.comm */
    char reader_addr[300];  /* what the card daemon's --reader takes: unix:DIR/card.sock or tcp:127.0.0.1:PORT */
    char friendly[64];      /* FRIENDLYNAME in reader.conf; PC/SC reader names start with it */
    char reader_name[128];  /* the PC/SC reader name found once pcscd is up */
    char driver_path[4096]; /* the IFD handler pcscd loads */
    char pcscd_log[300];
    char card_log[300];
    enum with_reader_driver reader_driver;
    unsigned port;          /* TCP port for vpcd / vicc modes, 0 for unix sockets */
    bool pcscd_debug;       /* -v: pcscd -d, and the logs are kept */
    pid_t pcscd_pid;
    pid_t card_pid;
};

/* ---- with_proc.c ---- */

/* Set by SIGINT/SIGTERM/SIGHUP while `cardlet with` runs; checked by every wait loop. */
extern volatile int with_stop_signal;
/* Whether that signal came from the terminal (the kernel) rather than from kill(). */
extern volatile int with_stop_from_tty;
/* The last stop signal sent to us alone (kill(), not the terminal), still to be passed on to CMD; a later
 * ^C does not overwrite it. Read and cleared with the stop signals blocked. */
extern volatile int with_stop_forward;
/* The handler (exposed for tests). */
void with_on_stop_signal(int sig, siginfo_t *info, void *ctx);
/* Takes (and clears, with the stop signals blocked, so none is lost in between) the signal to pass on to
 * CMD, 0 if none, and clears with_stop_signal. */
int with_take_forward(void);
/* Installs the handlers (no SA_RESTART, so a blocking wait returns EINTR). */
void with_signals_install(void);
/* Blocks the stop signals (old mask saved), around a fork. */
void with_signals_block(sigset_t *block, sigset_t *old);
/* Restores default dispositions and unblocks everything; called in each child before exec. */
void with_signals_default(void);

/* Forks a helper process in its own process group (the terminal's ^C reaches CMD, not our helpers, so we
 * stop them in order), dying with us (PR_SET_PDEATHSIG), stdout+stderr appended to log (NULL: inherited).
 * setup (may be NULL) runs in the child before exec and returns 0, or -1 after printing why.
 * Returns the pid, or -1 with e set. */
typedef int (*with_child_setup_fn)(void *arg);
pid_t with_spawn(char *const argv[], const char *log, with_child_setup_fn setup, void *arg, cl_error_t *e);

/* Non-blocking check: returns true and sets *status (waitpid status) if pid has exited (and reaps it). */
bool with_child_exited(pid_t pid, int *status);
/* How a child ended when we stopped it. */
enum with_end {
    WITH_END_NONE,    /* pid 0: nothing to stop */
    WITH_END_EARLY,   /* it had already exited on its own */
    WITH_END_STOPPED, /* it exited within the grace period after sig */
    WITH_END_KILLED,  /* it ignored sig and was SIGKILLed */
};
/* Sends sig, waits up to grace_ms, then SIGKILL; always reaps; *status (may be NULL) gets the wait status. */
enum with_end with_stop_child(pid_t pid, int sig, int grace_ms, int *status);
/* "exited with status N" / "killed by signal N" for messages. */
const char *with_describe_status(int status, char *buf, size_t cap);
/* Removes a directory tree (not following symlinks). Returns 0 or -1. */
int with_remove_tree(const char *dir);
/* Prints the last lines of a log file to stderr, indented, after a heading; silent if the file is empty. */
void with_print_log_tail(const char *what, const char *path, int lines);
/* Sleeps ms milliseconds (returns early on a stop signal). */
void with_sleep_ms(int ms);
/* Finds a free TCP port on 127.0.0.1 (bind to port 0). Returns the port, or 0 with e set. */
unsigned with_free_tcp_port(cl_error_t *e);

/* ---- with_pcscd.c ---- */

/* Creates the private dir under $TMPDIR (or /tmp) and fills run's paths. Returns 0 or -1 with e set. */
int with_make_dir(struct with_run *run, cl_error_t *e);
/* Writes DIR/reader.conf loading run->driver_path (vpcd mode: a copy inside DIR). Returns 0 or -1. */
int with_write_config(struct with_run *run, cl_error_t *e);
/* Starts pcscd -f -c DIR/reader.conf in a new mount namespace where DIR/pcscd is /run/pcscd.
 * Returns 0 (run->pcscd_pid set) or -1 with e set. */
int with_start_pcscd(struct with_run *run, const char *pcscd_path, cl_error_t *e);

/* ---- with_wait.c ---- */

/* Waits until pcscd answers and lists a reader whose name starts with run->friendly; fills run->reader_name.
 * Fails early when pcscd exits. Returns 0 or -1 with e naming what failed (pcscd did not start / no reader). */
int with_wait_reader(struct with_run *run, int timeout_ms, cl_error_t *e);
/* Waits until the card in run->reader_name is present (want_present) or absent. Fails early when the card
 * daemon (run->card_pid, if set) or pcscd exits. Returns 0 or -1 with e set. */
int with_wait_card(struct with_run *run, bool want_present, int timeout_ms, cl_error_t *e);

#endif
