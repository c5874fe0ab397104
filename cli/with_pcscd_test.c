/* Tests of the private reader configuration of `cardlet with` (cli/with_pcscd.c): the temp dir layout, the
 * reader.conf pcscd reads (our driver on a unix socket or TCP, vpcd on a port), and refusal of paths reader.conf
 * cannot hold. Starting pcscd itself is covered end to end (tests/e2e). cli/ objects are compiled in here. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/with_pcscd.c"
#include "cli/with_proc.c"

static struct with_run run;

static void setup(void)
{
    memset(&run, 0, sizeof run);
    unsetenv("TMPDIR");
    cl_error_t e;
    ck_assert_int_eq(with_make_dir(&run, &e), 0);
}

static void teardown(void) { with_remove_tree(run.dir); }

static char *read_conf(void)
{
    char path[320];
    snprintf(path, sizeof path, "%s/reader.conf", run.dir);
    size_t len;
    cl_error_t e;
    uint8_t *t = cl_read_file(path, 65536, &len, &e);
    ck_assert_ptr_nonnull(t);
    char *s = malloc(len + 1);
    memcpy(s, t, len);
    s[len] = 0;
    free(t);
    return s;
}

START_TEST(dir_layout)
{
    ck_assert_int_eq(strncmp(run.dir, "/tmp/cardlet-with.", 18), 0);
    struct stat st;
    ck_assert_int_eq(stat(run.dir, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700); /* private: sockets and the image live here */
    char p[320];
    snprintf(p, sizeof p, "%s/pcscd", run.dir);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    snprintf(p, sizeof p, "%s/pcscd/pcscd.comm", run.dir);
    ck_assert_str_eq(run.csock, p);
}
END_TEST

START_TEST(unsafe_tmpdir_falls_back_to_tmp)
{
    struct with_run r2;
    memset(&r2, 0, sizeof r2);
    cl_error_t e;
    setenv("TMPDIR", "/run/user/0", 1); /* under /run: hidden by our tmpfs in the namespace */
    ck_assert_int_eq(with_make_dir(&r2, &e), 0);
    ck_assert_int_eq(strncmp(r2.dir, "/tmp/", 5), 0);
    with_remove_tree(r2.dir);
    setenv("TMPDIR", "/tmp/with space", 1); /* reader.conf cannot hold a space */
    ck_assert_int_eq(with_make_dir(&r2, &e), 0);
    ck_assert_int_eq(strncmp(r2.dir, "/tmp/cardlet-with.", 18), 0);
    with_remove_tree(r2.dir);
    unsetenv("TMPDIR");
}
END_TEST

START_TEST(conf_for_our_driver_on_a_unix_socket)
{
    cl_error_t e;
    snprintf(run.driver_path, sizeof run.driver_path, "/opt/x/lib/libifdcardlet.so");
    ck_assert_int_eq(with_write_config(&run, &e), 0);
    char *c = read_conf();
    char want[600];
    snprintf(want, sizeof want, "FRIENDLYNAME \"Cardlet Virtual Reader\"\nDEVICENAME unix:%s/card.sock\n"
             "LIBPATH /opt/x/lib/libifdcardlet.so\nCHANNELID 0x0\n", run.dir);
    ck_assert_ptr_nonnull(strstr(c, want));
    snprintf(want, sizeof want, "unix:%s/card.sock", run.dir);
    ck_assert_str_eq(run.reader_addr, want);
    ck_assert_str_eq(run.friendly, "Cardlet Virtual Reader");
    free(c);
}
END_TEST

START_TEST(conf_for_our_driver_on_tcp)
{
    cl_error_t e;
    snprintf(run.driver_path, sizeof run.driver_path, "/opt/x/libifdcardlet.so");
    run.port = 40123;
    ck_assert_int_eq(with_write_config(&run, &e), 0);
    char *c = read_conf();
    ck_assert_ptr_nonnull(strstr(c, "\nDEVICENAME tcp:127.0.0.1:40123\n"));
    ck_assert_str_eq(run.reader_addr, "tcp:127.0.0.1:40123");
    free(c);
}
END_TEST

START_TEST(conf_for_vpcd_copies_the_driver)
{
    cl_error_t e;
    /* Any readable file stands in for libifdvpcd.so: the point is the copy inside our dir and the port. */
    char src[320];
    snprintf(src, sizeof src, "%s/fake-vpcd.so", run.dir);
    ck_assert_int_eq(cl_write_file_atomic(src, "ELF?", 4, &e), 0);
    run.reader_driver = WITH_DRIVER_VPCD;
    snprintf(run.driver_path, sizeof run.driver_path, "%s", src);
    run.port = 0x8C7B;
    ck_assert_int_eq(with_write_config(&run, &e), 0);
    char *c = read_conf();
    ck_assert_ptr_nonnull(strstr(c, "\nDEVICENAME /dev/null:0x8C7B\n"));
    ck_assert_ptr_nonnull(strstr(c, "\nCHANNELID 0x8C7B\n"));
    char copy[320];
    snprintf(copy, sizeof copy, "%s/libifdvpcd.so", run.dir);
    ck_assert_str_eq(run.driver_path, copy);
    ck_assert_int_eq(access(copy, R_OK), 0);
    ck_assert_str_eq(run.reader_addr, "tcp:127.0.0.1:35963");
    free(c);
}
END_TEST

START_TEST(paths_reader_conf_cannot_hold_are_refused)
{
    cl_error_t e;
    snprintf(run.driver_path, sizeof run.driver_path, "/opt/my driver/libifdcardlet.so");
    ck_assert_int_eq(with_write_config(&run, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "characters pcscd's reader.conf cannot hold"));
    snprintf(run.driver_path, sizeof run.driver_path, "/opt/x/\"quoted\".so");
    ck_assert_int_eq(with_write_config(&run, &e), -1);
    char path[320];
    snprintf(path, sizeof path, "%s/reader.conf", run.dir);
    ck_assert_int_ne(access(path, F_OK), 0); /* nothing written */
}
END_TEST

START_TEST(missing_pcscd_is_named)
{
    cl_error_t e;
    ck_assert_int_eq(with_start_pcscd(&run, "/nonexistent/pcscd", &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "pcscd not found at /nonexistent/pcscd"));
    ck_assert_int_eq(run.pcscd_pid, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("with_pcscd");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dir_layout);
    tcase_add_test(tc, unsafe_tmpdir_falls_back_to_tmp);
    tcase_add_test(tc, conf_for_our_driver_on_a_unix_socket);
    tcase_add_test(tc, conf_for_our_driver_on_tcp);
    tcase_add_test(tc, conf_for_vpcd_copies_the_driver);
    tcase_add_test(tc, paths_reader_conf_cannot_hold_are_refused);
    tcase_add_test(tc, missing_pcscd_is_named);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
