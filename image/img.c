/* img: open (validate, lock, recover), single-write steps, checkpoint, close.
 *
 * Files: IMAGE (header block + area) and IMAGE.wal (log). Every step appends one record to the log
 * in one pwritev call; the main file only changes at a checkpoint, after the log that covers the
 * change is on disk. docs/card-image.md explains why each order below is crash-safe.
 */
#include "image/img_internal.h"
#include "image/img_io.h"
#include "image/img_replay.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int read_at(int fd, void *buf, size_t len, off_t off, size_t *got)
{
    size_t n = 0;
    while (n < len) {
        ssize_t r = pread(fd, (uint8_t *)buf + n, len - n, off + (off_t)n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        n += (size_t)r;
    }
    *got = n;
    return 0;
}

static int random_bytes(void *p, size_t len)
{
    uint8_t *b = p;
    while (len) {
        ssize_t r = getrandom(b, len, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        b += r;
        len -= (size_t)r;
    }
    return 0;
}

/* fsync of the directory holding path, so a new name survives a power loss. */
static void sync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return;
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (dfd < 0) return;
    if (fsync(dfd) != 0) { /* best effort: some filesystems refuse fsync on directories */ }
    close(dfd);
}

/* Creates a zero-filled image under a temporary name, then links it into place: a crash leaves
 * either no image or a complete one, and two creators racing end up sharing the first one. */
static int create_image(const char *path, uint32_t size, cl_error_t *e)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) { cl_seterr(e, "IMAGE: out of memory"); return -1; }
    snprintf(tmp, pl + 16, "%s.newXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cl_seterr(e, "IMAGE: cannot create %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    struct img_header h = { .version = IMG_VERSION, .area_offset = IMG_AREA_OFFSET, .area_size = size,
                            .created = (uint64_t)time(NULL) };
    uint8_t block[IMG_HDR_USED];
    int rc = -1;
    if (random_bytes(h.id, sizeof h.id) != 0) {
        cl_seterr(e, "IMAGE: no random bytes for the image id: %s", strerror(errno));
        goto out;
    }
    img_header_encode(&h, block);
    uint64_t gen;
    uint8_t stamp[IMG_STAMP_LEN];
    if (random_bytes(&gen, sizeof gen) != 0) gen = (uint64_t)time(NULL);
    img_stamp_encode(gen, stamp);
    /* The area is a hole after ftruncate: it reads as zeros, as a fresh card's memory does. */
    if (img_io_pwrite(fd, block, sizeof block, 0) != 0 || img_io_pwrite(fd, stamp, sizeof stamp, IMG_STAMP_OFFSET) != 0 ||
        img_io_ftruncate(fd, (off_t)IMG_AREA_OFFSET + size) != 0 || img_io_fsync(fd) != 0) {
        cl_seterr(e, "IMAGE: cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    /* mkstemp made the file 0600, and so it stays: the area holds keys and PINs. The log gets
     * the main file's mode. */
    if (link(tmp, path) != 0 && errno != EEXIST) {
        cl_seterr(e, "IMAGE: cannot create %s: %s", path, strerror(errno));
        goto out;
    }
    sync_dir_of(path);
    rc = 0;
out:
    close(fd);
    unlink(tmp);
    free(tmp);
    return rc;
}

/* Starts a fresh log generation: new header first (old records no longer verify under the new
 * generation's checksum seed), then cut the file to the header, then fsync. */
static int wal_reset(img_t *img, uint64_t generation)
{
    struct img_wal_header wh = { .version = IMG_WAL_VERSION, .generation = generation, .area_size = img->size };
    memcpy(wh.id, img->hdr.id, IMG_ID_LEN);
    uint8_t buf[IMG_WAL_HDR_LEN];
    img_wal_header_encode(&wh, buf);
    if (img_io_pwrite(img->wal_fd, buf, sizeof buf, 0) != 0 || img_io_ftruncate(img->wal_fd, IMG_WAL_HDR_LEN) != 0 ||
        img_io_fsync(img->wal_fd) != 0)
        return -1;
    img->generation = generation;
    img->seed = img_rec_seed(generation);
    img->next_seq = 1;
    img->wal_end = IMG_WAL_HDR_LEN;
    return 0;
}

static void free_img(img_t *img, bool wipe)
{
    if (!img) return;
    if (img->mem && wipe) cl_wipe(img->mem, img->size);
    if (img->undo) cl_wipe(img->undo, IMG_GROUP_CAPACITY);
    if (img->scratch) cl_wipe(img->scratch, IMG_REC_HEAD + IMG_GROUP_CAPACITY);
    free(img->mem);
    free(img->undo);
    free(img->scratch);
    free(img->entries);
    free(img->dirty);
    if (img->wal_fd >= 0) close(img->wal_fd);
    if (img->fd >= 0) close(img->fd);
    if (img->lock_fd >= 0) close(img->lock_fd); /* releases the flock */
    free(img->path);
    free(img->wal_path);
    free(img);
}

/* Validates the main file through the read-only, locked descriptor and loads its area. */
static int load_main(img_t *img, uint32_t create_size, cl_error_t *e)
{
    struct stat st;
    if (fstat(img->lock_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cl_seterr(e, "IMAGE: %s: not a regular file", img->path);
        return -1;
    }
    uint8_t buf[IMG_HDR_USED];
    size_t got;
    if (read_at(img->lock_fd, buf, sizeof buf, 0, &got) != 0) {
        cl_seterr(e, "IMAGE: %s: %s", img->path, strerror(errno));
        return -1;
    }
    if (img_header_decode(buf, got, (uint64_t)st.st_size, &img->hdr, e) != 0) return -1;
    uint8_t sb[IMG_STAMP_LEN];
    if (read_at(img->lock_fd, sb, sizeof sb, IMG_STAMP_OFFSET, &got) != 0) {
        cl_seterr(e, "IMAGE: %s: %s", img->path, strerror(errno));
        return -1;
    }
    img->stamp_valid = img_stamp_decode(sb, got, &img->stamp_gen) == 0;
    if (create_size && create_size != img->hdr.area_size) {
        cl_seterr(e, "IMAGE: %s has a %u-byte area, this card expects %u", img->path, img->hdr.area_size,
                  create_size);
        return -1;
    }
    img->size = img->hdr.area_size;
    img->pages = (img->size + IMG_PAGE - 1) / IMG_PAGE;
    img->mem = malloc(img->size);
    img->dirty = calloc(img->pages, 1);
    img->entries = malloc(sizeof *img->entries * (IMG_GROUP_CAPACITY / IMG_GROUP_ENTRY_COST));
    img->undo = malloc(IMG_GROUP_CAPACITY);
    img->scratch = malloc(IMG_REC_HEAD + IMG_GROUP_CAPACITY);
    if (!img->mem || !img->dirty || !img->entries || !img->undo || !img->scratch) {
        cl_seterr(e, "IMAGE: out of memory for a %u-byte area", img->size);
        return -1;
    }
    if (read_at(img->lock_fd, img->mem, img->size, IMG_AREA_OFFSET, &got) != 0 || got != img->size) {
        cl_seterr(e, "IMAGE: %s: cannot read the area: %s", img->path, got != img->size ? "short read" : strerror(errno));
        return -1;
    }
    return 0;
}

/* Opens the main file and the log for writing, after everything was validated read-only. */
static int open_for_writing(img_t *img, const struct img_wal_scan *scan, cl_error_t *e)
{
    struct stat a, b;
    img->fd = open(img->path, O_RDWR | O_CLOEXEC);
    if (img->fd < 0) {
        cl_seterr(e, "IMAGE: %s: cannot open for writing: %s", img->path, strerror(errno));
        return -1;
    }
    if (fstat(img->lock_fd, &a) != 0 || fstat(img->fd, &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
        cl_seterr(e, "IMAGE: %s was replaced while being opened", img->path);
        return -1;
    }
    img->wal_fd = open(img->wal_path, O_RDWR | O_CREAT | O_CLOEXEC, a.st_mode & 0666);
    if (img->wal_fd < 0) {
        cl_seterr(e, "IMAGE: %s: %s", img->wal_path, strerror(errno));
        return -1;
    }
    if (scan->valid) {
        img->generation = scan->generation;
        img->seed = img_rec_seed(scan->generation);
        img->next_seq = scan->records + 1;
        img->wal_end = scan->valid_end;
        /* Cut a torn tail so new records follow the last good one directly. */
        if (scan->file_bytes != scan->valid_end &&
            (img_io_ftruncate(img->wal_fd, (off_t)scan->valid_end) != 0 || img_io_fsync(img->wal_fd) != 0)) {
            cl_seterr(e, "IMAGE: %s: cannot cut the torn log tail: %s", img->wal_path, strerror(errno));
            return -1;
        }
        return 0;
    }
    /* No usable log: the main file alone is the state, so a new empty log is correct. It takes the
     * stamp's generation, so it matches the main file as a checkpoint's log would. */
    uint64_t gen = img->stamp_gen;
    if (!img->stamp_valid && random_bytes(&gen, sizeof gen) != 0) gen = (uint64_t)time(NULL);
    if (wal_reset(img, gen) != 0) {
        cl_seterr(e, "IMAGE: %s: cannot start the log: %s", img->wal_path, strerror(errno));
        return -1;
    }
    if (!scan->exists) sync_dir_of(img->wal_path);
    return 0;
}

int img_open(const char *path, uint32_t create_size, enum img_sync sync, img_t **out, cl_error_t *e)
{
    if (!out) return -1;
    *out = NULL;
    if (!path || !*path) { cl_seterr(e, "IMAGE: no image path"); return -1; }
    if (create_size > IMG_MAX_AREA) {
        cl_seterr(e, "IMAGE: area size %u too large (at most %u)", create_size, IMG_MAX_AREA);
        return -1;
    }
    if (sync != IMG_SYNC_NORMAL && sync != IMG_SYNC_FULL) { cl_seterr(e, "IMAGE: unknown sync mode"); return -1; }
    img_t *img = calloc(1, sizeof *img);
    if (!img) { cl_seterr(e, "IMAGE: out of memory"); return -1; }
    img->lock_fd = img->fd = img->wal_fd = -1;
    img->sync = sync;
    img->checkpoint_bytes = img->checkpoint_at = IMG_DEFAULT_CHECKPOINT_BYTES;
    size_t pl = strlen(path);
    img->path = strdup(path);
    img->wal_path = malloc(pl + 5);
    if (!img->path || !img->wal_path) { cl_seterr(e, "IMAGE: out of memory"); free_img(img, false); return -1; }
    memcpy(img->wal_path, path, pl);
    memcpy(img->wal_path + pl, ".wal", 5);

    img->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (img->lock_fd < 0 && errno == ENOENT && create_size > 0) {
        if (create_image(path, create_size, e) != 0) { free_img(img, false); return -1; }
        img->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (img->lock_fd < 0) {
        cl_seterr(e, "IMAGE: %s: %s", path, strerror(errno));
        free_img(img, false);
        return -1;
    }
    if (flock(img->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) cl_seterr(e, "IMAGE: %s is in use by another process", path);
        else cl_seterr(e, "IMAGE: %s: cannot lock: %s", path, strerror(errno));
        free_img(img, false);
        return -1;
    }
    if (load_main(img, create_size, e) != 0) { free_img(img, true); return -1; }

    uint8_t *wal = NULL;
    size_t wal_len = 0;
    struct img_wal_scan scan;
    uint64_t wal_size;
    bool exists;
    if (img_wal_read(img->wal_path, &wal, &wal_len, &wal_size, &exists, e) != 0) { free_img(img, true); return -1; }
    img_wal_replay(wal, wal_len, &img->hdr, img->mem, img->dirty, IMG_PAGE, &scan);
    scan.exists = exists;
    scan.file_bytes = wal_size;
    if (wal) { cl_wipe(wal, wal_len); free(wal); }
    if (exists && !scan.valid) cl_info("IMAGE: %s ignored (%s)", img->wal_path, scan.why.msg);
    if (scan.valid && img->stamp_valid && scan.generation != img->stamp_gen && scan.generation + 1 != img->stamp_gen) {
        /* A checkpoint leaves the log at the stamp's generation, or (crash before the log reset)
         * one behind it. Anything else is a log from another moment of this image. */
        if (scan.records > 0) {
            cl_seterr(e, "IMAGE: %s: image file and log are from different moments (log generation %llu, image "
                      "expects %llu): restore both together, or remove the .wal to keep the image file alone",
                      path, (unsigned long long)scan.generation, (unsigned long long)img->stamp_gen);
            free_img(img, true);
            return -1;
        }
        scan.valid = false; /* an empty log of another moment: nothing to replay, start afresh */
    }

    if (open_for_writing(img, &scan, e) != 0) { free_img(img, true); return -1; }
    *out = img;
    return 0;
}

const uint8_t *img_mem(const img_t *img) { return img ? img->mem : NULL; }
uint32_t img_size(const img_t *img) { return img ? img->size : 0; }
uint64_t img_log_bytes(const img_t *img) { return img ? img->wal_end : 0; }

void img_set_checkpoint_threshold(img_t *img, uint64_t log_bytes)
{
    if (!img) return;
    img->checkpoint_bytes = log_bytes ? log_bytes : IMG_DEFAULT_CHECKPOINT_BYTES;
    img->checkpoint_at = img->checkpoint_bytes;
}

void img_mark_dirty(img_t *img, uint32_t off, uint32_t len)
{
    if (len == 0) return;
    for (uint32_t pg = off / IMG_PAGE; pg <= (off + len - 1) / IMG_PAGE; pg++) img->dirty[pg] = 1;
}

int img_append_record(img_t *img, struct iovec *iov, int iovcnt, uint32_t rec_len)
{
    uint32_t crc = img->seed;
    for (int i = 0; i < iovcnt; i++) crc = img_crc(crc, iov[i].iov_base, iov[i].iov_len);
    uint8_t tail[IMG_REC_TAIL];
    cl_put32(tail, crc);
    iov[iovcnt].iov_base = tail;
    iov[iovcnt].iov_len = sizeof tail;
    if (img_io_pwritev(img->wal_fd, iov, iovcnt + 1, (off_t)img->wal_end) != 0) {
        /* A partial record is harmless to recovery (it ends the log), but the next record must not
         * land after it: cut it off, or stop writing if even that fails. */
        int err = errno;
        if (img_io_ftruncate(img->wal_fd, (off_t)img->wal_end) != 0) img->broken = true;
        errno = err;
        return -1;
    }
    if (img->sync == IMG_SYNC_FULL && img_io_fdatasync(img->wal_fd) != 0) {
        /* After a failed fsync nobody knows what is on the disk: take the record back out of the
         * file so at least the kernel's view matches memory, and write no more. */
        int err = errno;
        if (img_io_ftruncate(img->wal_fd, (off_t)img->wal_end) != 0) { /* broken anyway */ }
        img->broken = true;
        errno = err;
        return -1;
    }
    img->wal_end += rec_len;
    img->next_seq++;
    return 0;
}

void img_maybe_checkpoint(img_t *img)
{
    if (img->group_open || img->wal_end < img->checkpoint_at) return;
    cl_error_t e = { { 0 } };
    if (img_checkpoint(img, &e) != 0) {
        /* The log still holds everything: nothing is lost, try again after another threshold's worth. */
        cl_err("%s", e.msg);
        img->checkpoint_at = img->wal_end + img->checkpoint_bytes < img->wal_end ? UINT64_MAX
                                                                                 : img->wal_end + img->checkpoint_bytes;
    }
}

int img_write(img_t *img, uint32_t off, const void *src, uint32_t len)
{
    if (!img || img->broken || (len && !src)) return -1;
    if ((uint64_t)off + len > img->size) return -1;
    if (len == 0) return 0;
    /* Outside a group, memory is exactly the recovered state, so a write that changes no byte is
     * already durable: skip the record (the VM often stores a value a field already has). Inside a
     * group memory may hold uncommitted bytes, so the write must be logged. */
    if (!img->group_open && memcmp(img->mem + off, src, len) == 0) return 0;
    uint8_t head[IMG_REC_HEAD + IMG_REC_ENTRY_HEAD];
    uint32_t rec_len = IMG_REC_MIN + len;
    img_rec_head_encode(head, rec_len, img->next_seq, 1);
    cl_put32(head + IMG_REC_HEAD, off);
    cl_put32(head + IMG_REC_HEAD + 4, len);
    struct iovec iov[3] = { { head, sizeof head }, { (void *)src, len } };
    if (img_append_record(img, iov, 2, rec_len) != 0) return -1;
    memmove(img->mem + off, src, len); /* src may lie inside the area itself */
    img_mark_dirty(img, off, len);
    if (img->group_open) img->group_saw_write = true;
    img_maybe_checkpoint(img);
    return 0;
}

int img_checkpoint(img_t *img, cl_error_t *e)
{
    if (!img) { cl_seterr(e, "IMAGE: no image"); return -1; }
    if (img->broken) { cl_seterr(e, "IMAGE: %s: an earlier I/O error stopped all writes; reopen it", img->path); return -1; }
    if (img->group_open) {
        /* The area holds the open group's uncommitted bytes; they must not reach the main file. */
        cl_seterr(e, "IMAGE: cannot checkpoint while a group is open");
        return -1;
    }
    if (img->wal_end == IMG_WAL_HDR_LEN) return 0; /* nothing logged since the last checkpoint */
    /* 1. The log must be on disk before the main file changes: if the main file write is torn,
     *    the log replays every byte that may be wrong. */
    if (img_io_fsync(img->wal_fd) != 0) goto io_error;
    /* 2. Changed pages into the main file, runs of neighbours in one write. */
    for (uint32_t pg = 0; pg < img->pages;) {
        if (!img->dirty[pg]) { pg++; continue; }
        uint32_t first = pg;
        while (pg < img->pages && img->dirty[pg]) pg++;
        uint64_t start = (uint64_t)first * IMG_PAGE, end = (uint64_t)pg * IMG_PAGE;
        if (end > img->size) end = img->size;
        if (img_io_pwrite(img->fd, img->mem + start, (size_t)(end - start), (off_t)(IMG_AREA_OFFSET + start)) != 0)
            goto io_error;
    }
    /* The stamp names the log generation that follows this content; its own sector, one write. */
    uint8_t stamp[IMG_STAMP_LEN];
    img_stamp_encode(img->generation + 1, stamp);
    if (img_io_pwrite(img->fd, stamp, sizeof stamp, IMG_STAMP_OFFSET) != 0) goto io_error;
    /* 3. Main file on disk; only now may the log forget. */
    if (img_io_fsync(img->fd) != 0) goto io_error;
    /* 4. New log generation. A crash inside this leaves either the old log (whose replay onto the
     *    now-current main file is idempotent) or a new/torn header (ignored: main is current). */
    if (wal_reset(img, img->generation + 1) != 0) {
        img->broken = true;
        cl_seterr(e, "IMAGE: %s: cannot reset the log: %s (the files are consistent; reopen the image)",
                  img->wal_path, strerror(errno));
        return -1;
    }
    memset(img->dirty, 0, img->pages);
    img->stamp_valid = true;
    img->stamp_gen = img->generation;
    img->checkpoint_at = img->checkpoint_bytes;
    return 0;
io_error:
    cl_seterr(e, "IMAGE: %s: checkpoint failed: %s (the log still holds every step)", img->path, strerror(errno));
    return -1;
}

void img_close(img_t *img)
{
    if (!img) return;
    if (img->group_open) img_group_abort(img); /* an unfinished transaction rolls back, as on a card tear */
    cl_error_t e = { { 0 } };
    if (!img->broken && img_checkpoint(img, &e) != 0) cl_err("%s", e.msg);
    free_img(img, true);
}

void img_tear(img_t *img) { free_img(img, true); }
