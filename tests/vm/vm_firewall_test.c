/* The applet firewall: applets/tests/vm/vmfw-client reaches for vmfw-server's objects through
 * every bytecode the firewall guards (field, method, array, cast) and through the legal paths
 * (Shareable interface, statics), conversation tests/vm/vmfw.script. Each illegal access must
 * throw SecurityException (the client catches it and says so), each legal one must work. */
#include "tests/vm/vmt_card.h"

static vmt_t t;

static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

START_TEST(firewall_conversation)
{
    vmt_install(&t, "vmfw-lib", NULL, NULL);
    vmt_install(&t, "vmfw-server", "F063617264180101", NULL);
    vmt_install(&t, "vmfw-client", "F063617264130101", NULL);
    static char report[20 * 1200];
    int failed;
    int checked = vmt_run_script(&t, "firewall", "tests/vm/vmfw.script", &failed, report, sizeof report);
    ck_assert_int_ge(checked, 18);
    ck_assert_msg(failed == 0, "%d of %d firewall expectations failed:%s", failed, checked, report);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_firewall");
    TCase *tc = tcase_create("contexts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, firewall_conversation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
