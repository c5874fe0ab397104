/* Every Java Card API method an applet can call is called by some applet of this tree
 * (tests/api/api_coverage.py over every CAP in <BUILD>/applets; the methods no applet can call
 * are listed with their reason in tests/api/coverage-exempt.txt). Guards the audit that
 * applets/tests/api2 closed: a new API method, or a test applet losing a call, shows up here. */
#include "tests/vm/vmt_card.h"

#include <glob.h>

START_TEST(every_api_method_is_called)
{
    vmt_t t;
    memset(&t, 0, sizeof t);
    vmt_find_build_dir(&t);
    char pattern[PATH_MAX + 32];
    snprintf(pattern, sizeof pattern, "%s/applets/*.cap", t.build_dir);
    glob_t caps;
    ck_assert_msg(glob(pattern, 0, NULL, &caps) == 0 && caps.gl_pathc >= 10, "the test applets are not built (%s)", pattern);
    static char cmd[64 * 1024];
    size_t n = (size_t)snprintf(cmd, sizeof cmd,
                                "python3 tests/api/api_coverage.py applets/api/javacard-api.tokens '%s/bin/cardlet' "
                                "--exempt tests/api/coverage-exempt.txt",
                                t.build_dir);
    for (size_t i = 0; i < caps.gl_pathc && n < sizeof cmd; i++) n += (size_t)snprintf(cmd + n, sizeof cmd - n, " '%s'", caps.gl_pathv[i]);
    ck_assert_msg(n < sizeof cmd, "command too long");
    globfree(&caps);
    FILE *p = popen(cmd, "r");
    ck_assert(p != NULL);
    static char out[16 * 1024];
    size_t got = fread(out, 1, sizeof out - 1, p);
    out[got] = 0;
    int st = pclose(p);
    ck_assert_msg(strstr(out, "api-coverage: ") != NULL, "api_coverage.py did not run (python3 missing?): %s", out);
    ck_assert_msg(st == 0, "API methods no applet calls:\n%s", out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_coverage");
    TCase *tc = tcase_create("coverage");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_api_method_is_called);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
