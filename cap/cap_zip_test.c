/* Tests of cap_zip: writer/reader round trip, deflated entries made with zlib, corrupt archives. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cap/cap_zip.h"

static void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* Builds a one-entry archive whose entry is raw-deflated with zlib (as jar tools do). */
static uint8_t *make_deflated_zip(const char *name, const uint8_t *data, size_t len, size_t *out_len)
{
    uLong bound = compressBound(len) + 64;
    uint8_t *comp = malloc(bound);
    z_stream s;
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = (Bytef *)(uintptr_t)data;
    s.avail_in = (uInt)len;
    s.next_out = comp;
    s.avail_out = (uInt)bound;
    ck_assert_int_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
    size_t clen = s.total_out;
    deflateEnd(&s);
    size_t nlen = strlen(name);
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)len);
    size_t total = 30 + nlen + clen + 46 + nlen + 22;
    uint8_t *z = calloc(1, total);
    uint8_t *l = z;
    put_le32(l, 0x04034b50); put_le16(l + 4, 20); put_le16(l + 8, 8); put_le32(l + 14, crc);
    put_le32(l + 18, (uint32_t)clen); put_le32(l + 22, (uint32_t)len); put_le16(l + 26, (uint16_t)nlen);
    memcpy(l + 30, name, nlen);
    memcpy(l + 30 + nlen, comp, clen);
    uint8_t *c = z + 30 + nlen + clen;
    put_le32(c, 0x02014b50); put_le16(c + 4, 20); put_le16(c + 6, 20); put_le16(c + 10, 8);
    put_le32(c + 16, crc); put_le32(c + 20, (uint32_t)clen); put_le32(c + 24, (uint32_t)len);
    put_le16(c + 28, (uint16_t)nlen); put_le32(c + 42, 0);
    memcpy(c + 46, name, nlen);
    uint8_t *r = c + 46 + nlen;
    put_le32(r, 0x06054b50); put_le16(r + 8, 1); put_le16(r + 10, 1);
    put_le32(r + 12, (uint32_t)(46 + nlen)); put_le32(r + 16, (uint32_t)(30 + nlen + clen));
    free(comp);
    *out_len = total;
    return z;
}

static uint8_t *make_stored_zip(size_t *len)
{
    cap_zip_writer_t w = {0};
    cl_error_t e = {{0}};
    const uint8_t a[] = {1, 2, 3, 4, 5};
    uint8_t b[300];
    for (size_t i = 0; i < sizeof(b); i++) b[i] = (uint8_t)(i * 7);
    ck_assert_int_eq(cap_zip_writer_add(&w, "META-INF/MANIFEST.MF", (const uint8_t *)"Manifest-Version: 1.0\r\n", 23, &e), 0);
    ck_assert_int_eq(cap_zip_writer_add(&w, "com/x/javacard/Header.cap", a, sizeof(a), &e), 0);
    ck_assert_int_eq(cap_zip_writer_add(&w, "com/x/javacard/Method.cap", b, sizeof(b), &e), 0);
    ck_assert_int_eq(cap_zip_writer_add(&w, "empty", NULL, 0, &e), 0);
    uint8_t *out = NULL;
    ck_assert_int_eq(cap_zip_writer_finish(&w, &out, len, &e), 0);
    return out;
}

START_TEST(test_round_trip_stored)
{
    size_t len;
    uint8_t *zip = make_stored_zip(&len);
    ck_assert(cap_zip_is_zip(zip, len));
    cap_zip_t z;
    cl_error_t e = {{0}};
    ck_assert_msg(cap_zip_open(&z, zip, len, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(z.count, 4);
    const cap_zip_entry_t *m = cap_zip_find(&z, "com/x/javacard/Method.cap", &e);
    ck_assert_ptr_nonnull(m);
    ck_assert(cap_zip_name_ends_with(m, "/Method.cap"));
    ck_assert(!cap_zip_name_ends_with(m, "/Header.cap"));
    size_t n;
    uint8_t *d = cap_zip_extract(&z, m, CAP_ZIP_DEFAULT_MAX, &n, &e);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(n, 300);
    for (size_t i = 0; i < n; i++) ck_assert_uint_eq(d[i], (uint8_t)(i * 7));
    free(d);
    const cap_zip_entry_t *em = cap_zip_find(&z, "empty", &e);
    ck_assert_ptr_nonnull(em);
    d = cap_zip_extract(&z, em, 10, &n, &e);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(n, 0);
    free(d);
    ck_assert_ptr_null(cap_zip_find(&z, "com/x/javacard/Class.cap", &e));
    /* the size limit is enforced */
    ck_assert_ptr_null(cap_zip_extract(&z, m, 299, &n, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "limit"));
    cap_zip_close(&z);
    free(zip);
}
END_TEST

START_TEST(test_deflated)
{
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof(data); i++) data[i] = (uint8_t)((i / 13) ^ (i % 5));
    size_t len;
    uint8_t *zip = make_deflated_zip("a/javacard/Class.cap", data, sizeof(data), &len);
    ck_assert_uint_lt(len, sizeof(data)); /* really compressed */
    cap_zip_t z;
    cl_error_t e = {{0}};
    ck_assert_msg(cap_zip_open(&z, zip, len, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(z.entries[0].method, 8);
    size_t n;
    uint8_t *d = cap_zip_extract(&z, &z.entries[0], CAP_ZIP_DEFAULT_MAX, &n, &e);
    ck_assert_msg(d != NULL, "%s", e.msg);
    ck_assert_uint_eq(n, sizeof(data));
    ck_assert_mem_eq(d, data, n);
    free(d);
    cap_zip_close(&z);

    /* a corrupted CRC in the central directory is detected after inflating */
    size_t cd = len - 22 - 46 - strlen("a/javacard/Class.cap");
    zip[cd + 16] ^= 0x01;
    ck_assert_int_eq(cap_zip_open(&z, zip, len, &e), 0);
    ck_assert_ptr_null(cap_zip_extract(&z, &z.entries[0], CAP_ZIP_DEFAULT_MAX, &n, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "CRC"));
    cap_zip_close(&z);
    zip[cd + 16] ^= 0x01;

    /* a declared size larger than the stream inflates to */
    zip[cd + 24] ^= 0x01;
    ck_assert_int_eq(cap_zip_open(&z, zip, len, &e), 0);
    ck_assert_ptr_null(cap_zip_extract(&z, &z.entries[0], CAP_ZIP_DEFAULT_MAX, &n, &e));
    cap_zip_close(&z);
    zip[cd + 24] ^= 0x01;

    /* every byte of the compressed data flipped: never a crash, either an error or (rarely) a CRC-valid result */
    size_t data_start = 30 + strlen("a/javacard/Class.cap");
    for (size_t i = data_start; i < cd; i++) {
        zip[i] ^= 0x5A;
        ck_assert_int_eq(cap_zip_open(&z, zip, len, &e), 0);
        d = cap_zip_extract(&z, &z.entries[0], CAP_ZIP_DEFAULT_MAX, &n, &e);
        if (d) { ck_assert_uint_eq(n, sizeof(data)); ck_assert_mem_eq(d, data, n); free(d); }
        cap_zip_close(&z);
        zip[i] ^= 0x5A;
    }
    free(zip);
}
END_TEST

START_TEST(test_bad_crc_stored)
{
    size_t len;
    uint8_t *zip = make_stored_zip(&len);
    cap_zip_t z;
    cl_error_t e = {{0}};
    ck_assert_int_eq(cap_zip_open(&z, zip, len, &e), 0);
    const cap_zip_entry_t *h = cap_zip_find(&z, "com/x/javacard/Header.cap", &e);
    zip[h->data_offset + 2] ^= 0xFF;
    size_t n;
    ck_assert_ptr_null(cap_zip_extract(&z, h, CAP_ZIP_DEFAULT_MAX, &n, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "CRC-32 mismatch"));
    cap_zip_close(&z);
    free(zip);
}
END_TEST

/* Every truncation of a valid archive fails to open (the end record is gone) without crashing. */
START_TEST(test_truncated_everywhere)
{
    size_t len;
    uint8_t *zip = make_stored_zip(&len);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, zip, cut);
        cap_zip_t z;
        cl_error_t e = {{0}};
        ck_assert_int_eq(cap_zip_open(&z, copy, cut, &e), -1);
        ck_assert_msg(e.msg[0] != 0, "no message at cut %zu", cut);
        free(copy);
    }
    free(zip);
}
END_TEST

/* Every byte of the central directory and end record changed: open either fails with a message or every
 * entry it reports lies inside the buffer and extracts without over-reading (ASan checks the reads). */
START_TEST(test_flipped_directory)
{
    size_t len;
    uint8_t *zip = make_stored_zip(&len);
    for (size_t i = 0; i < len; i++) {
        for (int v = 0; v < 4; v++) {
            static const uint8_t vals[] = {0x00, 0xFF, 0x80, 0x01};
            uint8_t *copy = malloc(len);
            memcpy(copy, zip, len);
            copy[i] = (uint8_t)(v == 3 ? copy[i] ^ 0x01 : vals[v]);
            cap_zip_t z;
            cl_error_t e = {{0}};
            if (cap_zip_open(&z, copy, len, &e) == 0) {
                for (size_t k = 0; k < z.count; k++) {
                    ck_assert_uint_le((size_t)z.entries[k].data_offset + z.entries[k].comp_size, len);
                    size_t n;
                    uint8_t *d = cap_zip_extract(&z, &z.entries[k], 1 << 20, &n, &e);
                    free(d);
                }
                cap_zip_close(&z);
            } else {
                ck_assert_msg(e.msg[0] != 0, "no message at %zu", i);
            }
            free(copy);
        }
    }
    free(zip);
}
END_TEST

START_TEST(test_rejections)
{
    size_t len;
    uint8_t *zip = make_stored_zip(&len);
    cap_zip_t z;
    cl_error_t e = {{0}};
    size_t eocd = len - 22;
    /* central directory offset past the end */
    uint8_t *copy = malloc(len);
    memcpy(copy, zip, len);
    put_le32(copy + eocd + 16, 0x7FFFFFF0);
    ck_assert_int_eq(cap_zip_open(&z, copy, len, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "central directory"));
    /* zip64 marker */
    memcpy(copy, zip, len);
    put_le16(copy + eocd + 10, 0xFFFF);
    put_le16(copy + eocd + 8, 0xFFFF);
    ck_assert_int_eq(cap_zip_open(&z, copy, len, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "zip64"));
    /* unsupported method in the first central entry */
    memcpy(copy, zip, len);
    size_t cd = zip[eocd + 16] | (zip[eocd + 17] << 8);
    put_le16(copy + cd + 10, 12); /* bzip2 */
    ck_assert_int_eq(cap_zip_open(&z, copy, len, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "method 12"));
    /* encrypted */
    memcpy(copy, zip, len);
    put_le16(copy + cd + 8, 1);
    ck_assert_int_eq(cap_zip_open(&z, copy, len, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "encrypted"));
    /* local header offset pointing at garbage */
    memcpy(copy, zip, len);
    put_le32(copy + cd + 42, 3);
    ck_assert_int_eq(cap_zip_open(&z, copy, len, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "local header"));
    /* not a zip at all */
    ck_assert_int_eq(cap_zip_open(&z, (const uint8_t *)"hello world, not a zip", 22, &e), -1);
    free(copy);
    free(zip);
}
END_TEST

/* An archive comment (which may even contain a fake end record) does not confuse the reader. */
START_TEST(test_comment)
{
    size_t len;
    uint8_t *zip = make_stored_zip(&len);
    const char comment[] = "built by a test PK\x05\x06 fake end record inside";
    size_t clen = sizeof(comment) - 1;
    uint8_t *z2 = malloc(len + clen);
    memcpy(z2, zip, len);
    memcpy(z2 + len, comment, clen);
    put_le16(z2 + len - 2, (uint16_t)clen);
    cap_zip_t z;
    cl_error_t e = {{0}};
    ck_assert_msg(cap_zip_open(&z, z2, len + clen, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(z.count, 4);
    cap_zip_close(&z);
    /* a comment length that does not reach the end exactly: no end record is found */
    put_le16(z2 + len - 2, (uint16_t)(clen - 1));
    ck_assert_int_eq(cap_zip_open(&z, z2, len + clen, &e), -1);
    free(z2);
    free(zip);
}
END_TEST

START_TEST(test_duplicate_names)
{
    cap_zip_writer_t w = {0};
    cl_error_t e = {{0}};
    ck_assert_int_eq(cap_zip_writer_add(&w, "x", (const uint8_t *)"1", 1, &e), 0);
    ck_assert_int_eq(cap_zip_writer_add(&w, "x", (const uint8_t *)"2", 1, &e), 0);
    uint8_t *zip;
    size_t len;
    ck_assert_int_eq(cap_zip_writer_finish(&w, &zip, &len, &e), 0);
    cap_zip_t z;
    ck_assert_int_eq(cap_zip_open(&z, zip, len, &e), 0);
    e.msg[0] = 0;
    ck_assert_ptr_null(cap_zip_find(&z, "x", &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "more than once"));
    cap_zip_close(&z);
    free(zip);
    /* bad names are refused by the writer, and finish refuses afterwards */
    ck_assert_int_eq(cap_zip_writer_add(&w, "", (const uint8_t *)"1", 1, &e), -1);
    ck_assert_int_eq(cap_zip_writer_finish(&w, &zip, &len, &e), -1);
    cap_zip_writer_free(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cap_zip");
    TCase *tc = tcase_create("zip");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip_stored);
    tcase_add_test(tc, test_deflated);
    tcase_add_test(tc, test_bad_crc_stored);
    tcase_add_test(tc, test_truncated_everywhere);
    tcase_add_test(tc, test_flipped_directory);
    tcase_add_test(tc, test_rejections);
    tcase_add_test(tc, test_duplicate_names);
    tcase_add_test(tc, test_comment);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
