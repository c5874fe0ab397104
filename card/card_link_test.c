/* card_link against a scripted reader: the test listens like the driver does and writes raw frames,
 * including split, malformed and cut ones. The card behind the link is a small recording fake. */
#include "card/card_link.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const uint8_t ATR[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

struct fake_card {
    atomic_int powered, power_ons, resets, power_offs, apdus;
};

static size_t fc_power_on(void *c, uint8_t atr[CARD_LINK_ATR_MAX])
{
    struct fake_card *f = c;
    f->powered = 1;
    f->power_ons++;
    memcpy(atr, ATR, sizeof ATR);
    return sizeof ATR;
}
static size_t fc_reset(void *c, uint8_t atr[CARD_LINK_ATR_MAX])
{
    struct fake_card *f = c;
    f->resets++;
    memcpy(atr, ATR, sizeof ATR);
    return sizeof ATR;
}
static void fc_power_off(void *c) { struct fake_card *f = c; f->powered = 0; f->power_offs++; }
static size_t fc_atr(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { (void)c; memcpy(atr, ATR, sizeof ATR); return sizeof ATR; }
/* Answers INS 0xEF with a full 65535-byte frame, INS 0xEE with a 65536-byte body (more than a
 * frame holds), anything else with the
 * command's length and first byte, then 90 00. */
static size_t fc_transmit(void *c, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    struct fake_card *f = c;
    f->apdus++;
    if (!f->powered) { resp[0] = 0x6F; resp[1] = 0x00; return 2; }
    if (len >= 2 && cmd[1] == 0xEF) { /* the largest answer a frame holds */
        memset(resp, 0xCD, 65533);
        resp[65533] = 0x90; resp[65534] = 0x00;
        return 65535;
    }
    if (len >= 2 && cmd[1] == 0xEE) {
        memset(resp, 0xAB, 65536);
        resp[65536] = 0x90; resp[65537] = 0x00;
        return 65538;
    }
    resp[0] = (uint8_t)(len >> 8);
    resp[1] = (uint8_t)len;
    resp[2] = cmd[0];
    resp[3] = 0x90;
    resp[4] = 0x00;
    return 5;
}
static const struct card_link_ops FAKE_OPS = { fc_power_on, fc_reset, fc_power_off, fc_atr, fc_transmit };

static char dir[40], path[96], reader[160];
static struct fake_card card;
static card_link_t *link_;
static pthread_t runner;
static int once_mode;

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int listen_at(const char *p)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p);
    unlink(p);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    return fd;
}

static int accept_within(int lfd, int ms)
{
    struct pollfd p = { .fd = lfd, .events = POLLIN };
    if (poll(&p, 1, ms) != 1) return -1;
    return accept(lfd, NULL, NULL);
}

static void *run_link(void *arg)
{
    (void)arg;
    cl_error_t e = { { 0 } };
    card_link_run(link_, once_mode, &e);
    return NULL;
}

static void start_link(int once)
{
    cl_error_t e = { { 0 } };
    once_mode = once;
    ck_assert_int_eq(card_link_new(reader, &FAKE_OPS, &card, &link_, &e), 0);
    pthread_create(&runner, NULL, run_link, NULL);
}

static void setup(void)
{
    memset(&card, 0, sizeof card);
    snprintf(dir, sizeof dir, "/tmp/cardlinkXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.sock", dir);
    snprintf(reader, sizeof reader, "unix:%s", path);
    link_ = NULL;
}

static void teardown(void)
{
    if (link_) {
        card_link_stop(link_);
        pthread_join(runner, NULL);
        card_link_free(link_);
    }
    unlink(path);
    rmdir(dir);
}

static void send_raw(int fd, const void *p, size_t n) { ck_assert_int_eq(write(fd, p, n), (ssize_t)n); }

static void send_frame(int fd, const uint8_t *p, size_t n)
{
    uint8_t buf[300];
    cl_put16(buf, (uint16_t)n);
    memcpy(buf + 2, p, n);
    send_raw(fd, buf, n + 2);
}

/* Reads one frame with a deadline; returns its length or -1. */
static long recv_frame(int fd, uint8_t *buf, size_t cap)
{
    size_t need = 2, got = 0, len = 0;
    uint8_t hdr[2];
    while (got < need) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) return -1;
        uint8_t *dst = len ? buf + got - 2 : hdr + got;
        ssize_t r = read(fd, dst, need - got);
        if (r <= 0) return -1;
        got += (size_t)r;
        if (!len && got == 2) {
            len = cl_get16(hdr);
            if (len > cap) return -1;
            need = 2 + len;
        }
    }
    return (long)len;
}

/* The link counts a connection just after connect() returns, maybe after our accept(): wait for it. */
static unsigned connects_within(unsigned want, int ms)
{
    struct card_link_stats st;
    for (int waited = 0;; waited += 5) {
        card_link_get_stats(link_, &st);
        if (st.connects >= want || waited >= ms) return st.connects;
        sleep_ms(5);
    }
}

START_TEST(bad_addresses_refused)
{
    static const char *bad[] = { "unix:rel", "tcp:10.0.0.1:35963", "tcp:0.0.0.0:1", "tcp:127.0.0.1:0",
                                 "tcp:127.0.0.1", "tcp::5", "tcp:127.0.0.1:70000", "http://x", "" };
    for (size_t i = 0; i < CL_ARRAY_LEN(bad); i++) {
        cl_error_t e = { { 0 } };
        card_link_t *l = (card_link_t *)1;
        ck_assert_msg(card_link_new(bad[i], &FAKE_OPS, &card, &l, &e) == -1, "accepted %s", bad[i]);
        ck_assert_ptr_null(l);
        ck_assert_msg(e.msg[0], "no message for %s", bad[i]);
    }
    /* The driver's DEVICENAME suffix pasted into the card's address: said so, not taken for a path
     * (which would leave the card waiting forever for a socket that never appears). */
    static const char *with_timeout[] = { "unix:/run/cardlet/card.sock@timeout=30", "tcp:127.0.0.1:35963@timeout=30" };
    for (size_t i = 0; i < CL_ARRAY_LEN(with_timeout); i++) {
        cl_error_t e = { { 0 } };
        card_link_t *l = NULL;
        ck_assert_msg(card_link_new(with_timeout[i], &FAKE_OPS, &card, &l, &e) == -1, "accepted %s", with_timeout[i]);
        ck_assert_msg(strstr(e.msg, "@timeout"), "%s: %s", with_timeout[i], e.msg);
    }
    struct card_link_ops partial = FAKE_OPS;
    partial.transmit = NULL;
    cl_error_t e = { { 0 } };
    card_link_t *l;
    ck_assert_int_eq(card_link_new("unix:/x", &partial, &card, &l, &e), -1);
    ck_assert_int_eq(card_link_new("tcp:127.0.0.1:35963", &FAKE_OPS, &card, &l, &e), 0);
    card_link_free(l);
}
END_TEST

START_TEST(controls_and_apdus)
{
    int lfd = listen_at(path);
    start_link(0);
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);

    send_frame(fd, (const uint8_t *)"\x01", 1);
    send_frame(fd, (const uint8_t *)"\x04", 1);
    uint8_t buf[70000];
    long n = recv_frame(fd, buf, sizeof buf);
    ck_assert_int_eq(n, sizeof ATR);
    ck_assert_mem_eq(buf, ATR, sizeof ATR);
    ck_assert_int_eq(card.power_ons, 1);

    const uint8_t apdu[] = { 0x80, 0xCA, 0x00, 0x66, 0x00 };
    send_frame(fd, apdu, sizeof apdu);
    n = recv_frame(fd, buf, sizeof buf);
    ck_assert_int_eq(n, 5);
    const uint8_t want[] = { 0x00, 0x05, 0x80, 0x90, 0x00 };
    ck_assert_mem_eq(buf, want, 5);

    /* A frame split over many writes (as Debian's vpcd and vicc do) is reassembled. */
    const uint8_t split[] = { 0x00, 0x04, 0x00, 0xB0, 0x00, 0x00 };
    for (size_t i = 0; i < sizeof split; i++) { send_raw(fd, split + i, 1); sleep_ms(2); }
    n = recv_frame(fd, buf, sizeof buf);
    ck_assert_int_eq(n, 5);
    ck_assert_uint_eq(buf[1], 4);

    /* An answer too long for a frame becomes 6F 00, not a truncated frame. */
    const uint8_t huge[] = { 0x00, 0xEE, 0x00, 0x00, 0x00, 0x00, 0x00 };
    send_frame(fd, huge, sizeof huge);
    n = recv_frame(fd, buf, sizeof buf);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(buf[0], 0x6F);

    send_frame(fd, (const uint8_t *)"\x02", 1);
    send_frame(fd, (const uint8_t *)"\x00", 1);
    send_frame(fd, apdu, sizeof apdu); /* unpowered: the card answers 6F 00, and it orders us after 00 */
    n = recv_frame(fd, buf, sizeof buf);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(card.resets, 1);
    ck_assert_int_ge(card.power_offs, 1);
    struct card_link_stats st;
    card_link_get_stats(link_, &st);
    ck_assert_uint_eq(st.apdus, 4);
    ck_assert_uint_eq(st.connects, 1); /* counted before the first frame was answered */
    close(fd);
    close(lfd);
}
END_TEST

/* Sends bad bytes; the link must drop the connection, power the card off and come back. */
static void check_drop_and_reconnect(const uint8_t *bad, size_t n, int then_close)
{
    int lfd = listen_at(path);
    start_link(0);
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    send_frame(fd, (const uint8_t *)"\x01", 1);
    send_raw(fd, bad, n);
    if (then_close) shutdown(fd, SHUT_WR);
    uint8_t x;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, 15000), 1);
    ck_assert_int_eq(read(fd, &x, 1), 0); /* dropped by the card */
    close(fd);
    ck_assert_int_eq(card.powered, 0);
    fd = accept_within(lfd, 5000); /* and it reconnects by itself */
    ck_assert_int_ge(fd, 0);
    ck_assert_uint_eq(connects_within(2, 5000), 2);
    struct card_link_stats st;
    card_link_get_stats(link_, &st);
    ck_assert_uint_eq(st.malformed, 1);
    close(fd);
    close(lfd);
}

START_TEST(malformed_zero_length) { check_drop_and_reconnect((const uint8_t *)"\x00\x00", 2, 0); }
END_TEST
START_TEST(malformed_unknown_control) { check_drop_and_reconnect((const uint8_t *)"\x00\x01\x07", 3, 0); }
END_TEST
START_TEST(malformed_cut_frame) { check_drop_and_reconnect((const uint8_t *)"\x00\x09\x00\xA4", 4, 1); }
END_TEST

START_TEST(waits_for_reader_then_connects)
{
    start_link(0); /* nobody listens yet */
    sleep_ms(300);
    struct card_link_stats st;
    card_link_get_stats(link_, &st);
    ck_assert_uint_eq(st.connects, 0);
    int lfd = listen_at(path);
    int fd = accept_within(lfd, 5000); /* backoff is at most 1 s */
    ck_assert_int_ge(fd, 0);
    close(fd); /* "pcscd restarted" */
    close(lfd);
    unlink(path);
    sleep_ms(100);
    lfd = listen_at(path);
    fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    ck_assert_uint_eq(connects_within(2, 5000), 2);
    close(fd);
    close(lfd);
}
END_TEST

START_TEST(once_returns_when_connection_ends)
{
    int lfd = listen_at(path);
    start_link(1);
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    close(fd);
    pthread_join(runner, NULL); /* returns without a stop */
    card_link_free(link_);
    link_ = NULL;
    ck_assert_int_eq(accept_within(lfd, 300), -1); /* no reconnect in once mode */
    close(lfd);
}
END_TEST

START_TEST(stop_while_connected)
{
    int lfd = listen_at(path);
    start_link(0);
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    card_link_stop(link_);
    pthread_join(runner, NULL);
    card_link_free(link_);
    link_ = NULL;
    uint8_t x;
    ck_assert_int_eq(read(fd, &x, 1), 0);
    close(fd);
    close(lfd);
}
END_TEST

/* Powers the card on, then asks for far more answer bytes (200 full frames) than any socket buffer
 * holds, never reading them. Our writes may block once the card stops reading too, so they are
 * non-blocking and best effort. */
static void power_on_and_flood(int fd)
{
    send_frame(fd, (const uint8_t *)"\x01", 1);
    const uint8_t big[] = { 0x00, 0xEF, 0x00, 0x00, 0x00 };
    uint8_t frame[2 + sizeof big];
    cl_put16(frame, sizeof big);
    memcpy(frame + 2, big, sizeof big);
    for (int i = 0; i < 200; i++) (void)send(fd, frame, sizeof frame, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* A reader that sends commands but never reads the answers: once the socket is full the card must
 * give up on it after its send timeout (not block forever), drop it and stay stoppable. */
START_TEST(reader_that_never_reads_is_dropped)
{
    int lfd = listen_at(path);
    cl_error_t e = { { 0 } };
    once_mode = 1;
    ck_assert_int_eq(card_link_new(reader, &FAKE_OPS, &card, &link_, &e), 0);
    card_link_set_send_timeout(link_, 300);
    pthread_create(&runner, NULL, run_link, NULL);
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    power_on_and_flood(fd);
    /* The link gives up and, in once mode, returns: the join must not wait for a stop. */
    uint64_t t0 = cl_now_ns();
    pthread_join(runner, NULL);
    ck_assert_msg(cl_now_ns() - t0 < 10000000000ull, "the link waited for the reader for 10 s or more");
    card_link_free(link_);
    link_ = NULL;
    ck_assert_int_eq(card.powered, 0); /* a lost reader powers the card off */
    close(fd);
    close(lfd);
}
END_TEST

/* A stop while a reply waits for a reader that never reads returns at once, not after the send timeout. */
START_TEST(stop_while_reader_never_reads)
{
    int lfd = listen_at(path);
    start_link(0); /* default send timeout: 10 s */
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    power_on_and_flood(fd);
    sleep_ms(200); /* the link is now stuck on a full socket */
    uint64_t t0 = cl_now_ns();
    card_link_stop(link_);
    pthread_join(runner, NULL);
    ck_assert_msg(cl_now_ns() - t0 < 3000000000ull, "the stop waited for the reader");
    card_link_free(link_);
    link_ = NULL;
    close(fd);
    close(lfd);
}
END_TEST

START_TEST(tcp_loopback_round_trip)
{
    /* A loopback listener on a free port chosen by the kernel. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(lfd, 4), 0);
    socklen_t sl = sizeof sa;
    getsockname(lfd, (struct sockaddr *)&sa, &sl);
    snprintf(reader, sizeof reader, "tcp:127.0.0.1:%u", ntohs(sa.sin_port));
    start_link(0);
    int fd = accept_within(lfd, 5000);
    ck_assert_int_ge(fd, 0);
    send_frame(fd, (const uint8_t *)"\x01", 1);
    const uint8_t apdu[] = { 0x00, 0xA4, 0x04, 0x00, 0x00 };
    /* Length and payload in two writes, as Debian's vpcd sends them. */
    send_raw(fd, "\x00\x05", 2);
    send_raw(fd, apdu, sizeof apdu);
    uint8_t buf[16];
    ck_assert_int_eq(recv_frame(fd, buf, sizeof buf), 5);
    ck_assert_uint_eq(buf[3], 0x90);
    close(fd);
    close(lfd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("card_link");
    TCase *t = tcase_create("link");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 30);
    tcase_add_test(t, bad_addresses_refused);
    tcase_add_test(t, controls_and_apdus);
    tcase_add_test(t, malformed_zero_length);
    tcase_add_test(t, malformed_unknown_control);
    tcase_add_test(t, malformed_cut_frame);
    tcase_add_test(t, waits_for_reader_then_connects);
    tcase_add_test(t, once_returns_when_connection_ends);
    tcase_add_test(t, stop_while_connected);
    tcase_add_test(t, tcp_loopback_round_trip);
    tcase_add_test(t, reader_that_never_reads_is_dropped);
    tcase_add_test(t, stop_while_reader_never_reads);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
