/* The javacard.framework API as the VM offers it: applets/tests/vm/vmapi (ApiTest.java) driven
 * through card_transmit by the conversation tests/vm/vmapi.script, whose expected answers come
 * from the Java Card 3.0.5 API specification (Util with overlapping arrays, transactions,
 * transient arrays across reselect and reset, AID, OwnerPIN incl. persistence across a card
 * re-open, every exception class, uncaught exceptions, APDU in/out variants). */
#include "tests/vm/vmt_card.h"

static vmt_t t;

static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

START_TEST(api_conversation)
{
    vmt_install(&t, "vmapi", "F063617264110101", NULL);
    static char report[20 * 1200];
    int failed;
    int checked = vmt_run_script(&t, "api", "tests/vm/vmapi.script", &failed, report, sizeof report);
    ck_assert_int_ge(checked, 60);
    ck_assert_msg(failed == 0, "%d of %d API expectations failed:%s", failed, checked, report);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_api");
    TCase *tc = tcase_create("framework");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, api_conversation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
