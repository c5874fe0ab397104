/* img_format: the on-disk byte layout of the card image file and its write-ahead log.
 *
 * Pure encode/decode functions, no I/O, so every bounds check can be unit tested on its own.
 * docs/card-image.md describes the same layout for people; keep the two in step.
 * All integers are big-endian, like every other wire format in cardlet.
 */
#ifndef IMG_FORMAT_H
#define IMG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

/* Main file: one 4096-byte header block, then the persistent area. The area starts on a page
 * boundary so checkpoint writes are page-aligned in the file. */
#define IMG_MAGIC "CARDLET\0"
#define IMG_MAGIC_LEN 8
#define IMG_VERSION 1
#define IMG_HDR_USED 64          /* meaningful bytes of the header block (the rest is zero) */
#define IMG_AREA_OFFSET 4096u    /* where the area starts in the main file */
#define IMG_MAX_AREA (256u << 20) /* sanity limit: a card has far less; bigger headers are refused */
#define IMG_ID_LEN 16

/* Checkpoint stamp: 64 bytes at offset 512 of the header block (its own sector, so writing it can
 * never tear the header). Rewritten at every checkpoint: the generation of the log that follows
 * the main file's content. Lets recovery tell a log from another moment (a file restored alone). */
#define IMG_STAMP_MAGIC "CARDSTMP"
#define IMG_STAMP_OFFSET 512u
#define IMG_STAMP_LEN 64u

/* Log file (IMAGE.wal): a 64-byte header, then records. */
#define IMG_WAL_MAGIC "CARDWAL\0"
#define IMG_WAL_VERSION 1
#define IMG_WAL_HDR_LEN 64u

/* Record: len(4) seq(8) count(4) { off(4) len(4) bytes }* crc(4). */
#define IMG_REC_HEAD 16u
#define IMG_REC_ENTRY_HEAD 8u
#define IMG_REC_TAIL 4u
#define IMG_REC_MIN (IMG_REC_HEAD + IMG_REC_ENTRY_HEAD + IMG_REC_TAIL)

struct img_header {
    uint32_t version;
    uint32_t area_offset;
    uint32_t area_size;
    uint32_t flags;
    uint8_t id[IMG_ID_LEN];  /* random at creation; ties a log to its image */
    uint64_t created;        /* unix seconds, for people only */
};

struct img_wal_header {
    uint32_t version;
    uint8_t id[IMG_ID_LEN];
    uint64_t generation;     /* changes at every log reset; salts the record checksums */
    uint32_t area_size;
};

/* CRC-32 (zlib's) of a buffer continuing from crc; the checksum of every header and record. */
uint32_t img_crc(uint32_t crc, const void *p, size_t len);

void img_header_encode(const struct img_header *h, uint8_t out[IMG_HDR_USED]);
/* Validates and decodes a main-file header. file_size is the whole file's size.
 * Returns 0, or -1 with a message for the user in e ("IMAGE: ..."). */
int img_header_decode(const uint8_t *buf, size_t buf_len, uint64_t file_size, struct img_header *h, cl_error_t *e);

void img_wal_header_encode(const struct img_wal_header *h, uint8_t out[IMG_WAL_HDR_LEN]);
/* Returns 0 if buf holds a valid log header (magic, version, checksum), else -1 with the reason in e. */
int img_wal_header_decode(const uint8_t *buf, size_t buf_len, struct img_wal_header *h, cl_error_t *e);

/* Stamp: 0 magic(8) 8 generation(8) 16 reserved zero(44) 60 crc32 of 0..59(4).
 * decode returns 0 and the generation, or -1 if there is no valid stamp (never written, or torn). */
void img_stamp_encode(uint64_t generation, uint8_t out[IMG_STAMP_LEN]);
int img_stamp_decode(const uint8_t *buf, size_t buf_len, uint64_t *generation);

/* The checksum seed of a log generation: records of another generation never verify. */
uint32_t img_rec_seed(uint64_t generation);

/* One parsed record: entries point into the buffer it was parsed from. */
struct img_rec_entry { uint32_t off, len; const uint8_t *data; };

/* Checks the record at buf[0..avail): whole, expected sequence number, checksum, every entry
 * inside an area of area_size bytes. Returns its length (> 0), or 0 if it is not a complete valid
 * record (which marks the end of the log). Entries are then visited with img_rec_next. */
size_t img_rec_check(const uint8_t *buf, size_t avail, uint64_t expect_seq, uint32_t seed, uint32_t area_size,
                     uint32_t *count);
/* Iterates the entries of a record img_rec_check accepted; *pos starts at IMG_REC_HEAD. */
void img_rec_next(const uint8_t *rec, size_t *pos, struct img_rec_entry *ent);

/* Writes the record head for count entries and total record length rec_len. */
void img_rec_head_encode(uint8_t out[IMG_REC_HEAD], uint32_t rec_len, uint64_t seq, uint32_t count);

#endif
