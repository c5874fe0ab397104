/* Hostile bytecode: class files that parse but whose method code is corrupted (random bytes in
 * Code arrays, and every opcode replaced by every other value) go through the whole conversion.
 * Each must end in a clear error or a CAP file the CAP parser accepts - never a crash, a hang or
 * an over-read (ASan under `make SAN=1 unit`). */
#include "conv/conv_testlib.h"

#include "cap/cap_parse.h"

static uint8_t *orig;
static size_t orig_len;
static char work[PATH_MAX];

static int prepare(void)
{
    char p[PATH_MAX];
    cl_error_t e;
    ct_path(p, sizeof p, "ok/t/ok/Compare.class");
    orig = cl_read_file(p, 1u << 20, &orig_len, &e);
    if (!orig) { printf("%s\n", e.msg); return -1; }
    char sub[64], cmd[PATH_MAX + 32];
    struct stat sb;
    snprintf(sub, sizeof sub, "hostile-%ld", (long)getpid());
    /* thousands of small writes: on tmpfs when there is one */
    if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0)
        snprintf(work, sizeof work, "/dev/shm/cardlet-conv-%s", sub);
    else
        ct_path(work, sizeof work, sub);
    if (snprintf(cmd, sizeof cmd, "mkdir -p '%s/t/ok'", work) >= (int)sizeof cmd || system(cmd) != 0) return -1;
    return 0;
}

/* Converts package t.ok made of the one (modified) class file. 1 converted, 0 refused. */
static int convert_one(const uint8_t *cls, size_t len)
{
    char path[PATH_MAX + 64];
    cl_error_t e = { { 0 } };
    snprintf(path, sizeof path, "%s/t/ok/Compare.class", work);
    FILE *f = fopen(path, "wb");   /* plain write: thousands of rounds, no need for fsync */
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(cls, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    conv_conf_set_package(&conf, "t.ok", &e);
    conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F06", &e);
    conf.int_support = 1;
    uint8_t *cap = NULL, *exp = NULL;
    size_t cl = 0, el = 0;
    int rc = conv_convert(&conf, work, ct_exports, &cap, &cl, &exp, &el, &e);
    conv_conf_free(&conf);
    if (rc) {
        ck_assert_msg(e.msg[0] != 0, "refused without a message");
        ck_assert_ptr_null(cap);
        return 0;
    }
    cap_file_t cf;
    int prc = cap_parse(&cf, cap, cl, 0, &e);
    ck_assert_msg(prc == 0, "converted, but the CAP parser refuses it: %s", e.msg);
    cap_free(&cf);
    free(cap);
    free(exp);
    return 1;
}

/* Offsets of the Code arrays of every method in the class file. */
static int code_ranges(size_t *start, size_t *len, int max)
{
    conv_classfile_t cf;
    cl_error_t e;
    if (conv_cf_parse(&cf, orig, orig_len, "Compare.class", &e)) return -1;
    int n = 0;
    for (int i = 0; i < cf.method_count && n < max; i++) {
        const conv_cf_method_t *m = &cf.methods[i];
        if (!m->has_code) continue;
        const uint8_t *at = memmem(orig, orig_len, m->code, m->code_len);
        if (!at) continue;
        start[n] = (size_t)(at - orig);
        len[n] = m->code_len;
        n++;
    }
    conv_cf_free(&cf);
    return n;
}

START_TEST(t_original_converts)
{
    ck_assert_int_eq(convert_one(orig, orig_len), 1);
}
END_TEST

START_TEST(t_random_code_bytes)
{
    size_t st[64], ln[64];
    int n = code_ranges(st, ln, 64);
    ck_assert_int_gt(n, 5);
    uint8_t *b = malloc(orig_len);
    uint32_t seed = 99;
    int refused = 0;
    for (int round = 0; round < 600; round++) {
        memcpy(b, orig, orig_len);
        for (int k = 0; k < 1 + round % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            int r = (int)((seed >> 8) % (uint32_t)n);
            seed = seed * 1103515245u + 12345u;
            size_t at = st[r] + (seed >> 8) % ln[r];
            seed = seed * 1103515245u + 12345u;
            b[at] = (uint8_t)(seed >> 16);
        }
        refused += !convert_one(b, orig_len);
    }
    free(b);
    ck_assert_int_gt(refused, 0);
}
END_TEST

/* The first opcode of every method replaced by each of the 256 byte values. */
START_TEST(t_every_opcode)
{
    size_t st[64], ln[64];
    int n = code_ranges(st, ln, 64);
    uint8_t *b = malloc(orig_len);
    int refused = 0;
    for (int r = 0; r < n; r += 3)
        for (int v = 0; v < 256; v++) {
            memcpy(b, orig, orig_len);
            b[st[r]] = (uint8_t)v;
            refused += !convert_one(b, orig_len);
        }
    free(b);
    ck_assert_int_gt(refused, 100);
}
END_TEST

static void cleanup(void)
{
    char cmd[PATH_MAX + 16];
    if (work[0] && snprintf(cmd, sizeof cmd, "rm -rf '%s'", work) < (int)sizeof cmd && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", work);
}

static Suite *suite(void)
{
    Suite *s = suite_create("conv_hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, t_original_converts);
    tcase_add_test(tc, t_random_code_bytes);
    tcase_add_test(tc, t_every_opcode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = ct_main(suite(), prepare);
    cleanup();
    free(orig);
    return rc;
}
