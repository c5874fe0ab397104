/* BER-TLV walking: well-formed lists, every malformed form refused without reading past the end,
 * and the writer's length forms read back by the walker. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "card/card_tlv.h"
#include "common/cl_util.h"

struct vec { const char *hex; int items; bool ok; };

static const struct vec vectors[] = {
    { "", 0, true },
    { "4F00", 1, true },
    { "4F08A000000151000000", 1, true },
    { "9F700101", 1, true },
    { "4F00" "9F700107" "C503000000", 3, true },
    { "458101AA", 1, true },                 /* 81 length form */
    { "4582000101", 1, true },               /* 82 length form */
    { "4F", 0, false },                      /* no length */
    { "4F01", 0, false },                    /* value missing */
    { "4F02AA", 0, false },                  /* value short */
    { "9F", 0, false },                      /* second tag byte missing */
    { "9F70", 0, false },                    /* length missing */
    { "9FF00100", 0, false },                /* three-byte tag */
    { "4F81", 0, false },                    /* 81 without its byte */
    { "4F8200", 0, false },                  /* 82 cut short */
    { "4F80", 0, false },                    /* indefinite */
    { "4F83000001AA", 0, false },            /* 83 form */
    { "4F00" "45", 1, false },               /* good item then a broken one */
};

START_TEST(test_vectors)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(vectors); i++) {
        uint8_t buf[32];
        long n = cl_hex_decode(vectors[i].hex, buf, sizeof buf);
        ck_assert_int_ge(n, 0);
        /* exact-size heap copy: ASan catches any read past the end */
        uint8_t *p = malloc(n ? (size_t)n : 1);
        memcpy(p, buf, (size_t)n);
        size_t off = 0;
        card_tlv_t t;
        int r, items = 0;
        while ((r = card_tlv_next(p, (size_t)n, &off, &t)) == 1) {
            items++;
            ck_assert(t.val + t.len <= p + n);
        }
        ck_assert_msg((r == 0) == vectors[i].ok, "vector %zu (%s): r=%d", i, vectors[i].hex, r);
        ck_assert_msg(items == vectors[i].items, "vector %zu: %d items", i, items);
        free(p);
    }
}
END_TEST

START_TEST(test_writer_roundtrip)
{
    static uint8_t val[300];
    for (size_t i = 0; i < sizeof val; i++) val[i] = (uint8_t)i;
    size_t lens[] = { 0, 1, 127, 128, 255, 256, 300 };
    for (size_t k = 0; k < CL_ARRAY_LEN(lens); k++) {
        uint8_t out[320];
        card_tlv_buf_t b;
        card_tlv_init(&b, out, sizeof out);
        card_tlv_put(&b, 0x9F7F, val, lens[k]);
        ck_assert(!b.overflow);
        size_t hdr = 2 + (lens[k] < 128 ? 1 : lens[k] < 256 ? 2 : 3);
        ck_assert_uint_eq(b.len, hdr + lens[k]);
        card_tlv_t t;
        ck_assert_int_eq(card_tlv_find(out, b.len, 0x9F7F, &t), 1);
        ck_assert_uint_eq(t.len, lens[k]);
        if (lens[k]) ck_assert_mem_eq(t.val, val, lens[k]);
    }
    uint8_t small[4];
    card_tlv_buf_t b;
    card_tlv_init(&b, small, sizeof small);
    card_tlv_put(&b, 0x42, val, 3);
    ck_assert(b.overflow);
    card_tlv_t t;
    ck_assert_int_eq(card_tlv_find((const uint8_t *)"\x4F\x00", 2, 0x42, &t), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("card_tlv");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_vectors);
    tcase_add_test(t, test_writer_roundtrip);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
