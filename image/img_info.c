/* img_info: read-only facts about an image on disk, for people and tools (`cardlet image info`). */
#include "image/img.h"
#include "image/img_format.h"
#include "image/img_replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int img_inspect(const char *path, struct img_info *info, cl_error_t *e)
{
    if (!path || !info) { cl_seterr(e, "IMAGE: no image path"); return -1; }
    memset(info, 0, sizeof *info);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { cl_seterr(e, "IMAGE: %s: %s", path, strerror(errno)); return -1; }
    struct stat st;
    uint8_t buf[IMG_HDR_USED];
    ssize_t got = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        do got = pread(fd, buf, sizeof buf, 0); while (got < 0 && errno == EINTR);
    }
    close(fd);
    if (got < 0) { cl_seterr(e, "IMAGE: %s: cannot read", path); return -1; }
    struct img_header h;
    if (img_header_decode(buf, (size_t)got, (uint64_t)st.st_size, &h, e) != 0) return -1;
    info->version = h.version;
    info->area_size = h.area_size;
    memcpy(info->id, h.id, sizeof info->id);
    info->created = h.created;
    uint8_t sb[IMG_STAMP_LEN];
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        do got = pread(fd, sb, sizeof sb, IMG_STAMP_OFFSET); while (got < 0 && errno == EINTR);
        close(fd);
        info->stamp_valid = got > 0 && img_stamp_decode(sb, (size_t)got, &info->stamp_generation) == 0;
    }

    size_t pl = strlen(path);
    char *wal_path = malloc(pl + 5);
    if (!wal_path) { cl_seterr(e, "IMAGE: out of memory"); return -1; }
    memcpy(wal_path, path, pl);
    memcpy(wal_path + pl, ".wal", 5);
    uint8_t *wal;
    size_t wal_len;
    uint64_t wal_size;
    bool exists;
    int rc = img_wal_read(wal_path, &wal, &wal_len, &wal_size, &exists, e);
    free(wal_path);
    if (rc != 0) return -1;
    if (!exists) { info->log_state = IMG_LOG_NONE; return 0; }
    struct img_wal_scan scan;
    img_wal_replay(wal, wal_len, &h, NULL, NULL, 4096, &scan);
    free(wal);
    info->log_file_bytes = wal_size;
    info->log_state = scan.valid ? IMG_LOG_VALID : IMG_LOG_IGNORED;
    info->generation = scan.generation;
    info->records = scan.records;
    info->log_valid_bytes = scan.valid_end;
    info->log_mismatch = scan.valid && scan.records > 0 && info->stamp_valid &&
                         scan.generation != info->stamp_generation && scan.generation + 1 != info->stamp_generation;
    return 0;
}

int img_describe(const char *path, FILE *out, cl_error_t *e)
{
    struct img_info in;
    if (img_inspect(path, &in, e) != 0) return -1;
    char id[2 * sizeof in.id + 1];
    cl_hex_encode(in.id, sizeof in.id, id, 0);
    static const char *const states[] = { "none", "ignored (not this image's, or damaged header)", "valid" };
    fprintf(out, "format: cardlet image version %u\n", in.version);
    fprintf(out, "area: %u bytes\n", in.area_size);
    fprintf(out, "id: %s\n", id);
    fprintf(out, "created: %llu (unix time)\n", (unsigned long long)in.created);
    if (in.stamp_valid) fprintf(out, "checkpoint stamp: generation %llu\n", (unsigned long long)in.stamp_generation);
    else fprintf(out, "checkpoint stamp: none (made by an older cardlet, or torn: the log is trusted)\n");
    fprintf(out, "log: %s\n", states[in.log_state]);
    if (in.log_state != IMG_LOG_NONE) fprintf(out, "log file: %llu bytes\n", (unsigned long long)in.log_file_bytes);
    if (in.log_state == IMG_LOG_VALID) {
        fprintf(out, "log generation: %llu\n", (unsigned long long)in.generation);
        fprintf(out, "log records: %llu (not yet checkpointed)\n", (unsigned long long)in.records);
        fprintf(out, "log torn tail: %llu bytes (ignored by recovery)\n",
                (unsigned long long)(in.log_file_bytes - in.log_valid_bytes));
        if (in.log_mismatch) fprintf(out, "log MISMATCH: from another moment of this image; img_open refuses\n");
    }
    return 0;
}
