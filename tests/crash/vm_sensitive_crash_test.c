/* Power loss while integrity-sensitive arrays are written: applets/tests/vm/vmheap's 80 30 08
 * updates them in every way the heap stores (element stores, Util atomic and non-atomic, inside
 * transactions that commit or abort, clearArray, a 999-byte overlapping copy across four control
 * blocks) in a child that is SIGKILLed at a random instant. On the card opened afterwards every
 * sensitive array must pass assertIntegrity (80 30 09: EE EE EE): data and control element are
 * always written in one atomic step. Rounds: CRASH_SENSITIVE_ROUNDS (default 60; `make crash`
 * runs more); CRASH_SEED fixes the seed. */
#include "tests/hostile/ht_card.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const uint8_t HEAP_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x22, 0x01, 0x01 };
#define SELECT_HEAP "00A4040008F063617264220101"

/* The child: the card opened, the applet selected, updates until it is killed. */
static void child_run(const char *img, unsigned seed)
{
    cl_log_level = 0;
    card_t *card;
    cl_error_t e = { { 0 } };
    if (card_open(img, 0, IMG_SYNC_NORMAL, &card, &e)) _exit(6);
    if (!vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e)) _exit(7);
    uint8_t atr[CARD_ATR_MAX], r[CARD_RESP_MAX], c[5] = { 0x80, 0x30, 0x08, 0, 0 };
    card_power_on(card, atr);
    uint8_t sel[13];
    cl_hex_decode(SELECT_HEAP, sel, sizeof sel);
    size_t rl = card_transmit(card, sel, sizeof sel, r);
    if (rl != 2 || r[0] != 0x90) _exit(8);
    srand(seed);
    for (;;) {
        c[3] = (uint8_t)(rand() % 8);
        rl = card_transmit(card, c, 4, r);
        if (rl < 2 || r[rl - 2] != 0x90) _exit(9); /* every variant answers 90 00 */
    }
}

START_TEST(power_loss_keeps_sensitive_arrays_intact)
{
    ht_dir_t d;
    ht_dir_make(&d, "senscrash");
    vm_t *vm;
    card_t *card = ht_card_open(d.img, &vm);
    ht_install(vm, "vmheap", HEAP_APPLET, sizeof HEAP_APPLET);
    ht_card_close(card, vm);
    const char *rs = getenv("CRASH_SENSITIVE_ROUNDS"), *ss = getenv("CRASH_SEED");
    int rounds = rs ? atoi(rs) : 60;
    unsigned seed = ss ? (unsigned)strtoul(ss, NULL, 0) : (unsigned)time(NULL);
    fprintf(stderr, "vm_sensitive_crash: %d rounds, CRASH_SEED=%u\n", rounds, seed);
    srand(seed);
    int killed = 0;
    for (int round = 0; round < rounds; round++) {
        unsigned child_seed = (unsigned)rand(), delay_us = 300 + (unsigned)(rand() % 20000);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) child_run(d.img, child_seed);
        struct timespec ts = { 0, (long)delay_us * 1000 };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status), "round %d: the child stopped on its own (status %d)", round, status);
        killed++;
        card = ht_card_open(d.img, &vm);
        ck_assert_int_eq(ht_cmd(card, SELECT_HEAP, NULL, NULL), 0x9000);
        uint8_t out[16];
        size_t n;
        ck_assert_int_eq(ht_cmd(card, "8030090000", out, &n), 0x9000);
        ck_assert_msg(n == 3 && out[0] == 0xEE && out[1] == 0xEE && out[2] == 0xEE,
                      "round %d (seed %u): after the power loss assertIntegrity gave %02X %02X %02X", round, seed, out[0],
                      out[1], out[2]);
        ht_card_close(card, vm);
    }
    fprintf(stderr, "vm_sensitive_crash: %d power losses, every sensitive array intact after each\n", killed);
    ht_dir_remove(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_sensitive_crash");
    TCase *tc = tcase_create("kill");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, power_loss_keeps_sensitive_arrays_intact);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
