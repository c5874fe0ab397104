/* img_format: encode and validate the image header, the log header and log records. */
#include "image/img_format.h"

#include <string.h>
#include <zlib.h>

uint32_t img_crc(uint32_t crc, const void *p, size_t len)
{
    return (uint32_t)crc32_z(crc, p, len);
}

static void put64(uint8_t *p, uint64_t v)
{
    cl_put32(p, (uint32_t)(v >> 32));
    cl_put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p) { return (uint64_t)cl_get32(p) << 32 | cl_get32(p + 4); }

/* Main header, 64 bytes:
 *  0 magic(8) 8 version(4) 12 area_offset(4) 16 area_size(4) 20 flags(4) 24 id(16) 40 created(8)
 *  48 reserved zero(12) 60 crc32 of bytes 0..59(4) */
void img_header_encode(const struct img_header *h, uint8_t out[IMG_HDR_USED])
{
    memset(out, 0, IMG_HDR_USED);
    memcpy(out, IMG_MAGIC, IMG_MAGIC_LEN);
    cl_put32(out + 8, h->version);
    cl_put32(out + 12, h->area_offset);
    cl_put32(out + 16, h->area_size);
    cl_put32(out + 20, h->flags);
    memcpy(out + 24, h->id, IMG_ID_LEN);
    put64(out + 40, h->created);
    cl_put32(out + 60, img_crc(0, out, 60));
}

int img_header_decode(const uint8_t *buf, size_t buf_len, uint64_t file_size, struct img_header *h, cl_error_t *e)
{
    if (buf_len < IMG_HDR_USED || memcmp(buf, IMG_MAGIC, IMG_MAGIC_LEN) != 0) {
        cl_seterr(e, "IMAGE: not a cardlet card image (no CARDLET header)");
        return -1;
    }
    /* The version is checked before the checksum: a later format may place its checksum elsewhere,
     * and "version not supported" is the message that helps the user then. */
    uint32_t version = cl_get32(buf + 8);
    if (version != IMG_VERSION) {
        cl_seterr(e, "IMAGE: format version %u not supported (this cardlet reads %u)", version, IMG_VERSION);
        return -1;
    }
    if (cl_get32(buf + 60) != img_crc(0, buf, 60)) {
        cl_seterr(e, "IMAGE: header checksum mismatch (damaged image)");
        return -1;
    }
    struct img_header d;
    d.version = version;
    d.area_offset = cl_get32(buf + 12);
    d.area_size = cl_get32(buf + 16);
    d.flags = cl_get32(buf + 20);
    memcpy(d.id, buf + 24, IMG_ID_LEN);
    d.created = get64(buf + 40);
    if (d.area_offset != IMG_AREA_OFFSET) {
        cl_seterr(e, "IMAGE: header says the area starts at %u, version %u images start at %u", d.area_offset,
                  IMG_VERSION, IMG_AREA_OFFSET);
        return -1;
    }
    if (d.flags != 0) {
        cl_seterr(e, "IMAGE: unknown header flags 0x%08X (made by a newer cardlet?)", d.flags);
        return -1;
    }
    if (d.area_size == 0 || d.area_size > IMG_MAX_AREA) {
        cl_seterr(e, "IMAGE: area size %u out of range (1..%u)", d.area_size, IMG_MAX_AREA);
        return -1;
    }
    uint64_t want = (uint64_t)d.area_offset + d.area_size;
    if (file_size != want) {
        cl_seterr(e, "IMAGE: file is %llu bytes, its header says %llu (%s)", (unsigned long long)file_size,
                  (unsigned long long)want, file_size < want ? "truncated" : "trailing bytes");
        return -1;
    }
    *h = d;
    return 0;
}

/* Log header, 64 bytes:
 *  0 magic(8) 8 version(4) 12 header length(4) 16 id(16) 32 generation(8) 40 area_size(4)
 *  44 reserved zero(16) 60 crc32 of bytes 0..59(4) */
void img_wal_header_encode(const struct img_wal_header *h, uint8_t out[IMG_WAL_HDR_LEN])
{
    memset(out, 0, IMG_WAL_HDR_LEN);
    memcpy(out, IMG_WAL_MAGIC, IMG_MAGIC_LEN);
    cl_put32(out + 8, h->version);
    cl_put32(out + 12, IMG_WAL_HDR_LEN);
    memcpy(out + 16, h->id, IMG_ID_LEN);
    put64(out + 32, h->generation);
    cl_put32(out + 40, h->area_size);
    cl_put32(out + 60, img_crc(0, out, 60));
}

int img_wal_header_decode(const uint8_t *buf, size_t buf_len, struct img_wal_header *h, cl_error_t *e)
{
    if (buf_len < IMG_WAL_HDR_LEN || memcmp(buf, IMG_WAL_MAGIC, IMG_MAGIC_LEN) != 0) {
        cl_seterr(e, "no log header");
        return -1;
    }
    if (cl_get32(buf + 60) != img_crc(0, buf, 60)) {
        cl_seterr(e, "log header checksum mismatch");
        return -1;
    }
    h->version = cl_get32(buf + 8);
    if (h->version != IMG_WAL_VERSION || cl_get32(buf + 12) != IMG_WAL_HDR_LEN) {
        cl_seterr(e, "log format version %u not supported", h->version);
        return -1;
    }
    memcpy(h->id, buf + 16, IMG_ID_LEN);
    h->generation = get64(buf + 32);
    h->area_size = cl_get32(buf + 40);
    return 0;
}

void img_stamp_encode(uint64_t generation, uint8_t out[IMG_STAMP_LEN])
{
    memset(out, 0, IMG_STAMP_LEN);
    memcpy(out, IMG_STAMP_MAGIC, IMG_MAGIC_LEN);
    put64(out + 8, generation);
    cl_put32(out + 60, img_crc(0, out, 60));
}

int img_stamp_decode(const uint8_t *buf, size_t buf_len, uint64_t *generation)
{
    if (buf_len < IMG_STAMP_LEN || memcmp(buf, IMG_STAMP_MAGIC, IMG_MAGIC_LEN) != 0) return -1;
    if (cl_get32(buf + 60) != img_crc(0, buf, 60)) return -1;
    *generation = get64(buf + 8);
    return 0;
}

uint32_t img_rec_seed(uint64_t generation)
{
    uint8_t g[8];
    put64(g, generation);
    return img_crc(0, g, sizeof g);
}

void img_rec_head_encode(uint8_t out[IMG_REC_HEAD], uint32_t rec_len, uint64_t seq, uint32_t count)
{
    cl_put32(out, rec_len);
    put64(out + 4, seq);
    cl_put32(out + 12, count);
}

size_t img_rec_check(const uint8_t *buf, size_t avail, uint64_t expect_seq, uint32_t seed, uint32_t area_size,
                     uint32_t *count)
{
    if (avail < IMG_REC_MIN) return 0;
    uint32_t len = cl_get32(buf);
    if (len < IMG_REC_MIN || len > avail) return 0; /* cut short: the write never finished */
    if (get64(buf + 4) != expect_seq) return 0;      /* stale or foreign record */
    uint32_t n = cl_get32(buf + 12);
    if (n == 0) return 0;
    if (cl_get32(buf + len - IMG_REC_TAIL) != img_crc(seed, buf, len - IMG_REC_TAIL)) return 0;
    /* Even with a good checksum, walk every entry: a record that does not parse exactly, or
     * that writes outside the area, is never applied. */
    size_t pos = IMG_REC_HEAD, end = len - IMG_REC_TAIL;
    for (uint32_t i = 0; i < n; i++) {
        if (end - pos < IMG_REC_ENTRY_HEAD) return 0;
        uint32_t off = cl_get32(buf + pos), elen = cl_get32(buf + pos + 4);
        pos += IMG_REC_ENTRY_HEAD;
        if (elen > end - pos) return 0;
        if ((uint64_t)off + elen > area_size) return 0;
        pos += elen;
    }
    if (pos != end) return 0;
    *count = n;
    return len;
}

void img_rec_next(const uint8_t *rec, size_t *pos, struct img_rec_entry *ent)
{
    ent->off = cl_get32(rec + *pos);
    ent->len = cl_get32(rec + *pos + 4);
    ent->data = rec + *pos + IMG_REC_ENTRY_HEAD;
    *pos += IMG_REC_ENTRY_HEAD + ent->len;
}
