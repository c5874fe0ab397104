/* img_test_util: helpers shared by the image/ test programs (header-only: tests are single files). */
#ifndef IMG_TEST_UTIL_H
#define IMG_TEST_UTIL_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory per test, on tmpfs when there is one (the tests fsync a lot). */
static inline char *itu_tmpdir(void)
{
    const char *base = getenv("IMG_TEST_DIR");
    if (!base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    char *d = malloc(strlen(base) + 32);
    ck_assert_ptr_nonnull(d);
    sprintf(d, "%s/cardlet-img-XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static inline char *itu_path(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    ck_assert_ptr_nonnull(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static int itu_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

static inline void itu_rmdir(char *dir)
{
    nftw(dir, itu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* Whole file into memory; NULL with *len = 0 if it does not exist. */
static inline uint8_t *itu_slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static inline void itu_spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (len) ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Deterministic pseudo-random numbers for workloads (xorshift64*). */
static inline uint64_t itu_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ull;
}

#endif
