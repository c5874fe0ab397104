/* The reader-link address (both ends parse it with cl_addr_parse) and the deadline helpers their
 * poll() loops share. Addresses are checked by what a socket does with them, not only by fields. */
#include <check.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cl_addr.h"

START_TEST(addr_unix_tcp_localhost)
{
    cl_addr_t a;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(cl_addr_parse("unix:/run/cardlet/card.sock", &a, &e), 0);
    ck_assert_int_eq(a.kind, CL_ADDR_UNIX);
    ck_assert_str_eq(a.path, "/run/cardlet/card.sock");
    ck_assert_int_eq(cl_addr_parse("tcp:127.0.0.1:35963", &a, &e), 0);
    ck_assert_int_eq(a.kind, CL_ADDR_TCP);
    ck_assert_uint_eq(a.ipv4, 0x7F000001u);
    ck_assert_uint_eq(a.port, 35963);
    ck_assert_int_eq(cl_addr_parse("tcp:localhost:1", &a, &e), 0);
    ck_assert_uint_eq(a.ipv4, 0x7F000001u);
    ck_assert_uint_eq(a.port, 1);
    ck_assert_int_eq(cl_addr_parse("tcp:127.200.3.4:65535", &a, &e), 0); /* all of 127/8 is loopback */
    ck_assert_uint_eq(a.ipv4, 0x7FC80304u);
    ck_assert_uint_eq(a.port, 65535);
    /* the longest path that fits sun_path with its NUL */
    char longest[6 + CL_ADDR_PATH_MAX];
    memcpy(longest, "unix:/", 6);
    memset(longest + 6, 'p', CL_ADDR_PATH_MAX - 2);
    longest[6 + CL_ADDR_PATH_MAX - 2] = 0;
    ck_assert_int_eq(cl_addr_parse(longest, &a, &e), 0);
    ck_assert_uint_eq(strlen(a.path), CL_ADDR_PATH_MAX - 1);
}
END_TEST

START_TEST(addr_refusals)
{
    static const char *const bad[] = {
        "", "unix:", "unix:relative/path", "unix:rel", "tcp:10.1.2.3:5000", "tcp:0.0.0.0:35963", "tcp:192.168.1.1:1",
        "tcp:127.0.0.1", "tcp:127.0.0.1:0", "tcp:127.0.0.1:65536", "tcp:127.0.0.1:70000", "tcp:127.0.0.1:12x",
        "tcp:127.0.0.1:", "tcp::5", "tcp:example.com:80", "tcp:::1:5", "udp:127.0.0.1:5", "/dev/null:0x8C7B",
        "http://x", "UNIX:/x", "tcp:127.0.0.1:-1", "tcp:127.0.0.1: 5", "tcp:127.0.0.1:+5",
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(bad); i++) {
        cl_addr_t a;
        memset(&a, 0x5A, sizeof a);
        cl_error_t e = { { 0 } };
        ck_assert_msg(cl_addr_parse(bad[i], &a, &e) == -1, "accepted '%s'", bad[i]);
        ck_assert_msg(e.msg[0], "no reason for '%s'", bad[i]);
        ck_assert_int_eq(a.kind, 0); /* nothing half-filled */
    }
    cl_addr_t a;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(cl_addr_parse(NULL, &a, &e), -1);
    ck_assert_int_eq(cl_addr_parse("tcp:10.0.0.1:99", &a, &e), -1);
    ck_assert_msg(strstr(e.msg, "loopback"), "%s", e.msg);
    /* one byte too long for sun_path */
    char too_long[7 + CL_ADDR_PATH_MAX];
    memcpy(too_long, "unix:/", 6);
    memset(too_long + 6, 'p', CL_ADDR_PATH_MAX - 1);
    too_long[6 + CL_ADDR_PATH_MAX - 1] = 0;
    ck_assert_int_eq(cl_addr_parse(too_long, &a, &e), -1);
    ck_assert_msg(strstr(e.msg, "too long"), "%s", e.msg);
}
END_TEST

/* The socket addresses work: a listener bound from one parse is reached by a connect from another. */
START_TEST(sockaddr_connects)
{
    char dir[] = "/tmp/cladrXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char spec[128];
    snprintf(spec, sizeof spec, "unix:%s/s", dir);
    const char *specs[] = { spec, "tcp:127.0.0.1:0" };
    for (size_t i = 0; i < CL_ARRAY_LEN(specs); i++) {
        cl_addr_t a;
        cl_error_t e = { { 0 } };
        ck_assert_int_eq(cl_addr_parse(specs[i], &a, &e), 0 - (i == 1)); /* port 0 is refused... */
        if (i == 1) { a.kind = CL_ADDR_TCP; a.ipv4 = 0x7F000001u; a.port = 0; } /* ...so bind it by hand */
        struct sockaddr_storage ss;
        int family;
        socklen_t sl = cl_addr_sockaddr(&a, &ss, &family);
        ck_assert_uint_gt(sl, 0);
        ck_assert_int_eq(family, i == 0 ? AF_UNIX : AF_INET);
        int l = socket(family, SOCK_STREAM, 0);
        ck_assert_int_ge(l, 0);
        ck_assert_int_eq(bind(l, (struct sockaddr *)&ss, sl), 0);
        ck_assert_int_eq(listen(l, 1), 0);
        if (i == 1) { /* the kernel's port, then the connect goes through a parsed address */
            struct sockaddr_in got;
            socklen_t gl = sizeof got;
            ck_assert_int_eq(getsockname(l, (struct sockaddr *)&got, &gl), 0);
            char t[64];
            snprintf(t, sizeof t, "tcp:localhost:%u", ntohs(got.sin_port));
            ck_assert_int_eq(cl_addr_parse(t, &a, &e), 0);
            sl = cl_addr_sockaddr(&a, &ss, &family);
        }
        int c = socket(family, SOCK_STREAM, 0);
        ck_assert_int_eq(connect(c, (struct sockaddr *)&ss, sl), 0);
        int acc = accept(l, NULL, NULL);
        ck_assert_int_ge(acc, 0);
        close(acc);
        close(c);
        close(l);
    }
    char path[160];
    snprintf(path, sizeof path, "%s/s", dir);
    unlink(path);
    rmdir(dir);
    cl_addr_t none = { 0 };
    struct sockaddr_storage ss;
    int family;
    ck_assert_uint_eq(cl_addr_sockaddr(&none, &ss, &family), 0);
}
END_TEST

START_TEST(deadlines)
{
    ck_assert_uint_eq(cl_deadline_after(-1), 0);
    ck_assert_int_eq(cl_ms_left(0), -1);                       /* no deadline: poll forever */
    uint64_t d = cl_deadline_after(5000);
    int left = cl_ms_left(d);
    ck_assert_int_gt(left, 4000);                              /* generous: a loaded machine is slow */
    ck_assert_int_le(left, 5000);
    ck_assert_int_eq(cl_ms_left(cl_now_ns() - 1), 0);          /* passed */
    left = cl_ms_left(cl_now_ns() + 200000000u);               /* 200 ms ahead: never more, and not 0 */
    ck_assert_int_ge(left, 1);
    ck_assert_int_le(left, 200);
    ck_assert_int_eq(cl_ms_left(cl_now_ns() + (uint64_t)1e18), INT_MAX);
    ck_assert_int_eq(cl_ms_left(cl_deadline_after(0)), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cl_addr");
    TCase *t = tcase_create("core");
    tcase_add_test(t, addr_unix_tcp_localhost);
    tcase_add_test(t, addr_refusals);
    tcase_add_test(t, sockaddr_connects);
    tcase_add_test(t, deadlines);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
