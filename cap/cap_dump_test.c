/* Tests of cap_dump: the sample CAP's listing shows every component and every instruction with its
 * operands resolved; external names come from a token file; malformed input prints nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cap/cap_dump.h"
#include "cap/cap_testgen.h"

static char tmpdir[64];

static void write_file(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(d, 1, n, f), n);
    fclose(f);
}

/* Dumps path into a malloc'd string; returns the rc through *rc. */
static char *dump_to_string(const char *path, int *rc, cl_error_t *e)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    *rc = cap_dump_file(path, m, e);
    fclose(m);
    return text;
}

static void setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cap_dump_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char tok[128];
    snprintf(tok, sizeof(tok), "%s/api.tokens", tmpdir);
    const char *tokens =
        "# test token file\n"
        "package java/lang aid=A0000000620001 version=1.0\n"
        "class 0 java/lang/Object\n"
        "  constructor 0 <init>()V\n"
        "package javacard/framework aid=A0000000620101 version=1.6\n"
        "abstract class 3 javacard/framework/Applet extends java/lang/Object\n"
        "  virtual method 1 register()V\n"
        "class 7 javacard/framework/ISOException extends java/lang/Object\n"
        "  static method 1 throwIt(S)V\n";
    write_file(tok, tokens, strlen(tokens));
    setenv("CARDLET_API_TOKENS", tok, 1);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0) {}
}

START_TEST(test_dump_sample)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *jar = tg_jar(&t, &len);
    char path[128];
    snprintf(path, sizeof(path), "%s/sample.cap", tmpdir);
    write_file(path, jar, len);
    free(jar);
    int rc;
    cl_error_t e = {{0}};
    char *text = dump_to_string(path, &rc, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    /* every component */
    const char *sections[] = {"Header: CAP format 2.2, flags 0x07 int export applet",
                              "package com/cardlet/test version 1.0 AID F0636172640101",
                              "Directory:", "custom component tag 0x80", "Imports: 2",
                              "A0000000620101 version 1.6 (javacard/framework)", "Applets: 1",
                              "F063617264010101 install method@0x", "Constant pool: 10 entries",
                              "Classes: 3", "Methods: 4, exception handlers: 1", "Static fields: image 6 bytes",
                              "array init [0]: byte, 3 byte(s): 01 02 03", "non-default values: 12 34",
                              "Reference locations:", "Export: 1 class(es)", "Descriptor: 3 class(es)",
                              "constant pool types:"};
    for (size_t i = 0; i < CL_ARRAY_LEN(sections); i++)
        ck_assert_msg(strstr(text, sections[i]) != NULL, "missing '%s' in:\n%s", sections[i], text);
    /* resolved operands */
    ck_assert_msg(strstr(text, "invokestatic 0x0007 // javacard/framework/ISOException.throwIt(S)V (ext pkg 1 class 7 method token 1)"),
                  "%s", text);
    ck_assert(strstr(text, "invokevirtual 0x0003 // javacard/framework/Applet.register()V (ext pkg 1 class 3 method token 1)"));
    ck_assert(strstr(text, "[0] Classref javacard/framework/Applet (ext pkg 1 class 3)"));
    ck_assert(strstr(text, "getfield_s_this 2 // class@0x0003 (token 1) field token 0"));
    ck_assert(strstr(text, "sspush 4660"));
    ck_assert(strstr(text, "iipush 305419896"));
    ck_assert(strstr(text, "sinc 1 -1"));
    ck_assert(strstr(text, "sinc_w 1 256"));
    ck_assert(strstr(text, "dup_x 0x11 (m=1 n=1)"));
    ck_assert(strstr(text, "newarray byte[]"));
    ck_assert(strstr(text, "instanceof byte[]"));
    ck_assert(strstr(text, "checkcast reference[] 0x0009 // class@0x0002 (token 0)"));
    ck_assert(strstr(text, "invokeinterface nargs 1, 0x0009, method 0"));
    ck_assert(strstr(text, "itableswitch default -> 0x"));
    ck_assert(strstr(text, ", -1 -> 0x"));
    ck_assert(strstr(text, "slookupswitch default -> 0x"));
    ck_assert(strstr(text, ", 5 -> 0x"));
    ck_assert(strstr(text, "catch 1 // Classref class@0x0003 (token 1) [stop]"));
    ck_assert(strstr(text, "method token 1 public type (L<0003>;)V"));
    /* every opcode the sample uses is disassembled by name */
    for (int op = 0; op < 256; op++) {
        if (!t.opcodes_used[op]) continue;
        char needle[64];
        snprintf(needle, sizeof(needle), ": %s", jc_opcode_name(op));
        ck_assert_msg(strstr(text, needle) != NULL, "opcode %s not in listing", jc_opcode_name(op));
    }
    free(text);
}
END_TEST

START_TEST(test_dump_without_names_and_descriptor)
{
    /* set but unreadable: no names, and no search elsewhere (the source tree has the real file) */
    setenv("CARDLET_API_TOKENS", "/nonexistent/api.tokens", 1);
    char cwd[512];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(tmpdir), 0); /* no applets/api/javacard-api.tokens here */
    tg_cap_t t;
    tg_build(&t, false);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    write_file("load.ijc", s, len);
    free(s);
    int rc;
    cl_error_t e = {{0}};
    char *text = dump_to_string("load.ijc", &rc, &e);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert(strstr(text, "component stream (load file)"));
    ck_assert(strstr(text, "invokestatic 0x0007 // (ext pkg 1 class 7 method token 1)"));
    ck_assert(strstr(text, "Descriptor: absent"));
    free(text);
}
END_TEST

START_TEST(test_dump_rejects_malformed)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    s[len - 1] ^= 0xFF; /* damage the last type descriptor */
    s[3] = 0x55;        /* and the magic: the Header is checked first */
    char path[128];
    snprintf(path, sizeof(path), "%s/bad.cap", tmpdir);
    write_file(path, s, len);
    free(s);
    int rc;
    cl_error_t e = {{0}};
    char *text = dump_to_string(path, &rc, &e);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(text, "");
    ck_assert_msg(strstr(e.msg, "bad.cap: Header component: offset 0x0: bad magic 55CAFFED") ||
                  strstr(e.msg, "bad.cap: Header component: offset 0x0: bad magic 55caffed"), "%s", e.msg);
    free(text);
    text = dump_to_string("/nonexistent/x.cap", &rc, &e);
    ck_assert_int_eq(rc, -1);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cap_dump");
    TCase *tc = tcase_create("dump");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dump_sample);
    tcase_add_test(tc, test_dump_without_names_and_descriptor);
    tcase_add_test(tc, test_dump_rejects_malformed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
