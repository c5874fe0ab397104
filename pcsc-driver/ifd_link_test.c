/* The whole transport in-process: the IFD handler (as pcscd drives it) <-> card_link <-> a real
 * card_t on a temporary image. Checks that what a PC/SC client gets is what the card answers. */
#include "card/card.h"
#include "card/card_link.h"
#include "common/cl_util.h"

#include <check.h>
#include <ifdhandler.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef RESPONSECODE (*poll_fn)(DWORD, int);

static const DWORD LUN = 0x20000;
static char dir[40], sock[96], reader[120], image[96], image2[96];
static card_t *card;
static card_link_t *link_;
static pthread_t runner;
static bool running;

static size_t op_power_on(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_power_on(c, atr); }
static size_t op_reset(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_reset(c, atr); }
static void op_power_off(void *c) { card_power_off(c); }
static size_t op_atr(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_atr(c, atr); }
static size_t op_transmit(void *c, const uint8_t *cmd, size_t len, uint8_t *resp) { return card_transmit(c, cmd, len, resp); }
static const struct card_link_ops OPS = { op_power_on, op_reset, op_power_off, op_atr, op_transmit };

static void *run_link(void *arg)
{
    (void)arg;
    cl_error_t e = { { 0 } };
    card_link_run(link_, false, &e);
    return NULL;
}

static void link_start(void)
{
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(card_link_new(reader, &OPS, card, &link_, &e), 0);
    pthread_create(&runner, NULL, run_link, NULL);
    running = true;
}

static void link_stop(void)
{
    if (!running) return;
    card_link_stop(link_);
    pthread_join(runner, NULL);
    card_link_free(link_);
    running = false;
}

static uint64_t ms_since(uint64_t t0) { return (cl_now_ns() - t0) / 1000000u; }

/* Waits through the driver's polling function, as pcscd's event thread does. */
static uint64_t wait_presence(RESPONSECODE want)
{
    poll_fn fn = NULL;
    DWORD len = sizeof fn;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_POLLING_THREAD_WITH_TIMEOUT, &len, (PUCHAR)&fn), IFD_SUCCESS);
    uint64_t t0 = cl_now_ns();
    while (IFDHICCPresence(LUN) != want && ms_since(t0) < 5000) fn(LUN, 5000);
    ck_assert_int_eq(IFDHICCPresence(LUN), want);
    return ms_since(t0);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ifdlinkXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock, sizeof sock, "%s/card.sock", dir);
    snprintf(reader, sizeof reader, "unix:%s", sock);
    snprintf(image, sizeof image, "%s/card.img", dir);
    snprintf(image2, sizeof image2, "%s/twin.img", dir);
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(image, 256 * 1024, IMG_SYNC_NORMAL, &card, &e) == 0, "card_open: %s", e.msg);
    ck_assert_int_eq(IFDHCreateChannelByName(LUN, reader), IFD_SUCCESS);
}

static void teardown(void)
{
    link_stop();
    IFDHCloseChannel(LUN);
    card_close(card);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) { /* leftovers in /tmp only */ }
}

static RESPONSECODE transmit(const uint8_t *apdu, DWORD n, uint8_t *resp, DWORD *rlen)
{
    SCARD_IO_HEADER pci = { .Protocol = SCARD_PROTOCOL_T1, .Length = sizeof pci };
    return IFDHTransmitToICC(LUN, pci, (PUCHAR)apdu, n, resp, rlen, NULL);
}

START_TEST(atr_and_select_match_the_card)
{
    link_start();
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);

    /* A twin card on its own image, driven directly, is the reference. */
    card_t *twin;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(card_open(image2, 256 * 1024, IMG_SYNC_NORMAL, &twin, &e), 0);
    uint8_t want_atr[CARD_ATR_MAX];
    size_t want_alen = card_power_on(twin, want_atr);
    ck_assert_uint_eq(alen, want_alen);
    ck_assert_mem_eq(atr, want_atr, alen);

    const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x00 };
    static uint8_t resp[CARD_RESP_MAX], want[CARD_RESP_MAX];
    DWORD rlen = sizeof resp;
    ck_assert_int_eq(transmit(select, sizeof select, resp, &rlen), IFD_SUCCESS);
    size_t wlen = card_transmit(twin, select, sizeof select, want);
    ck_assert_uint_eq(rlen, wlen);
    ck_assert_mem_eq(resp, want, wlen);
    ck_assert_uint_eq(resp[rlen - 2], 0x90);
    card_close(twin);

    /* Power down through the driver reaches the card. A later round trip orders us after it. */
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_DOWN, NULL, NULL), IFD_SUCCESS);
    rlen = sizeof resp;
    ck_assert_int_eq(transmit(select, sizeof select, resp, &rlen), IFD_SUCCESS);
    ck_assert_uint_eq(rlen, 2);
    ck_assert_uint_eq(resp[0], 0x6F); /* an unpowered card answers 6F 00 (card.h) */
    ck_assert_int_eq(card_is_powered(card), 0);
}
END_TEST

START_TEST(card_daemon_stop_and_restart)
{
    link_start();
    wait_presence(IFD_ICC_PRESENT);
    link_stop(); /* the daemon exits: pcscd must see a removal at once */
    ck_assert_uint_lt(wait_presence(IFD_ICC_NOT_PRESENT), 5000);
    const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x00 };
    uint8_t resp[300];
    DWORD rlen = sizeof resp;
    ck_assert_int_eq(transmit(select, sizeof select, resp, &rlen), IFD_ICC_NOT_PRESENT);
    ck_assert_uint_eq(rlen, 0);

    link_start();
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    rlen = sizeof resp;
    ck_assert_int_eq(transmit(select, sizeof select, resp, &rlen), IFD_SUCCESS);
    ck_assert_uint_eq(resp[rlen - 2], 0x90);
}
END_TEST

START_TEST(reader_restart_card_reconnects)
{
    link_start();
    wait_presence(IFD_ICC_PRESENT);
    ck_assert_int_eq(IFDHCloseChannel(LUN), IFD_SUCCESS); /* "pcscd stopped" */
    ck_assert_int_eq(IFDHCreateChannelByName(LUN, reader), IFD_SUCCESS);
    wait_presence(IFD_ICC_PRESENT); /* the card found the new reader by itself */
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    struct card_link_stats st;
    uint64_t t0 = cl_now_ns();
    do card_link_get_stats(link_, &st); /* counted just after connect(), maybe after our accept */
    while (st.connects < 2 && ms_since(t0) < 5000);
    ck_assert_uint_eq(st.connects, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ifd_link");
    TCase *t = tcase_create("driver+link+card");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 30);
    tcase_add_test(t, atr_and_select_match_the_card);
    tcase_add_test(t, card_daemon_stop_and_restart);
    tcase_add_test(t, reader_restart_card_reconnects);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
