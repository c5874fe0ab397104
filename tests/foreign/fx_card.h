/* fx_card: what the tests/foreign programs share on top of the tests/vm card fixture (vmt_card.h:
 * a fresh card image, the VM attached, card_transmit): CAP bytes from a hex data file or from the
 * files tests/foreign/recap.py generated, an install that reports instead of asserting (refusals
 * are results here), and the samples' test.script conversations. Header-only (static inline):
 * tests/ is not a library module. */
#ifndef FX_CARD_H
#define FX_CARD_H

#include "tests/vm/vmt_card.h"

/* A hex data file of tests/foreign: '#' lines are comments, the rest hex digits (spaces allowed).
 * Returns the bytes (malloc'd); fails the test if the file is missing or malformed. */
static inline uint8_t *fx_read_hex(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing (run the tests from the source tree)", path);
    size_t cap = 1 << 16, n = 0;
    char *text = malloc(cap), line[512];
    ck_assert_ptr_nonnull(text);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        size_t l = strlen(line);
        ck_assert_msg(n + l < cap, "%s: too large", path);
        memcpy(text + n, line, l);
        n += l;
    }
    fclose(f);
    text[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\n' || text[i] == '\r') text[i] = ' ';
    uint8_t *out = malloc(n / 2 + 1);
    ck_assert_ptr_nonnull(out);
    long got = cl_hex_decode(text, out, n / 2 + 1);
    free(text);
    ck_assert_msg(got > 0, "%s: not hex", path);
    *len = (size_t)got;
    return out;
}

/* A file of the build tree (malloc'd); fails the test, naming who makes it, when it is missing. */
static inline uint8_t *fx_read_build(const vmt_t *t, const char *rel, const char *maker, size_t *len)
{
    char path[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", t->build_dir, rel);
    cl_error_t e = { { 0 } };
    uint8_t *b = cl_read_file(path, 4u << 20, len, &e);
    ck_assert_msg(b != NULL, "%s (made by %s)", e.msg, maker);
    return b;
}

/* <BUILD>/tests/foreign/gen/NAME-VARIANT.EXT, written by recap.py. */
static inline uint8_t *fx_read_gen(const vmt_t *t, const char *name, const char *variant, const char *ext, size_t *len)
{
    char rel[128];
    snprintf(rel, sizeof rel, "tests/foreign/gen/%s-%s.%s", name, variant, ext);
    return fx_read_build(t, rel, "tests/foreign/module.mk", len);
}

/* <BUILD>/applets/NAME.cap: our converter's own output, the reference the variants must answer like. */
static inline uint8_t *fx_read_applet(const vmt_t *t, const char *name, size_t *len)
{
    char rel[96];
    snprintf(rel, sizeof rel, "applets/%s.cap", name);
    return fx_read_build(t, rel, "make applets", len);
}

/* Installs a CAP and, with class_aid_hex, an instance (instance AID inst_hex, NULL: the class AID;
 * applet data data_hex, NULL: none). Returns vm_card_install's result; e says why it refused. */
static inline int fx_install(vmt_t *t, const uint8_t *cap, size_t len, const char *class_aid_hex, const char *inst_hex,
                             const char *data_hex, cl_error_t *e)
{
    uint8_t aid[16], inst[16], data[128];
    long al = class_aid_hex ? cl_hex_decode(class_aid_hex, aid, sizeof aid) : 0;
    long il = inst_hex ? cl_hex_decode(inst_hex, inst, sizeof inst) : 0;
    long dl = data_hex ? cl_hex_decode(data_hex, data, sizeof data) : 0;
    ck_assert(al >= 0 && il >= 0 && dl >= 0);
    return vm_card_install(t->vm, cap, len, al ? aid : NULL, (uint8_t)al, il ? inst : NULL, (uint8_t)il, data,
                           (uint8_t)dl, false, e);
}

/* Sends hex and checks the whole response (data and SW, hex without spaces). */
static inline void fx_expect(vmt_t *t, const char *what, const char *cmd, const char *want)
{
    char got[2 * CARD_RESP_MAX + 1], w[2 * CARD_RESP_MAX + 1];
    vmt_xmit(t, cmd);
    vmt_resp_hex(t, got, sizeof got);
    vmt_compact_hex(want, w, sizeof w);
    ck_assert_msg(!strcasecmp(got, w), "%s: %s -> %s, expected %s (%s)", what, cmd, got, w, t->vm->last_error);
}

/* Runs applets/samples/SAMPLE/test.script (command lines in hex, "< expected response", "reset")
 * against the card with tests/vm's conversation runner; every response must be the expected one.
 * Returns the responses checked. */
static inline int fx_run_sample(vmt_t *t, const char *sample, const char *what)
{
    char path[256], report[4096];
    snprintf(path, sizeof path, "applets/samples/%s/test.script", sample);
    int failed = 0, checked = vmt_run_script_with(t, "foreign", path, false, NULL, &failed, report, sizeof report);
    ck_assert_msg(failed == 0, "%s: %d of %d responses differ:%s", what, failed, checked, report);
    return checked;
}

/* Runs the suite (one test case with the vmt fixture's setup/teardown) and gives main's exit status. */
static inline int fx_main(const char *name, void (*setup)(void), void (*teardown)(void), int timeout,
                          const TTest *const *tests, size_t ntests)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    for (size_t i = 0; i < ntests; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif
