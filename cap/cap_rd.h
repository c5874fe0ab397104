/* cap_rd: bounds-checked big-endian reader over one CAP component, internal to cap/.
 * The first failure records "<Component> component: offset 0x..: <what>" in e and makes every
 * later read fail too, so parsers can read a run of fields and check once. */
#ifndef CAP_RD_H
#define CAP_RD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cl_util.h"

typedef struct {
    const uint8_t *p;       /* component info */
    size_t len;
    size_t pos;
    const char *comp;       /* "Method" */
    cl_error_t *e;
    bool failed;
} cap_rd_t;

static inline void cap_rd_init(cap_rd_t *r, const uint8_t *p, size_t len, const char *comp, cl_error_t *e)
{
    r->p = p; r->len = len; r->pos = 0; r->comp = comp; r->e = e; r->failed = false;
}

/* Records an error at offset off (component-info relative). Returns -1. Only the first counts. */
__attribute__((format(printf, 3, 4)))
static inline int cap_rd_fail_at(cap_rd_t *r, size_t off, const char *fmt, ...)
{
    if (r->failed) return -1;
    r->failed = true;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    cl_seterr(r->e, "%s component: offset 0x%zx: %s", r->comp, off, what);
    return -1;
}

static inline bool cap_rd_has(cap_rd_t *r, size_t n, const char *what)
{
    if (r->failed) return false;
    if (r->len - r->pos < n) {
        cap_rd_fail_at(r, r->pos, "truncated %s (%zu bytes needed, %zu left)", what, n, r->len - r->pos);
        return false;
    }
    return true;
}

static inline uint8_t cap_rd_u1(cap_rd_t *r, const char *what)
{
    if (!cap_rd_has(r, 1, what)) return 0;
    return r->p[r->pos++];
}

static inline uint16_t cap_rd_u2(cap_rd_t *r, const char *what)
{
    if (!cap_rd_has(r, 2, what)) return 0;
    uint16_t v = cl_get16(r->p + r->pos);
    r->pos += 2;
    return v;
}

/* Pointer to n bytes, advancing; NULL (and failed) if they are not there. */
static inline const uint8_t *cap_rd_bytes(cap_rd_t *r, size_t n, const char *what)
{
    if (!cap_rd_has(r, n, what)) return NULL;
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

#endif
