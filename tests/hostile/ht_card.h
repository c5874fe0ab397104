/* ht_card: helpers shared by tests/hostile and tests/crash (header-only; each test is one file).
 * A card image in a private temp directory, the build tree found from the test program's own
 * path, CAP component streams of the sample applets, and APDUs by hex. */
#ifndef HT_CARD_H
#define HT_CARD_H

#include <check.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap/cap_parse.h"
#include "card/card.h"
#include "common/cl_util.h"
#include "vm/vm_card.h"

/* $(BUILD): the test program is $(BUILD)/test/tests/<dir>/<name>, four levels below. */
static inline const char *ht_build(void)
{
    static char build[PATH_MAX];
    if (build[0]) return build;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert(n > 0);
    exe[n] = 0;
    char *d = exe;
    for (int i = 0; i < 4; i++) d = dirname(d);
    snprintf(build, sizeof build, "%s", d);
    return build;
}

static inline uint8_t *ht_read(const char *path, size_t *len)
{
    cl_error_t e = { { 0 } };
    uint8_t *p = cl_read_file(path, 16u << 20, len, &e);
    ck_assert_msg(p != NULL, "%s: %s", path, e.msg);
    return p;
}

/* The CAP file $(BUILD)/applets/<name>.cap: raw bytes (a JAR) or its component stream (the
 * order GlobalPlatform LOAD sends, Descriptor included). */
static inline uint8_t *ht_cap_jar(const char *name, size_t *len)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/applets/%s.cap", ht_build(), name);
    return ht_read(path, len);
}

static inline uint8_t *ht_cap_stream(const char *name, size_t *len)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/applets/%s.cap", ht_build(), name);
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse_file(&cap, path, &e) == 0, "%s: %s", path, e.msg);
    uint8_t *s = cap_load_file(&cap, true, len);
    ck_assert_ptr_nonnull(s);
    cap_free(&cap);
    return s;
}

/* Installs <build>/applets/NAME.cap (as a component stream) with an instance of applet class aid. */
static inline void ht_install(vm_t *vm, const char *name, const uint8_t *aid, uint8_t aid_len)
{
    cl_error_t e = { { 0 } };
    size_t len;
    uint8_t *s = ht_cap_stream(name, &len);
    int r = vm_card_install(vm, s, len, aid, aid_len, NULL, 0, NULL, 0, false, &e);
    free(s);
    ck_assert_msg(r == 0, "install %s: %s", name, e.msg);
}

/* A temp directory (RAM-backed when possible) holding card.img; removed by ht_dir_remove. */
typedef struct {
    char dir[96];
    char img[128];
    char wal[136];
} ht_dir_t;

static inline void ht_dir_make(ht_dir_t *d, const char *tag)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(d->dir, sizeof d->dir, "%s/cardlet-%s-XXXXXX", base, tag);
    ck_assert_ptr_nonnull(mkdtemp(d->dir));
    snprintf(d->img, sizeof d->img, "%s/card.img", d->dir);
    snprintf(d->wal, sizeof d->wal, "%s.wal", d->img);
}

static inline void ht_dir_remove(ht_dir_t *d)
{
    unlink(d->wal);
    unlink(d->img);
    rmdir(d->dir);
}

/* Size of the card images the tests create: small, as every case of a sweep copies the image. */
#define HT_IMAGE_SIZE (96u * 1024)

/* Writes a file without fsync (a test's scratch image; speed matters, durability does not). */
static inline void ht_write(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s", path);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Opens the card and its VM. */
static inline card_t *ht_card_open(const char *img, vm_t **vm)
{
    card_t *card;
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(img, HT_IMAGE_SIZE, IMG_SYNC_NORMAL, &card, &e) == 0, "card_open: %s", e.msg);
    *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_msg(*vm != NULL, "vm_card_attach: %s", e.msg);
    uint8_t atr[CARD_ATR_MAX];
    ck_assert_uint_gt(card_power_on(card, atr), 0);
    return card;
}

static inline void ht_card_close(card_t *card, vm_t *vm)
{
    vm_card_detach(card, vm);
    card_close(card);
}

/* Sends a command given in hex; returns the status word, the data (if out) and its length. */
static inline int ht_cmd(card_t *card, const char *hex, uint8_t *out, size_t *out_len)
{
    uint8_t c[300];
    static uint8_t r[CARD_RESP_MAX];
    long n = cl_hex_decode(hex, c, sizeof c);
    ck_assert_msg(n >= 4, "bad test APDU %s", hex);
    size_t rl = card_transmit(card, c, (size_t)n, r);
    ck_assert_uint_ge(rl, 2);
    if (out) memcpy(out, r, rl - 2);
    if (out_len) *out_len = rl - 2;
    return r[rl - 2] << 8 | r[rl - 1];
}

/* The hello sample answers ECHO on channel 0 with exactly what it got: the proof the card still
 * works after another applet misbehaved. */
static inline void ht_hello_answers(card_t *card, const char *why)
{
    uint8_t d[64];
    size_t n;
    ck_assert_msg(ht_cmd(card, "00A4040008F063617264010101", NULL, NULL) == 0x9000, "hello select after %s", why);
    ck_assert_msg(ht_cmd(card, "8002000004CAFE0102", d, &n) == 0x9000, "hello echo after %s", why);
    ck_assert_msg(n == 4 && memcmp(d, "\xCA\xFE\x01\x02", 4) == 0, "hello echo data after %s", why);
}

#endif
