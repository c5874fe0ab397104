/* The heap's semantics from a converted applet: applets/tests/vm/vmheap (HeapTest.java) through
 * card_transmit. The conversation tests/vm/vmheap.script covers JCRE 3.0.5 7.6.3 (references to
 * objects of an aborted transaction act as null) and every SensitiveArrays method and exception;
 * fault_injection corrupts a sensitive array in the image file and one in RAM behind the applet's
 * back and checks the applet sees it (assertIntegrity and the next store: SecurityException). */
#include "image/img_format.h"
#include "tests/vm/vmt_card.h"

#include <fcntl.h>

#define HEAP_AID "F063617264220101"

static vmt_t t;

static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

START_TEST(heap_conversation)
{
    vmt_install(&t, "vmheap", HEAP_AID, NULL);
    static char report[20 * 1200];
    int failed;
    int checked = vmt_run_script(&t, "heap", "tests/vm/vmheap.script", &failed, report, sizeof report);
    /* every '<' line of vmheap.script, so a dropped or skipped expectation fails here */
    ck_assert_int_eq(checked, 12);
    ck_assert_msg(failed == 0, "%d of %d heap expectations failed:%s", failed, checked, report);
}
END_TEST

/* The applet's integrity-sensitive byte array of len elements (persistent or CLEAR_ON_RESET). */
static vm_obj_t find_sensitive(uint32_t len, uint8_t memory_flag)
{
    vm_heap_t *h = t.vm->heap;
    for (uint32_t i = 1; i < vm_heap_handle_count(h); i++) {
        vm_obj_t o;
        if (vm_heap_get(h, (uint16_t)i, &o) && o.kind == VM_KIND_ARRAY && (o.flags & VM_OF_INTEGRITY) && o.len == len &&
            (o.flags & VM_OF_TRANSIENT) == memory_flag)
            return o;
    }
    ck_abort_msg("no sensitive array of %u elements", len);
    return (vm_obj_t){ 0 };
}

static void expect(const char *cmd, const char *want_hex)
{
    unsigned sw = vmt_xmit(&t, cmd);
    uint8_t want[64];
    long n = cl_hex_decode(want_hex, want, sizeof want);
    char got[2 * CARD_RESP_MAX + 1];
    ck_assert_msg(sw == 0x9000 && n == (long)t.rlen && !memcmp(t.resp, want, (size_t)n), "%s -> %s, expected %s (%s)", cmd,
                  vmt_resp_hex(&t, got, sizeof got), want_hex, t.vm->last_error);
}

START_TEST(fault_injection)
{
    vmt_install(&t, "vmheap", HEAP_AID, NULL);
    vmt_select(&t, HEAP_AID);
    expect("8030050000", "9000"); /* ps[i] = 30+i (13 bytes, persistent), ts[i] = 40+i (11, CLEAR_ON_RESET) */
    expect("8030060000", "EEEE3135EEEE41459000"); /* intact; ps[0]++ and ts[0]++ stored */
    /* One bit of ps flips in the image file while the card is closed. */
    uint32_t off = find_sensitive(13, 0).data_off;
    vmt_close(&t);
    int fd = open(t.image, O_RDWR);
    ck_assert_int_ge(fd, 0);
    uint8_t c;
    ck_assert_int_eq(pread(fd, &c, 1, IMG_AREA_OFFSET + off + 5), 1);
    ck_assert_int_eq(c, 0x35);
    c ^= 0x02;
    ck_assert_int_eq(pwrite(fd, &c, 1, IMG_AREA_OFFSET + off + 5), 1);
    close(fd);
    vmt_open(&t);
    vmt_select(&t, HEAP_AID);
    /* assertIntegrity(ps): SecurityException; ps[0]++: SecurityException, nothing written (31);
     * ps[5] reads the flipped byte (reads are not checked). ts was cleared by the power-up. */
    expect("8030060000", "01013137EEEE01009000");
    /* One bit of ts flips in RAM. */
    vm_obj_t ts = find_sensitive(11, VM_OF_CLEAR_ON_RESET);
    uint8_t *ram = (uint8_t *)vm_heap_data(t.vm->heap, &ts);
    ck_assert_ptr_nonnull(ram);
    ram[5] ^= 0x40;
    expect("8030060000", "01013137010101409000");
    /* clearArray does not check: both are usable again. */
    expect("8030070000", "000D000BEEEE9000");
    expect("8030060000", "EEEE0100EEEE01009000");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_heapapi");
    TCase *tc = tcase_create("heap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, heap_conversation);
    tcase_add_test(tc, fault_injection);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
