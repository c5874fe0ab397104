/* img: the card image, the card's persistent memory (a real card's EEPROM/flash) kept in a file.
 *
 * One job: give the layers above a flat byte-addressable persistent area whose updates are
 * atomic and survive a crash at any instant. The image knows nothing of what is stored in it;
 * card/ and vm/ decide the layout (see docs/card-image.md).
 *
 * Semantics (what callers rely on):
 *  - img_mem() is the current content, always readable; writes show there at once.
 *  - img_write(): one atomic step by itself. When it returns 0 the update has been handed to the
 *    kernel as a whole; a crash (process killed, write cut short) leaves either all or none of it.
 *  - A group (img_group_begin .. img_group_commit) is one atomic step made of many writes:
 *    all become durable together or none do. img_group_abort() restores in memory every byte
 *    that group writes changed. This is what JCSystem transactions use.
 *  - img_write() while a group is open is NOT part of the group (it is durable at once and is not
 *    undone by an abort): this is what Util.arrayCopyNonAtomic and the OwnerPIN try counter need.
 *  - Recovery at img_open(): the state is exactly the one after the last completed atomic step.
 *  - An image that cannot be read (wrong magic, unknown version, bad checksum, truncated) is refused
 *    with a message and left untouched on disk.
 */
#ifndef IMG_H
#define IMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cl_util.h"

typedef struct img img_t;

enum img_sync {
    IMG_SYNC_NORMAL = 0, /* survive a killed process: write() per step, fsync at checkpoints */
    IMG_SYNC_FULL = 1,   /* survive host power loss as well: fsync per atomic step */
};

/* Opens the image at path. If it does not exist and create_size > 0, creates one whose persistent
 * area has create_size bytes (zero-filled). Returns 0, or -1 with e set. */
int img_open(const char *path, uint32_t create_size, enum img_sync sync, img_t **out, cl_error_t *e);
void img_close(img_t *img); /* checkpoints, then frees; NULL is fine */

const uint8_t *img_mem(const img_t *img);
uint32_t img_size(const img_t *img);

/* One atomic step. off+len must lie inside the area (else -1, nothing changed). */
int img_write(img_t *img, uint32_t off, const void *src, uint32_t len);

/* Grouped atomic step (at most one open at a time). */
int img_group_begin(img_t *img);            /* -1 if one is already open */
int img_group_write(img_t *img, uint32_t off, const void *src, uint32_t len); /* -1: out of range or over capacity */
int img_group_commit(img_t *img);
void img_group_abort(img_t *img);
bool img_group_open(const img_t *img);
uint32_t img_group_capacity(const img_t *img);   /* bytes of writes a group can hold */
uint32_t img_group_used(const img_t *img);

/* Applies the log to the main file and empties it (also done by img_close and when the log grows). */
int img_checkpoint(img_t *img, cl_error_t *e);

/* ---- Additions by the image module (beyond the lead's contract above) ---- */

/* A group holds at most this many bytes: each write costs its length plus IMG_GROUP_ENTRY_COST
 * (its offset and length in the log record). JCSystem.getMaxCommitCapacity reports the capacity. */
#define IMG_GROUP_CAPACITY 8192u
#define IMG_GROUP_ENTRY_COST 8u
/* The log is checkpointed into the main file once it passes this many bytes. */
#define IMG_DEFAULT_CHECKPOINT_BYTES (1u << 20)

/* Sets the auto-checkpoint threshold in log bytes (0 = default). For tests and tuning. */
void img_set_checkpoint_threshold(img_t *img, uint64_t log_bytes);
/* Bytes now in the log file (header included): what a checkpoint would fold into the main file. */
uint64_t img_log_bytes(const img_t *img);
/* Card tear: frees the handle WITHOUT checkpoint or group abort, as if the process died here.
 * The files keep exactly what the completed steps wrote; the next img_open recovers from them.
 * For tests of every layer (a VM test can tear in the middle of a transaction). */
void img_tear(img_t *img);

/* Facts about an image on disk, read without changing anything (no lock taken). */
enum img_log_state { IMG_LOG_NONE, IMG_LOG_IGNORED, IMG_LOG_VALID };
struct img_info {
    uint32_t version, area_size;
    uint8_t id[16];
    uint64_t created;              /* unix seconds */
    bool stamp_valid;              /* the checkpoint stamp is readable */
    uint64_t stamp_generation;     /* the log generation the main file's content expects */
    enum img_log_state log_state;  /* IGNORED: wrong magic/checksum/version or another image's log */
    uint64_t log_file_bytes;       /* size of IMAGE.wal */
    uint64_t generation;           /* of a valid log */
    uint64_t records;              /* complete records a recovery would replay */
    uint64_t log_valid_bytes;      /* header + those records; the rest is a torn tail */
    bool log_mismatch;             /* a valid log with records from another moment: img_open refuses */
};
int img_inspect(const char *path, struct img_info *info, cl_error_t *e);
/* Prints img_inspect's facts as "key: value" lines (for `cardlet image info`). */
int img_describe(const char *path, FILE *out, cl_error_t *e);

#endif
