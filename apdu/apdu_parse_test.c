/* The command codec: every case, every malformed length, and the response Ne rules.
 * Table-driven: each vector is hex text with the expected case / lengths or the expected error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "common/cl_util.h"

struct vec {
    const char *hex;
    enum apdu_parse_err err;
    enum apdu_case kase;
    uint32_t nc;
    bool le_present;
    uint32_t ne;
    bool extended;
};

static const struct vec vectors[] = {
    /* well-formed, every case */
    { "00A40400", APDU_PARSE_OK, APDU_CASE_1, 0, false, 0, false },
    { "00B0000001", APDU_PARSE_OK, APDU_CASE_2S, 0, true, 1, false },
    { "00B00000FF", APDU_PARSE_OK, APDU_CASE_2S, 0, true, 255, false },
    { "00B0000000", APDU_PARSE_OK, APDU_CASE_2S, 0, true, 256, false },
    { "00A4040001AA", APDU_PARSE_OK, APDU_CASE_3S, 1, false, 0, false },
    { "00A4040008A000000151000000", APDU_PARSE_OK, APDU_CASE_3S, 8, false, 0, false },
    { "00A4040008A00000015100000000", APDU_PARSE_OK, APDU_CASE_4S, 8, true, 256, false },
    { "00A4040008A00000015100000010", APDU_PARSE_OK, APDU_CASE_4S, 8, true, 16, false },
    { "00A4040001AA01", APDU_PARSE_OK, APDU_CASE_4S, 1, true, 1, false },
    { "00B00000000000", APDU_PARSE_OK, APDU_CASE_2E, 0, true, 65536, true },
    { "00B00000000001", APDU_PARSE_OK, APDU_CASE_2E, 0, true, 1, true },
    { "00B00000000100", APDU_PARSE_OK, APDU_CASE_2E, 0, true, 256, true },
    { "00B0000000FFFF", APDU_PARSE_OK, APDU_CASE_2E, 0, true, 65535, true },
    { "00D600000000012A", APDU_PARSE_OK, APDU_CASE_3E, 1, false, 0, true },
    { "00D60000000003112233", APDU_PARSE_OK, APDU_CASE_3E, 3, false, 0, true },
    { "00D600000000012A0000", APDU_PARSE_OK, APDU_CASE_4E, 1, true, 65536, true },
    { "00D600000000012A0102", APDU_PARSE_OK, APDU_CASE_4E, 1, true, 0x0102, true },
    { "00D60000000003112233FFFF", APDU_PARSE_OK, APDU_CASE_4E, 3, true, 65535, true },
    /* short Lc whose value happens to look like an extended marker further on */
    { "00D6000003000102", APDU_PARSE_OK, APDU_CASE_3S, 3, false, 0, false },
    { "00D600000300010200", APDU_PARSE_OK, APDU_CASE_4S, 3, true, 256, false },
    /* malformed */
    { "", APDU_PARSE_TOO_SHORT, 0, 0, false, 0, false },
    { "00", APDU_PARSE_TOO_SHORT, 0, 0, false, 0, false },
    { "00A4", APDU_PARSE_TOO_SHORT, 0, 0, false, 0, false },
    { "00A404", APDU_PARSE_TOO_SHORT, 0, 0, false, 0, false },
    { "00A4040000AA", APDU_PARSE_SHORT_LC_ZERO, 0, 0, false, 0, false },  /* short Lc 0 then a byte */
    { "00A404000000", APDU_PARSE_SHORT_LC_ZERO, 0, 0, false, 0, false },  /* extended header cut short */
    { "00A4040002AA", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },    /* data shorter than Lc */
    { "00A4040001AABBCC", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },/* trailing bytes after Le */
    { "00A40400FFAA", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },
    { "00A4040003AABB", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },
    { "00A40400000000AA", APDU_PARSE_EXT_LC_ZERO, 0, 0, false, 0, false },/* extended Lc 0 then data */
    { "00A4040000000000", APDU_PARSE_EXT_LC_ZERO, 0, 0, false, 0, false },
    { "00A404000000000000", APDU_PARSE_EXT_LC_ZERO, 0, 0, false, 0, false },
    { "00A40400000002AA", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },/* extended data truncated */
    { "00A40400000001", APDU_PARSE_OK, APDU_CASE_2E, 0, true, 1, true },  /* (same bytes: a valid 2E) */
    { "00A40400000001AA00", APDU_PARSE_EXT_TRUNCATED, 0, 0, false, 0, false }, /* half an extended Le */
    { "00A40400000001AA000000", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false }, /* trailing after Le */
    { "00A40400000001AA0000AA", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },
    { "00A40400000100AA", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },/* Lc 256 but 1 byte */
    { "00A40400FFFF", APDU_PARSE_LC_MISMATCH, 0, 0, false, 0, false },
};

static size_t hex(const char *h, uint8_t *out, size_t cap)
{
    long n = cl_hex_decode(h, out, cap);
    ck_assert_int_ge(n, 0);
    return (size_t)n;
}

START_TEST(test_vectors)
{
    size_t checked = 0;
    for (size_t i = 0; i < CL_ARRAY_LEN(vectors); i++) {
        const struct vec *v = &vectors[i];
        
        uint8_t buf[64];
        size_t len = hex(v->hex, buf, sizeof buf);
        apdu_cmd_t c, zero;
        memset(&c, 0xA5, sizeof c); /* what the previous command left: every field must be rewritten */
        memset(&zero, 0, sizeof zero);
        enum apdu_parse_err err = apdu_parse(buf, len, &c);
        ck_assert_msg(err == v->err, "vector %zu (%s): err %d want %d", i, v->hex, err, v->err);
        checked++;
        if (err != APDU_PARSE_OK) {
            ck_assert_msg(!memcmp(&c, &zero, sizeof c), "vector %zu (%s): output not zeroed on error", i, v->hex);
            ck_assert_str_ne(apdu_parse_strerror(err), "ok");
            continue;
        }
        /* the router's fields start cleared */
        ck_assert(!c.selecting && !c.reselecting);
        ck_assert_int_eq(c.cla_info.kind, APDU_CLA_INVALID);
        ck_assert_uint_eq(c.cla_info.channel, 0);
        ck_assert_msg(c.kase == v->kase, "vector %zu (%s): case %d want %d", i, v->hex, c.kase, v->kase);
        ck_assert_uint_eq(c.nc, v->nc);
        ck_assert_int_eq(c.le_present, v->le_present);
        ck_assert_uint_eq(c.ne, v->ne);
        ck_assert_int_eq(c.extended, v->extended);
        ck_assert_uint_eq(c.cla, buf[0]);
        ck_assert_uint_eq(c.ins, buf[1]);
        ck_assert_uint_eq(c.p1, buf[2]);
        ck_assert_uint_eq(c.p2, buf[3]);
        if (c.nc) {
            size_t off = c.extended ? 7 : 5;
            ck_assert_ptr_eq(c.data, buf + off);
            ck_assert(c.data + c.nc <= buf + len);
        } else {
            ck_assert_ptr_null(c.data);
        }
    }
    ck_assert_uint_ge(checked, 40);
}
END_TEST

/* Every truncation of a valid extended case-4 command must be refused or reparse as a shorter
 * valid case, and never read past the given length: run under ASan with a heap copy of exact size. */
START_TEST(test_truncations_exact_buffers)
{
    uint8_t full[7 + 300 + 2];
    full[0] = 0x00; full[1] = 0xD6; full[2] = 0; full[3] = 0;
    full[4] = 0; cl_put16(full + 5, 300);
    for (int i = 0; i < 300; i++) full[7 + i] = (uint8_t)i;
    cl_put16(full + 307, 0x0100);
    for (size_t len = 0; len <= sizeof full; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, full, len);
        apdu_cmd_t c;
        enum apdu_parse_err err = apdu_parse(copy, len, &c);
        if (len == sizeof full) {
            ck_assert_int_eq(err, APDU_PARSE_OK);
            ck_assert_int_eq(c.kase, APDU_CASE_4E);
            ck_assert_uint_eq(c.nc, 300);
            ck_assert_uint_eq(c.ne, 256);
        } else if (len == 307) {
            ck_assert_int_eq(err, APDU_PARSE_OK);
            ck_assert_int_eq(c.kase, APDU_CASE_3E);
        } else if (len == 4) {
            ck_assert_int_eq(c.kase, APDU_CASE_1);
        } else if (len == 7) {
            ck_assert_int_eq(err, APDU_PARSE_OK);
            ck_assert_int_eq(c.kase, APDU_CASE_2E); /* 00 01 2C read as extended Le 300 */
            ck_assert_uint_eq(c.ne, 300);
        } else if (len != 5) {
            ck_assert_msg(err != APDU_PARSE_OK, "length %zu accepted", len);
        }
        free(copy);
    }
}
END_TEST

START_TEST(test_too_long_and_null)
{
    apdu_cmd_t c;
    ck_assert_int_eq(apdu_parse(NULL, 10, &c), APDU_PARSE_TOO_SHORT);
    size_t big = APDU_CMD_MAX + 1;
    uint8_t *buf = calloc(1, big);
    ck_assert_int_eq(apdu_parse(buf, big, &c), APDU_PARSE_TOO_LONG);
    /* the longest legal command: extended Lc FFFF, data, Le */
    buf[4] = 0; cl_put16(buf + 5, 0xFFFF);
    ck_assert_int_eq(apdu_parse(buf, APDU_CMD_MAX, &c), APDU_PARSE_OK);
    ck_assert_int_eq(c.kase, APDU_CASE_4E);
    ck_assert_uint_eq(c.nc, 65535);
    ck_assert_uint_eq(c.ne, 65536);
    free(buf);
}
END_TEST

START_TEST(test_sw_validity)
{
    ck_assert(apdu_sw_valid(0x9000));
    ck_assert(apdu_sw_valid(0x6A82));
    ck_assert(apdu_sw_valid(0x6100));
    ck_assert(apdu_sw_valid(0x9FFF));
    ck_assert(!apdu_sw_valid(0x6000));
    ck_assert(!apdu_sw_valid(0x60FF));
    ck_assert(!apdu_sw_valid(0x0000));
    ck_assert(!apdu_sw_valid(0x7000));
    ck_assert(!apdu_sw_valid(0xA000));
    ck_assert(!apdu_sw_valid(-1));
    ck_assert(!apdu_sw_valid(0x19000));
    ck_assert(apdu_sw_carries_data(0x9000));
    ck_assert(apdu_sw_carries_data(0x6310));
    ck_assert(!apdu_sw_carries_data(0x6A82));
}
END_TEST

static size_t finish(const char *cmdhex, size_t ndata, int sw, uint8_t *out, apdu_cmd_t *c)
{
    uint8_t cmd[16];
    size_t n = hex(cmdhex, cmd, sizeof cmd);
    ck_assert_int_eq(apdu_parse(cmd, n, c), APDU_PARSE_OK);
    apdu_resp_t r;
    apdu_resp_init(&r, out, APDU_EXT_MAX_NE);
    for (size_t i = 0; i < ndata; i++) ck_assert_int_eq(apdu_resp_byte(&r, (uint8_t)i), 0);
    c->data = NULL; /* cmd[] goes out of scope */
    return apdu_resp_finish(&r, c, sw);
}

START_TEST(test_resp_ne_rules)
{
    uint8_t *out = malloc(APDU_RESP_MAX);
    apdu_cmd_t c;
    /* data within Ne */
    ck_assert_uint_eq(finish("00CA00000A", 10, 0x9000, out, &c), 12);
    ck_assert_uint_eq(cl_get16(out + 10), 0x9000);
    ck_assert_uint_eq(out[9], 9);
    /* more than Ne (short): 6C with the available length */
    ck_assert_uint_eq(finish("00CA000005", 10, 0x9000, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6C0A);
    /* 256 available, Le 01: 6C 00 */
    ck_assert_uint_eq(finish("00CA000001", 256, 0x9000, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6C00);
    /* Le absent, short: up to 256 allowed */
    ck_assert_uint_eq(finish("00CA0000", 256, 0x9000, out, &c), 258);
    ck_assert_uint_eq(finish("00CA0000", 257, 0x9000, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6700);
    /* extended Le 0000: 65536 bytes go through */
    ck_assert_uint_eq(finish("00CA0000000000", 65536, 0x9000, out, &c), 65538);
    ck_assert_uint_eq(cl_get16(out + 65536), 0x9000);
    /* extended, more than Ne: 67 00 */
    ck_assert_uint_eq(finish("00CA0000000010", 17, 0x9000, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6700);
    /* error SW drops data; invalid SW becomes 6F 00 */
    ck_assert_uint_eq(finish("00CA000010", 5, 0x6A88, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6A88);
    ck_assert_uint_eq(finish("00CA000010", 5, 0x1234, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6F00);
    ck_assert_uint_eq(finish("00CA000010", 5, -7, out, &c), 2);
    ck_assert_uint_eq(cl_get16(out), 0x6F00);
    /* warnings keep data */
    ck_assert_uint_eq(finish("00CA000010", 5, 0x6310, out, &c), 7);
    free(out);
}
END_TEST

START_TEST(test_resp_overflow)
{
    uint8_t buf[8 + 2];
    apdu_resp_t r;
    apdu_resp_init(&r, buf, 8);
    ck_assert_int_eq(apdu_resp_append(&r, "12345678", 8), 0);
    ck_assert_int_eq(apdu_resp_byte(&r, 1), -1);
    ck_assert(r.overflow);
    ck_assert_uint_eq(r.len, 8);
    apdu_cmd_t c = { .le_present = true, .ne = 256 };
    ck_assert_uint_eq(apdu_resp_finish(&r, &c, 0x9000), 2);
    ck_assert_uint_eq(cl_get16(buf), 0x6F00);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("apdu_parse");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_vectors);
    tcase_add_test(t, test_truncations_exact_buffers);
    tcase_add_test(t, test_too_long_and_null);
    tcase_add_test(t, test_sw_validity);
    tcase_add_test(t, test_resp_ne_rules);
    tcase_add_test(t, test_resp_overflow);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
