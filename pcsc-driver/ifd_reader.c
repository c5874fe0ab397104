/* Per-Lun reader state: listening socket, the card connection, presence, exchanges. See ifd_reader.h.
 *
 * Locking: reader->io is held for a whole exchange (command out, reply in) and by anyone closing the
 * card socket, so a socket is never closed under a thread using it. reader->lock guards the small
 * state (card_fd, generation, ATR, flags) and is never held while waiting on the card.
 * Lock order: io before lock. */
#include "pcsc-driver/ifd_reader.h"

#include "common/cl_util.h"
#include "pcsc-driver/ifd_log.h"
#include "pcsc-driver/ifd_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <ifdhandler.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct reader {
    unsigned long lun;
    struct ifd_addr addr;
    int listen_fd;
    int wake[2];              /* pipe: wakes the monitor (stop, or the card socket was dropped) */
    pthread_t monitor;
    bool monitor_started;

    pthread_mutex_t io;       /* one exchange at a time */
    pthread_mutex_t lock;     /* the fields below */
    pthread_cond_t changed;   /* presence generation moved, or a stop was requested */
    int card_fd;              /* -1: no card connected */
    unsigned gen;             /* +1 on every connect and disconnect */
    int reported;             /* presence last returned to pcscd: -1 never asked, 0 absent, 1 present */
    unsigned reported_gen;    /* gen at that answer */
    bool stop_wait;           /* sticky: the next/current wait_change returns at once */
    bool closing;
    uint8_t atr[IFD_ATR_MAX];
    size_t atr_len;

    uint8_t rx[IFD_FRAME_MAX]; /* reply buffer, used under io */
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reader *table[IFD_MAX_READERS];

static struct reader *find(unsigned long lun)
{
    struct reader *r = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < IFD_MAX_READERS; i++)
        if (table[i] && table[i]->lun == lun) r = table[i];
    pthread_mutex_unlock(&table_lock);
    return r;
}

static void wake_monitor(struct reader *r)
{
    uint8_t b = 1;
    ssize_t w = write(r->wake[1], &b, 1); /* a full pipe already means "wake up" */
    (void)w;
}

/* Closes the card connection. Caller holds io and lock. */
static void drop_card(struct reader *r, enum ifd_log_level level, const char *why)
{
    if (r->card_fd < 0) return;
    shutdown(r->card_fd, SHUT_RDWR);
    close(r->card_fd);
    r->card_fd = -1;
    r->gen++;
    r->atr_len = 0;
    pthread_cond_broadcast(&r->changed);
    wake_monitor(r);
    ifd_log(level, "lun 0x%lX: card removed (%s)", r->lun, why);
}

static void drop_card_locked(struct reader *r, enum ifd_log_level level, const char *why)
{
    pthread_mutex_lock(&r->lock);
    drop_card(r, level, why);
    pthread_mutex_unlock(&r->lock);
}

static void accept_card(struct reader *r)
{
    int fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED) return; /* the peer gave up: nothing to do */
        /* Out of descriptors or memory: the connection stays queued and poll() would report it again at
         * once, so pause instead of spinning. */
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: accept: %s", r->lun, strerror(errno));
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        return;
    }
    if (r->addr.at.kind == CL_ADDR_TCP) {
        int one = 1; /* a frame is one write; without this each reply waits for a delayed ACK */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    pthread_mutex_lock(&r->lock);
    if (r->card_fd >= 0) {
        pthread_mutex_unlock(&r->lock);
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: a second card tried to connect while one is inserted; refused", r->lun);
        close(fd);
        return;
    }
    r->card_fd = fd;
    r->gen++;
    r->atr_len = 0;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    ifd_log(IFD_LOG_INFO, "lun 0x%lX: card inserted", r->lun);
}

static void *monitor_main(void *arg)
{
    struct reader *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        int fd = r->card_fd;
        unsigned gen = r->gen;
        bool closing = r->closing;
        pthread_mutex_unlock(&r->lock);
        if (closing) break;

        /* POLLRDHUP without POLLIN: learn that an idle card went away, without consuming replies
         * that belong to an exchange running in another thread. */
        struct pollfd p[3] = {
            { .fd = r->wake[0], .events = POLLIN },
            { .fd = r->listen_fd, .events = POLLIN },
            { .fd = fd, .events = POLLRDHUP },
        };
        int n = poll(p, fd >= 0 ? 3 : 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            ifd_log(IFD_LOG_ERROR, "lun 0x%lX: poll: %s", r->lun, strerror(errno));
            struct timespec ts = { 0, 100 * 1000 * 1000 };
            nanosleep(&ts, NULL); /* never spin */
            continue;
        }
        if (p[0].revents & POLLIN) {
            uint8_t buf[64];
            while (read(r->wake[0], buf, sizeof buf) > 0) {}
            continue; /* re-read the state */
        }
        if (p[1].revents & POLLIN) accept_card(r);
        if (fd >= 0 && (p[2].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) {
            /* Waits for a running exchange; it usually sees the end itself, then gen has moved. */
            pthread_mutex_lock(&r->io);
            pthread_mutex_lock(&r->lock);
            if (r->gen == gen && r->card_fd == fd) drop_card(r, IFD_LOG_INFO, "card disconnected");
            pthread_mutex_unlock(&r->lock);
            pthread_mutex_unlock(&r->io);
        }
    }
    return NULL;
}

static void reader_free(struct reader *r)
{
    if (r->listen_fd >= 0) close(r->listen_fd);
    if (r->wake[0] >= 0) close(r->wake[0]);
    if (r->wake[1] >= 0) close(r->wake[1]);
    if (r->card_fd >= 0) close(r->card_fd);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    pthread_mutex_destroy(&r->io);
    free(r);
}

long ifd_reader_open(unsigned long lun, const char *device)
{
    struct reader *r = calloc(1, sizeof *r);
    if (!r) return IFD_COMMUNICATION_ERROR;
    r->lun = lun;
    r->listen_fd = r->card_fd = r->wake[0] = r->wake[1] = -1;
    r->reported = -1;
    pthread_mutex_init(&r->io, NULL);
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->changed, &ca);
    pthread_condattr_destroy(&ca);

    char why[256];
    if (ifd_addr_parse(device, &r->addr, why, sizeof why) != 0) {
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: %s", lun, why);
        reader_free(r);
        return IFD_COMMUNICATION_ERROR;
    }

    pthread_mutex_lock(&table_lock);
    size_t slot = IFD_MAX_READERS;
    bool dup = false;
    for (size_t i = 0; i < IFD_MAX_READERS; i++) {
        if (table[i] && table[i]->lun == lun) dup = true;
        if (!table[i] && slot == IFD_MAX_READERS) slot = i;
    }
    if (dup || slot == IFD_MAX_READERS) {
        pthread_mutex_unlock(&table_lock);
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: %s", lun, dup ? "channel already open" : "too many readers");
        reader_free(r);
        return IFD_COMMUNICATION_ERROR;
    }
    table[slot] = r; /* reserve the slot now; until the monitor runs this reader simply has no card */
    pthread_mutex_unlock(&table_lock);

    r->listen_fd = ifd_listen(&r->addr, why, sizeof why);
    if (r->listen_fd < 0 || pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
        pthread_create(&r->monitor, NULL, monitor_main, r) != 0) {
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: cannot listen on %s: %s", lun, device,
                r->listen_fd < 0 ? why : strerror(errno));
        if (r->listen_fd >= 0 && r->addr.at.kind == CL_ADDR_UNIX) unlink(r->addr.at.path);
        pthread_mutex_lock(&table_lock);
        table[slot] = NULL;
        pthread_mutex_unlock(&table_lock);
        reader_free(r);
        return IFD_COMMUNICATION_ERROR;
    }
    r->monitor_started = true;
    ifd_log(IFD_LOG_INFO, "lun 0x%lX: waiting for a card on %s", lun, device);
    return IFD_SUCCESS;
}

long ifd_reader_close(unsigned long lun)
{
    struct reader *r = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < IFD_MAX_READERS; i++)
        if (table[i] && table[i]->lun == lun) { r = table[i]; table[i] = NULL; }
    pthread_mutex_unlock(&table_lock);
    if (!r) return IFD_NO_SUCH_DEVICE;

    pthread_mutex_lock(&r->lock);
    r->closing = true;
    r->stop_wait = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    wake_monitor(r);
    if (r->monitor_started) pthread_join(r->monitor, NULL);

    pthread_mutex_lock(&r->io);
    drop_card_locked(r, IFD_LOG_INFO, "reader closed");
    pthread_mutex_unlock(&r->io);
    if (r->addr.at.kind == CL_ADDR_UNIX) unlink(r->addr.at.path);
    reader_free(r);
    return IFD_SUCCESS;
}

long ifd_reader_presence(unsigned long lun)
{
    struct reader *r = find(lun);
    if (!r) return IFD_NO_SUCH_DEVICE;
    pthread_mutex_lock(&r->lock);
    bool present = r->card_fd >= 0;
    long rc;
    if (present && r->reported == 1 && r->reported_gen != r->gen) {
        /* Swapped behind pcscd's back: report one removal so the new card gets powered up afresh. */
        r->reported = 0;
        rc = IFD_ICC_NOT_PRESENT;
    } else {
        r->reported = present;
        r->reported_gen = r->gen;
        rc = present ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* True when the next presence call would answer differently from the last one. */
static bool presence_news(const struct reader *r)
{
    if (r->reported < 0) return true;
    bool present = r->card_fd >= 0;
    return (int)present != r->reported || (present && r->reported_gen != r->gen);
}

/* Longest single wait of the polling function. pcscd decides to power down a card that no client
 * uses (its grace period) only when the polling function returns; with pcscd's own timeout (many
 * minutes) an idle card would stay powered forever, and RAM state (CLEAR_ON_RESET arrays, the
 * selected applet) would leak from one tool run into the next, unlike with a real reader. */
#define IFD_POLL_MAX_MS 400

long ifd_reader_wait_change(unsigned long lun, int timeout_ms)
{
    struct reader *r = find(lun);
    if (!r) return IFD_NO_SUCH_DEVICE;
    if (timeout_ms < 0 || timeout_ms > IFD_POLL_MAX_MS) timeout_ms = IFD_POLL_MAX_MS;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_ms >= 0) {
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    }
    pthread_mutex_lock(&r->lock);
    while (!r->stop_wait && !r->closing && !presence_news(r)) {
        int e = timeout_ms >= 0 ? pthread_cond_timedwait(&r->changed, &r->lock, &until)
                                : pthread_cond_wait(&r->changed, &r->lock);
        if (e == ETIMEDOUT) break;
    }
    r->stop_wait = false;
    pthread_mutex_unlock(&r->lock);
    return IFD_SUCCESS;
}

long ifd_reader_stop_wait(unsigned long lun)
{
    struct reader *r = find(lun);
    if (!r) return IFD_NO_SUCH_DEVICE;
    pthread_mutex_lock(&r->lock);
    r->stop_wait = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return IFD_SUCCESS;
}

/* Sends one frame to the card and, if want_reply, reads its answer into r->rx. Caller holds io.
 * Any failure drops the card: after a lost or late reply the stream cannot be trusted again. */
static long exchange(struct reader *r, const uint8_t *payload, size_t len, bool want_reply, size_t *reply_len)
{
    pthread_mutex_lock(&r->lock);
    int fd = r->card_fd;
    pthread_mutex_unlock(&r->lock);
    if (fd < 0) return IFD_ICC_NOT_PRESENT;

    uint8_t peek;
    ssize_t pk = recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT);
    if (pk == 0) { drop_card_locked(r, IFD_LOG_INFO, "card disconnected"); return IFD_ICC_NOT_PRESENT; }
    if (pk > 0) {
        drop_card_locked(r, IFD_LOG_ERROR, "card sent data nobody asked for");
        return IFD_COMMUNICATION_ERROR;
    }
    if (ifd_frame_send(fd, payload, len, r->addr.timeout_ms) != 0) {
        drop_card_locked(r, IFD_LOG_ERROR, "card went away while receiving a command");
        return IFD_COMMUNICATION_ERROR;
    }
    if (!want_reply) return IFD_SUCCESS;
    enum ifd_wire_rc rc = ifd_frame_recv(fd, r->rx, sizeof r->rx, reply_len, r->addr.timeout_ms);
    if (rc == IFD_WIRE_OK) return IFD_SUCCESS;
    char why[96];
    snprintf(why, sizeof why, "reply: %s", ifd_wire_rc_text(rc));
    drop_card_locked(r, rc == IFD_WIRE_EOF || rc == IFD_WIRE_CUT ? IFD_LOG_INFO : IFD_LOG_ERROR, why);
    return rc == IFD_WIRE_TIMEOUT ? IFD_RESPONSE_TIMEOUT : IFD_COMMUNICATION_ERROR;
}

/* Control code, then GET ATR; stores the ATR. Caller holds io. */
static long power_and_atr(struct reader *r, uint8_t ctrl)
{
    long rc = exchange(r, &ctrl, 1, false, NULL);
    if (rc != IFD_SUCCESS) return rc;
    uint8_t get = IFD_CTRL_GET_ATR;
    size_t n = 0;
    rc = exchange(r, &get, 1, true, &n);
    if (rc != IFD_SUCCESS) return rc;
    if (n > IFD_ATR_MAX) {
        drop_card_locked(r, IFD_LOG_ERROR, "malformed ATR (longer than 33 bytes)");
        return IFD_COMMUNICATION_ERROR;
    }
    pthread_mutex_lock(&r->lock);
    memcpy(r->atr, r->rx, n);
    r->atr_len = n;
    pthread_mutex_unlock(&r->lock);
    return IFD_SUCCESS;
}

long ifd_reader_power(unsigned long lun, unsigned long action, uint8_t *atr, size_t *atr_len)
{
    if (atr_len) *atr_len = 0;
    struct reader *r = find(lun);
    if (!r) return IFD_NO_SUCH_DEVICE;
    if (action != IFD_POWER_UP && action != IFD_POWER_DOWN && action != IFD_RESET) return IFD_NOT_SUPPORTED;

    pthread_mutex_lock(&r->io);
    long rc;
    if (action == IFD_POWER_DOWN) {
        uint8_t off = IFD_CTRL_POWER_OFF;
        rc = exchange(r, &off, 1, false, NULL);
        if (rc == IFD_ICC_NOT_PRESENT) rc = IFD_SUCCESS; /* no card: nothing is powered */
        pthread_mutex_lock(&r->lock);
        r->atr_len = 0;
        pthread_mutex_unlock(&r->lock);
    } else {
        rc = power_and_atr(r, action == IFD_POWER_UP ? IFD_CTRL_POWER_ON : IFD_CTRL_RESET);
        if (rc == IFD_ICC_NOT_PRESENT) rc = IFD_ERROR_POWER_ACTION;
        if (rc == IFD_SUCCESS) {
            pthread_mutex_lock(&r->lock);
            if (atr) memcpy(atr, r->atr, r->atr_len);
            if (atr_len) *atr_len = atr ? r->atr_len : 0;
            pthread_mutex_unlock(&r->lock);
        }
    }
    pthread_mutex_unlock(&r->io);
    return rc;
}

long ifd_reader_atr(unsigned long lun, uint8_t atr[33], size_t *atr_len)
{
    struct reader *r = find(lun);
    if (!r) { *atr_len = 0; return IFD_NO_SUCH_DEVICE; }
    pthread_mutex_lock(&r->lock);
    memcpy(atr, r->atr, r->atr_len);
    *atr_len = r->atr_len;
    pthread_mutex_unlock(&r->lock);
    return IFD_SUCCESS;
}

long ifd_reader_transmit(unsigned long lun, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
    size_t cap = *resp_len;
    *resp_len = 0;
    struct reader *r = find(lun);
    if (!r) return IFD_NO_SUCH_DEVICE;
    /* A 1-byte payload would be read by the card as a control code; 0 bytes cannot be framed. */
    if (!cmd || len < 2 || len > IFD_FRAME_MAX) {
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: refused a command of %zu bytes (want 2..%u)", lun, len, IFD_FRAME_MAX);
        return IFD_COMMUNICATION_ERROR;
    }
    pthread_mutex_lock(&r->io);
    size_t n = 0;
    long rc = exchange(r, cmd, len, true, &n);
    if (rc == IFD_SUCCESS && n < 2) {
        drop_card_locked(r, IFD_LOG_ERROR, "malformed R-APDU (shorter than SW1 SW2)");
        rc = IFD_COMMUNICATION_ERROR;
    } else if (rc == IFD_SUCCESS && n > cap) {
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: R-APDU of %zu bytes does not fit the %zu-byte buffer", lun, n, cap);
        rc = IFD_ERROR_INSUFFICIENT_BUFFER;
    } else if (rc == IFD_SUCCESS) {
        memcpy(resp, r->rx, n);
        *resp_len = n;
    }
    cl_wipe(r->rx, n); /* replies may carry secrets (key material, decrypted data): no copy stays here */
    pthread_mutex_unlock(&r->io);
    return rc;
}
