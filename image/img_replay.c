/* img_replay: recovery. Records hold absolute writes, so replaying them onto the main file's area
 * gives the state after the last complete record, whatever part of them the main file already has. */
#include "image/img_replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int img_wal_read(const char *wal_path, uint8_t **buf, size_t *len, uint64_t *file_size, bool *exists, cl_error_t *e)
{
    *buf = NULL;
    *len = 0;
    *file_size = 0;
    *exists = false;
    int fd = open(wal_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        cl_seterr(e, "IMAGE: %s: %s", wal_path, strerror(errno));
        return -1;
    }
    *exists = true;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cl_seterr(e, "IMAGE: %s: not a regular file", wal_path);
        close(fd);
        return -1;
    }
    size_t want = (size_t)st.st_size;
    *file_size = (uint64_t)st.st_size;
    /* Something else under the log's name (not starting with the log magic) is ignored anyway:
     * read just enough to see that, never a whole stray file. */
    uint8_t magic[IMG_MAGIC_LEN];
    ssize_t m;
    do m = pread(fd, magic, sizeof magic, 0); while (m < 0 && errno == EINTR);
    if (m != (ssize_t)sizeof magic || memcmp(magic, IMG_WAL_MAGIC, IMG_MAGIC_LEN) != 0)
        want = want < IMG_WAL_HDR_LEN ? want : IMG_WAL_HDR_LEN;
    uint8_t *b = malloc(want ? want : 1);
    if (!b) {
        cl_seterr(e, "IMAGE: %s: out of memory for a %zu-byte log", wal_path, want);
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(fd, b + got, want - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            cl_seterr(e, "IMAGE: %s: %s", wal_path, strerror(errno));
            free(b);
            close(fd);
            return -1;
        }
        if (r == 0) break; /* shrank meanwhile: what we have is what there is */
        got += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = got;
    return 0;
}

void img_wal_replay(const uint8_t *buf, size_t len, const struct img_header *h, uint8_t *mem, uint8_t *dirty,
                    uint32_t page_size, struct img_wal_scan *out)
{
    out->valid = false;
    out->file_bytes = len;
    out->generation = 0;
    out->records = 0;
    out->valid_end = 0;
    out->why.msg[0] = 0;
    struct img_wal_header wh;
    if (img_wal_header_decode(buf, len, &wh, &out->why) != 0) return;
    if (memcmp(wh.id, h->id, IMG_ID_LEN) != 0 || wh.area_size != h->area_size) {
        cl_seterr(&out->why, "log belongs to another image");
        return;
    }
    out->valid = true;
    out->generation = wh.generation;
    uint32_t seed = img_rec_seed(wh.generation);
    size_t pos = IMG_WAL_HDR_LEN;
    uint64_t seq = 1;
    for (;;) {
        uint32_t count;
        size_t rl = img_rec_check(buf + pos, len - pos, seq, seed, h->area_size, &count);
        if (rl == 0) break;
        size_t ep = IMG_REC_HEAD;
        for (uint32_t i = 0; i < count; i++) {
            struct img_rec_entry ent;
            img_rec_next(buf + pos, &ep, &ent);
            if (ent.len == 0) continue;
            if (mem) memcpy(mem + ent.off, ent.data, ent.len);
            if (dirty) {
                for (uint32_t pg = ent.off / page_size; pg <= (ent.off + ent.len - 1) / page_size; pg++) dirty[pg] = 1;
            }
        }
        pos += rl;
        seq++;
        out->records++;
    }
    out->valid_end = pos;
}
