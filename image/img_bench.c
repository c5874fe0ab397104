/* img_bench: speed figures for `make bench` ("name: value unit" lines).
 * Runs in a private directory on tmpfs when available (IMG_BENCH_DIR overrides): the figures are
 * about our code path (one pwritev per step), not about the disk. */
#include "image/img.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

static img_t *open_or_die(const char *path, uint32_t size, enum img_sync sync)
{
    img_t *img = NULL;
    cl_error_t e = { { 0 } };
    if (img_open(path, size, sync, &img, &e) != 0) {
        fprintf(stderr, "img_bench: %s\n", e.msg);
        exit(1);
    }
    return img;
}

int main(void)
{
    const char *base = getenv("IMG_BENCH_DIR");
    if (!base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    char dir[512];
    snprintf(dir, sizeof dir, "%s/cardlet-img-bench-XXXXXX", base);
    if (!mkdtemp(dir)) { perror("img_bench: mkdtemp"); return 1; }
    char path[600];
    snprintf(path, sizeof path, "%s/card.img", dir);
    const uint32_t size = 256 * 1024;
    uint8_t buf[64];
    memset(buf, 0xA5, sizeof buf);

    /* A 2-byte field store outside a transaction: the VM's most frequent call. */
    img_t *img = open_or_die(path, size, IMG_SYNC_NORMAL);
    const int steps = 200000;
    uint64_t t0 = cl_now_ns();
    for (int i = 0; i < steps; i++) {
        buf[0] = (uint8_t)(i >> 8); /* a changing value: an unchanged one costs no record */
        buf[1] = (uint8_t)i;
        img_write(img, (uint32_t)(i * 2) % (size - 2), buf, 2);
    }
    uint64_t t1 = cl_now_ns();
    printf("image_write_step: %llu ns\n", (unsigned long long)((t1 - t0) / steps));
    t0 = cl_now_ns();
    for (int i = 0; i < steps; i++) img_write(img, 0, buf, 2);
    t1 = cl_now_ns();
    printf("image_write_unchanged: %llu ns\n", (unsigned long long)((t1 - t0) / steps));

    /* A transaction of 64 short writes. */
    const int groups = 5000;
    t0 = cl_now_ns();
    for (int g = 0; g < groups; g++) {
        img_group_begin(img);
        for (int w = 0; w < 64; w++) {
            buf[0] = (uint8_t)g;
            img_group_write(img, (uint32_t)((g * 64 + w) * 4) % (size - 4), buf, 4);
        }
        img_group_commit(img);
    }
    t1 = cl_now_ns();
    printf("image_group_commit_64w: %.2f us\n", (double)(t1 - t0) / groups / 1000.0);

    cl_error_t e = { { 0 } };
    t0 = cl_now_ns();
    img_checkpoint(img, &e);
    t1 = cl_now_ns();
    img_close(img);

    /* Recovery: 1000 logged steps replayed at open. */
    img = open_or_die(path, size, IMG_SYNC_NORMAL);
    img_set_checkpoint_threshold(img, UINT64_MAX);
    for (int i = 0; i < 1000; i++) {
        buf[0] = (uint8_t)(i + 1);
        img_write(img, (uint32_t)(i * 64) % (size - 64), buf, 64);
    }
    img_tear(img);
    t0 = cl_now_ns();
    img = open_or_die(path, size, IMG_SYNC_NORMAL);
    t1 = cl_now_ns();
    printf("image_open_recover_1000: %.3f ms\n", (double)(t1 - t0) / 1e6);

    /* A checkpoint after those 1000 steps (fsync twice). */
    t0 = cl_now_ns();
    img_checkpoint(img, &e);
    t1 = cl_now_ns();
    printf("image_checkpoint_1000: %.3f ms\n", (double)(t1 - t0) / 1e6);

    /* FULL mode: every step waits for the disk (here: the bench directory's filesystem). */
    img_close(img);
    img = open_or_die(path, size, IMG_SYNC_FULL);
    const int full_steps = 2000;
    t0 = cl_now_ns();
    for (int i = 0; i < full_steps; i++) {
        buf[0] = (uint8_t)(i + 7);
        img_write(img, (uint32_t)(i * 2) % (size - 2), buf, 2);
    }
    t1 = cl_now_ns();
    printf("image_write_step_full_sync: %.2f us\n", (double)(t1 - t0) / full_steps / 1000.0);
    img_close(img);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
