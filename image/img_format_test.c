/* img_format_test: the header and record codecs on their own, with every field damaged in turn
 * (checksums recomputed, so each check is reached by itself). */
#include "image/img_format.h"

#include <check.h>
#include <string.h>

#define SEED_GEN 42u

/* A record {seq, entries (off,len,fill byte)}, checksum under generation SEED_GEN. */
static size_t make_rec(uint8_t *out, uint64_t seq, uint32_t n, const uint32_t *offs, const uint32_t *lens)
{
    size_t pos = IMG_REC_HEAD;
    for (uint32_t i = 0; i < n; i++) {
        cl_put32(out + pos, offs[i]);
        cl_put32(out + pos + 4, lens[i]);
        memset(out + pos + 8, (int)(0xA0 + i), lens[i]);
        pos += IMG_REC_ENTRY_HEAD + lens[i];
    }
    size_t len = pos + IMG_REC_TAIL;
    img_rec_head_encode(out, (uint32_t)len, seq, n);
    cl_put32(out + pos, img_crc(img_rec_seed(SEED_GEN), out, pos));
    return len;
}

static void reseal(uint8_t *rec, size_t len)
{
    cl_put32(rec + len - 4, img_crc(img_rec_seed(SEED_GEN), rec, len - 4));
}

START_TEST(record_valid_and_entries)
{
    uint8_t r[256];
    uint32_t offs[] = { 0, 90 }, lens[] = { 3, 10 };
    size_t len = make_rec(r, 7, 2, offs, lens);
    uint32_t count = 0;
    ck_assert_uint_eq(img_rec_check(r, len, 7, img_rec_seed(SEED_GEN), 100, &count), len);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(img_rec_check(r, len + 50, 7, img_rec_seed(SEED_GEN), 100, &count), len); /* more behind */
    size_t pos = IMG_REC_HEAD;
    struct img_rec_entry ent;
    img_rec_next(r, &pos, &ent);
    ck_assert_uint_eq(ent.off, 0);
    ck_assert_uint_eq(ent.len, 3);
    ck_assert_uint_eq(ent.data[0], 0xA0);
    img_rec_next(r, &pos, &ent);
    ck_assert_uint_eq(ent.off, 90);
    ck_assert_uint_eq(ent.len, 10);
    ck_assert_uint_eq(ent.data[9], 0xA1);
    ck_assert_uint_eq(pos, len - IMG_REC_TAIL);
}
END_TEST

START_TEST(record_rejections)
{
    uint8_t r[256], bad[256];
    uint32_t offs[] = { 0, 90 }, lens[] = { 3, 10 };
    size_t len = make_rec(r, 7, 2, offs, lens);
    uint32_t seed = img_rec_seed(SEED_GEN), count;
    /* cut short anywhere */
    for (size_t k = 0; k < len; k++) ck_assert_uint_eq(img_rec_check(r, k, 7, seed, 100, &count), 0);
    /* wrong sequence number, wrong generation, area too small for the last entry */
    ck_assert_uint_eq(img_rec_check(r, len, 8, seed, 100, &count), 0);
    ck_assert_uint_eq(img_rec_check(r, len, 7, img_rec_seed(SEED_GEN + 1), 100, &count), 0);
    ck_assert_uint_eq(img_rec_check(r, len, 7, seed, 99, &count), 0);
    /* any single bit flipped: caught (by the checksum at least) */
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, r, len);
        bad[i] ^= 0x08;
        ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 100, &count), 0);
    }
    /* structural damage with a good checksum */
    memcpy(bad, r, len); cl_put32(bad + 12, 0); reseal(bad, len);          /* no entries */
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 100, &count), 0);
    memcpy(bad, r, len); cl_put32(bad + 12, 3); reseal(bad, len);          /* more entries than bytes */
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 100, &count), 0);
    memcpy(bad, r, len); cl_put32(bad + 12, 1); reseal(bad, len);          /* bytes left over */
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 100, &count), 0);
    memcpy(bad, r, len); cl_put32(bad + IMG_REC_HEAD + 4, 200); reseal(bad, len); /* entry past record */
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 1000, &count), 0);
    memcpy(bad, r, len); cl_put32(bad + IMG_REC_HEAD, 0xFFFFFFFEu); reseal(bad, len); /* off+len wraps */
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 0xFFFFFFFFu, &count), 0);
    memcpy(bad, r, len); cl_put32(bad, 5); /* length below the minimum */
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 100, &count), 0);
    memcpy(bad, r, len); cl_put32(bad, 0xFFFFFFFFu);
    ck_assert_uint_eq(img_rec_check(bad, len, 7, seed, 100, &count), 0);
}
END_TEST

START_TEST(header_roundtrip_and_fields)
{
    struct img_header h = { .version = IMG_VERSION, .area_offset = IMG_AREA_OFFSET, .area_size = 5000, .created = 123 };
    memset(h.id, 0x33, sizeof h.id);
    uint8_t b[IMG_HDR_USED], bad[IMG_HDR_USED];
    img_header_encode(&h, b);
    struct img_header d;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_header_decode(b, sizeof b, IMG_AREA_OFFSET + 5000, &d, &e), 0);
    ck_assert_uint_eq(d.area_size, 5000);
    ck_assert_uint_eq(d.created, 123);
    ck_assert_mem_eq(d.id, h.id, sizeof h.id);
    ck_assert_int_eq(img_header_decode(b, 63, IMG_AREA_OFFSET + 5000, &d, &e), -1);
    struct { size_t at; uint32_t v; const char *msg; } cases[] = {
        { 12, 8192, "area starts at 8192" },
        { 16, 0, "area size 0 out of range" },
        { 16, IMG_MAX_AREA + 1, "out of range" },
        { 20, 1, "unknown header flags" },
        { 8, 0, "format version 0 not supported" },
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(cases); i++) {
        memcpy(bad, b, sizeof b);
        cl_put32(bad + cases[i].at, cases[i].v);
        cl_put32(bad + 60, img_crc(0, bad, 60));
        e.msg[0] = 0;
        ck_assert_int_eq(img_header_decode(bad, sizeof bad, IMG_AREA_OFFSET + 5000, &d, &e), -1);
        ck_assert_msg(strstr(e.msg, cases[i].msg), "case %zu: \"%s\"", i, e.msg);
    }
}
END_TEST

START_TEST(wal_header_roundtrip_and_damage)
{
    struct img_wal_header h = { .version = IMG_WAL_VERSION, .generation = 0x0102030405060708ull, .area_size = 77 };
    memset(h.id, 0x44, sizeof h.id);
    uint8_t b[IMG_WAL_HDR_LEN];
    img_wal_header_encode(&h, b);
    struct img_wal_header d;
    cl_error_t e;
    ck_assert_int_eq(img_wal_header_decode(b, sizeof b, &d, &e), 0);
    ck_assert(d.generation == h.generation);
    ck_assert_uint_eq(d.area_size, 77);
    for (size_t i = 0; i < sizeof b; i++) {
        b[i] ^= 1;
        ck_assert_int_eq(img_wal_header_decode(b, sizeof b, &d, &e), -1);
        b[i] ^= 1;
    }
    ck_assert_int_eq(img_wal_header_decode(b, 10, &d, &e), -1);
    cl_put32(b + 8, 2);
    cl_put32(b + 60, img_crc(0, b, 60));
    ck_assert_int_eq(img_wal_header_decode(b, sizeof b, &d, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "version 2"));
}
END_TEST

START_TEST(stamp_roundtrip_and_damage)
{
    uint8_t b[IMG_STAMP_LEN];
    uint64_t g = 0;
    img_stamp_encode(0xFEDCBA9876543210ull, b);
    ck_assert_int_eq(img_stamp_decode(b, sizeof b, &g), 0);
    ck_assert(g == 0xFEDCBA9876543210ull);
    for (size_t i = 0; i < sizeof b; i++) {
        b[i] ^= 0x80;
        ck_assert_int_eq(img_stamp_decode(b, sizeof b, &g), -1);
        b[i] ^= 0x80;
    }
    ck_assert_int_eq(img_stamp_decode(b, sizeof b - 1, &g), -1);
    static const uint8_t zero[IMG_STAMP_LEN];
    ck_assert_int_eq(img_stamp_decode(zero, sizeof zero, &g), -1); /* never written */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("img_format");
    TCase *t = tcase_create("codec");
    tcase_add_test(t, record_valid_and_entries);
    tcase_add_test(t, record_rejections);
    tcase_add_test(t, header_roundtrip_and_fields);
    tcase_add_test(t, wal_header_roundtrip_and_damage);
    tcase_add_test(t, stamp_roundtrip_and_damage);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
