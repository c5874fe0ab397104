/* img_replay: reading the write-ahead log and replaying its complete records (recovery). */
#ifndef IMG_REPLAY_H
#define IMG_REPLAY_H

#include "image/img_format.h"

struct img_wal_scan {
    bool exists;            /* the log file is there */
    bool valid;             /* its header is good and belongs to this image */
    uint64_t file_bytes;
    uint64_t generation;
    uint64_t records;       /* complete records replayed */
    uint64_t valid_end;     /* offset just after the last complete record */
    cl_error_t why;         /* why an existing log was ignored */
};

/* Reads the whole log file (only its first 64 bytes if it does not start with the log magic);
 * *file_size is the file's real size. A missing file is not an error (*buf = NULL, *len = 0,
 * *exists = false). Returns 0, or -1 with e set (I/O error, out of memory). */
int img_wal_read(const char *wal_path, uint8_t **buf, size_t *len, uint64_t *file_size, bool *exists, cl_error_t *e);

/* Scans the log bytes of the image described by h: checks the header, then replays every complete
 * record, in order, onto mem (when not NULL) and flags their pages in dirty (when not NULL, one byte
 * per page_size page). The first record that is cut short, fails its checksum, carries the wrong
 * sequence number or does not parse ends the log. */
void img_wal_replay(const uint8_t *buf, size_t len, const struct img_header *h, uint8_t *mem, uint8_t *dirty,
                    uint32_t page_size, struct img_wal_scan *out);

#endif
