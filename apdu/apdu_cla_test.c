/* CLA decoding: every one of the 256 values against the ISO 7816-4 / GlobalPlatform layouts. */
#include <check.h>
#include <stdlib.h>

#include "apdu/apdu.h"

START_TEST(test_known_values)
{
    struct apdu_cla c;
    c = apdu_cla_decode(0x00);
    ck_assert_int_eq(c.kind, APDU_CLA_FIRST_INTER); ck_assert_uint_eq(c.channel, 0); ck_assert_uint_eq(c.sm, 0);
    ck_assert(!c.chaining);
    c = apdu_cla_decode(0x03);
    ck_assert_uint_eq(c.channel, 3);
    c = apdu_cla_decode(0x0C | 0x01);
    ck_assert_uint_eq(c.sm, 3); ck_assert_uint_eq(c.channel, 1);
    c = apdu_cla_decode(0x10);
    ck_assert(c.chaining); ck_assert_int_eq(c.kind, APDU_CLA_FIRST_INTER);
    c = apdu_cla_decode(0x40);
    ck_assert_int_eq(c.kind, APDU_CLA_FURTHER_INTER); ck_assert_uint_eq(c.channel, 4);
    c = apdu_cla_decode(0x4F);
    ck_assert_uint_eq(c.channel, 19); ck_assert_uint_eq(c.sm, 0);
    c = apdu_cla_decode(0x60 | 0x05);
    ck_assert_uint_eq(c.channel, 9); ck_assert_uint_eq(c.sm, 1); ck_assert(!c.chaining);
    c = apdu_cla_decode(0x70);
    ck_assert(c.chaining); ck_assert_uint_eq(c.sm, 1);
    /* GlobalPlatform */
    c = apdu_cla_decode(0x80);
    ck_assert_int_eq(c.kind, APDU_CLA_PROPRIETARY); ck_assert_uint_eq(c.channel, 0); ck_assert_uint_eq(c.sm, 0);
    c = apdu_cla_decode(0x84);
    ck_assert_uint_eq(c.sm, 1); ck_assert_uint_eq(c.channel, 0);
    c = apdu_cla_decode(0x87);
    ck_assert_uint_eq(c.sm, 1); ck_assert_uint_eq(c.channel, 3);
    c = apdu_cla_decode(0xC0);
    ck_assert_int_eq(c.kind, APDU_CLA_PROPRIETARY); ck_assert_uint_eq(c.channel, 4); ck_assert_uint_eq(c.sm, 0);
    c = apdu_cla_decode(0xEF);
    ck_assert_uint_eq(c.channel, 19); ck_assert_uint_eq(c.sm, 1);
    /* refused */
    ck_assert_int_eq(apdu_cla_decode(0xFF).kind, APDU_CLA_INVALID);
    ck_assert_int_eq(apdu_cla_decode(0x20).kind, APDU_CLA_INVALID);
    ck_assert_int_eq(apdu_cla_decode(0x3F).kind, APDU_CLA_INVALID);
}
END_TEST

START_TEST(test_all_values_consistent)
{
    int invalid = 0;
    for (int v = 0; v < 256; v++) {
        struct apdu_cla c = apdu_cla_decode((uint8_t)v);
        if (c.kind == APDU_CLA_INVALID) { invalid++; continue; }
        ck_assert_uint_lt(c.channel, 20);
        ck_assert_int_eq(c.chaining, (v & 0x10) != 0);
        if (v & 0x40) ck_assert_uint_eq(c.channel, 4 + (v & 0x0F));
        else ck_assert_uint_eq(c.channel, v & 3);
        ck_assert_int_eq(c.kind == APDU_CLA_PROPRIETARY, (v & 0x80) != 0);
    }
    ck_assert_int_eq(invalid, 32 + 1); /* 0x20..0x3F and 0xFF */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("apdu_cla");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_known_values);
    tcase_add_test(t, test_all_values_consistent);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
