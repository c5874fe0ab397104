/* The reader-link frame layout: what is left to send after every possible partial send, checked by
 * reassembling the bytes the iovecs point at. */
#include <check.h>
#include <string.h>

#include "common/cl_frame.h"
#include "common/cl_util.h"

START_TEST(iov_after_every_partial_send)
{
    uint8_t payload[5] = { 0xA1, 0xB2, 0xC3, 0xD4, 0xE5 };
    uint8_t hdr[2];
    cl_put16(hdr, sizeof payload);
    const uint8_t whole[7] = { 0x00, 0x05, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5 };
    for (size_t done = 0; done <= sizeof whole; done++) {
        struct iovec part[2];
        int cnt = cl_frame_iov(part, hdr, payload, sizeof payload, done);
        uint8_t got[16];
        size_t n = 0;
        for (int i = 0; i < cnt; i++) {
            ck_assert_uint_gt(part[i].iov_len, 0); /* no empty pieces */
            memcpy(got + n, part[i].iov_base, part[i].iov_len);
            n += part[i].iov_len;
        }
        ck_assert_uint_eq(n, sizeof whole - done);
        ck_assert(!memcmp(got, whole + done, n));
        ck_assert_int_eq(cnt, done < 2 ? 2 : done < sizeof whole ? 1 : 0);
    }
    /* the payload is sent from the caller's buffer, not a copy */
    struct iovec part[2];
    ck_assert_int_eq(cl_frame_iov(part, hdr, payload, sizeof payload, 0), 2);
    ck_assert_ptr_eq(part[0].iov_base, hdr);
    ck_assert_ptr_eq(part[1].iov_base, payload);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cl_frame");
    TCase *t = tcase_create("core");
    tcase_add_test(t, iov_after_every_partial_send);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
