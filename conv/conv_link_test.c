/* Linking across packages by token: a library package's export file, and a client that extends its
 * class, implements its interface and an API interface, calls its static method and reads its
 * static field (conv/tests/java/lib and cli). */
#include "conv/conv_testlib.h"

#include "cap/cap_parse.h"

static conv_pkg_t cli;
static cl_error_t cli_err;
static int cli_rc = -1;
static uint8_t *lib_cap, *lib_exp;
static size_t lib_cap_len, lib_exp_len;
static cl_error_t lib_err;
static int lib_rc = -1;

static int prepare(void)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    conv_conf_set_package(&conf, "t.lib", &lib_err);
    conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F03", &lib_err);
    conf.major = 1;
    conf.minor = 2;
    char dir[PATH_MAX];
    ct_path(dir, sizeof dir, "lib");
    lib_rc = conv_convert(&conf, dir, ct_exports, &lib_cap, &lib_cap_len, &lib_exp, &lib_exp_len, &lib_err);
    conv_conf_free(&conf);
    if (lib_rc == 0 && lib_exp) {
        /* publish the export file in the export path for the client */
        char path[PATH_MAX + 100], cmd[2 * PATH_MAX];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s/t/lib/javacard'", ct_exports);
        if (system(cmd) != 0 || conv_export_path(ct_exports, "t/lib", path, sizeof path) ||
            cl_write_file_atomic(path, lib_exp, lib_exp_len, &lib_err))
            return -1;
        cli_rc = ct_convert(&cli, "cli", "t.cli", 0, &cli_err);
    }
    return 0;
}

START_TEST(t_library)
{
    ck_assert_msg(lib_rc == 0, "%s", lib_err.msg);
    cap_file_t cf;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse(&cf, lib_cap, lib_cap_len, 0, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(cf.flags, CAP_HDR_ACC_EXPORT);
    ck_assert_int_eq(cf.export_count, 2);   /* Op and Lib */
    /* Lib exports its constructor and twice (static method tokens 0, 1) and counter (field token 0) */
    const cap_export_class_t *lx = NULL;
    for (int i = 0; i < cf.export_count; i++)
        if (!cap_class_at(&cf, cf.exports[i].class_offset)->is_interface) lx = &cf.exports[i];
    ck_assert_ptr_nonnull(lx);
    ck_assert_int_eq(lx->static_method_count, 2);
    ck_assert_int_eq(lx->static_field_count, 1);
    ck_assert_ptr_nonnull(cap_method_at(&cf, cl_get16(lx->static_method_offsets + 2)));
    ck_assert_int_eq(cl_get16(lx->static_field_offsets), 0);
    cap_free(&cf);
    conv_export_t x;
    ck_assert_msg(conv_export_read(&x, lib_exp, lib_exp_len, "lib.exp", &e) == 0, "%s", e.msg);
    ck_assert_int_eq(x.major, 1);
    ck_assert_int_eq(x.minor, 2);
    ck_assert(x.flags & EXP_PKG_LIBRARY);
    const conv_exp_class_t *lib = conv_export_class(&x, "t/lib/Lib");
    const conv_exp_class_t *op = conv_export_class(&x, "t/lib/Op");
    ck_assert_int_eq(op->token, 0);
    ck_assert_int_eq(lib->token, 1);
    ck_assert_int_eq(conv_export_method(lib, "v", "()S")->token, 1);
    ck_assert_int_eq(conv_export_method(lib, "w", "()S")->token, 2);
    ck_assert(conv_export_method(lib, "w", "()S")->access & EXP_ACC_PROTECTED);
    ck_assert_ptr_null(conv_export_method(lib, "hidden", "()S"));   /* package-visible: not exported */
    ck_assert_int_eq(conv_export_method(lib, "twice", "(S)S")->token, 1);
    ck_assert_int_eq(conv_export_method(lib, "<init>", "()V")->token, 0);
    ck_assert_int_eq(conv_export_field(lib, "counter")->token, 0);
    ck_assert_int_eq(conv_export_method(op, "apply", "(S)S")->token, 0);
    conv_export_free(&x);
}
END_TEST

START_TEST(t_client_tokens)
{
    ck_assert_msg(cli_rc == 0, "%s", cli_err.msg);
    /* an override keeps the library's token; new methods continue after the library's last (w: 2) */
    ck_assert_int_eq(ct_method(&cli, "Cli", "v", NULL)->token, 1);
    ck_assert_int_eq(ct_method(&cli, "Cli", "apply", NULL)->token, 3);
    ck_assert_int_eq(ct_method(&cli, "Cli", "readCounter", NULL)->token, 4);
    ck_assert_int_eq(ct_method(&cli, "Cli", "reset", NULL)->token, 8);
}
END_TEST

START_TEST(t_client_code)
{
    ck_assert_msg(cli_rc == 0, "%s", cli_err.msg);
    conv_method_t *m = ct_method(&cli, "Cli", "apply", NULL);
    ck_assert_str_eq(ct_disasm(&cli, m), "sload_1 invokestatic #M sreturn");
    const conv_cpe_t *c = &cli.cp[cl_get16(m->code + 2)];
    ck_assert(!c->cls.internal);
    ck_assert_str_eq(cli.imports[c->cls.import].name, "t/lib");
    ck_assert_int_eq(c->cls.ext->token, 1);   /* Lib */
    ck_assert_int_eq(c->token, 1);            /* twice */
    m = ct_method(&cli, "Cli", "readCounter", NULL);
    ck_assert_str_eq(ct_disasm(&cli, m), "getstatic_s #s sreturn");
    c = &cli.cp[cl_get16(m->code + 1)];
    ck_assert(!c->cls.internal);
    ck_assert_int_eq(c->token, 0);
}
END_TEST

/* The client's Class component maps each interface method token to its virtual token. */
START_TEST(t_client_interfaces)
{
    ck_assert_msg(cli_rc == 0, "%s", cli_err.msg);
    uint8_t *cap = NULL;
    size_t len = 0;
    cl_error_t e = { { 0 } };
    ck_assert_msg(conv_cap_build(&cli, &cap, &len, NULL, NULL, &e) == 0, "%s", e.msg);
    cap_file_t cf;
    ck_assert_msg(cap_parse(&cf, cap, len, 0, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(cf.class_count, 1);
    const cap_class_t *k = &cf.classes[0];
    ck_assert_int_eq(k->interface_count, 2);
    int seen_pin = 0, seen_op = 0;
    for (int i = 0; i < k->interface_count; i++) {
        ck_assert(k->interfaces[i].external);
        const cap_package_t *pk = &cf.imports[k->interfaces[i].pkg_token];
        if (pk->aid_len == 7 && !memcmp(pk->aid, "\xA0\x00\x00\x00\x62\x01\x01", 7)) {
            /* PIN: check 0, getTriesRemaining 1, isValidated 2, reset 3 -> Cli's 5, 6, 7, 8 */
            ck_assert_int_eq(k->interfaces[i].class_token, 1);
            ck_assert_int_eq(k->iface_method_count[i], 4);
            ck_assert_mem_eq(k->iface_method_index[i], "\x05\x06\x07\x08", 4);
            seen_pin = 1;
        } else {
            ck_assert_int_eq(k->iface_method_count[i], 1);
            ck_assert_int_eq(k->iface_method_index[i][0], 3);
            seen_op = 1;
        }
    }
    ck_assert(seen_pin && seen_op);
    /* the public method table starts at the first token Cli defines (v: 1) and runs to reset (8) */
    ck_assert_int_eq(k->public_method_table_base, 1);
    ck_assert_int_eq(k->public_method_table_count, 8);
    ck_assert_uint_eq(cl_get16(k->public_vtable + 2 * 1), 0xFFFF);   /* w: inherited from t.lib */
    cap_free(&cf);
    free(cap);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_link");
    TCase *tc = tcase_create("link");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_library);
    tcase_add_test(tc, t_client_tokens);
    tcase_add_test(tc, t_client_code);
    tcase_add_test(tc, t_client_interfaces);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = ct_main(suite(), prepare);
    free(lib_cap);
    free(lib_exp);
    return rc;
}
