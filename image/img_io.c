/* img_io: pwrite/ftruncate/fsync wrappers with a test-only fault plan. */
#include "image/img_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    bool armed, fired, once;
    long at, calls;
    enum img_fault_mode mode;
    size_t keep;
    uint32_t seed;
} fault;

void img_fault_arm(long at, enum img_fault_mode mode, size_t keep, uint32_t seed)
{
    fault.armed = true;
    fault.fired = false;
    fault.at = at;
    fault.calls = 0;
    fault.mode = mode;
    fault.keep = keep;
    fault.seed = seed ? seed : 1;
}

/* xorshift32: test-only choice of which sectors of a torn write land. */
static uint32_t fault_rand(void)
{
    uint32_t x = fault.seed;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    fault.seed = x;
    return x;
}

/* Power-loss simulation: changing calls waiting for an fsync. */
struct pending { int fd; bool truncate; off_t off; size_t len; uint8_t *data; };
static struct { bool on; struct pending *p; size_t n, cap; } power;

static int power_queue(int fd, bool truncate, off_t off, const struct iovec *iov, int iovcnt, size_t len)
{
    if (power.n == power.cap) {
        size_t cap = power.cap ? power.cap * 2 : 64;
        struct pending *np = realloc(power.p, cap * sizeof *np);
        if (!np) { errno = ENOMEM; return -1; }
        power.p = np;
        power.cap = cap;
    }
    struct pending *q = &power.p[power.n];
    q->fd = fd;
    q->truncate = truncate;
    q->off = off;
    q->len = len;
    q->data = NULL;
    if (!truncate) {
        q->data = malloc(len ? len : 1);
        if (!q->data) { errno = ENOMEM; return -1; }
        size_t at = 0;
        for (int i = 0; i < iovcnt; i++) { memcpy(q->data + at, iov[i].iov_base, iov[i].iov_len); at += iov[i].iov_len; }
    }
    power.n++;
    return 0;
}

static void power_apply(const struct pending *q, bool torn)
{
    if (q->truncate) {
        if (ftruncate(q->fd, q->off) != 0) { /* simulation: nothing to do about it */ }
        return;
    }
    for (size_t s = 0; s < q->len; s += 512) {
        if (torn && (fault_rand() & 1)) continue;
        size_t n = q->len - s < 512 ? q->len - s : 512;
        if (pwrite(q->fd, q->data + s, n, q->off + (off_t)s) != (ssize_t)n) { /* as above */ }
    }
}

/* fsync: the descriptor's waiting calls reach the disk, in order. */
static void power_flush(int fd)
{
    size_t keep = 0;
    for (size_t i = 0; i < power.n; i++) {
        if (power.p[i].fd == fd) { power_apply(&power.p[i], false); free(power.p[i].data); }
        else power.p[keep++] = power.p[i];
    }
    power.n = keep;
}

void img_fault_power_on(void) { power.on = true; }

void img_fault_power_cut(uint32_t seed)
{
    fault.seed = seed ? seed : 1;
    for (size_t i = 0; i < power.n; i++) {
        uint32_t r = fault_rand() % 4;
        if (r < 2) power_apply(&power.p[i], false);
        else if (r == 3) power_apply(&power.p[i], true);
        free(power.p[i].data);
    }
    free(power.p);
    memset(&power, 0, sizeof power);
}

void img_fault_disarm(void) { memset(&fault, 0, sizeof fault); }

void img_fault_once(long at, size_t keep)
{
    img_fault_arm(at, IMG_FAULT_PREFIX, keep, 0);
    fault.once = true;
}
bool img_fault_fired(void) { return fault.fired; }
long img_fault_calls(void) { return fault.calls; }

static ssize_t write_all_iov(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
    ssize_t w;
    do w = pwritev(fd, iov, iovcnt, off); while (w < 0 && errno == EINTR);
    return w;
}

/* Writes the part of the flattened iov in [from, to) at off + from. */
static void write_range(int fd, const struct iovec *iov, int iovcnt, off_t off, size_t from, size_t to)
{
    size_t base = 0;
    for (int i = 0; i < iovcnt && base < to; i++) {
        size_t a = base, b = base + iov[i].iov_len;
        base = b;
        if (b <= from) continue;
        if (a < from) a = from;
        if (b > to) b = to;
        if (a < b) {
            ssize_t r = pwrite(fd, (const uint8_t *)iov[i].iov_base + (a - (base - iov[i].iov_len)), b - a,
                               off + (off_t)a);
            (void)r; /* a dying process does not check */
        }
    }
}

/* Returns true if this changing call must fail; performs the partial effect of the fault. */
static bool fault_hit(int fd, const struct iovec *iov, int iovcnt, off_t off, bool is_truncate, off_t trunc_len)
{
    if (!fault.armed) return false;
    if (fault.fired) return !fault.once;
    if (fault.calls++ != fault.at) return false;
    fault.fired = true;
    if (is_truncate) {
        if (fault.keep > 0 && ftruncate(fd, trunc_len) != 0) { /* dying anyway */ }
        return true;
    }
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
    if (fault.mode == IMG_FAULT_PREFIX) {
        write_range(fd, iov, iovcnt, off, 0, fault.keep < total ? fault.keep : total);
    } else {
        for (size_t s = 0; s < total; s += 512) {
            if (fault_rand() & 1) write_range(fd, iov, iovcnt, off, s, s + 512 < total ? s + 512 : total);
        }
    }
    return true;
}

int img_io_pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
    if (fault_hit(fd, iov, iovcnt, off, false, 0)) { errno = fault.once ? ENOSPC : EIO; return -1; }
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
    if (power.on) return power_queue(fd, false, off, iov, iovcnt, total);
    ssize_t w = write_all_iov(fd, iov, iovcnt, off);
    if (w < 0) return -1;
    if ((size_t)w != total) { errno = ENOSPC; return -1; } /* short: the caller rolls the log back */
    return 0;
}

int img_io_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    struct iovec v = { .iov_base = (void *)buf, .iov_len = len };
    return img_io_pwritev(fd, &v, 1, off);
}

int img_io_ftruncate(int fd, off_t len)
{
    if (fault_hit(fd, NULL, 0, 0, true, len)) { errno = EIO; return -1; }
    if (power.on) return power_queue(fd, true, len, NULL, 0, 0);
    int r;
    do r = ftruncate(fd, len); while (r < 0 && errno == EINTR);
    return r;
}

int img_io_fsync(int fd)
{
    if (fault.armed && fault.fired && !fault.once) { errno = EIO; return -1; }
    if (power.on) power_flush(fd);
    return fsync(fd);
}

int img_io_fdatasync(int fd)
{
    if (fault.armed && fault.fired && !fault.once) { errno = EIO; return -1; }
    if (power.on) power_flush(fd);
    return fdatasync(fd);
}
