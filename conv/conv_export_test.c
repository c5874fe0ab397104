/* Export files: the API token list becomes standard export files that read back identically,
 * hold the official tokens, sit at the standard path, and malformed export files are refused. */
#include "conv/conv_testlib.h"

static conv_export_t *api;
static int api_n;

static int prepare(void)
{
    cl_error_t e;
    size_t len;
    uint8_t *t = cl_read_file("applets/api/javacard-api.tokens", 4u << 20, &len, &e);
    if (!t) { printf("%s\n", e.msg); return -1; }
    int rc = conv_tokens_parse((const char *)t, len, "tokens", &api, &api_n, &e);
    free(t);
    if (rc) printf("%s\n", e.msg);
    return rc;
}

static const conv_export_t *pkg(const char *name)
{
    for (int i = 0; i < api_n; i++) if (!strcmp(api[i].name, name)) return &api[i];
    return NULL;
}

START_TEST(t_tokens_facts)
{
    const conv_export_t *fw = pkg("javacard/framework");
    ck_assert_ptr_nonnull(fw);
    ck_assert_int_eq(fw->aid_len, 7);
    ck_assert_mem_eq(fw->aid, "\xA0\x00\x00\x00\x62\x01\x01", 7);
    const conv_exp_class_t *applet = conv_export_class(fw, "javacard/framework/Applet");
    ck_assert_ptr_nonnull(applet);
    ck_assert_int_eq(applet->token, 3);
    ck_assert(applet->access & EXP_ACC_ABSTRACT);
    const conv_exp_member_t *m = conv_export_method(applet, "process", "(Ljavacard/framework/APDU;)V");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->token, 7);
    m = conv_export_method(applet, "install", "([BSB)V");
    ck_assert(m && (m->access & EXP_ACC_STATIC) && m->token == 1);
    const conv_exp_class_t *iso = conv_export_class(fw, "javacard/framework/ISO7816");
    ck_assert(iso->access & EXP_ACC_INTERFACE);
    ck_assert_int_eq(iso->super_count, 0);
    const conv_exp_member_t *sw = conv_export_field(iso, "SW_NO_ERROR");
    ck_assert(sw && sw->has_const && sw->cval == -28672 && sw->token == EXP_CONST_TOKEN);
    const conv_exp_class_t *sh = conv_export_class(fw, "javacard/framework/Shareable");
    ck_assert(sh->access & EXP_ACC_SHAREABLE);
    const conv_exp_class_t *iso_exc = conv_export_class(fw, "javacard/framework/ISOException");
    ck_assert_int_eq(iso_exc->super_count, 5);
    ck_assert_str_eq(iso_exc->supers[0], "java/lang/Object");
}
END_TEST

/* write -> read -> write gives the same bytes, and the model survives the trip */
START_TEST(t_roundtrip)
{
    for (int i = 0; i < api_n; i++) {
        cl_error_t e = { { 0 } };
        size_t l1, l2;
        uint8_t *b1 = conv_export_write(&api[i], &l1, &e);
        ck_assert_msg(b1 != NULL, "%s", e.msg);
        ck_assert_mem_eq(b1, "\x00\xFA\xCA\xDE\x01\x02", 6);   /* magic, format 2.1 */
        conv_export_t x;
        ck_assert_msg(conv_export_read(&x, b1, l1, api[i].name, &e) == 0, "%s", e.msg);
        ck_assert_str_eq(x.name, api[i].name);
        ck_assert_int_eq(x.class_count, api[i].class_count);
        ck_assert_int_eq(x.major, api[i].major);
        for (int k = 0; k < x.class_count; k++) {
            ck_assert_str_eq(x.classes[k].name, api[i].classes[k].name);
            ck_assert_int_eq(x.classes[k].method_count, api[i].classes[k].method_count);
            ck_assert_int_eq(x.classes[k].field_count, api[i].classes[k].field_count);
        }
        uint8_t *b2 = conv_export_write(&x, &l2, &e);
        ck_assert_uint_eq(l1, l2);
        ck_assert_mem_eq(b1, b2, l1);
        free(b1);
        free(b2);
        conv_export_free(&x);
    }
}
END_TEST

START_TEST(t_truncations_fail)
{
    const conv_export_t *fw = pkg("javacard/framework");
    cl_error_t e = { { 0 } };
    size_t len;
    uint8_t *b = conv_export_write(fw, &len, &e);
    for (size_t n = 0; n < len; n++) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, b, n);
        conv_export_t x;
        ck_assert_msg(conv_export_read(&x, c, n, "cut", &e) == -1, "prefix %zu accepted", n);
        free(c);
    }
    b[0] = 1;
    conv_export_t x;
    ck_assert_int_eq(conv_export_read(&x, b, len, "x", &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "bad magic"));
    free(b);
}
END_TEST

START_TEST(t_paths)
{
    char p[256];
    ck_assert_int_eq(conv_export_path("/x", "javacard/framework", p, sizeof p), 0);
    ck_assert_str_eq(p, "/x/javacard/framework/javacard/framework.exp");
    ck_assert_int_eq(conv_export_path("e", "java/lang", p, sizeof p), 0);
    ck_assert_str_eq(p, "e/java/lang/javacard/lang.exp");
    ck_assert_int_eq(conv_export_path("e", "java/lang", p, 10), -1);
    /* found through a search path whose first entry does not have it */
    conv_export_t x;
    cl_error_t e = { { 0 } };
    char sp[PATH_MAX * 2];
    snprintf(sp, sizeof sp, "/nonexistent:%s", ct_exports);
    ck_assert_msg(conv_export_find(sp, "javacard/security", &x, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(x.name, "javacard/security");
    conv_export_free(&x);
    ck_assert_int_eq(conv_export_find(sp, "no/such", &x, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "no export file for package no/such"));
}
END_TEST

START_TEST(t_bad_token_lines)
{
    static const char *bad[] = {
        "class 0 a/B\n",                                              /* before any package */
        "package a/b aid=A000 version=1.0\n",                         /* AID too short */
        "package a/b aid=A0000000620001 version=x\n",
        "package a/b aid=A0000000620001 version=1.0\nclass 300 a/b/C\n",
        "package a/b aid=A0000000620001 version=1.0\nclass 1 a/b/C\n  virtual method 1 noparen\n",
        "package a/b aid=A0000000620001 version=1.0\nclass 1 a/b/C\n  const X S = notanumber (0x0)\n",
        "package a/b aid=A0000000620001 version=1.0\nclass 1 a/b/C extends\n",
        "package a/b aid=A0000000620001 version=1.0\nwhatever\n",
        "# only a comment\n",
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(bad); i++) {
        conv_export_t *x = NULL;
        int n = 0;
        cl_error_t e = { { 0 } };
        ck_assert_msg(conv_tokens_parse(bad[i], strlen(bad[i]), "t", &x, &n, &e) == -1, "accepted: %s", bad[i]);
        ck_assert(e.msg[0]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_export");
    TCase *tc = tcase_create("export");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_tokens_facts);
    tcase_add_test(tc, t_roundtrip);
    tcase_add_test(tc, t_truncations_fail);
    tcase_add_test(tc, t_paths);
    tcase_add_test(tc, t_bad_token_lines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ct_main(suite(), prepare); }
