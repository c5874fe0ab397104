/* conv_buf: the growing byte buffer the CAP and export-file writers build their output in.
 * An allocation failure sets oom and turns every later write into a no-op; the caller checks oom
 * once at the end. Big-endian like every format written here. */
#ifndef CONV_BUF_H
#define CONV_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cl_util.h"

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int oom;
} conv_buf_t;

static inline void conv_put(conv_buf_t *b, const void *d, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n) nc *= 2;
        uint8_t *np = realloc(b->p, nc);
        if (!np) { b->oom = 1; return; }
        b->p = np; b->cap = nc;
    }
    if (n) memcpy(b->p + b->len, d, n);
    b->len += n;
}
static inline void conv_put1(conv_buf_t *b, unsigned v) { uint8_t x = (uint8_t)v; conv_put(b, &x, 1); }
static inline void conv_put2(conv_buf_t *b, unsigned v) { uint8_t x[2]; cl_put16(x, (uint16_t)v); conv_put(b, x, 2); }
static inline void conv_put4(conv_buf_t *b, uint32_t v) { uint8_t x[4]; cl_put32(x, v); conv_put(b, x, 4); }
/* Overwrites 2 bytes already written at offset at (a length known only afterwards). */
static inline void conv_set2(conv_buf_t *b, size_t at, unsigned v) { if (!b->oom) cl_put16(b->p + at, (uint16_t)v); }

#endif
