/* img_internal: the image handle, shared by the files of image/ (img.c, img_group.c). Not for other modules. */
#ifndef IMG_INTERNAL_H
#define IMG_INTERNAL_H

#include <sys/uio.h>

#include "image/img.h"
#include "image/img_format.h"

#define IMG_PAGE 4096u

/* One write of the open group: where, how long, and where its old bytes sit in undo[]. */
struct img_group_entry { uint32_t off, len, undo_at; };

struct img {
    char *path, *wal_path;
    int lock_fd;              /* read-only descriptor of the main file holding the flock */
    int fd;                   /* main file, read-write */
    int wal_fd;               /* log, read-write */
    enum img_sync sync;
    struct img_header hdr;
    uint8_t *mem;             /* the area: the state after the last step, plus the open group's writes */
    uint32_t size;

    uint64_t generation;      /* of the log now being appended to */
    bool stamp_valid;         /* the main file has a checkpoint stamp */
    uint64_t stamp_gen;       /* its generation: the log that follows the main file's content */
    uint32_t seed;            /* img_rec_seed(generation) */
    uint64_t next_seq;        /* sequence number of the next record */
    uint64_t wal_end;         /* byte offset where the next record goes */
    uint64_t checkpoint_bytes; /* configured auto-checkpoint threshold */
    uint64_t checkpoint_at;   /* auto-checkpoint once wal_end passes this (later after a failure) */
    uint8_t *dirty;           /* one flag per IMG_PAGE page: changed since the last checkpoint */
    uint32_t pages;
    bool broken;              /* an I/O error left disk and memory possibly apart: refuse writes */

    /* Open group (transaction). */
    bool group_open;
    bool group_saw_write;     /* an img_write happened while the group was open (see img_group_abort) */
    struct img_group_entry *entries;
    uint32_t n_entries;
    uint8_t *undo;            /* old bytes of the group's writes, in order */
    uint32_t undo_used;
    uint8_t *scratch;         /* record being built for a group commit */
};

/* Appends one record made of iov (whose first part is the record head, space for the checksum
 * is added here) and applies nothing. Returns 0, or -1 with the log rolled back (or img->broken). */
int img_append_record(img_t *img, struct iovec *iov, int iovcnt, uint32_t rec_len);
/* Marks the pages of [off, off+len) as changed since the last checkpoint. */
void img_mark_dirty(img_t *img, uint32_t off, uint32_t len);
/* After a step: checkpoint if the log has grown past the threshold (never with a group open). */
void img_maybe_checkpoint(img_t *img);

#endif
