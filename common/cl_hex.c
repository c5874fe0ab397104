/* Hex text <-> bytes, as typed by people in APDU scripts and command lines. */
#include "common/cl_util.h"

int cl_hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long cl_hex_decode(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == ':' || *p == '\n' || *p == '\r') {
            if (hi >= 0) return -1; /* a byte split by a separator is a typo, not data */
            continue;
        }
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hi < 0) { p++; continue; }
        int v = cl_hex_digit((unsigned char)*p);
        if (v < 0) return -1;
        if (hi < 0) { hi = v; continue; }
        if (n >= cap) return -1;
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return hi >= 0 ? -1 : (long)n;
}

char *cl_hex_encode(const uint8_t *in, size_t len, char *out, char sep)
{
    static const char digits[] = "0123456789ABCDEF";
    char *o = out;
    for (size_t i = 0; i < len; i++) {
        if (sep && i) *o++ = sep;
        *o++ = digits[in[i] >> 4];
        *o++ = digits[in[i] & 15];
    }
    *o = 0;
    return out;
}
