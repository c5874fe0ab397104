/* Secrets, logging, errors, files and time: the plumbing every module shares. */
#include "common/cl_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cl_wipe(void *p, size_t len) { if (p && len) OPENSSL_cleanse(p, len); }

bool cl_ct_equal(const void *a, const void *b, size_t len) { return CRYPTO_memcmp(a, b, len) == 0; }

int cl_log_level = 1;
static const char *log_tag = "cardlet";

void cl_log_set_tag(const char *tag) { log_tag = tag; }

static void vlog(const char *kind, const char *fmt, va_list ap)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "%s: %s", log_tag, kind);
    if (n < 0 || (size_t)n >= sizeof line) n = 0;
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    fprintf(stderr, "%s\n", line); /* one write per line so concurrent logs do not interleave mid-line */
}

void cl_err(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vlog("error: ", fmt, ap); va_end(ap); }
void cl_info(const char *fmt, ...)
{
    if (cl_log_level < 1) return;
    va_list ap; va_start(ap, fmt); vlog("", fmt, ap); va_end(ap);
}
void cl_debug(const char *fmt, ...)
{
    if (cl_log_level < 2) return;
    va_list ap; va_start(ap, fmt); vlog("debug: ", fmt, ap); va_end(ap);
}

void cl_seterr(cl_error_t *e, const char *fmt, ...)
{
    if (!e) return;
    va_list ap; va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

uint8_t *cl_read_file(const char *path, size_t max, size_t *len, cl_error_t *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) { cl_seterr(e, "%s: %s", path, strerror(errno)); return NULL; }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= max) { cl_seterr(e, "%s: larger than %zu bytes", path, max); free(buf); buf = NULL; break; }
            cap = cap * 2 > max ? max : cap * 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) { cl_seterr(e, "%s: read error", path); free(buf); buf = NULL; }
            break;
        }
    }
    if (!buf && e && !e->msg[0]) cl_seterr(e, "%s: out of memory", path);
    fclose(f);
    if (buf) *len = n;
    return buf;
}

int cl_write_file_atomic(const char *path, const void *data, size_t len, cl_error_t *e)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) { cl_seterr(e, "out of memory"); return -1; }
    snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) { cl_seterr(e, "%s: %s", tmp, strerror(errno)); free(tmp); return -1; }
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) goto fail;
        p += w; left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) { fd = -1; goto fail; }
    if (rename(tmp, path) != 0) { fd = -1; goto fail; }
    free(tmp);
    return 0;
fail:
    cl_seterr(e, "%s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

uint64_t cl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cl_deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? 0 : cl_now_ns() + (uint64_t)timeout_ms * 1000000u;
}

int cl_ms_left(uint64_t deadline_ns)
{
    if (!deadline_ns) return -1;
    uint64_t now = cl_now_ns();
    if (now >= deadline_ns) return 0;
    uint64_t ms = (deadline_ns - now + 999999u) / 1000000u; /* rounded up: never wakes before the deadline */
    return ms > INT_MAX ? INT_MAX : (int)ms;
}
