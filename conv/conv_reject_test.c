/* Rejections: Java that Java Card does not have gets a clear error naming the class, the method
 * and the source line, and no output (conv/tests/java/rej, each file its own package). */
#include "conv/conv_testlib.h"

#include <sys/wait.h>

typedef struct { const char *name, *where, *why; } rej_t;

static const rej_t REJ[] = {
    { "RejLong", "RejLong.f (RejLong.java:4)", "long is not supported" },
    { "RejFloat", "RejFloat.f (RejFloat.java:4)", "float and double are not supported" },
    { "RejDoubleField", "RejDoubleField (RejDoubleField.java)", "field d: double is not supported" },
    { "RejString", "RejString.f (RejString.java:4)", "String literals are not supported" },
    { "RejStringField", "RejStringField (RejStringField.java)", "field s: String objects are not supported" },
    { "RejMulti", "RejMulti.f (RejMulti.java:4)", "multi-dimensional arrays are not supported" },
    { "RejSync", "RejSync.f (RejSync.java:4)", "synchronized methods are not supported" },
    { "RejMonitor", "RejMonitor.f (RejMonitor.java:4)", "synchronized blocks are not supported" },
    { "RejThread", "RejThread (RejThread.java)", "field t: threads are not supported" },
    { "RejInt", "RejInt.f (RejInt.java:5)",
      "unsupported int type of intermediate value, must cast intermediate value to type short or byte" },
    { "RejIndex", "RejIndex.f (RejIndex.java:5)",
      "unsupported int type of intermediate value, must cast intermediate value to type short or byte" },
    /* an int constant under %, a product under >>: their high bits matter */
    { "RejIntRem", "RejIntRem.f (RejIntRem.java:5)",
      "unsupported int type of intermediate value, must cast intermediate value to type short or byte" },
    { "RejIntShr", "RejIntShr.f (RejIntShr.java:5)",
      "unsupported int type of intermediate value, must cast intermediate value to type short or byte" },
    { "RejIntLocal", "RejIntLocal.f (RejIntLocal.java:5)", "int is not supported" },
    { "RejIntParam", "RejIntParam.f (RejIntParam.java:4)", "int is not supported" },
    { "RejReflect", "RejReflect.f (RejReflect.java:4)", "class literals (reflection) are not supported" },
    { "RejNative", "RejNative.f (RejNative.java)", "native methods are not supported" },
    { "RejFinalize", "RejFinalize.finalize (RejFinalize.java:4)", "finalize is not supported" },
    { "RejChar", "RejChar.f (RejChar.java:4)", "char is not supported" },
    { "RejClinit", "RejClinit.<clinit> (RejClinit.java:4)", "unsupported static initializer" },
    { "RejDefault", "RejDefault.f (RejDefault.java:4)", "default and static methods in interfaces are not supported" },
    { "RejManyMethods", "RejManyMethods (RejManyMethods.java)", "more than 255 methods" },
    { "RejManyFields", "RejManyFields (RejManyFields.java)", "more than 255 fields" },
    { "RejManyIfaces", "RejManyIfaces (RejManyIfaces.java)", "more than 15 interfaces" },
};

static int convert_rej(const char *name, uint8_t **cap, size_t *cap_len, cl_error_t *e)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    conv_conf_set_package(&conf, "t.rej", e);
    conv_conf_set_aid(conf.aid, &conf.aid_len, "F0636172640F02", e);
    conf.major = 1;
    char sub[200], dir[PATH_MAX];
    snprintf(sub, sizeof sub, "rej/%s", name);
    ct_path(dir, sizeof dir, sub);
    uint8_t *exp = NULL;
    size_t exp_len = 0;
    *cap = NULL;
    int rc = conv_convert(&conf, dir, ct_exports, cap, cap_len, &exp, &exp_len, e);
    ck_assert_ptr_null(exp);
    conv_conf_free(&conf);
    return rc;
}

START_TEST(t_rejected)
{
    const rej_t *r = &REJ[_i];
    uint8_t *cap = NULL;
    size_t len = 0;
    cl_error_t e = { { 0 } };
    int rc = convert_rej(r->name, &cap, &len, &e);
    ck_assert_msg(rc == -1, "%s was accepted", r->name);
    ck_assert_ptr_null(cap);
    ck_assert_msg(strstr(e.msg, r->where) != NULL, "%s: message lacks '%s': %s", r->name, r->where, e.msg);
    ck_assert_msg(strstr(e.msg, r->why) != NULL, "%s: message lacks '%s': %s", r->name, r->why, e.msg);
}
END_TEST

/* The same int expression is fine when the package declares `int yes`. */
START_TEST(t_int_allowed_with_int_yes)
{
    conv_pkg_t p;
    cl_error_t e = { { 0 } };
    int rc = ct_convert(&p, "rej/RejInt", "t.rej", 1, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_str_eq(ct_disasm(&p, ct_method(&p, "RejInt", "f", NULL)),
                     "sload_0 s2i sload_1 s2i iadd bipush 10 icmp ifle +4 sconst_1 sreturn sconst_0 sreturn");
    ck_assert_int_eq(p.uses_int, 1);
    ct_free(&p);
}
END_TEST

/* cap.conf: every bad line is refused with its line number. */
START_TEST(t_conf_errors)
{
    static const struct { const char *text, *msg; } bad[] = {
        { "package a.b\nfrobnicate 1\n", "x.conf:2: unknown setting 'frobnicate'" },
        { "aid F06361\n", "x.conf:1: bad AID" },
        { "aid F0636172640102030405060708090A0B0C\n", "x.conf:1: bad AID" },
        { "version 1\n", "x.conf:1: bad version" },
        { "version 1.x\n", "x.conf:1: bad version" },
        { "applet Hello F0\n", "x.conf:1: bad AID" },
        { "int maybe\n", "x.conf:1: unknown setting 'int'" },
        { "package .a\n", "x.conf:1: bad package name" },
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(bad); i++) {
        conv_conf_t c;
        memset(&c, 0, sizeof c);
        cl_error_t e = { { 0 } };
        ck_assert_msg(conv_conf_parse(&c, bad[i].text, strlen(bad[i].text), "x.conf", &e) == -1, "accepted: %s", bad[i].text);
        ck_assert_msg(strstr(e.msg, bad[i].msg) != NULL, "%s -> %s", bad[i].text, e.msg);
        conv_conf_free(&c);
    }
    /* a good one, with comments and a build-only depends line */
    const char *good = "# sample\npackage  com.x.y   # the package\naid F0636172640101\nversion 2.3\n"
                       "applet Y F063617264010101\nint yes\ndepends ../other\n";
    conv_conf_t c;
    memset(&c, 0, sizeof c);
    cl_error_t e = { { 0 } };
    ck_assert_msg(conv_conf_parse(&c, good, strlen(good), "good.conf", &e) == 0, "%s", e.msg);
    ck_assert_str_eq(c.package, "com/x/y");
    ck_assert_int_eq(c.aid_len, 7);
    ck_assert_int_eq(c.major, 2);
    ck_assert_int_eq(c.minor, 3);
    ck_assert_int_eq(c.applet_count, 1);
    ck_assert_str_eq(c.applets[0].cls, "Y");
    ck_assert_int_eq(c.applets[0].aid_len, 8);
    ck_assert_int_eq(c.int_support, 1);
    conv_conf_free(&c);
}
END_TEST

/* The command line: conversion errors exit 1 and leave no file; bad options exit 2. */
static int run(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(t_cli_status)
{
    char bin[PATH_MAX], out[PATH_MAX], classes[PATH_MAX], cmd[4 * PATH_MAX];
    ck_assert_int_lt(snprintf(bin, sizeof bin, "%s/bin/cardlet", ct_build), (int)sizeof bin);
    if (access(bin, X_OK)) return;   /* the binary is built by `make unit` before the tests */
    ck_assert_int_lt(snprintf(out, sizeof out, "%s/conv-tests/rej-%ld.cap", ct_build, (long)getpid()), (int)sizeof out);
    ct_path(classes, sizeof classes, "rej/RejInt");
    unlink(out);
    ck_assert_int_lt(snprintf(cmd, sizeof cmd,
             "'%s' cap build --package t.rej --aid F0636172640F02 --version 1.0 --classes '%s' --exportpath '%s' "
             "--out '%s' 2>/dev/null", bin, classes, ct_exports, out), (int)sizeof cmd);
    ck_assert_int_eq(run(cmd), 1);
    ck_assert_int_ne(access(out, F_OK), 0);
    ck_assert_int_lt(snprintf(cmd, sizeof cmd,
             "'%s' cap build --package t.rej --aid F0636172640F02 --version 1.0 --int --classes '%s' --exportpath '%s' "
             "--out '%s' 2>/dev/null", bin, classes, ct_exports, out), (int)sizeof cmd);
    ck_assert_int_eq(run(cmd), 0);
    ck_assert_int_eq(access(out, F_OK), 0);
    unlink(out);
    ck_assert_int_lt(snprintf(cmd, sizeof cmd, "'%s' cap build --aid 12 --out x 2>/dev/null", bin), (int)sizeof cmd);
    ck_assert_int_eq(run(cmd), 2);
    ck_assert_int_lt(snprintf(cmd, sizeof cmd, "'%s' cap build --bogus 2>/dev/null", bin), (int)sizeof cmd);
    ck_assert_int_eq(run(cmd), 2);
    ck_assert_int_lt(snprintf(cmd, sizeof cmd, "'%s' cap frobnicate 2>/dev/null", bin), (int)sizeof cmd);
    ck_assert_int_eq(run(cmd), 2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_reject");
    TCase *tc = tcase_create("reject");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, t_rejected, 0, (int)CL_ARRAY_LEN(REJ));
    tcase_add_test(tc, t_int_allowed_with_int_yes);
    tcase_add_test(tc, t_cli_status);
    tcase_add_test(tc, t_conf_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ct_main(suite(), NULL); }
