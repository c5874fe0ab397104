/* The card side of the vpcd-framed reader link. See card_link.h. */
#include "card/card_link.h"

#include "common/cl_addr.h"
#include "common/cl_frame.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define CTRL_POWER_OFF 0x00
#define CTRL_POWER_ON 0x01
#define CTRL_RESET 0x02
#define CTRL_GET_ATR 0x04

#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS 1000
#define FRAME_REST_TIMEOUT_MS 10000 /* once a frame has begun, the rest must follow within this */
#define SEND_TIMEOUT_MS 10000

struct card_link {
    char reader[256];
    cl_addr_t addr;
    const struct card_link_ops *ops;
    void *card;
    int stop_pipe[2];
    int send_timeout_ms;                 /* a reply waiting longer than this for the reader drops it */
    atomic_uint connects, apdus, malformed;
    size_t rx_len;                       /* bytes of rx received and not yet consumed */
    uint8_t rx[2 + CARD_LINK_FRAME_MAX]; /* one whole frame at least: header + payload */
    uint8_t resp[CARD_LINK_RESP_MAX];
};

enum conn_end { END_OK, END_PEER_CLOSED, END_STOPPED, END_MALFORMED, END_IO };

static int parse_reader(card_link_t *l, const char *reader, cl_error_t *e)
{
    if (!reader || strlen(reader) >= sizeof l->reader) { cl_seterr(e, "reader address missing or too long"); return -1; }
    snprintf(l->reader, sizeof l->reader, "%s", reader);
    if (strstr(reader, "@timeout=")) {
        cl_seterr(e, "%s: @timeout= is the driver's reply timeout, for DEVICENAME in reader.conf; give the card "
                  "the address without it", reader);
        return -1;
    }
    cl_error_t why = { { 0 } };
    if (cl_addr_parse(reader, &l->addr, &why) != 0) { cl_seterr(e, "reader: %s", why.msg); return -1; }
    return 0;
}

int card_link_new(const char *reader, const struct card_link_ops *ops, void *card, card_link_t **out, cl_error_t *e)
{
    *out = NULL;
    if (!ops || !ops->power_on || !ops->reset || !ops->power_off || !ops->atr || !ops->transmit) {
        cl_seterr(e, "card_link: incomplete card operations");
        return -1;
    }
    card_link_t *l = calloc(1, sizeof *l);
    if (!l) { cl_seterr(e, "out of memory"); return -1; }
    l->stop_pipe[0] = l->stop_pipe[1] = -1;
    if (parse_reader(l, reader, e) != 0) { free(l); return -1; }
    if (pipe2(l->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        cl_seterr(e, "pipe: %s", strerror(errno));
        free(l);
        return -1;
    }
    l->ops = ops;
    l->card = card;
    l->send_timeout_ms = SEND_TIMEOUT_MS;
    *out = l;
    return 0;
}

void card_link_free(card_link_t *l)
{
    if (!l) return;
    close(l->stop_pipe[0]);
    close(l->stop_pipe[1]);
    /* APDU buffers may have held keys or PINs on their way through. */
    cl_wipe(l->rx, sizeof l->rx);
    cl_wipe(l->resp, sizeof l->resp);
    free(l);
}

void card_link_set_send_timeout(card_link_t *l, int ms) { l->send_timeout_ms = ms > 0 ? ms : SEND_TIMEOUT_MS; }

void card_link_stop(card_link_t *l)
{
    uint8_t b = 1;
    ssize_t w = write(l->stop_pipe[1], &b, 1); /* a full pipe already says "stop" */
    (void)w;
}

void card_link_get_stats(const card_link_t *l, struct card_link_stats *out)
{
    out->connects = atomic_load(&((card_link_t *)l)->connects);
    out->apdus = atomic_load(&((card_link_t *)l)->apdus);
    out->malformed = atomic_load(&((card_link_t *)l)->malformed);
}

static bool stop_requested(const card_link_t *l)
{
    struct pollfd p = { .fd = l->stop_pipe[0], .events = POLLIN };
    return poll(&p, 1, 0) == 1;
}

/* Sleeps ms unless a stop comes first; true if stopped. */
static bool sleep_or_stop(const card_link_t *l, int ms)
{
    struct pollfd p = { .fd = l->stop_pipe[0], .events = POLLIN };
    for (;;) {
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR) return stop_requested(l);
        return r == 1;
    }
}

static int try_connect(card_link_t *l, char *why, size_t why_len)
{
    struct sockaddr_storage sa;
    int family;
    socklen_t sl = cl_addr_sockaddr(&l->addr, &sa, &family);
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(why, why_len, "socket: %s", strerror(errno)); return -1; }
    if (connect(fd, (struct sockaddr *)&sa, sl) != 0) {
        int err = errno;
        snprintf(why, why_len, "%s%s", strerror(err),
                 err == EACCES ? "; the socket belongs to pcscd's user: run the card as that user, or use a tcp: reader" : "");
        close(fd);
        return -1;
    }
    if (l->addr.kind == CL_ADDR_TCP) {
        int one = 1; /* every frame is one write: do not let Nagle hold replies back */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

/* Waits until fd is readable (1), the stop pipe fires (0), or timeout_ms passes (-2); -1 on error. */
static int wait_readable(const card_link_t *l, int fd, int timeout_ms)
{
    struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = l->stop_pipe[0], .events = POLLIN } };
    for (;;) {
        int r = poll(p, 2, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return -2;
        if (p[1].revents & POLLIN) return 0;
        return 1;
    }
}

/* Makes rx begin with one whole frame and returns its payload length in *n. Receives as much as the
 * reader has sent in one recv() (a command normally arrives whole: one poll and one recv per frame),
 * and keeps what follows the frame (vpcd may send "power on" and "get ATR" back to back).
 * A frame already begun must complete within FRAME_REST_TIMEOUT_MS. */
static enum conn_end next_frame(card_link_t *l, int fd, size_t *n, char *why, size_t why_len)
{
    for (;;) {
        if (l->rx_len >= 2) {
            size_t len = cl_get16(l->rx);
            if (len == 0) { snprintf(why, why_len, "malformed frame: length 0"); return END_MALFORMED; }
            if (l->rx_len >= 2 + len) { *n = len; return END_OK; }
        }
        bool begun = l->rx_len > 0;
        if (!begun) { /* idle between commands: the next one is rarely there yet, so wait first */
            int w = wait_readable(l, fd, -1);
            if (w == 0) return END_STOPPED;
            if (w < 0) return END_IO;
        }
        ssize_t r = recv(fd, l->rx + l->rx_len, sizeof l->rx - l->rx_len, MSG_DONTWAIT);
        if (r > 0) {
            if (l->addr.kind == CL_ADDR_TCP) {
                /* Debian's vpcd writes a frame's length and payload separately without TCP_NODELAY: its
                 * payload waits for our ACK of the length. Quick ACKs (re-armed after every read, the
                 * kernel drops the mode by itself) avoid the 40 ms delayed-ACK stall per APDU. */
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
            }
            l->rx_len += (size_t)r;
            continue;
        }
        if (r == 0) {
            if (!begun) return END_PEER_CLOSED;
            snprintf(why, why_len, "frame cut short (%zu bytes received)", l->rx_len);
            return END_MALFORMED;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return errno == ECONNRESET ? END_PEER_CLOSED : END_IO;
        if (begun) {
            int w = wait_readable(l, fd, FRAME_REST_TIMEOUT_MS);
            if (w == 0) return END_STOPPED;
            if (w == -2) { snprintf(why, why_len, "frame cut short (%zu bytes, then silence)", l->rx_len); return END_MALFORMED; }
            if (w < 0) return END_IO;
        }
    }
}

/* Drops the frame at the head of rx (its payload wiped: it may hold keys or PINs). */
static void consume_frame(card_link_t *l, size_t n)
{
    cl_wipe(l->rx + 2, n);
    l->rx_len -= 2 + n;
    if (l->rx_len) memmove(l->rx, l->rx + 2 + n, l->rx_len);
}

/* Waits until fd accepts more bytes (1), the stop pipe fires (0), or the deadline passes (-2). */
static int wait_writable(const card_link_t *l, int fd, uint64_t deadline)
{
    struct pollfd p[2] = { { .fd = fd, .events = POLLOUT }, { .fd = l->stop_pipe[0], .events = POLLIN } };
    for (;;) {
        int left = cl_ms_left(deadline);
        if (left == 0) return -2;
        int r = poll(p, 2, left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) continue; /* re-checks the deadline */
        if (p[1].revents & POLLIN) return 0;
        return 1;
    }
}

/* Sends one frame. A reader that stops reading must not hold the card forever: the socket is
 * written without blocking, and a reply that cannot leave within send_timeout_ms (or before a
 * stop) drops the connection. */
static int send_frame(const card_link_t *l, int fd, const uint8_t *payload, size_t len)
{
    if (len == 0 || len > CARD_LINK_FRAME_MAX) return -1;
    uint8_t hdr[2];
    cl_put16(hdr, (uint16_t)len);
    /* Header and payload leave in one sendmsg (one segment on TCP), without copying the payload. */
    size_t total = len + 2, done = 0;
    uint64_t deadline = cl_deadline_after(l->send_timeout_ms);
    while (done < total) {
        struct iovec part[2];
        struct msghdr m = { .msg_iov = part };
        m.msg_iovlen = (size_t)cl_frame_iov(part, hdr, payload, len, done);
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) { done += (size_t)w; continue; }
        if (w < 0 && errno == EINTR && !stop_requested(l)) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_writable(l, fd, deadline);
            if (r == 1) continue;
            if (r == -2) errno = ETIMEDOUT; /* the reason the caller reports */
        }
        return -1;
    }
    return 0;
}

/* Answers one APDU. The log line names the command, never its data (it may carry keys or PINs). */
static int serve_apdu(card_link_t *l, int fd, const uint8_t *cmd, size_t n)
{
    size_t rn = l->ops->transmit(l->card, cmd, n, l->resp);
    if (rn < 2 || rn > CARD_LINK_FRAME_MAX) {
        /* vpcd framing cannot carry more than 65535 bytes; say so rather than truncate silently. */
        cl_err("R-APDU of %zu bytes cannot be framed; answering 6F 00", rn);
        l->resp[0] = 0x6F;
        l->resp[1] = 0x00;
        rn = 2;
    }
    /* Counted before the reply leaves (a reader that has its answer sees it counted); the debug line
     * comes after, off the reader's wait. */
    atomic_fetch_add(&l->apdus, 1);
    int rc = send_frame(l, fd, l->resp, rn);
    if (n >= 4)
        cl_debug("APDU %02X %02X %02X %02X (%zu bytes) -> %zu bytes, SW %02X %02X", cmd[0], cmd[1], cmd[2],
                 cmd[3], n, rn, l->resp[rn - 2], l->resp[rn - 1]);
    else
        cl_debug("APDU of %zu bytes -> SW %02X %02X", n, l->resp[rn - 2], l->resp[rn - 1]);
    cl_wipe(l->resp, rn);
    return rc;
}

/* How a connection ends when a reply could not be sent: a stop, or an error whose reason (from
 * send_frame's errno) goes to why. */
static enum conn_end reply_failed(char *why, size_t why_len, const card_link_t *l)
{
    int err = errno;
    if (stop_requested(l)) return END_STOPPED;
    errno = err;
    if (errno == ETIMEDOUT)
        snprintf(why, why_len, "the reader did not read a reply for %d ms", l->send_timeout_ms);
    else
        snprintf(why, why_len, "sending a reply: %s", strerror(errno));
    return END_IO;
}

/* Serves one reader connection until it ends. */
static enum conn_end serve(card_link_t *l, int fd, char *why, size_t why_len)
{
    l->rx_len = 0; /* a new connection starts a new frame stream */
    for (;;) {
        size_t n;
        enum conn_end end = next_frame(l, fd, &n, why, why_len);
        if (end != END_OK) return end;
        const uint8_t *payload = l->rx + 2;
        if (n >= 2) {
            int rc = serve_apdu(l, fd, payload, n);
            consume_frame(l, n);
            if (rc != 0) return reply_failed(why, why_len, l);
            continue;
        }
        uint8_t ctrl = payload[0];
        consume_frame(l, n);
        uint8_t atr[CARD_LINK_ATR_MAX];
        switch (ctrl) {
        case CTRL_POWER_OFF: l->ops->power_off(l->card); cl_debug("power off"); break;
        case CTRL_POWER_ON: l->ops->power_on(l->card, atr); cl_debug("power on"); break;
        case CTRL_RESET: l->ops->reset(l->card, atr); cl_debug("reset"); break;
        case CTRL_GET_ATR: {
            size_t an = l->ops->atr(l->card, atr);
            if (an == 0 || an > CARD_LINK_ATR_MAX) {
                snprintf(why, why_len, "card has no valid ATR (%zu bytes)", an);
                return END_IO;
            }
            if (send_frame(l, fd, atr, an) != 0) return reply_failed(why, why_len, l);
            break;
        }
        default:
            snprintf(why, why_len, "malformed frame: unknown control code %02X", ctrl);
            return END_MALFORMED;
        }
    }
}

int card_link_run(card_link_t *l, bool once, cl_error_t *e)
{
    (void)e;
    int backoff = BACKOFF_FIRST_MS;
    bool waiting_logged = false;
    while (!stop_requested(l)) {
        char why[256];
        int fd = try_connect(l, why, sizeof why);
        if (fd < 0) {
            if (!waiting_logged) cl_info("waiting for reader %s (%s)", l->reader, why);
            waiting_logged = true;
            if (sleep_or_stop(l, backoff)) break;
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
            continue;
        }
        atomic_fetch_add(&l->connects, 1);
        cl_info("connected to reader %s", l->reader);
        waiting_logged = false;
        why[0] = 0;
        enum conn_end end = serve(l, fd, why, sizeof why);
        /* Out of the reader means out of power: transient state must not survive into the next session. */
        l->ops->power_off(l->card);
        close(fd);
        switch (end) {
        case END_OK: break; /* serve() only returns when the connection ended */
        case END_STOPPED: cl_info("disconnected from reader %s (stopping)", l->reader); return 0;
        case END_MALFORMED:
            atomic_fetch_add(&l->malformed, 1);
            cl_err("disconnected from reader %s: %s", l->reader, why);
            break;
        case END_PEER_CLOSED: cl_info("disconnected from reader %s (reader closed the connection)", l->reader); break;
        case END_IO: cl_info("disconnected from reader %s (%s)", l->reader, why[0] ? why : strerror(errno)); break;
        }
        if (once) return 0;
        /* A reader that keeps sending garbage is retried ever more slowly (no log flood); after a
         * normal end (pcscd restarting) the next reader is looked for at once. */
        int pause = BACKOFF_FIRST_MS;
        if (end == END_MALFORMED) {
            pause = backoff;
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
        } else {
            backoff = BACKOFF_FIRST_MS;
        }
        if (sleep_or_stop(l, pause)) break;
    }
    return 0;
}
