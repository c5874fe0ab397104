/* cl_util: small helpers every cardlet module uses (hex, bytes, secrets, logging).
 * Prefix cl_. No module-specific knowledge lives here. */
#ifndef CL_UTIL_H
#define CL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define CL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Big-endian accessors: every wire format in this project (ISO 7816, CAP, vpcd) is big-endian. */
static inline uint16_t cl_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t cl_get32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void cl_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void cl_put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* The value of one hex digit (either case), or -1. */
int cl_hex_digit(int c);
/* Parses hex digits, ignoring spaces, tabs, ':' and an optional "0x" per byte group.
 * Returns the number of bytes written, or -1 on an odd digit count, a bad character, or overflow of cap. */
long cl_hex_decode(const char *text, uint8_t *out, size_t cap);
/* Writes 2*len hex digits (upper case) plus NUL; sep != 0 puts that character between bytes.
 * out must hold 3*len+1 bytes when sep is used, 2*len+1 otherwise. Returns out. */
char *cl_hex_encode(const uint8_t *in, size_t len, char *out, char sep);

/* Secrets: wiped with a write the compiler cannot drop, compared in constant time. */
void cl_wipe(void *p, size_t len);
bool cl_ct_equal(const void *a, const void *b, size_t len);

/* Logging to stderr with a program tag; cl_log_level: 0 errors, 1 info (default), 2 debug.
 * Never pass key material or PINs to these. */
extern int cl_log_level;
void cl_log_set_tag(const char *tag);
void cl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Error text buffer passed down through calls that can fail with a message for the user. */
#define CL_ERR_LEN 256
typedef struct { char msg[CL_ERR_LEN]; } cl_error_t;
void cl_seterr(cl_error_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole file (at most max bytes). Returns malloc'd buffer or NULL with e set. */
uint8_t *cl_read_file(const char *path, size_t max, size_t *len, cl_error_t *e);
/* Writes a file atomically (temp file + fsync + rename). Returns 0 or -1 with e set. */
int cl_write_file_atomic(const char *path, const void *data, size_t len, cl_error_t *e);

/* Monotonic clock in nanoseconds. */
uint64_t cl_now_ns(void);
/* Deadlines on that clock, for poll() loops that must not wait past a timeout in total: the deadline
 * timeout_ms from now (timeout_ms < 0: none, 0 returned), and the poll() timeout left until it
 * (no deadline: -1, wait forever; passed: 0; else milliseconds rounded up, at most INT_MAX). */
uint64_t cl_deadline_after(int timeout_ms);
int cl_ms_left(uint64_t deadline_ns);

#endif
