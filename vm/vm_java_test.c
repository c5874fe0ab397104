/* The VM on real javac + converter output: vm/testapplet (VmTest) installed into a card and driven
 * through card_transmit. Each command exercises one area (static arrays, int arithmetic, switches,
 * virtual and interface dispatch, exceptions, transactions, transient arrays, recursion, Util). */
#include "vm/vm_card.h"
#include "vm/vm_rt.h"

#include <check.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[128], image[192];
static card_t *card;
static vm_t *vm;
static int applet_commands; /* commands VmTest.process() saw outside SELECT */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

static void setup(void)
{
    char exe[PATH_MAX], cap[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert(n > 0);
    exe[n] = 0;
    snprintf(cap, sizeof cap, "%s/applets/vmtest.cap", dirname(dirname(dirname(exe))));
    snprintf(dir, sizeof dir, "%s/cardlet-vmjava-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/card.img", dir);
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(image, 1024 * 1024, IMG_SYNC_NORMAL, &card, &e) == 0, "%s", e.msg);
    vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_msg(vm != NULL, "%s", e.msg);
    size_t len;
    uint8_t *b = cl_read_file(cap, 4u << 20, &len, &e);
    ck_assert_msg(b != NULL, "%s", e.msg);
    static const uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x0F, 0x01, 0x01 };
    int r = vm_card_install(vm, b, len, aid, sizeof aid, NULL, 0, NULL, 0, false, &e);
    free(b);
    ck_assert_msg(r == 0, "install vmtest: %s", e.msg);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    applet_commands = 0;
}

static void teardown(void)
{
    vm_card_detach(card, vm);
    card_close(card);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Sends hex, checks the whole response (data and SW) against want_hex. */
static void expect(const char *cmd_hex, const char *want_hex)
{
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t cmd[300], want[300];
    long n = cl_hex_decode(cmd_hex, cmd, sizeof cmd), wn = cl_hex_decode(want_hex, want, sizeof want);
    ck_assert(n >= 4 && wn >= 2);
    if (cmd[0] == 0x80) applet_commands++;
    size_t rl = card_transmit(card, cmd, (size_t)n, resp);
    char got[700];
    cl_hex_encode(resp, rl, got, ' ');
    ck_assert_msg((long)rl == wn && !memcmp(resp, want, rl), "%s -> %s, expected %s (%s)", cmd_hex, got, want_hex,
                  vm->last_error);
}

#define SELECT "00A4040008F0636172640F0101"

START_TEST(statics_and_int)
{
    expect(SELECT, "9000");
    expect(SELECT, "01 9000"); /* re-selection: reSelectingApplet() */
    expect("8001000000", "0102030508 0D152219 9000");
    expect("80020000 06 03E8 0BB8 0007 00", "00068A1B 9000");  /* 1000*3000/7 = 428571 */
    expect("80020000 06 03E8 0BB8 0000 00", "6F00");          /* ArithmeticException, uncaught */
    expect("80020000 06 FC18 0BB8 0007 00", "FFF975E5 9000");  /* -1000*3000/7 = -428571 */
}
END_TEST

START_TEST(switches_dispatch_exceptions)
{
    expect(SELECT, "9000");
    expect("8003020000", "000C 0000 9000");
    expect("8003010000", "000B 0001 9000");
    expect("8003320000", "FFFF 0002 9000");
    expect("8004000000", "0419 9000"); /* Shape(7).describe(): 49 + 1000 */
    expect("8004010000", "03F7 9000"); /* Rect(3,5): the inherited describe() calls the override */
    expect("8005000000", "0046 9000"); /* interface call 2*9*3 + byte[16].length */
    expect("8006140000", "0457 9000"); /* AIOOBE + ISOException + NPE caught, finally ran */
    expect("8006000000", "0456 9000");
    expect("80FF000000", "6D00");
}
END_TEST

START_TEST(transactions_transients_recursion)
{
    expect(SELECT, "9000");
    expect("8007000000", "0064 00 9000"); /* aborted: balance and array element restored */
    expect("8007010000", "0096 55 9000"); /* committed */
    expect("8008000000", "01 9000");
    expect("8008000000", "02 9000");
    uint8_t atr[CARD_ATR_MAX];
    card_reset(card, atr);                /* deselected by the reset: CLEAR_ON_DESELECT data cleared */
    expect(SELECT, "9000");
    expect("8008000000", "01 9000");
    expect("80090F0000", "0262 9000");    /* fib(15) = 610 */
    expect("8009640000", "6F00");         /* fib(100): out of frames, the card goes on */
    expect("800B000000", "00 01 11111111 01020305 9000");
    char want[32];
    int calls = applet_commands + 1;      /* this command counts itself */
    snprintf(want, sizeof want, "%04X 0000 9000", calls);
    expect("800A000000", want);
}
END_TEST

START_TEST(object_deletion)
{
    expect(SELECT, "9000");
    expect("8005000000", "0046 9000"); /* leaves a Rect behind in things[0] */
    expect("8004010000", "03F7 9000"); /* and a garbage Rect */
    uint32_t free0 = vm_heap_free_bytes(vm->heap);
    expect("800C000000", "01 9000");   /* 1000 bytes of garbage, then requestObjectDeletion */
    ck_assert_uint_gt(vm_heap_free_bytes(vm->heap), free0); /* the garbage of all three commands went */
    expect("8005000000", "0046 9000"); /* the applet's live objects are intact */
    expect("8007010000", "0096 55 9000");
    expect("800B000000", "00 01 11111111 01020305 9000");
}
END_TEST

START_TEST(multiselectable)
{
    expect(SELECT, "9000");
    expect("800E000000", "00 9000");            /* a first selection: Applet.select() */
    expect("0070000001", "01 9000");            /* MANAGE CHANNEL open: channel 1 */
    expect("01A4040008F0636172640F0101", "9000"); /* selected on channel 1 too */
    expect("810E000000", "11 9000");            /* select(appInstAlreadyActive = true) */
    expect("0070800100", "9000");               /* close channel 1 */
    expect("800E000000", "21 9000");            /* deselect(appInstStillActive = true) */
}
END_TEST

START_TEST(state_survives_reopen)
{
    expect(SELECT, "9000");
    expect("80020000 06 0064 0064 0001 00", "00002710 9000"); /* total = 10000 */
    expect("8007010000", "0096 55 9000");
    vm_card_detach(card, vm);
    card_close(card);
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(card_open(image, 0, IMG_SYNC_NORMAL, &card, &e), 0);
    vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_ptr_nonnull(vm);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    expect(SELECT, "9000");
    expect("8007000000", "0096 55 9000"); /* balance 150 persisted; the abort keeps it */
    expect("800A000000", "0004 2710 9000");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_java");
    TCase *tc = tcase_create("java");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, statics_and_int);
    tcase_add_test(tc, switches_dispatch_exceptions);
    tcase_add_test(tc, transactions_transients_recursion);
    tcase_add_test(tc, state_survives_reopen);
    tcase_add_test(tc, object_deletion);
    tcase_add_test(tc, multiselectable);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
