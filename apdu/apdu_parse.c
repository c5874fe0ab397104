/* ISO 7816-3 12.1 / ISO 7816-4 5.1: the seven command cases, decided from the total length alone.
 * Every branch checks the length before it reads a byte, so a malformed command is refused
 * without reading past len. */
#include "apdu/apdu.h"

#include <string.h>

#include "common/cl_util.h"

/* Le of 00 means the maximum of the form (256 short, 65536 extended). */
static uint32_t short_ne(uint8_t le) { return le ? le : APDU_SHORT_MAX_NE; }
static uint32_t ext_ne(const uint8_t *p) { uint16_t v = cl_get16(p); return v ? v : APDU_EXT_MAX_NE; }

/* One clear per command (the header's promise: zeroed output on error, the router's fields zero on
 * success): the body is decoded into locals and out is written only once the lengths add up. */
enum apdu_parse_err apdu_parse(const uint8_t *buf, size_t len, apdu_cmd_t *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len < APDU_HEADER_LEN) return APDU_PARSE_TOO_SHORT;
    if (len > APDU_CMD_MAX) return APDU_PARSE_TOO_LONG;

    const uint8_t *body = buf + APDU_HEADER_LEN;
    size_t blen = len - APDU_HEADER_LEN;
    enum apdu_case kase;
    size_t lc = 0;           /* Nc; the data follows the Lc field */
    size_t lc_field = 0;     /* 1 short, 3 extended */
    uint32_t ne = 0;         /* 0: no Le field */
    bool extended = false;

    if (blen == 0) {
        kase = APDU_CASE_1;
    } else if (blen == 1) {
        kase = APDU_CASE_2S;
        ne = short_ne(body[0]);
    } else if (body[0] != 0) {
        /* Short Lc: the body is Lc data, optionally followed by one Le byte. */
        lc = body[0];
        lc_field = 1;
        if (blen == 1 + lc) {
            kase = APDU_CASE_3S;
        } else if (blen == 2 + lc) {
            kase = APDU_CASE_4S;
            ne = short_ne(body[1 + lc]);
        } else {
            return APDU_PARSE_LC_MISMATCH;
        }
    } else {
        /* First body byte 00 with more bytes after it: the extended form (00 then 2-byte fields). */
        /* "00 XX": a short Lc of 0 (not allowed) or an extended length cut short; either way refused. */
        if (blen == 2) return APDU_PARSE_SHORT_LC_ZERO;
        extended = true;
        if (blen == 3) {
            kase = APDU_CASE_2E;
            ne = ext_ne(body + 1);
        } else {
            lc = cl_get16(body + 1);
            lc_field = 3;
            if (lc == 0) return APDU_PARSE_EXT_LC_ZERO;
            if (blen == 3 + lc) {
                kase = APDU_CASE_3E;
            } else if (blen == 5 + lc) {
                kase = APDU_CASE_4E;
                ne = ext_ne(body + 3 + lc);
            } else if (blen == 4 + lc) {
                return APDU_PARSE_EXT_TRUNCATED; /* Lc data then one byte: half an extended Le */
            } else {
                return APDU_PARSE_LC_MISMATCH;
            }
        }
    }
    out->cla = buf[0]; out->ins = buf[1]; out->p1 = buf[2]; out->p2 = buf[3];
    out->kase = kase;
    out->nc = (uint32_t)lc;
    out->data = lc ? body + lc_field : NULL;
    out->le_present = ne != 0; /* a present Le always decodes to 1..65536 */
    out->ne = ne;
    out->extended = extended;
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
