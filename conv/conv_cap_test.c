/* Round trip: the converter's CAP files pass the CAP parser's full validation (cap/cap_parse.h),
 * the samples convert with their cap.conf, exporting packages produce export files that a client
 * package links against, and conversion is deterministic. */
#include "conv/conv_testlib.h"

#include "cap/cap_parse.h"
#include "cap/cap_zip.h"

static int convert_dir(const char *confpath, const char *classes, uint8_t **cap, size_t *cap_len, uint8_t **exp,
                       size_t *exp_len, cl_error_t *e)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    size_t len;
    uint8_t *t = cl_read_file(confpath, 1u << 16, &len, e);
    if (!t) return -1;
    int rc = conv_conf_parse(&conf, (const char *)t, len, confpath, e);
    free(t);
    if (!rc) rc = conv_convert(&conf, classes, ct_exports, cap, cap_len, exp, exp_len, e);
    conv_conf_free(&conf);
    return rc;
}

static void sample(const char *name, uint8_t **cap, size_t *len, uint8_t **exp, size_t *exp_len)
{
    char conf[PATH_MAX], classes[PATH_MAX], sub[200];
    cl_error_t e = { { 0 } };
    snprintf(conf, sizeof conf, "applets/samples/%s/cap.conf", name);
    snprintf(sub, sizeof sub, "samples/%s", name);
    ct_path(classes, sizeof classes, sub);
    int rc = convert_dir(conf, classes, cap, len, exp, exp_len, &e);
    ck_assert_msg(rc == 0, "%s: %s", name, e.msg);
}

static void parse_ok(cap_file_t *cf, const uint8_t *cap, size_t len, const char *what)
{
    cl_error_t e = { { 0 } };
    int rc = cap_parse(cf, cap, len, 0, &e);
    ck_assert_msg(rc == 0, "%s does not parse: %s", what, e.msg);
}

START_TEST(t_hello)
{
    uint8_t *cap = NULL, *exp = NULL;
    size_t len = 0, el = 0;
    sample("hello", &cap, &len, &exp, &el);
    ck_assert_ptr_null(exp);   /* an applet package with nothing shareable exports nothing */
    cap_file_t cf;
    parse_ok(&cf, cap, len, "hello");
    ck_assert_int_eq(cf.cap_major, 2);
    ck_assert_int_eq(cf.cap_minor, 1);
    ck_assert_int_eq(cf.flags, CAP_HDR_ACC_APPLET);
    ck_assert_int_eq(cf.package.aid_len, 7);
    ck_assert_mem_eq(cf.package.aid, "\xF0\x63\x61\x72\x64\x01\x01", 7);
    ck_assert_int_eq(cf.applet_count, 1);
    ck_assert_mem_eq(cf.applets[0].aid, "\xF0\x63\x61\x72\x64\x01\x01\x01", 8);
    ck_assert_ptr_nonnull(cap_method_at(&cf, cf.applets[0].install_method_offset));
    ck_assert_str_eq(cf.jar_dir, "com/cardlet/samples/hello/javacard/");
    /* javacard.framework is imported with the version of the export file */
    int fw = 0;
    for (int i = 0; i < cf.import_count; i++)
        if (cf.imports[i].aid_len == 7 && !memcmp(cf.imports[i].aid, "\xA0\x00\x00\x00\x62\x01\x01", 7)) {
            fw = 1;
            ck_assert_int_eq(cf.imports[i].major, 1);
        }
    ck_assert(fw);
    /* the applet class overrides process: public token 7 (Applet's) */
    ck_assert_int_eq(cf.class_count, 1);
    const cap_class_t *c = &cf.classes[0];
    ck_assert(c->has_super && c->super.external);
    ck_assert_int_le(c->public_method_table_base, 7);
    ck_assert_int_gt(c->public_method_table_base + c->public_method_table_count, 7);
    uint16_t proc = cl_get16(c->public_vtable + 2 * (7 - c->public_method_table_base));
    ck_assert_ptr_nonnull(cap_method_at(&cf, proc));
    ck_assert(cf.has_descriptor);
    cap_free(&cf);
    /* the manifest, first entry of the JAR, says what the official converter's says */
    cap_zip_t z;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(cap_zip_open(&z, cap, len, &e), 0);
    ck_assert_int_eq(cap_zip_name_is(&z.entries[0], "META-INF/MANIFEST.MF"), 1);
    size_t ml;
    uint8_t *mf = cap_zip_extract(&z, &z.entries[0], 65536, &ml, &e);
    ck_assert_ptr_nonnull(mf);
    char *text = calloc(ml + 1, 1);
    memcpy(text, mf, ml);
    ck_assert_ptr_nonnull(strstr(text, "\r\nJava-Card-Package-AID: 0xf0:0x63:0x61:0x72:0x64:0x01:0x01\r\n"));
    ck_assert_ptr_nonnull(strstr(text, "\r\nJava-Card-Package-Name: com.cardlet.samples.hello\r\n"));
    ck_assert_ptr_nonnull(strstr(text, "\r\nJava-Card-Applet-1-Name: Hello\r\n"));
    ck_assert_ptr_nonnull(strstr(text, "\r\nJava-Card-Import-Package-1-AID: 0xa0:0x00:0x00:0x00:0x62:"));
    free(text);
    free(mf);
    cap_zip_close(&z);
    free(cap);
}
END_TEST

/* Manifest lines stay within 72 bytes; longer values continue on lines starting with a space. */
START_TEST(t_manifest_wrap)
{
    conv_pkg_t p;
    memset(&p, 0, sizeof p);
    cl_error_t e = { { 0 } };
    conv_conf_set_package(&p.conf, "a.b", &e);
    conv_conf_set_aid(p.conf.aid, &p.conf.aid_len, "A0000000620102030405060708090A0B", &e);
    conv_conf_add_applet(&p.conf, "a.b.VeryLongAppletClassNameForTheTest", "A0000000620102030405060708090A0B", &e);
    size_t len;
    char *m = conv_manifest(&p, &len);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(strlen(m), len);
    size_t line = 0;
    int continuations = 0;
    for (size_t i = 0; i < len; i++) {
        if (m[i] == '\r') { ck_assert_int_eq(m[i + 1], '\n'); ck_assert_uint_le(line, 72); line = 0; i++; if (m[i + 1] == ' ') continuations++; continue; }
        line++;
    }
    ck_assert_int_ge(continuations, 2);   /* the two 16-byte AIDs do not fit one line */
    /* unwrapped, the value is whole */
    char *flat = calloc(len + 1, 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (m[i] == '\r' && m[i + 2] == ' ') { i += 2; continue; }
        flat[o++] = m[i];
    }
    ck_assert_ptr_nonnull(strstr(flat, "Java-Card-Package-AID: 0xa0:0x00:0x00:0x00:0x62:0x01:0x02:0x03:0x04:0x05:0x06:0x07:0x08:0x09:0x0a:0x0b\r\n"));
    free(flat);
    free(m);
    conv_conf_free(&p.conf);
}
END_TEST

START_TEST(t_wallet)
{
    uint8_t *cap = NULL, *exp = NULL;
    size_t len = 0, el = 0;
    sample("wallet", &cap, &len, &exp, &el);
    cap_file_t cf;
    parse_ok(&cf, cap, len, "wallet");
    ck_assert_int_eq(cf.applet_count, 1);
    ck_assert_int_gt(cf.cp_count, 10);
    ck_assert_int_gt(cf.byte_loc_count + cf.byte2_loc_count, 10);
    cap_free(&cf);
    free(cap);
    free(exp);
}
END_TEST

/* points-server exports its Shareable interface; points-client links against that export file. */
START_TEST(t_shareable_pair)
{
    uint8_t *cap = NULL, *exp = NULL;
    size_t len = 0, el = 0;
    sample("points-server", &cap, &len, &exp, &el);
    ck_assert_ptr_nonnull(exp);
    cap_file_t cf;
    parse_ok(&cf, cap, len, "points-server");
    ck_assert_int_eq(cf.flags, CAP_HDR_ACC_APPLET | CAP_HDR_ACC_EXPORT);
    ck_assert_int_eq(cf.export_count, 1);
    const cap_class_t *ifc = cap_class_at(&cf, cf.exports[0].class_offset);
    ck_assert_ptr_nonnull(ifc);
    ck_assert(ifc->is_interface);
    ck_assert(ifc->flags & CAP_ACC_SHAREABLE);
    cap_free(&cf);
    conv_export_t x;
    cl_error_t e = { { 0 } };
    ck_assert_msg(conv_export_read(&x, exp, el, "points.exp", &e) == 0, "%s", e.msg);
    ck_assert_str_eq(x.name, "com/cardlet/samples/points");
    ck_assert_int_eq(x.class_count, 1);
    ck_assert(x.classes[0].access & EXP_ACC_SHAREABLE);
    ck_assert(x.classes[0].access & EXP_ACC_INTERFACE);
    ck_assert_int_gt(x.classes[0].method_count, 0);
    char path[PATH_MAX + 100];
    ck_assert_int_eq(conv_export_path(ct_exports, x.name, path, sizeof path), 0);
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/com/cardlet/samples/points/javacard'", ct_exports);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(cl_write_file_atomic(path, exp, el, &e), 0);
    conv_export_free(&x);
    free(cap);
    free(exp);
    cap = exp = NULL;
    sample("points-client", &cap, &len, &exp, &el);
    parse_ok(&cf, cap, len, "points-client");
    int found = 0;
    for (int i = 0; i < cf.import_count; i++)
        if (cf.imports[i].aid_len == 7 && !memcmp(cf.imports[i].aid, "\xF0\x63\x61\x72\x64\x03\x01", 7)) found = 1;
    ck_assert_msg(found, "points-client does not import the server package");
    cap_free(&cf);
    free(cap);
    free(exp);
}
END_TEST

/* The test packages (every construct) parse with full validation; static images match. */
START_TEST(t_test_packages)
{
    const char *subs[] = { "ok", "okint" }, *pkgs[] = { "t.ok", "t.okint" };
    for (int k = 0; k < 2; k++) {
        conv_conf_t conf;
        memset(&conf, 0, sizeof conf);
        cl_error_t e = { { 0 } };
        conv_conf_set_package(&conf, pkgs[k], &e);
        conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F01", &e);
        conf.major = 1;
        conf.int_support = k;
        char dir[PATH_MAX];
        ct_path(dir, sizeof dir, subs[k]);
        uint8_t *cap = NULL, *exp = NULL;
        size_t len = 0, el = 0;
        int rc = conv_convert(&conf, dir, ct_exports, &cap, &len, &exp, &el, &e);
        ck_assert_msg(rc == 0, "%s: %s", pkgs[k], e.msg);
        cap_file_t cf;
        parse_ok(&cf, cap, len, pkgs[k]);
        ck_assert_int_eq(!!(cf.flags & CAP_HDR_ACC_INT), k);
        ck_assert_int_eq(!!(cf.flags & CAP_HDR_ACC_EXPORT), 1);   /* a library package exports its public classes */
        ck_assert_ptr_nonnull(exp);
        if (k == 0) {
            ck_assert_int_eq(cf.sfield.image_size, 12);
            ck_assert_int_eq(cf.sfield.reference_count, 3);
            ck_assert_int_eq(cf.sfield.array_init_count, 2);
            ck_assert_int_eq(cf.sfield.array_inits[0].type, 3);
            ck_assert_int_eq(cf.sfield.array_inits[0].count, 3);
            ck_assert_mem_eq(cf.sfield.array_inits[0].values, "\x01\x02\x03", 3);
            ck_assert_int_eq(cf.sfield.default_value_count, 4);
            ck_assert_int_eq(cf.sfield.non_default_value_count, 2);
            ck_assert_mem_eq(cf.sfield.non_default_values, "\x00\x07", 2);
            /* nested try: the inner handler comes first and does not stop the search */
            int stops = 0;
            for (int i = 0; i < cf.handler_count; i++) stops += cf.handlers[i].stop;
            ck_assert_int_lt(stops, cf.handler_count);
            /* the library's export file lists its public classes with their tokens */
            conv_export_t x;
            ck_assert_msg(conv_export_read(&x, exp, el, "ok.exp", &e) == 0, "%s", e.msg);
            const conv_exp_class_t *calls = conv_export_class(&x, "t/ok/Calls");
            ck_assert_ptr_nonnull(calls);
            const conv_exp_member_t *m = conv_export_method(calls, "callSuper", "(S)S");
            ck_assert_ptr_nonnull(m);
            ck_assert_int_eq(m->token, 3);
            ck_assert_int_eq(calls->super_count, 2);
            /* Calls overrides v; Base's v is not listed twice */
            int vs = 0;
            for (int i = 0; i < calls->method_count; i++) vs += !strcmp(calls->methods[i].name, "v");
            ck_assert_int_eq(vs, 1);
            ck_assert_str_eq(calls->supers[0], "java/lang/Object");
            ck_assert_str_eq(calls->supers[1], "t/ok/Base");
            const conv_exp_class_t *fl = conv_export_class(&x, "t/ok/Fields");
            const conv_exp_member_t *f = conv_export_field(fl, "ps");
            ck_assert_ptr_nonnull(f);
            ck_assert_int_eq(f->token, 0);
            conv_export_free(&x);
        }
        cap_free(&cf);
        /* deterministic: the same input gives the same bytes */
        uint8_t *cap2 = NULL, *exp2 = NULL;
        size_t len2 = 0, el2 = 0;
        ck_assert_int_eq(conv_convert(&conf, dir, ct_exports, &cap2, &len2, &exp2, &el2, &e), 0);
        ck_assert_uint_eq(len, len2);
        ck_assert_mem_eq(cap, cap2, len);
        free(cap); free(cap2); free(exp); free(exp2);
        conv_conf_free(&conf);
    }
}
END_TEST

/* A realistic applet: crypto API of two packages, an inner class, a constants table, a caught
 * exception, a loop over the APDU buffer. */
START_TEST(t_app)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    cl_error_t e = { { 0 } };
    conv_conf_set_package(&conf, "t.app", &e);
    conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F05", &e);
    conv_conf_add_applet(&conf, "App", "F0636172640F0501", &e);
    conf.major = 1;
    char dir[PATH_MAX];
    ct_path(dir, sizeof dir, "app");
    uint8_t *cap = NULL, *exp = NULL;
    size_t len = 0, el = 0;
    ck_assert_msg(conv_convert(&conf, dir, ct_exports, &cap, &len, &exp, &el, &e) == 0, "%s", e.msg);
    ck_assert_ptr_null(exp);
    cap_file_t cf;
    parse_ok(&cf, cap, len, "t.app");
    ck_assert_int_eq(cf.import_count, 4);   /* java.lang, framework, security, javacardx.crypto */
    int crypto = 0;
    for (int i = 0; i < cf.import_count; i++)
        if (cf.imports[i].aid_len == 7 && !memcmp(cf.imports[i].aid, "\xA0\x00\x00\x00\x62\x02\x01", 7)) crypto = 1;
    ck_assert(crypto);
    ck_assert_int_eq(cf.class_count, 2);
    ck_assert_int_eq(cf.handler_count, 1);
    const cap_cp_entry_t *ct = cap_cp_get(&cf, cf.handlers[0].catch_type);
    ck_assert(ct && ct->tag == CAP_CP_CLASSREF && ct->cls.external);
    ck_assert_int_eq(cf.sfield.array_init_count, 1);
    ck_assert_int_eq(cf.sfield.array_inits[0].count, 16);
    cap_free(&cf);
    free(cap);
    conv_conf_free(&conf);
}
END_TEST

/* Package-visible classes only (no tokens, nothing exported) and a constant pool past 255. */
START_TEST(t_big)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    cl_error_t e = { { 0 } };
    conv_conf_set_package(&conf, "t.big", &e);
    conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F07", &e);
    char dir[PATH_MAX];
    ct_path(dir, sizeof dir, "big");
    uint8_t *cap = NULL, *exp = NULL;
    size_t len = 0, el = 0;
    ck_assert_msg(conv_convert(&conf, dir, ct_exports, &cap, &len, &exp, &el, &e) == 0, "%s", e.msg);
    ck_assert_ptr_null(exp);
    cap_file_t cf;
    parse_ok(&cf, cap, len, "t.big");
    ck_assert_int_eq(cf.flags, 0);
    ck_assert_int_gt(cf.cp_count, 300);
    ck_assert_int_ge(cf.byte2_loc_count, 302);
    ck_assert(cf.has_descriptor);
    for (int i = 0; i < cf.desc.class_count; i++) ck_assert_int_eq(cf.desc.classes[i].token, 0xFF);
    cap_free(&cf);
    free(cap);
    conv_conf_free(&conf);
}
END_TEST

/* Missing export path or class directory: a clear error, nothing produced. */
START_TEST(t_missing_inputs)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    cl_error_t e = { { 0 } };
    conv_conf_set_package(&conf, "t.ok", &e);
    conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F01", &e);
    char dir[PATH_MAX];
    ct_path(dir, sizeof dir, "ok");
    uint8_t *cap = NULL;
    size_t len = 0;
    ck_assert_int_eq(conv_convert(&conf, dir, "/nonexistent", &cap, &len, NULL, NULL, &e), -1);
    ck_assert_ptr_null(cap);
    ck_assert_ptr_nonnull(strstr(e.msg, "no export file for package"));
    ck_assert_int_eq(conv_convert(&conf, "/nonexistent", ct_exports, &cap, &len, NULL, NULL, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "cannot open class directory"));
    conv_conf_free(&conf);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_cap");
    TCase *tc = tcase_create("roundtrip");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_hello);
    tcase_add_test(tc, t_manifest_wrap);
    tcase_add_test(tc, t_wallet);
    tcase_add_test(tc, t_shareable_pair);
    tcase_add_test(tc, t_test_packages);
    tcase_add_test(tc, t_missing_inputs);
    tcase_add_test(tc, t_app);
    tcase_add_test(tc, t_big);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ct_main(suite(), NULL); }
