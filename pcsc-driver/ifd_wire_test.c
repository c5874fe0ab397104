/* Tests of the vpcd framing codec and DEVICENAME parsing/listening. */
#include "pcsc-driver/ifd_wire.h"

#include "common/cl_util.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int sp[2];

static void pair_setup(void) { ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0); }
static void pair_teardown(void) { close(sp[0]); close(sp[1]); }

static void raw_write(int fd, const void *p, size_t n) { ck_assert_int_eq(write(fd, p, n), (ssize_t)n); }

START_TEST(frame_round_trip)
{
    uint8_t apdu[] = { 0x00, 0xA4, 0x04, 0x00, 0x00 };
    ck_assert_int_eq(ifd_frame_send(sp[0], apdu, sizeof apdu, 1000), 0);
    uint8_t raw[7];
    ck_assert_int_eq(read(sp[1], raw, sizeof raw), 7); /* header and payload arrived as one write */
    ck_assert_int_eq(cl_get16(raw), 5);
    ck_assert_mem_eq(raw + 2, apdu, 5);

    ck_assert_int_eq(ifd_frame_send(sp[1], apdu, 2, 1000), 0);
    uint8_t buf[16];
    size_t n = 0;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_mem_eq(buf, apdu, 2);
}
END_TEST

START_TEST(frame_max_size)
{
    size_t big = IFD_FRAME_MAX;
    uint8_t *p = malloc(big), *q = malloc(big);
    for (size_t i = 0; i < big; i++) p[i] = (uint8_t)(i * 7 + 3);
    int buf = 1 << 20;
    setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    setsockopt(sp[1], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ck_assert_int_eq(ifd_frame_send(sp[0], p, big, 1000), 0);
    size_t n = 0;
    ck_assert_int_eq(ifd_frame_recv(sp[1], q, big, &n, 1000), IFD_WIRE_OK);
    ck_assert_uint_eq(n, big);
    ck_assert_mem_eq(p, q, big);
    /* Lengths that cannot be framed are refused without writing anything. */
    ck_assert_int_eq(ifd_frame_send(sp[0], p, 0, 1000), -1);
    ck_assert_int_eq(ifd_frame_send(sp[0], p, big + 1, 1000), -1);
    ck_assert_int_eq(recv(sp[1], q, 1, MSG_DONTWAIT), -1);
    ck_assert_int_eq(errno, EAGAIN);
    free(p);
    free(q);
}
END_TEST

/* Writes a frame one byte at a time with pauses, as a peer without buffering would. */
static void *dribble(void *arg)
{
    (void)arg;
    const uint8_t frame[] = { 0x00, 0x04, 0x6A, 0x82, 0x90, 0x00 };
    for (size_t i = 0; i < sizeof frame; i++) {
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        if (write(sp[1], frame + i, 1) != 1) break;
    }
    return NULL;
}

START_TEST(frame_split_over_writes)
{
    pthread_t t;
    pthread_create(&t, NULL, dribble, NULL);
    uint8_t buf[8];
    size_t n = 0;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 2000), IFD_WIRE_OK);
    pthread_join(t, NULL);
    ck_assert_uint_eq(n, 4);
    const uint8_t want[] = { 0x6A, 0x82, 0x90, 0x00 };
    ck_assert_mem_eq(buf, want, 4);
}
END_TEST

START_TEST(frame_zero_length_is_malformed)
{
    raw_write(sp[1], "\x00\x00", 2);
    uint8_t buf[8];
    size_t n = 99;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_MALFORMED);
    ck_assert_uint_eq(n, 99); /* untouched */
}
END_TEST

START_TEST(frame_oversize_is_malformed)
{
    /* An ATR reader accepts 33 bytes; a 34-byte frame is refused before any payload is read. */
    uint8_t frame[2 + 34] = { 0x00, 34 };
    raw_write(sp[1], frame, sizeof frame);
    uint8_t buf[33];
    size_t n = 0;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_MALFORMED);
    raw_write(sp[1], "\xFF\xFF", 2);
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_MALFORMED);
}
END_TEST

START_TEST(frame_cut_in_header)
{
    raw_write(sp[1], "\x00", 1);
    shutdown(sp[1], SHUT_WR);
    uint8_t buf[8];
    size_t n;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_CUT);
}
END_TEST

START_TEST(frame_cut_in_payload)
{
    raw_write(sp[1], "\x00\x05\x01\x02", 4);
    shutdown(sp[1], SHUT_WR);
    uint8_t buf[8];
    size_t n;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_CUT);
}
END_TEST

START_TEST(frame_clean_eof)
{
    shutdown(sp[1], SHUT_WR);
    uint8_t buf[8];
    size_t n;
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 1000), IFD_WIRE_EOF);
}
END_TEST

START_TEST(frame_timeout)
{
    raw_write(sp[1], "\x00\x04\x90", 3); /* a frame that never completes */
    uint8_t buf[8];
    size_t n;
    uint64_t t0 = cl_now_ns();
    ck_assert_int_eq(ifd_frame_recv(sp[0], buf, sizeof buf, &n, 100), IFD_WIRE_TIMEOUT);
    uint64_t ms = (cl_now_ns() - t0) / 1000000u;
    ck_assert_uint_ge(ms, 90);
    ck_assert_uint_lt(ms, 5000); /* generous bound: only checks that it did return */
}
END_TEST

START_TEST(addr_unix_and_tcp)
{
    struct ifd_addr a;
    char why[256];
    ck_assert_int_eq(ifd_addr_parse("unix:/run/cardlet/card.sock", &a, why, sizeof why), 0);
    ck_assert_int_eq(a.at.kind, CL_ADDR_UNIX);
    ck_assert_str_eq(a.at.path, "/run/cardlet/card.sock");
    ck_assert_int_eq(a.timeout_ms, IFD_DEFAULT_TIMEOUT_MS);

    ck_assert_int_eq(ifd_addr_parse("tcp:127.0.0.1:35963@timeout=5", &a, why, sizeof why), 0);
    ck_assert_int_eq(a.at.kind, CL_ADDR_TCP);
    ck_assert_uint_eq(a.at.port, 35963);
    ck_assert_uint_eq(a.at.ipv4, 0x7F000001u);
    ck_assert_int_eq(a.timeout_ms, 5000);

    ck_assert_int_eq(ifd_addr_parse("tcp:localhost:1", &a, why, sizeof why), 0);
    ck_assert_uint_eq(a.at.ipv4, 0x7F000001u);
}
END_TEST

START_TEST(addr_refusals)
{
    static const char *bad[] = {
        "", "unix:", "unix:relative/path", "tcp:10.1.2.3:5000", "tcp:0.0.0.0:35963", "tcp:192.168.1.1:1",
        "tcp:127.0.0.1", "tcp:127.0.0.1:0", "tcp:127.0.0.1:65536", "tcp:127.0.0.1:12x", "tcp:example.com:80",
        "udp:127.0.0.1:5", "/dev/null:0x8C7B", "unix:/x@timeout=0", "unix:/x@timeout=abc", "tcp:127.0.0.1:5@timeout=",
    };
    struct ifd_addr a;
    char why[256];
    for (size_t i = 0; i < CL_ARRAY_LEN(bad); i++) {
        why[0] = 0;
        ck_assert_msg(ifd_addr_parse(bad[i], &a, why, sizeof why) == -1, "accepted '%s'", bad[i]);
        ck_assert_msg(why[0] != 0, "no reason for '%s'", bad[i]);
    }
    char longp[300] = "unix:/";
    memset(longp + 6, 'a', 200);
    longp[206] = 0;
    ck_assert_int_eq(ifd_addr_parse(longp, &a, why, sizeof why), -1);
    ck_assert_int_eq(ifd_addr_parse("tcp:10.0.0.1:99", &a, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "loopback"));
}
END_TEST

START_TEST(listen_unix_mode_and_stale)
{
    char dir[] = "/tmp/ifdwireXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char spec[200], path[160];
    snprintf(path, sizeof path, "%s/sub/card.sock", dir);
    snprintf(spec, sizeof spec, "unix:%s", path);
    struct ifd_addr a;
    char why[256];
    ck_assert_int_eq(ifd_addr_parse(spec, &a, why, sizeof why), 0);

    int fd = ifd_listen(&a, why, sizeof why); /* also creates the missing sub/ directory */
    ck_assert_int_ge(fd, 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 0777, 0600);

    /* A socket somebody still listens on is not stale: a second reader on the same address (another
     * pcscd, a copied reader.conf) is refused and the first one keeps its cards. */
    ck_assert_int_eq(ifd_listen(&a, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "in use"), "%s", why);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    memcpy(sa.sun_path, a.at.path, strlen(a.at.path) + 1); /* a.at.path fits sun_path: ifd_addr_parse checked */
    ck_assert_int_eq(connect(c, (struct sockaddr *)&sa, sizeof sa), 0);
    int acc = accept(fd, NULL, NULL);
    ck_assert_int_ge(acc, 0); /* the connection reached the first listener */
    close(acc);
    close(c);
    close(fd); /* leaves the socket file behind: stale */

    fd = ifd_listen(&a, why, sizeof why);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);

    /* A regular file at the path is somebody's data: refused and left alone. */
    FILE *f = fopen(path, "w");
    fputs("keep", f);
    fclose(f);
    ck_assert_int_eq(ifd_listen(&a, why, sizeof why), -1);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_int_eq((int)st.st_size, 4);
    unlink(path);
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ifd_wire");
    TCase *f = tcase_create("frame");
    tcase_add_checked_fixture(f, pair_setup, pair_teardown);
    tcase_add_test(f, frame_round_trip);
    tcase_add_test(f, frame_max_size);
    tcase_add_test(f, frame_split_over_writes);
    tcase_add_test(f, frame_zero_length_is_malformed);
    tcase_add_test(f, frame_oversize_is_malformed);
    tcase_add_test(f, frame_cut_in_header);
    tcase_add_test(f, frame_cut_in_payload);
    tcase_add_test(f, frame_clean_eof);
    tcase_add_test(f, frame_timeout);
    suite_add_tcase(s, f);
    TCase *a = tcase_create("addr");
    tcase_add_test(a, addr_unix_and_tcp);
    tcase_add_test(a, addr_refusals);
    tcase_add_test(a, listen_unix_mode_and_stale);
    suite_add_tcase(s, a);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
