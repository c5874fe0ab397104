/* Tests of the APDU script parser and the expected-response patterns of `cardlet script`.
 * The cli/ objects are not in a library, so the units under test are compiled in here. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli/script.h"
#include "cli/script_expect.c"
#include "cli/script_parse.c"
#include "cli/script_sw.c"
#include "cli/script_transcript.c"

static int parse(const char *text, enum script_format fmt, struct script *s, cl_error_t *e)
{
    return script_parse("t.scr", text, strlen(text), fmt, s, e);
}

/* Parsing must fail, and the message must name the line and contain what. */
static void expect_error(const char *text, enum script_format fmt, const char *where, const char *what)
{
    struct script s;
    cl_error_t e = { "" };
    ck_assert_int_eq(parse(text, fmt, &s, &e), -1);
    ck_assert_msg(strstr(e.msg, where) != NULL, "message '%s' lacks '%s'", e.msg, where);
    ck_assert_msg(strstr(e.msg, what) != NULL, "message '%s' lacks '%s'", e.msg, what);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_ptr_null(s.steps);
}

START_TEST(detects_formats)
{
    const char *scr = "# c\n\n00 A4 04 00 00\n";
    const char *apt = "\n// c\npowerup;\n";
    ck_assert_int_eq(script_detect(scr, strlen(scr)), SCRIPT_SCRIPTOR);
    ck_assert_int_eq(script_detect(apt, strlen(apt)), SCRIPT_APDUTOOL);
    ck_assert_int_eq(script_detect("0x00 0xA4;", 10), SCRIPT_APDUTOOL);
    ck_assert_int_eq(script_detect("reset\n", 6), SCRIPT_SCRIPTOR);
    /* A byte order mark does not hide the format nor break the first command. */
    struct script s;
    cl_error_t e;
    ck_assert_int_eq(parse("\xEF\xBB\xBFpowerup;\r\n0x00 0xA4 0x04 0x00 0x00 0x00;\r\n", SCRIPT_AUTO, &s, &e), 0);
    ck_assert_int_eq(s.format, SCRIPT_APDUTOOL);
    ck_assert_uint_eq(s.n, 2);
    script_free(&s);
    ck_assert_int_eq(parse("\xEF\xBB\xBF" "00A4040000\r\n< 9000\r\n", SCRIPT_AUTO, &s, &e), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.steps[0].apdu_len, 5);
    ck_assert_uint_eq(s.steps[0].expect_len, 2);
    script_free(&s);
}
END_TEST

START_TEST(scriptor_commands_and_expectations)
{
    const char *t = "# select\n"
                    "00 A4 04 00 00\n"
                    "< 6F .. 84 08 A0 00 00 01 51 ... 90 00 : Normal processing.\n"
                    "80CA0045 \\\n"
                    "  00\n"
                    "reset\n"
                    "< OK: 3B ...\n"
                    "> 00 B0 00 00 02\n"
                    "exit\n"
                    "zz not parsed after exit\n";
    struct script s;
    cl_error_t e;
    ck_assert_int_eq(parse(t, SCRIPT_AUTO, &s, &e), 0);
    ck_assert_int_eq(s.format, SCRIPT_SCRIPTOR);
    ck_assert_uint_eq(s.n, 4);
    ck_assert_int_eq(s.steps[0].op, SOP_APDU);
    ck_assert_int_eq(s.steps[0].line, 2);
    ck_assert_uint_eq(s.steps[0].apdu_len, 5);
    ck_assert_mem_eq(s.steps[0].apdu, "\x00\xA4\x04\x00\x00", 5);
    ck_assert_int_eq(s.steps[0].expect_line, 3);
    ck_assert_uint_eq(s.steps[0].expect_len, 12);
    ck_assert_int_eq(s.steps[0].expect[1], SCRIPT_PAT_ANY);
    ck_assert_int_eq(s.steps[0].expect[9], SCRIPT_PAT_RUN);
    ck_assert_int_eq(s.steps[1].line, 4); /* continuation: one command, reported at its first line */
    ck_assert_uint_eq(s.steps[1].apdu_len, 5);
    ck_assert_mem_eq(s.steps[1].apdu, "\x80\xCA\x00\x45\x00", 5);
    ck_assert_int_eq(s.steps[2].op, SOP_RESET);
    ck_assert_uint_eq(s.steps[2].expect_len, 2); /* "OK:" prefix stripped: 3B then a run */
    ck_assert_int_eq(s.steps[2].expect[0], 0x3B);
    ck_assert_uint_eq(s.steps[3].apdu_len, 5);
    script_free(&s);
}
END_TEST

START_TEST(scriptor_errors_name_the_line)
{
    expect_error("00 A4 04 00 00\n00 A4 0G 00\n", SCRIPT_SCRIPTOR, "t.scr:2:", "'0G'");
    expect_error("00 A4 04 00 00\n\n00 A4 0\n", SCRIPT_SCRIPTOR, "t.scr:3:", "'0'");
    expect_error("00 A4 04\n", SCRIPT_SCRIPTOR, "t.scr:1:", "at least CLA INS P1 P2");
    expect_error("< 90 00\n", SCRIPT_SCRIPTOR, "t.scr:1:", "without a command");
    expect_error("00 A4 04 00\n< 90 0\n", SCRIPT_SCRIPTOR, "t.scr:2:", "odd number");
    expect_error("00 A4 04 00\n< 90 00\n< 90 00\n", SCRIPT_SCRIPTOR, "t.scr:3:", "second expected");
    expect_error("00 A4 04 00\n< 90 zz\n", SCRIPT_SCRIPTOR, "t.scr:2:", "neither hex");
    expect_error("00 A4 04 00\n<\n", SCRIPT_SCRIPTOR, "t.scr:2:", "empty expected");
    struct script sc;
    cl_error_t e = { "" };
    ck_assert_int_eq(script_parse("t.scr", "00 A4 04 00\n00 A4\0 04 00\n", 25, SCRIPT_SCRIPTOR, &sc, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "t.scr:2: NUL"));
}
END_TEST

START_TEST(apdutool_statements)
{
    const char *t = "// a comment\n"
                    "powerup;\n"
                    "echo \"hello; world\";\n"
                    "/* block\n comment */ 0x00 0xA4 0x04 0x00 0x09 0xA0 0x00 0x00 0x00 0x62\n"
                    "   0x03 0x01 0x0C 0x01 0x7F; // expect: 90 00\n"
                    "0x80 0xCA 0x00 0x45 0x00 0x00;\n"
                    "// expect: ... 90 00\n"
                    "output off; contacted;\n"
                    "0x80 0x50 0x00 0x00 0x00 0x02;\n"
                    "powerdown;\n";
    struct script s;
    cl_error_t e;
    ck_assert_int_eq(parse(t, SCRIPT_AUTO, &s, &e), 0);
    ck_assert_int_eq(s.format, SCRIPT_APDUTOOL);
    ck_assert_uint_eq(s.n, 7);
    ck_assert_int_eq(s.steps[0].op, SOP_POWERUP);
    ck_assert_int_eq(s.steps[1].op, SOP_ECHO);
    ck_assert_str_eq(s.steps[1].text, "hello; world");
    ck_assert_int_eq(s.steps[2].op, SOP_APDU);
    ck_assert_int_eq(s.steps[2].line, 5);
    ck_assert_uint_eq(s.steps[2].apdu_len, 4 + 1 + 9 + 1); /* case 4: Le 7F kept */
    ck_assert_mem_eq(s.steps[2].apdu, "\x00\xA4\x04\x00\x09\xA0\x00\x00\x00\x62\x03\x01\x0C\x01\x7F", 15);
    ck_assert_uint_eq(s.steps[2].expect_len, 2);
    ck_assert_int_eq(s.steps[2].expect_line, 6);
    ck_assert_uint_eq(s.steps[3].apdu_len, 4); /* Lc 0 and Le 0: case 1 */
    ck_assert_uint_eq(s.steps[3].expect_len, 3);
    ck_assert_int_eq(s.steps[4].op, SOP_OUTPUT);
    ck_assert_int_eq(s.steps[4].on, 0);
    ck_assert_uint_eq(s.steps[5].apdu_len, 5); /* case 2: Le 02 */
    ck_assert_mem_eq(s.steps[5].apdu, "\x80\x50\x00\x00\x02", 5);
    ck_assert_int_eq(s.steps[6].op, SOP_POWERDOWN);
    script_free(&s);
}
END_TEST

START_TEST(apdutool_errors_name_the_line)
{
    expect_error("powerup;\n0x00 0xA4 0x04 0x00 0x02 0x3F 0x7F;\n", SCRIPT_APDUTOOL, "t.scr:2:", "Lc is 0x02");
    expect_error("powerup;\n0x00 0xA4 0x04 0x00;\n", SCRIPT_APDUTOOL, "t.scr:2:", "CLA INS P1 P2 Lc");
    expect_error("powerup;\n0x00 0xA4 0x04 0x00 0x00 0x00\n", SCRIPT_APDUTOOL, "t.scr:2:", "not ended by ';'");
    expect_error("powerup\n0x00;\n", SCRIPT_APDUTOOL, "t.scr:1:", "missing ';'");
    expect_error("powerup;\n\n0x00 0xA4 0x104 0x00 0x00 0x00;\n", SCRIPT_APDUTOOL, "t.scr:3:", "'0x104'");
    expect_error("powerup;\nfrobnicate;\n", SCRIPT_APDUTOOL, "t.scr:2:", "unknown statement 'frobnicate'");
    expect_error("powerup;\n/* open\n\n", SCRIPT_APDUTOOL, "t.scr:2:", "not closed");
    expect_error("echo \"open;\n", SCRIPT_APDUTOOL, "t.scr:1:", "not closed");
    expect_error("// expect: 90 00\npowerup;\n", SCRIPT_APDUTOOL, "t.scr:1:", "without a command");
    expect_error("output maybe;\n", SCRIPT_APDUTOOL, "t.scr:1:", "'on' or 'off'");
}
END_TEST

static bool match(const char *pat, const uint8_t *resp, size_t n)
{
    int16_t p[64];
    char why[128];
    long k = script_pattern_parse(pat, p, 64, why, sizeof why);
    ck_assert_msg(k > 0, "pattern '%s': %s", pat, why);
    return script_pattern_match(p, (size_t)k, resp, n);
}

START_TEST(patterns_match_what_they_say)
{
    const uint8_t fci[] = { 0x6F, 0x05, 0x84, 0x03, 0xA0, 0x00, 0x01, 0x90, 0x00 };
    ck_assert(match("6F 05 84 03 A0 00 01 90 00", fci, sizeof fci));
    ck_assert(match("6f0584 03a0000190 00", fci, sizeof fci));
    ck_assert(match("6F .. 84 ... 90 00", fci, sizeof fci));
    ck_assert(match("... 90 00", fci, sizeof fci));
    ck_assert(match("*", fci, sizeof fci));
    ck_assert(match("6F ... 01 ... 00", fci, sizeof fci));
    ck_assert(!match("90 00", fci, sizeof fci));              /* must match all of it */
    ck_assert(!match("6F 05 84 03 A0 00 01 90", fci, sizeof fci));
    ck_assert(!match("6F .. 84 ... 6A 82", fci, sizeof fci));
    ck_assert(!match("6F 05 84 03 A0 00 01 90 00 ..", fci, sizeof fci));
    ck_assert(match("6F 05 84 03 A0 00 01 90 00 ...", fci, sizeof fci)); /* a run may be empty */
    const uint8_t sw[] = { 0x90, 0x00 };
    ck_assert(match(".. ..", sw, 2));
    ck_assert(!match(".. .. ..", sw, 2));
    int16_t p[4];
    char why[128], out[64];
    ck_assert_int_eq(script_pattern_parse("90 00 90", p, 2, why, sizeof why), -1); /* capacity respected */
    ck_assert_ptr_nonnull(strstr(why, "longer"));
    long k = script_pattern_parse("0x90 .. * ...", p, 4, why, sizeof why);
    ck_assert_int_eq(k, 3); /* adjacent runs merge */
    ck_assert_str_eq(script_pattern_format(p, (size_t)k, out, sizeof out), "90 .. ...");
}
END_TEST

START_TEST(sw_texts)
{
    char b[96];
    ck_assert_str_eq(script_sw_text(0x90, 0x00, b, sizeof b), "Normal processing.");
    ck_assert_ptr_nonnull(strstr(script_sw_text(0x61, 0x10, b, sizeof b), "16 more"));
    /* SW2 00 in 61 XX and 6C XX means 256 bytes (ISO 7816-4), not none */
    ck_assert_ptr_nonnull(strstr(script_sw_text(0x61, 0x00, b, sizeof b), "256 more"));
    ck_assert_ptr_nonnull(strstr(script_sw_text(0x6C, 0x00, b, sizeof b), "exact length is 256"));
    ck_assert_ptr_nonnull(strstr(script_sw_text(0x6C, 0x05, b, sizeof b), "exact length is 5"));
    ck_assert_ptr_nonnull(strstr(script_sw_text(0x63, 0xC2, b, sizeof b), "counter 2"));
    ck_assert_ptr_nonnull(strstr(script_sw_text(0x6A, 0x82, b, sizeof b), "not found"));
    ck_assert_str_eq(script_sw_text(0x12, 0x34, b, sizeof b), "Unknown status word.");
}
END_TEST

START_TEST(apdutool_lines_in_the_kits_layout)
{
    const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x01, 0x7F };
    const uint8_t r1[] = { 0x01, 0xFE, 0x90, 0x00 };
    char *l = script_apdutool_line(sel, sizeof sel, r1, sizeof r1);
    ck_assert_str_eq(l, "CLA: 00, INS: a4, P1: 04, P2: 00, Lc: 02, a0, 01, Le: 02, 01, fe, SW1: 90, SW2: 00");
    free(l);
    const uint8_t get[] = { 0x80, 0xCA, 0x00, 0xFE };
    const uint8_t r2[] = { 0x6A, 0x88 };
    l = script_apdutool_line(get, sizeof get, r2, sizeof r2);
    ck_assert_str_eq(l, "CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 88");
    free(l);
    /* A long response is printed in full, not cut. */
    static uint8_t big[300 + 2];
    memset(big, 0xAB, sizeof big);
    l = script_apdutool_line(get, sizeof get, big, sizeof big);
    ck_assert_uint_eq(strlen(l), strlen("CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 12c") + 300 * 4 + 18);
    ck_assert_ptr_nonnull(strstr(l, "Le: 12c, ab, ab"));
    free(l);
    ck_assert_ptr_null(script_apdutool_line(get, 3, r2, 2));
    ck_assert_ptr_null(script_apdutool_line(get, 4, r2, 1));
}
END_TEST

START_TEST(transcripts_keep_only_exchange_lines)
{
    const char *t = "Opening connection to localhost.\n"
                    "  CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 88  \n"
                    "some echo text\n"
                    "CLA: 00, INS: a4, P1: 04, P2: 00, Lc: 00, Le: 00, SW1: 90, SW2: 00\n";
    struct script_transcript tr;
    cl_error_t e;
    ck_assert_int_eq(script_transcript_parse("x.expected", t, strlen(t), &tr, &e), 0);
    ck_assert_uint_eq(tr.n, 2);
    ck_assert_int_eq(tr.line_no[0], 2);
    ck_assert_int_eq(tr.line_no[1], 4);
    ck_assert_str_eq(tr.lines[0], "CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 88");
    ck_assert(script_transcript_same(tr.lines[0], "cla: 80,ins: CA, p1: 00, P2: FE, Lc: 00, Le: 00, SW1: 6A, SW2: 88"));
    ck_assert(!script_transcript_same(tr.lines[0], "CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 82"));
    ck_assert(!script_transcript_same(tr.lines[0], "CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 8"));
    script_transcript_free(&tr);
    ck_assert_int_eq(script_transcript_parse("y.expected", "no exchanges\n", 13, &tr, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "not an apdutool transcript"));
    ck_assert_ptr_null(tr.lines);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("script_parse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, detects_formats);
    tcase_add_test(tc, scriptor_commands_and_expectations);
    tcase_add_test(tc, scriptor_errors_name_the_line);
    tcase_add_test(tc, apdutool_statements);
    tcase_add_test(tc, apdutool_errors_name_the_line);
    tcase_add_test(tc, patterns_match_what_they_say);
    tcase_add_test(tc, sw_texts);
    tcase_add_test(tc, apdutool_lines_in_the_kits_layout);
    tcase_add_test(tc, transcripts_keep_only_exchange_lines);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
