/* cap_zip: strict zip reader (stored + deflated, CRC-checked) and stored-only writer.
 * Zip is little-endian, unlike every other format in cardlet, hence the local helpers. */
#include "cap/cap_zip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD    0x06054b50u
#define SIG_Z64LOC  0x07064b50u
#define SIG_Z64EOCD 0x06064b50u

#define LOCAL_HDR_LEN   30
#define CENTRAL_HDR_LEN 46
#define EOCD_LEN        22

#define FLAG_ENCRYPTED  0x0001
#define FLAG_STRONG_ENC 0x0040

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

int cap_zip_is_zip(const uint8_t *buf, size_t len)
{
    if (!buf || len < 4) return 0;
    uint32_t sig = le32(buf);
    return sig == SIG_LOCAL || sig == SIG_EOCD;
}

/* The end record sits in the last 22..22+65535 bytes; the last candidate whose comment length
 * reaches exactly to the end of the buffer wins (a comment could contain a fake signature). */
static long find_eocd(const uint8_t *buf, size_t len)
{
    if (len < EOCD_LEN) return -1;
    size_t lowest = len > EOCD_LEN + 0xFFFFu ? len - EOCD_LEN - 0xFFFFu : 0;
    for (size_t pos = len - EOCD_LEN + 1; pos-- > lowest;) {
        if (le32(buf + pos) == SIG_EOCD && pos + EOCD_LEN + le16(buf + pos + 20) == len) return (long)pos;
    }
    return -1;
}

int cap_zip_open(cap_zip_t *z, const uint8_t *buf, size_t len, cl_error_t *e)
{
    memset(z, 0, sizeof(*z));
    if (!buf) { cl_seterr(e, "zip: no data"); return -1; }
    if (len > 0xFFFFFFFFu) { cl_seterr(e, "zip: archive larger than 4 GiB (zip64 is not supported)"); return -1; }
    long eocd = find_eocd(buf, len);
    if (eocd < 0) { cl_seterr(e, "zip: end of central directory record not found (not a zip/JAR file, or truncated)"); return -1; }
    const uint8_t *r = buf + eocd;
    uint16_t disk = le16(r + 4), cd_disk = le16(r + 6), n_disk = le16(r + 8), n_total = le16(r + 10);
    uint32_t cd_size = le32(r + 12), cd_off = le32(r + 16);
    if (eocd >= 20 && le32(buf + eocd - 20) == SIG_Z64LOC) {
        cl_seterr(e, "zip: offset 0x%lx: zip64 archives are not supported", (unsigned long)(eocd - 20));
        return -1;
    }
    if (n_total == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
        cl_seterr(e, "zip: offset 0x%lx: zip64 archives are not supported", (unsigned long)eocd);
        return -1;
    }
    if (disk != 0 || cd_disk != 0 || n_disk != n_total) {
        cl_seterr(e, "zip: offset 0x%lx: multi-disk archives are not supported", (unsigned long)eocd);
        return -1;
    }
    if ((size_t)cd_off > (size_t)eocd || (size_t)cd_size > (size_t)eocd - cd_off) {
        cl_seterr(e, "zip: offset 0x%lx: central directory (offset 0x%x, size %u) outside the archive",
                  (unsigned long)eocd, cd_off, cd_size);
        return -1;
    }
    if (n_total > CAP_ZIP_MAX_ENTRIES) {
        cl_seterr(e, "zip: %u entries, more than the %d supported", n_total, CAP_ZIP_MAX_ENTRIES);
        return -1;
    }
    if ((size_t)n_total * CENTRAL_HDR_LEN > cd_size) {
        cl_seterr(e, "zip: offset 0x%lx: %u entries cannot fit in a central directory of %u bytes",
                  (unsigned long)eocd, n_total, cd_size);
        return -1;
    }
    cap_zip_entry_t *ents = calloc(n_total ? n_total : 1, sizeof(*ents));
    if (!ents) { cl_seterr(e, "zip: out of memory"); return -1; }

    size_t pos = cd_off, cd_end = (size_t)cd_off + cd_size;
    for (size_t i = 0; i < n_total; i++) {
        if (cd_end - pos < CENTRAL_HDR_LEN) {
            cl_seterr(e, "zip: offset 0x%zx: central directory entry %zu truncated", pos, i);
            goto fail;
        }
        const uint8_t *c = buf + pos;
        if (le32(c) != SIG_CENTRAL) {
            cl_seterr(e, "zip: offset 0x%zx: bad central directory signature (entry %zu)", pos, i);
            goto fail;
        }
        cap_zip_entry_t *en = &ents[i];
        en->flags = le16(c + 8);
        en->method = le16(c + 10);
        en->crc32 = le32(c + 16);
        en->comp_size = le32(c + 20);
        en->size = le32(c + 24);
        uint16_t nlen = le16(c + 28), xlen = le16(c + 30), clen = le16(c + 32), start_disk = le16(c + 34);
        en->local_offset = le32(c + 42);
        size_t rec_len = (size_t)CENTRAL_HDR_LEN + nlen + xlen + clen;
        if (rec_len > cd_end - pos) {
            cl_seterr(e, "zip: offset 0x%zx: central directory entry %zu runs past the directory", pos, i);
            goto fail;
        }
        if (nlen == 0 || nlen > CAP_ZIP_MAX_NAME) {
            cl_seterr(e, "zip: offset 0x%zx: entry %zu has a name of %u bytes", pos, i, nlen);
            goto fail;
        }
        en->name = (const char *)(c + CENTRAL_HDR_LEN);
        en->name_len = nlen;
        if (memchr(en->name, 0, nlen)) {
            cl_seterr(e, "zip: offset 0x%zx: entry %zu name contains a NUL byte", pos, i);
            goto fail;
        }
        if (en->comp_size == 0xFFFFFFFFu || en->size == 0xFFFFFFFFu || en->local_offset == 0xFFFFFFFFu) {
            cl_seterr(e, "zip: offset 0x%zx: entry %zu uses zip64 sizes (not supported)", pos, i);
            goto fail;
        }
        if (start_disk != 0) {
            cl_seterr(e, "zip: offset 0x%zx: entry %zu on another disk", pos, i);
            goto fail;
        }
        if (en->flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENC)) {
            cl_seterr(e, "zip: offset 0x%zx: entry '%.*s' is encrypted (not supported)", pos, (int)nlen, en->name);
            goto fail;
        }
        if (en->method != 0 && en->method != 8) {
            cl_seterr(e, "zip: offset 0x%zx: entry '%.*s' uses compression method %u (only stored and deflated are supported)",
                      pos, (int)nlen, en->name, en->method);
            goto fail;
        }
        if (en->method == 0 && en->comp_size != en->size) {
            cl_seterr(e, "zip: offset 0x%zx: stored entry '%.*s' has compressed size %u != size %u",
                      pos, (int)nlen, en->name, en->comp_size, en->size);
            goto fail;
        }
        /* The local header and the data must lie before the central directory. */
        size_t lo = en->local_offset;
        if (lo > cd_off || (size_t)cd_off - lo < LOCAL_HDR_LEN) {
            cl_seterr(e, "zip: offset 0x%zx: entry '%.*s' local header offset 0x%x outside the archive",
                      pos, (int)nlen, en->name, en->local_offset);
            goto fail;
        }
        const uint8_t *l = buf + lo;
        if (le32(l) != SIG_LOCAL) {
            cl_seterr(e, "zip: offset 0x%zx: bad local header signature for '%.*s'", lo, (int)nlen, en->name);
            goto fail;
        }
        uint16_t lnlen = le16(l + 26), lxlen = le16(l + 28);
        size_t data_off = lo + LOCAL_HDR_LEN + lnlen + lxlen;
        if (data_off > cd_off || en->comp_size > (size_t)cd_off - data_off) {
            cl_seterr(e, "zip: offset 0x%zx: data of '%.*s' (%u bytes) runs past the central directory",
                      lo, (int)nlen, en->name, en->comp_size);
            goto fail;
        }
        if (lnlen != nlen || memcmp(l + LOCAL_HDR_LEN, en->name, nlen) != 0) {
            cl_seterr(e, "zip: offset 0x%zx: local header name differs from the central directory for '%.*s'",
                      lo, (int)nlen, en->name);
            goto fail;
        }
        if (le16(l + 8) != en->method) {
            cl_seterr(e, "zip: offset 0x%zx: local header method differs for '%.*s'", lo, (int)nlen, en->name);
            goto fail;
        }
        en->data_offset = (uint32_t)data_off;
        pos += rec_len;
    }
    z->buf = buf;
    z->len = len;
    z->count = n_total;
    z->entries = ents;
    return 0;
fail:
    free(ents);
    return -1;
}

void cap_zip_close(cap_zip_t *z)
{
    if (!z) return;
    free(z->entries);
    memset(z, 0, sizeof(*z));
}

int cap_zip_name_is(const cap_zip_entry_t *ent, const char *s)
{
    size_t n = strlen(s);
    return n == ent->name_len && memcmp(ent->name, s, n) == 0;
}

int cap_zip_name_ends_with(const cap_zip_entry_t *ent, const char *s)
{
    size_t n = strlen(s);
    return n <= ent->name_len && memcmp(ent->name + ent->name_len - n, s, n) == 0;
}

const cap_zip_entry_t *cap_zip_find(const cap_zip_t *z, const char *name, cl_error_t *e)
{
    const cap_zip_entry_t *found = NULL;
    for (size_t i = 0; i < z->count; i++) {
        if (!cap_zip_name_is(&z->entries[i], name)) continue;
        if (found) {
            if (e) cl_seterr(e, "zip: entry '%s' occurs more than once", name);
            return NULL;
        }
        found = &z->entries[i];
    }
    return found;
}

uint8_t *cap_zip_extract(const cap_zip_t *z, const cap_zip_entry_t *ent, size_t max, size_t *out_len,
                         cl_error_t *e)
{
    if (ent->size > max) {
        cl_seterr(e, "zip: entry '%.*s' is %u bytes, more than the limit of %zu", (int)ent->name_len, ent->name,
                  ent->size, max);
        return NULL;
    }
    uint8_t *out = malloc(ent->size ? ent->size : 1);
    if (!out) { cl_seterr(e, "zip: out of memory"); return NULL; }
    const uint8_t *src = z->buf + ent->data_offset;
    if (ent->method == 0) {
        memcpy(out, src, ent->size);
    } else {
        z_stream s;
        memset(&s, 0, sizeof(s));
        if (inflateInit2(&s, -MAX_WBITS) != Z_OK) {
            free(out);
            cl_seterr(e, "zip: inflate initialisation failed");
            return NULL;
        }
        s.next_in = (Bytef *)(uintptr_t)src;
        s.avail_in = ent->comp_size;
        s.next_out = out;
        s.avail_out = ent->size;
        int rc = inflate(&s, Z_FINISH);
        uLong produced = s.total_out;
        inflateEnd(&s);
        if (rc != Z_STREAM_END || produced != ent->size) {
            free(out);
            cl_seterr(e, "zip: offset 0x%x: deflated data of '%.*s' is corrupt (%s)", ent->data_offset,
                      (int)ent->name_len, ent->name,
                      rc == Z_BUF_ERROR || (rc == Z_OK) ? "longer than its declared size or truncated"
                      : rc == Z_STREAM_END ? "shorter than its declared size" : "invalid deflate stream");
            return NULL;
        }
    }
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), out, ent->size);
    if (crc != ent->crc32) {
        free(out);
        cl_seterr(e, "zip: entry '%.*s': CRC-32 mismatch (stored %08x, computed %08x)", (int)ent->name_len,
                  ent->name, ent->crc32, crc);
        return NULL;
    }
    *out_len = ent->size;
    return out;
}

/* ---- writer ---- */

static int grow(uint8_t **p, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need) n *= 2;
    uint8_t *q = realloc(*p, n);
    if (!q) return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* DOS time 00:00:00, date 1980-01-01: fixed so archives are reproducible. */
#define DOS_TIME 0x0000
#define DOS_DATE 0x0021

int cap_zip_writer_add(cap_zip_writer_t *w, const char *name, const uint8_t *data, size_t len, cl_error_t *e)
{
    size_t nlen = name ? strlen(name) : 0;
    if (nlen == 0 || nlen > CAP_ZIP_MAX_NAME) { w->failed = 1; cl_seterr(e, "zip: bad entry name"); return -1; }
    if (w->count >= CAP_ZIP_MAX_ENTRIES) { w->failed = 1; cl_seterr(e, "zip: too many entries"); return -1; }
    size_t need = w->len + LOCAL_HDR_LEN + nlen + len;
    if (len > 0x7FFFFFFFu || need > 0x7FFFFFFFu) { w->failed = 1; cl_seterr(e, "zip: archive too large"); return -1; }
    if (grow(&w->data, &w->cap, need) || grow(&w->cdir, &w->cdir_cap, w->cdir_len + CENTRAL_HDR_LEN + nlen)) {
        w->failed = 1;
        cl_seterr(e, "zip: out of memory");
        return -1;
    }
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data ? data : (const uint8_t *)"", (uInt)len);
    uint32_t local_off = (uint32_t)w->len;
    uint8_t *l = w->data + w->len;
    put_le32(l, SIG_LOCAL);
    put_le16(l + 4, 10);          /* version needed: 1.0, stored */
    put_le16(l + 6, 0);
    put_le16(l + 8, 0);           /* stored */
    put_le16(l + 10, DOS_TIME);
    put_le16(l + 12, DOS_DATE);
    put_le32(l + 14, crc);
    put_le32(l + 18, (uint32_t)len);
    put_le32(l + 22, (uint32_t)len);
    put_le16(l + 26, (uint16_t)nlen);
    put_le16(l + 28, 0);
    memcpy(l + LOCAL_HDR_LEN, name, nlen);
    if (len) memcpy(l + LOCAL_HDR_LEN + nlen, data, len);
    w->len = need;

    uint8_t *c = w->cdir + w->cdir_len;
    memset(c, 0, CENTRAL_HDR_LEN);
    put_le32(c, SIG_CENTRAL);
    put_le16(c + 4, 20);          /* made by: MS-DOS, spec 2.0 */
    put_le16(c + 6, 10);
    put_le16(c + 12, DOS_TIME);
    put_le16(c + 14, DOS_DATE);
    put_le32(c + 16, crc);
    put_le32(c + 20, (uint32_t)len);
    put_le32(c + 24, (uint32_t)len);
    put_le16(c + 28, (uint16_t)nlen);
    put_le32(c + 42, local_off);
    memcpy(c + CENTRAL_HDR_LEN, name, nlen);
    w->cdir_len += CENTRAL_HDR_LEN + nlen;
    w->count++;
    return 0;
}

int cap_zip_writer_finish(cap_zip_writer_t *w, uint8_t **out, size_t *out_len, cl_error_t *e)
{
    if (w->failed) { cl_seterr(e, "zip: an entry could not be added"); return -1; }
    size_t total = w->len + w->cdir_len + EOCD_LEN;
    if (total > 0x7FFFFFFFu) { cl_seterr(e, "zip: archive too large"); return -1; }
    if (grow(&w->data, &w->cap, total)) { cl_seterr(e, "zip: out of memory"); return -1; }
    if (w->cdir_len) memcpy(w->data + w->len, w->cdir, w->cdir_len);
    uint8_t *r = w->data + w->len + w->cdir_len;
    memset(r, 0, EOCD_LEN);
    put_le32(r, SIG_EOCD);
    put_le16(r + 8, (uint16_t)w->count);
    put_le16(r + 10, (uint16_t)w->count);
    put_le32(r + 12, (uint32_t)w->cdir_len);
    put_le32(r + 16, (uint32_t)w->len);
    *out = w->data;
    *out_len = total;
    w->data = NULL;
    w->len = w->cap = 0;
    cap_zip_writer_free(w);
    return 0;
}

void cap_zip_writer_free(cap_zip_writer_t *w)
{
    if (!w) return;
    free(w->data);
    free(w->cdir);
    memset(w, 0, sizeof(*w));
}
