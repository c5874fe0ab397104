/* with_pcscd: the private reader configuration and a pcscd that runs in its own mount namespace, where our
 * temp dir is /run/pcscd. pcscd's socket path is compiled in (/run/pcscd/pcscd.comm); the namespace lets a
 * private pcscd run beside a system one, and clients reach it through PCSCLITE_CSOCK_NAME. */
#include "cli/with.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define VPCD_SYSTEM_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
/* pcscd's hotplug drop dir: USB reader bundles found here would be claimed by our private pcscd too, taking
 * a developer's real reader away from the system pcscd; inside the namespace we hide it. */
#define PCSC_HOTPLUG_DIR "/usr/lib/pcsc/drivers"

/* reader.conf values cannot be quoted (only FRIENDLYNAME strips quotes), and unquoted ones may use only
 * these characters, so every path we write there must consist of them. */
static bool conf_safe(const char *s)
{
    for (; *s; s++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._@:", *s)) return false;
    return true;
}

int with_make_dir(struct with_run *run, cl_error_t *e)
{
    /* The dir must not be under /run: when the host has no /run/pcscd we put a tmpfs on /run inside the
     * namespace, which would hide it from pcscd and the driver. */
    const char *base = getenv("TMPDIR");
    if (!base || base[0] != '/' || !conf_safe(base) || !strncmp(base, "/run", 4) || strlen(base) > 60) base = "/tmp";
    char tmpl[sizeof run->dir];
    snprintf(tmpl, sizeof tmpl, "%s/cardlet-with.XXXXXX", base);
    if (!mkdtemp(tmpl)) {
        cl_seterr(e, "cannot create a temp dir under %s: %s", base, strerror(errno));
        return -1;
    }
    snprintf(run->dir, sizeof run->dir, "%s", tmpl);
    char pdir[sizeof run->dir + 8];
    snprintf(pdir, sizeof pdir, "%s/pcscd", run->dir);
    if (mkdir(pdir, 0755) != 0) {
        cl_seterr(e, "mkdir %s: %s", pdir, strerror(errno));
        return -1;
    }
    snprintf(run->csock, sizeof run->csock, "%s/pcscd.comm", pdir);
    snprintf(run->pcscd_log, sizeof run->pcscd_log, "%s/pcscd.log", run->dir);
    snprintf(run->card_log, sizeof run->card_log, "%s/card.log", run->dir);
    struct sockaddr_un sun;
    if (strlen(run->csock) >= sizeof sun.sun_path) {
        cl_seterr(e, "temp dir path too long for a unix socket: %s", run->dir);
        return -1;
    }
    return 0;
}

static int copy_file(const char *from, const char *to, cl_error_t *e)
{
    size_t len = 0;
    uint8_t *data = cl_read_file(from, 64u << 20, &len, e);
    if (!data) return -1;
    int rc = cl_write_file_atomic(to, data, len, e);
    free(data);
    if (rc == 0) chmod(to, 0644);
    return rc;
}

int with_write_config(struct with_run *run, cl_error_t *e)
{
    char conf[sizeof run->dir + 16], devname[320];
    snprintf(conf, sizeof conf, "%s/reader.conf", run->dir);
    unsigned channel = 0;
    if (run->reader_driver == WITH_DRIVER_VPCD) {
        /* A copy inside our dir, so hiding the hotplug dir in the namespace does not hide vpcd too. */
        const char *src = run->driver_path[0] ? run->driver_path : VPCD_SYSTEM_DRIVER;
        char copy[sizeof run->dir + 24];
        snprintf(copy, sizeof copy, "%s/libifdvpcd.so", run->dir);
        cl_error_t ce;
        if (copy_file(src, copy, &ce) != 0) {
            cl_seterr(e, "vsmartcard's vpcd driver not usable (%s): install vsmartcard-vpcd", ce.msg);
            return -1;
        }
        snprintf(run->driver_path, sizeof run->driver_path, "%s", copy);
        /* vpcd listens on the port in DEVICENAME (and port+1 for its second slot). */
        snprintf(devname, sizeof devname, "/dev/null:0x%X", run->port);
        snprintf(run->reader_addr, sizeof run->reader_addr, "tcp:127.0.0.1:%u", run->port);
        snprintf(run->friendly, sizeof run->friendly, "cardlet vpcd");
        channel = run->port;
    } else {
        if (run->port) snprintf(run->reader_addr, sizeof run->reader_addr, "tcp:127.0.0.1:%u", run->port);
        else snprintf(run->reader_addr, sizeof run->reader_addr, "unix:%s/card.sock", run->dir);
        snprintf(devname, sizeof devname, "%s", run->reader_addr);
        snprintf(run->friendly, sizeof run->friendly, "Cardlet Virtual Reader"); /* as in pcsc-driver/reader.conf.in */
    }
    if (!conf_safe(run->driver_path)) {
        cl_seterr(e, "driver path %s has characters pcscd's reader.conf cannot hold (allowed: A-Z a-z 0-9 / - . _ @ :)",
                  run->driver_path);
        return -1;
    }
    if (!conf_safe(devname)) {
        cl_seterr(e, "reader address %s has characters reader.conf cannot hold", devname);
        return -1;
    }
    char text[8192];
    int n = snprintf(text, sizeof text,
                     "# written by `cardlet with`; read by the private pcscd only\n"
                     "FRIENDLYNAME \"%s\"\nDEVICENAME %s\nLIBPATH %s\nCHANNELID 0x%X\n",
                     run->friendly, devname, run->driver_path, channel);
    if (n < 0 || (size_t)n >= sizeof text) {
        cl_seterr(e, "reader.conf too long");
        return -1;
    }
    return cl_write_file_atomic(conf, text, (size_t)n, e);
}

/* ---- the namespace, set up in the forked child before exec ---- */

struct ns_args {
    const struct with_run *run;
};

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A new mount namespace; when that is not allowed (a normal user, or root without CAP_SYS_ADMIN in a
 * container) a user namespace owning it, mapping us to root inside so that mounting is permitted. */
static int enter_namespace(void)
{
    if (unshare(CLONE_NEWNS) == 0) return 0;
    int first = errno;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
        fprintf(stderr,
                "cardlet with: cannot create a private mount namespace for pcscd: unshare(CLONE_NEWNS): %s; "
                "unshare(CLONE_NEWUSER|CLONE_NEWNS): %s (run as root, or allow unprivileged user namespaces)\n",
                strerror(first), strerror(errno));
        return -1;
    }
    char map[64];
    if (write_text("/proc/self/setgroups", "deny") != 0 && errno != ENOENT) {
        fprintf(stderr, "cardlet with: user namespace: cannot write setgroups: %s\n", strerror(errno));
        return -1;
    }
    snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    if (write_text("/proc/self/uid_map", map) != 0) {
        fprintf(stderr, "cardlet with: user namespace: cannot write uid_map: %s\n", strerror(errno));
        return -1;
    }
    snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    if (write_text("/proc/self/gid_map", map) != 0) {
        fprintf(stderr, "cardlet with: user namespace: cannot write gid_map: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int ns_setup(void *arg)
{
    const struct with_run *run = ((struct ns_args *)arg)->run;
    if (enter_namespace() != 0) return -1;
    /* Private propagation first, so none of our mounts leak back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "cardlet with: cannot make / private in the namespace: %s\n", strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat("/run/pcscd", &st) != 0) {
        /* No mount point to bind over: a fresh tmpfs on /run provides one (only pcscd sees it). */
        if (stat("/run", &st) != 0 && mkdir("/run", 0755) != 0) {
            fprintf(stderr, "cardlet with: /run missing and cannot be created: %s\n", strerror(errno));
            return -1;
        }
        if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0 || mkdir("/run/pcscd", 0755) != 0) {
            fprintf(stderr, "cardlet with: cannot create /run/pcscd in the namespace (tmpfs on /run): %s\n", strerror(errno));
            return -1;
        }
    }
    char pdir[sizeof run->dir + 8];
    snprintf(pdir, sizeof pdir, "%s/pcscd", run->dir);
    if (mount(pdir, "/run/pcscd", NULL, MS_BIND, NULL) != 0) {
        fprintf(stderr, "cardlet with: cannot bind %s on /run/pcscd: %s\n", pdir, strerror(errno));
        return -1;
    }
    if (stat(PCSC_HOTPLUG_DIR, &st) == 0 && S_ISDIR(st.st_mode) &&
        strncmp(run->driver_path, PCSC_HOTPLUG_DIR "/", strlen(PCSC_HOTPLUG_DIR) + 1) != 0) {
        if (mount("tmpfs", PCSC_HOTPLUG_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "mode=0755") != 0)
            fprintf(stderr, "cardlet with: note: could not hide %s (%s); USB readers may show up too\n",
                    PCSC_HOTPLUG_DIR, strerror(errno));
    }
    return 0;
}

int with_start_pcscd(struct with_run *run, const char *pcscd_path, cl_error_t *e)
{
    if (access(pcscd_path, X_OK) != 0) {
        cl_seterr(e, "pcscd not found at %s (install the pcscd package, or set $CARDLET_PCSCD)", pcscd_path);
        return -1;
    }
    char conf[sizeof run->dir + 16];
    snprintf(conf, sizeof conf, "%s/reader.conf", run->dir);
    char *argv[8];
    int n = 0;
    argv[n++] = (char *)pcscd_path;
    argv[n++] = "-f";
    argv[n++] = "-c";
    argv[n++] = conf;
    if (run->pcscd_debug) argv[n++] = "-d";
    argv[n] = NULL;
    struct ns_args args = { run };
    pid_t pid = with_spawn(argv, run->pcscd_log, ns_setup, &args, e);
    if (pid < 0) return -1;
    run->pcscd_pid = pid;
    return 0;
}
