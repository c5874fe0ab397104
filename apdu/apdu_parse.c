/* ISO 7816-3 12.1 / ISO 7816-4 5.1: the seven command cases, decided from the total length alone.
 * Every branch checks the length before it reads a byte, so a malformed command is refused
 * without reading past len. */
#include "apdu/apdu.h"

#include <string.h>

#include "common/cl_util.h"

/* Le of 00 means the maximum of the form (256 short, 65536 extended). */
static uint32_t short_ne(uint8_t le) { return le ? le : APDU_SHORT_MAX_NE; }
static uint32_t ext_ne(const uint8_t *p) { uint16_t v = cl_get16(p); return v ? v : APDU_EXT_MAX_NE; }

enum apdu_parse_err apdu_parse(const uint8_t *buf, size_t len, apdu_cmd_t *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len < APDU_HEADER_LEN) return APDU_PARSE_TOO_SHORT;
    if (len > APDU_CMD_MAX) return APDU_PARSE_TOO_LONG;

    apdu_cmd_t c;
    memset(&c, 0, sizeof c);
    c.cla = buf[0]; c.ins = buf[1]; c.p1 = buf[2]; c.p2 = buf[3];
    const uint8_t *body = buf + APDU_HEADER_LEN;
    size_t blen = len - APDU_HEADER_LEN;

    if (blen == 0) {
        c.kase = APDU_CASE_1;
    } else if (blen == 1) {
        c.kase = APDU_CASE_2S;
        c.le_present = true;
        c.ne = short_ne(body[0]);
    } else if (body[0] != 0) {
        /* Short Lc: the body is Lc data, optionally followed by one Le byte. */
        size_t lc = body[0];
        if (blen == 1 + lc) {
            c.kase = APDU_CASE_3S;
        } else if (blen == 2 + lc) {
            c.kase = APDU_CASE_4S;
            c.le_present = true;
            c.ne = short_ne(body[1 + lc]);
        } else {
            return APDU_PARSE_LC_MISMATCH;
        }
        c.nc = (uint32_t)lc;
        c.data = body + 1;
    } else {
        /* First body byte 00 with more bytes after it: the extended form (00 then 2-byte fields). */
        /* "00 XX": a short Lc of 0 (not allowed) or an extended length cut short; either way refused. */
        if (blen == 2) return APDU_PARSE_SHORT_LC_ZERO;
        c.extended = true;
        if (blen == 3) {
            c.kase = APDU_CASE_2E;
            c.le_present = true;
            c.ne = ext_ne(body + 1);
        } else {
            size_t lc = cl_get16(body + 1);
            if (lc == 0) return APDU_PARSE_EXT_LC_ZERO;
            if (blen == 3 + lc) {
                c.kase = APDU_CASE_3E;
            } else if (blen == 5 + lc) {
                c.kase = APDU_CASE_4E;
                c.le_present = true;
                c.ne = ext_ne(body + 3 + lc);
            } else if (blen == 4 + lc) {
                return APDU_PARSE_EXT_TRUNCATED; /* Lc data then one byte: half an extended Le */
            } else {
                return APDU_PARSE_LC_MISMATCH;
            }
            c.nc = (uint32_t)lc;
            c.data = body + 3;
        }
    }
    *out = c;
    return APDU_PARSE_OK;
}

const char *apdu_parse_strerror(enum apdu_parse_err err)
{
    switch (err) {
    case APDU_PARSE_OK: return "ok";
    case APDU_PARSE_TOO_SHORT: return "command shorter than the 4-byte header";
    case APDU_PARSE_SHORT_LC_ZERO: return "short Lc of 00 (neither a short nor an extended length)";
    case APDU_PARSE_EXT_TRUNCATED: return "extended Le field cut short (one byte after the data)";
    case APDU_PARSE_EXT_LC_ZERO: return "extended Lc of 0000 followed by more bytes";
    case APDU_PARSE_LC_MISMATCH: return "body length does not match Lc (with or without Le)";
    case APDU_PARSE_TOO_LONG: return "command longer than any extended APDU";
    }
    return "unknown parse error";
}
