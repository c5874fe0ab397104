/* The vpcd framing (reader side) and DEVICENAME parsing/listening. See ifd_wire.h. */
#include "pcsc-driver/ifd_wire.h"

#include "common/cl_frame.h"
#include "common/cl_util.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ifd_wire_rc_text(enum ifd_wire_rc rc)
{
    switch (rc) {
    case IFD_WIRE_OK: return "ok";
    case IFD_WIRE_EOF: return "connection closed";
    case IFD_WIRE_CUT: return "connection closed in the middle of a frame";
    case IFD_WIRE_TIMEOUT: return "timed out";
    case IFD_WIRE_MALFORMED: return "malformed frame";
    case IFD_WIRE_IO: return "socket error";
    }
    return "?";
}

/* Waits for events on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        int left = cl_ms_left(deadline);
        if (left == 0) return 0;
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) continue; /* re-checks the deadline */
        return 1;
    }
}

int ifd_frame_send(int fd, const uint8_t *payload, size_t len, int timeout_ms)
{
    if (len == 0 || len > IFD_FRAME_MAX || !payload) return -1;
    uint8_t hdr[2];
    cl_put16(hdr, (uint16_t)len);
    /* Header and payload leave in one sendmsg straight from pcscd's buffer: no copy of the command
     * (it may carry a PIN or a key: VERIFY, PUT KEY) is made, so none needs wiping. */
    size_t total = len + 2, done = 0;
    uint64_t deadline = cl_deadline_after(timeout_ms);
    while (done < total) {
        struct iovec part[2];
        struct msghdr m = { .msg_iov = part };
        m.msg_iovlen = (size_t)cl_frame_iov(part, hdr, payload, len, done);
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) { done += (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(fd, POLLOUT, deadline) == 1) continue;
        return -1;
    }
    return 0;
}

enum ifd_wire_rc ifd_frame_recv(int fd, uint8_t *buf, size_t cap, size_t *len, int timeout_ms)
{
    uint64_t deadline = cl_deadline_after(timeout_ms);
    uint8_t hdr[2];
    size_t got = 0, need = 2; /* bytes of header + payload received / of the whole frame once known */
    for (;;) {
        /* A reply comes after the card has worked: wait first, then take header and payload in one
         * recvmsg. (Receiving first and waiting only on EAGAIN was tried: the reply is not there yet
         * in about a third of the exchanges, and the median round trip got 0.7 us slower.) */
        int w = wait_fd(fd, POLLIN, deadline);
        if (w == 0) return IFD_WIRE_TIMEOUT;
        if (w < 0) return IFD_WIRE_IO;
        struct iovec iov[2];
        int cnt = 0;
        if (got < 2) iov[cnt++] = (struct iovec){ hdr + got, 2 - got };
        size_t poff = got > 2 ? got - 2 : 0;
        if (cap > poff) iov[cnt++] = (struct iovec){ buf + poff, cap - poff };
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
        ssize_t r = recvmsg(fd, &m, MSG_DONTWAIT);
        if (r == 0) return got ? IFD_WIRE_CUT : IFD_WIRE_EOF;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            return IFD_WIRE_IO;
        }
        got += (size_t)r;
        if (got < 2) continue;
        size_t n = cl_get16(hdr);
        if (n == 0 || n > cap) return IFD_WIRE_MALFORMED;
        need = 2 + n;
        /* Only one frame may be in flight: bytes past it are data the card sent unasked. */
        if (got > need) return IFD_WIRE_MALFORMED;
        if (got == need) { *len = n; return IFD_WIRE_OK; }
    }
}

/* Parses "SECONDS" of the "@timeout=" option: 1..3600. */
static int parse_timeout(const char *s, int *ms)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 3600) return -1;
    *ms = (int)(v * 1000);
    return 0;
}

int ifd_addr_parse(const char *text, struct ifd_addr *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    out->timeout_ms = IFD_DEFAULT_TIMEOUT_MS;
    if (!text || !*text) { snprintf(why, why_len, "empty device name"); return -1; }
    char spec[512];
    if (strlen(text) >= sizeof spec) { snprintf(why, why_len, "device name too long"); return -1; }
    snprintf(spec, sizeof spec, "%s", text);

    char *opt = strstr(spec, "@timeout=");
    if (opt) {
        if (parse_timeout(opt + strlen("@timeout="), &out->timeout_ms) != 0) {
            snprintf(why, why_len, "bad timeout in '%s' (want @timeout=SECONDS, 1..3600)", text);
            return -1;
        }
        *opt = 0;
    }
    cl_error_t e = { { 0 } };
    if (cl_addr_parse(spec, &out->at, &e) != 0) {
        snprintf(why, why_len, "%s", e.msg);
        return -1;
    }
    return 0;
}

/* Creates the socket file's directory (one level) when missing: /run/cardlet vanishes at reboot. */
static int ensure_parent_dir(const char *path, char *why, size_t why_len)
{
    char dir[CL_ADDR_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = 0;
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        snprintf(why, why_len, "%s is not a directory", dir);
        return -1;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(why, why_len, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* True when a socket bound to path is listening (Linux: /proc/net/unix lists every bound socket, flag
 * __SO_ACCEPTCON 0x10000 for listeners): the file is not stale, and unlinking it would silently take
 * the address from a live reader. Read from /proc rather than by connecting, which the live reader
 * would take for a card being inserted. Without /proc the file counts as stale (the old behaviour). */
static bool socket_in_use(const char *path)
{
    FILE *f = fopen("/proc/net/unix", "re");
    if (!f) return false;
    char line[1024];
    bool live = false;
    while (!live && fgets(line, sizeof line, f)) {
        unsigned long flags;
        char bound[CL_ADDR_PATH_MAX + 1];
        /* Num RefCount Protocol Flags Type St Inode Path; header and unnamed sockets do not match. */
        if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %108s", &flags, bound) == 2)
            live = (flags & 0x10000) && !strcmp(bound, path);
    }
    fclose(f);
    return live;
}

static int listen_unix(const cl_addr_t *addr, char *why, size_t why_len)
{
    if (ensure_parent_dir(addr->path, why, why_len) != 0) return -1;
    struct stat st;
    if (lstat(addr->path, &st) == 0) {
        /* A socket left by an earlier run is stale; anything else is somebody's file: leave it. */
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(why, why_len, "%s exists and is not a socket; not replacing it", addr->path);
            return -1;
        }
        if (socket_in_use(addr->path)) {
            snprintf(why, why_len, "%s is in use: another reader listens there (a second pcscd, or the same "
                     "DEVICENAME twice)", addr->path);
            return -1;
        }
        if (unlink(addr->path) != 0) {
            snprintf(why, why_len, "cannot remove stale socket %s: %s", addr->path, strerror(errno));
            return -1;
        }
    }
    struct sockaddr_storage sa;
    int family;
    socklen_t sl = cl_addr_sockaddr(addr, &sa, &family);
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(why, why_len, "socket: %s", strerror(errno)); return -1; }
    if (bind(fd, (struct sockaddr *)&sa, sl) != 0) {
        snprintf(why, why_len, "bind %s: %s", addr->path, strerror(errno));
        close(fd);
        return -1;
    }
    /* Restrict before listen(): nobody can connect before then, so there is no window with looser
     * permissions (umask is process-wide and not ours to change inside pcscd). */
    if (chmod(addr->path, 0600) != 0 || listen(fd, 4) != 0) {
        snprintf(why, why_len, "listen %s: %s", addr->path, strerror(errno));
        close(fd);
        unlink(addr->path);
        return -1;
    }
    return fd;
}

static int listen_tcp(const cl_addr_t *addr, char *why, size_t why_len)
{
    if ((addr->ipv4 >> 24) != 127) { snprintf(why, why_len, "not a loopback address"); return -1; }
    struct sockaddr_storage sa;
    int family;
    socklen_t sl = cl_addr_sockaddr(addr, &sa, &family);
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(why, why_len, "socket: %s", strerror(errno)); return -1; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sl) != 0 || listen(fd, 4) != 0) {
        snprintf(why, why_len, "listen on tcp port %u: %s", addr->port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int ifd_listen(const struct ifd_addr *addr, char *why, size_t why_len)
{
    if (addr->at.kind == CL_ADDR_UNIX) return listen_unix(&addr->at, why, why_len);
    if (addr->at.kind == CL_ADDR_TCP) return listen_tcp(&addr->at, why, why_len);
    snprintf(why, why_len, "no address");
    return -1;
}
