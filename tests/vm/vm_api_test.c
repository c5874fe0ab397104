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
    vmt_install(&t, "vmapi", "F063617264170101", NULL);
    static char report[20 * 1200];
    int failed;
    int checked = vmt_run_script(&t, "api", "tests/vm/vmapi.script", &failed, report, sizeof report);
    ck_assert_int_ge(checked, 60);
    ck_assert_msg(failed == 0, "%d of %d API expectations failed:%s", failed, checked, report);
}
END_TEST

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* JCSystem.getAvailableMemory([SSB) and requestObjectDeletion: 10 000 bytes of unreachable arrays
 * lower the persistent memory available by at least that much, and the deletion requested in the
 * same command gives them back before the next one. */
START_TEST(object_deletion_gives_memory_back)
{
    vmt_install(&t, "vmapi", "F063617264170101", NULL);
    vmt_select(&t, "F063617264170101");
    ck_assert_int_eq(vmt_xmit(&t, "8082000000"), 0x9000);
    ck_assert_int_eq(t.rlen, 11);
    ck_assert_int_eq(t.resp[0], 1); /* isObjectDeletionSupported */
    uint32_t before = be32(t.resp + 1), during = be32(t.resp + 5);
    ck_assert_msg(before > during && before - during >= 10000, "available %u before, %u with 50 x byte[200]", before, during);
    ck_assert_int_eq(vmt_xmit(&t, "8082010000"), 0x9000);
    ck_assert_int_eq(t.rlen, 7);
    uint32_t after = be32(t.resp + 1);
    ck_assert_msg(after >= during + 10000 && after + 64 >= before, "available %u before, %u with garbage, %u after deletion", before,
                  during, after);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_api");
    TCase *tc = tcase_create("framework");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, api_conversation);
    tcase_add_test(tc, object_deletion_gives_memory_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
