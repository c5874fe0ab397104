/* Class file reader: a real class file parses with the right contents; every truncation and
 * thousands of corruptions of it give an error or a consistent parse, never a crash or an
 * over-read (run under ASan with `make SAN=1 unit`). */
#include "conv/conv_testlib.h"

static uint8_t *arith;
static size_t arith_len;

static int prepare(void)
{
    char p[PATH_MAX];
    cl_error_t e;
    ct_path(p, sizeof p, "ok/t/ok/Arith.class");
    arith = cl_read_file(p, 1u << 20, &arith_len, &e);
    if (!arith) printf("%s\n", e.msg);
    return arith ? 0 : -1;
}

START_TEST(t_parse_real)
{
    conv_classfile_t cf;
    cl_error_t e = { { 0 } };
    ck_assert_msg(conv_cf_parse(&cf, arith, arith_len, "Arith.class", &e) == 0, "%s", e.msg);
    ck_assert_str_eq(cf.this_name, "t/ok/Arith");
    ck_assert_str_eq(cf.super_name, "java/lang/Object");
    ck_assert_str_eq(cf.source_file, "Arith.java");
    ck_assert_int_eq(cf.field_count, 0);
    const conv_cf_method_t *add = NULL;
    for (int i = 0; i < cf.method_count; i++)
        if (!strcmp(cf.methods[i].name, "add")) add = &cf.methods[i];
    ck_assert_ptr_nonnull(add);
    ck_assert_str_eq(add->desc, "(SS)S");
    ck_assert(add->access & CF_ACC_STATIC);
    ck_assert(add->has_code);
    ck_assert_int_eq(add->max_locals, 2);
    /* iload_0 iload_1 iadd i2s ireturn */
    ck_assert_uint_eq(add->code_len, 5);
    ck_assert_mem_eq(add->code, "\x1a\x1b\x60\x93\xac", 5);
    ck_assert_int_eq(conv_cf_line_of(add, 0), 5);
    ck_assert_int_ge((int)add->local_count, 2);   /* compiled with -g */
    conv_cf_free(&cf);
}
END_TEST

START_TEST(t_every_truncation_fails)
{
    for (size_t n = 0; n < arith_len; n++) {
        uint8_t *b = malloc(n ? n : 1);   /* exact-size copy: ASan sees any over-read */
        memcpy(b, arith, n);
        conv_classfile_t cf;
        cl_error_t e = { { 0 } };
        ck_assert_msg(conv_cf_parse(&cf, b, n, "cut", &e) == -1, "prefix of %zu bytes accepted", n);
        ck_assert(e.msg[0] != 0);
        free(b);
    }
}
END_TEST

START_TEST(t_corruptions_do_not_crash)
{
    uint32_t seed = 12345;
    int accepted = 0;
    for (int round = 0; round < 3000; round++) {
        uint8_t *b = malloc(arith_len);
        memcpy(b, arith, arith_len);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % arith_len;
            seed = seed * 1103515245u + 12345u;
            b[at] = (uint8_t)(seed >> 16);
        }
        conv_classfile_t cf;
        cl_error_t e = { { 0 } };
        if (conv_cf_parse(&cf, b, arith_len, "fuzz", &e) == 0) {
            accepted++;
            /* whatever parsed must be internally consistent */
            for (int i = 0; i < cf.method_count; i++) {
                ck_assert_ptr_nonnull(cf.methods[i].name);
                if (cf.methods[i].has_code) ck_assert_uint_gt(cf.methods[i].code_len, 0);
            }
            conv_cf_free(&cf);
        } else {
            ck_assert(e.msg[0] != 0);
        }
        free(b);
    }
    ck_assert_int_lt(accepted, 3000);   /* the corruptions were noticed at least sometimes */
}
END_TEST

START_TEST(t_specific_errors)
{
    uint8_t *b = malloc(arith_len);
    conv_classfile_t cf;
    cl_error_t e = { { 0 } };
    memcpy(b, arith, arith_len);
    b[0] = 0xCB;
    ck_assert_int_eq(conv_cf_parse(&cf, b, arith_len, "x", &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "bad magic"));
    memcpy(b, arith, arith_len);
    b[7] = 99;   /* major version */
    ck_assert_int_eq(conv_cf_parse(&cf, b, arith_len, "x", &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "unsupported class file version"));
    memcpy(b, arith, arith_len);
    ck_assert_int_eq(conv_cf_parse(&cf, b, arith_len - 1, "x", &e), -1);
    free(b);
    uint8_t *longer = malloc(arith_len + 1);
    memcpy(longer, arith, arith_len);
    longer[arith_len] = 0;
    ck_assert_int_eq(conv_cf_parse(&cf, longer, arith_len + 1, "x", &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "trailing"));
    free(longer);
}
END_TEST

START_TEST(t_descriptors)
{
    ck_assert_int_eq(conv_desc_arg_count("()V"), 0);
    ck_assert_int_eq(conv_desc_arg_count("(S[BLjava/lang/Object;)V"), 3);
    ck_assert_int_eq(conv_desc_arg_count("(JD)I"), 4);
    ck_assert_int_eq(conv_desc_arg_count("(S"), -1);
    ck_assert_int_eq(conv_desc_arg_count("(L;)V"), -1);
    ck_assert_int_eq(conv_desc_arg_count("(Q)V"), -1);
    ck_assert_int_eq(conv_desc_arg_count("()VV"), -1);
    ck_assert_int_eq(conv_desc_arg_count("S"), -1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_classfile");
    TCase *tc = tcase_create("classfile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_parse_real);
    tcase_add_test(tc, t_every_truncation_fails);
    tcase_add_test(tc, t_corruptions_do_not_crash);
    tcase_add_test(tc, t_specific_errors);
    tcase_add_test(tc, t_descriptors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ct_main(suite(), prepare); }
