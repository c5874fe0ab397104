/* cap_zip: the JAR (zip) container of CAP files — a strict reader and a minimal writer.
 *
 * Reader: parses the end-of-central-directory record and the central directory, checking every
 * field against the buffer; extracts stored (method 0) and deflated (method 8) entries and checks
 * their CRC-32. Zip64, multi-disk archives and encrypted entries are rejected with a clear error.
 * The reader keeps pointers into the caller's buffer: it must outlive the cap_zip_t.
 *
 * Writer: stored entries only, fixed timestamps (1980-01-01) so equal input gives equal bytes. */
#ifndef CAP_ZIP_H
#define CAP_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

#define CAP_ZIP_MAX_ENTRIES   4096
#define CAP_ZIP_MAX_NAME      1024
/* Default cap on one extracted entry: a CAP component is at most 64 KiB, so this is generous
 * while keeping a zip bomb from exhausting memory. */
#define CAP_ZIP_DEFAULT_MAX   (16u * 1024 * 1024)

typedef struct {
    const char *name;        /* NOT NUL-terminated: points into the buffer; name_len bytes */
    uint16_t name_len;
    uint16_t method;         /* 0 stored, 8 deflated */
    uint16_t flags;
    uint32_t crc32;
    uint32_t comp_size;
    uint32_t size;           /* uncompressed */
    uint32_t local_offset;   /* offset of the local file header */
    uint32_t data_offset;    /* offset of the (compressed) data, checked inside the buffer */
} cap_zip_entry_t;

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t count;
    cap_zip_entry_t *entries; /* malloc'd, count entries in central directory order */
} cap_zip_t;

/* True if buf starts with a zip local file header signature ("PK\3\4") or is an empty archive. */
int cap_zip_is_zip(const uint8_t *buf, size_t len);

/* Parses the archive. 0 on success; -1 with e set (nothing allocated) on any malformation. */
int cap_zip_open(cap_zip_t *z, const uint8_t *buf, size_t len, cl_error_t *e);
void cap_zip_close(cap_zip_t *z);

/* Entry named exactly name (case-sensitive). NULL if absent; also NULL with e set if the name
 * occurs more than once (an ambiguous archive). e may be NULL. */
const cap_zip_entry_t *cap_zip_find(const cap_zip_t *z, const char *name, cl_error_t *e);
/* True if the entry's name equals s / ends with s. */
int cap_zip_name_is(const cap_zip_entry_t *ent, const char *s);
int cap_zip_name_ends_with(const cap_zip_entry_t *ent, const char *s);

/* Extracts an entry into a new malloc'd buffer (free() it; never NULL on success, even for an
 * empty entry). Fails if the size exceeds max, the data is corrupt or the CRC differs. */
uint8_t *cap_zip_extract(const cap_zip_t *z, const cap_zip_entry_t *ent, size_t max, size_t *out_len,
                         cl_error_t *e);

/* Writer. Usage: cap_zip_writer_t w = {0}; cap_zip_writer_add(&w, ...)...;
 * cap_zip_writer_finish(&w, &data, &len, e); free(data); cap_zip_writer_free(&w). */
typedef struct {
    uint8_t *data;      /* local headers + data so far */
    size_t len, cap;
    uint8_t *cdir;      /* central directory records so far */
    size_t cdir_len, cdir_cap;
    size_t count;
    int failed;         /* a previous add failed: finish refuses */
} cap_zip_writer_t;

/* Adds a stored entry. name: 1..CAP_ZIP_MAX_NAME bytes, no NUL. 0 or -1 with e set. */
int cap_zip_writer_add(cap_zip_writer_t *w, const char *name, const uint8_t *data, size_t len, cl_error_t *e);
/* Appends the central directory and end record; hands the archive to the caller (*out, malloc'd).
 * The writer is empty afterwards. 0 or -1 with e set. */
int cap_zip_writer_finish(cap_zip_writer_t *w, uint8_t **out, size_t *out_len, cl_error_t *e);
void cap_zip_writer_free(cap_zip_writer_t *w);

#endif
