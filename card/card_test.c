/* The card runtime: image handling (creation, refusal of foreign images left untouched,
 * persistence of IIN/CIN across close/open), power and ATR, routing and extended lengths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apdu/apdu_reg.h"
#include "card/card.h"
#include "card/card_record.h"
#include "common/cl_util.h"

#define TEST_IMAGE_SIZE (64u * 1024)

static char dir[64];
static char path[128];
static uint8_t *resp;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/card_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/card.img", dir);
    resp = malloc(CARD_RESP_MAX);
}

static void teardown(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(resp);
}

static card_t *open_card(void)
{
    card_t *c = NULL;
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(path, TEST_IMAGE_SIZE, IMG_SYNC_NORMAL, &c, &e) == 0, "card_open: %s", e.msg);
    return c;
}

static size_t rlen;
static uint16_t tx(card_t *c, const char *h)
{
    uint8_t cmd[300];
    long n = cl_hex_decode(h, cmd, sizeof cmd);
    ck_assert_int_ge(n, 0);
    rlen = card_transmit(c, cmd, (size_t)n, resp);
    ck_assert_uint_ge(rlen, 2);
    return cl_get16(resp + rlen - 2);
}

/* Reads a whole file for byte-for-byte comparisons. */
static uint8_t *slurp(const char *p, size_t *len)
{
    cl_error_t e;
    uint8_t *b = cl_read_file(p, 64u << 20, len, &e);
    ck_assert_ptr_nonnull(b);
    return b;
}

START_TEST(test_atr)
{
    card_t *c = open_card();
    uint8_t atr[CARD_ATR_MAX];
    size_t n = card_power_on(c, atr);
    ck_assert_uint_le(n, CARD_ATR_MAX);
    ck_assert_uint_ge(n, 5);
    ck_assert_uint_eq(atr[0], 0x3B);
    /* walk the interface bytes: T=1 must be offered, T=0 must not be the only protocol */
    size_t k = atr[1] & 0x0F, i = 2;
    uint8_t y = atr[1] >> 4;
    bool t1 = false;
    while (1) {
        if (y & 1) i++;
        if (y & 2) i++;
        if (y & 4) i++;
        if (!(y & 8)) break;
        uint8_t td = atr[i++];
        if ((td & 0x0F) == 1) t1 = true;
        y = td >> 4;
    }
    ck_assert(t1);
    ck_assert_uint_eq(i + k + 1, n);            /* historical bytes then exactly one TCK */
    uint8_t x = 0;
    for (size_t j = 1; j < n; j++) x ^= atr[j];
    ck_assert_uint_eq(x, 0);                    /* TCK makes the XOR of T0..TCK zero */
    ck_assert(memmem(atr + i, k, "cardlet", 7) != NULL);
    uint8_t again[CARD_ATR_MAX];
    ck_assert_uint_eq(card_atr(c, again), n);
    ck_assert_mem_eq(again, atr, n);
    card_close(c);
}
END_TEST

START_TEST(test_power_states)
{
    card_t *c = open_card();
    ck_assert_int_eq(card_is_powered(c), 0);
    ck_assert_uint_eq(tx(c, "00A4040000"), 0x6F00);   /* not powered */
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);
    ck_assert_int_eq(card_is_powered(c), 1);
    ck_assert_uint_eq(tx(c, "0070000001"), 0x9000);   /* open channel 1 */
    ck_assert_uint_eq(tx(c, "01CA004500"), 0x6A88);   /* ISD there, no CIN yet */
    card_reset(c, atr);
    ck_assert_uint_eq(tx(c, "01CA004500"), 0x6881);   /* reset closed it */
    ck_assert_uint_eq(tx(c, "80CA9F7F00"), 0x9000);   /* the ISD is selected again on 0 */
    card_power_off(c);
    ck_assert_int_eq(card_is_powered(c), 0);
    ck_assert_uint_eq(tx(c, "80CA9F7F00"), 0x6F00);
    card_close(c);
}
END_TEST

START_TEST(test_persistence)
{
    card_t *c = open_card();
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);
    ck_assert_uint_eq(tx(c, "80CA9F7F00"), 0x9000);
    uint8_t cplc1[45];
    ck_assert_uint_eq(rlen, 47);
    memcpy(cplc1, resp, 45);
    ck_assert_uint_eq(tx(c, "80E2800009" "4203123456" "45020A0B"), 0x9000);
    ck_assert_uint_eq(tx(c, "80DA00450401020304"), 0x9000);        /* CIN replaced via PUT DATA */
    card_close(c);

    c = open_card();
    card_power_on(c, atr);
    ck_assert_uint_eq(tx(c, "80CA004200"), 0x9000);
    ck_assert_uint_eq(rlen, 7);
    ck_assert_uint_eq(resp[0], 0x42);
    ck_assert_uint_eq(resp[1], 3);
    ck_assert_uint_eq(resp[2], 0x12); ck_assert_uint_eq(resp[4], 0x56);
    ck_assert_uint_eq(tx(c, "80CA004500"), 0x9000);
    ck_assert_uint_eq(rlen, 8);
    ck_assert_uint_eq(resp[0], 0x45);
    ck_assert_uint_eq(resp[1], 4);
    ck_assert_uint_eq(resp[5], 0x04);
    ck_assert_uint_eq(tx(c, "80CA9F7F00"), 0x9000);                 /* same serial after reopening */
    ck_assert_mem_eq(resp, cplc1, 45);
    card_close(c);
}
END_TEST

START_TEST(test_garbage_file_refused_unchanged)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 20000; i++) fputc((i * 131 + 7) & 0xFF, f);
    fclose(f);
    size_t n0, n1;
    uint8_t *before = slurp(path, &n0);
    card_t *c = (card_t *)1;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(card_open(path, TEST_IMAGE_SIZE, IMG_SYNC_NORMAL, &c, &e), -1);
    ck_assert_ptr_null(c);
    ck_assert_str_ne(e.msg, "");
    uint8_t *after = slurp(path, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert_mem_eq(before, after, n0);
    free(before);
    free(after);
}
END_TEST

/* A valid image whose first 4096 bytes are not a card record (another program's data) is refused
 * with a message, and its file is left exactly as it was. */
START_TEST(test_foreign_record_refused_unchanged)
{
    img_t *img;
    cl_error_t e = { { 0 } };
    ck_assert_msg(img_open(path, TEST_IMAGE_SIZE, IMG_SYNC_NORMAL, &img, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(img_write(img, 0, "NOTACARDRECORD", 14), 0);
    img_close(img);
    size_t n0, n1;
    uint8_t *before = slurp(path, &n0);
    card_t *c = NULL;
    ck_assert_int_eq(card_open(path, TEST_IMAGE_SIZE, IMG_SYNC_NORMAL, &c, &e), -1);
    ck_assert_ptr_null(c);
    ck_assert(strstr(e.msg, "card record") != NULL);
    uint8_t *after = slurp(path, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert_mem_eq(before, after, n0);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_bad_record_versions)
{
    /* a record with our magic but a future version, then one with a corrupt field */
    static const struct { uint16_t off; uint8_t val; const char *msg; } cases[] = {
        { 5, 9, "version" }, { 8, 0x55, "corrupt" }, { 9, 17, "corrupt" }, { 4000, 1, "reserved" },
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(cases); i++) {
        unlink(path);
        char wal[160];
        snprintf(wal, sizeof wal, "%s.wal", path);
        unlink(wal);
        card_t *c = open_card();   /* creates a valid record */
        card_close(c);
        img_t *img;
        cl_error_t e = { { 0 } };
        ck_assert_int_eq(img_open(path, 0, IMG_SYNC_NORMAL, &img, &e), 0);
        ck_assert_int_eq(img_write(img, cases[i].off, &cases[i].val, 1), 0);
        img_close(img);
        c = NULL;
        ck_assert_int_eq(card_open(path, 0, IMG_SYNC_NORMAL, &c, &e), -1);
        ck_assert_msg(strstr(e.msg, cases[i].msg) != NULL, "case %zu: %s", i, e.msg);
    }
}
END_TEST

START_TEST(test_image_too_small)
{
    img_t *img;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, 1024, IMG_SYNC_NORMAL, &img, &e), 0);
    img_close(img);
    card_t *c = NULL;
    ck_assert_int_eq(card_open(path, 0, IMG_SYNC_NORMAL, &c, &e), -1);
    ck_assert(strstr(e.msg, "too small") != NULL);
}
END_TEST

START_TEST(test_missing_without_create)
{
    card_t *c = NULL;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(card_open(path, 0, IMG_SYNC_NORMAL, &c, &e), -1);
    ck_assert_str_ne(e.msg, "");
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* Record layout: the record occupies [0, 4096) only; the VM area starts zeroed and untouched. */
START_TEST(test_layout)
{
    card_t *c = open_card();
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);
    ck_assert_uint_eq(tx(c, "80DA00420491929394"), 0x9000);
    card_close(c);
    img_t *img;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, 0, IMG_SYNC_NORMAL, &img, &e), 0);
    const uint8_t *m = img_mem(img);
    ck_assert_mem_eq(m, "CLCR", 4);
    for (uint32_t i = CARD_VM_AREA_OFF; i < img_size(img); i++) ck_assert_uint_eq(m[i], 0);
    img_close(img);
}
END_TEST

/* Extended lengths end to end: a 4E command with 1000 data bytes reaches the ISD (which rejects
 * the data for GET DATA with 67 00, parsed correctly), and a malformed extended one gets 67 00. */
START_TEST(test_extended_lengths)
{
    card_t *c = open_card();
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);
    uint8_t *cmd = calloc(1, 7 + 1000 + 2);
    memcpy(cmd, "\x80\xCA\x00\x45\x00\x03\xE8", 7);
    size_t n = card_transmit(c, cmd, 7 + 1000 + 2, resp);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(cl_get16(resp), 0x6700);
    n = card_transmit(c, cmd, 7 + 999, resp); /* truncated */
    ck_assert_uint_eq(cl_get16(resp), 0x6700);
    /* an extended GET DATA: 80 CA 9F 7F 00 00 00 -> 45 bytes + 90 00 */
    ck_assert_uint_eq(tx(c, "80CA9F7F000000"), 0x9000);
    ck_assert_uint_eq(rlen, 47);
    free(cmd);
    card_close(c);
}
END_TEST


struct hook_state { int calls; bool app_selected_at_call; };
static bool hk_selected;
static bool hk_select(void *ctx, uint8_t ch) { (void)ctx; (void)ch; hk_selected = true; return true; }
static void hk_deselect(void *ctx, uint8_t ch) { (void)ctx; (void)ch; hk_selected = false; }
static int hk_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    (void)ctx;
    apdu_resp_append(r, "applet", 6);
    return cmd->selecting ? 0x9000 : 0x6A81;
}
static const apdu_app_ops_t hk_ops = { hk_select, hk_deselect, hk_process };
static void hook(void *ctx)
{
    struct hook_state *h = ctx;
    h->calls++;
    h->app_selected_at_call = hk_selected;
}

/* What the VM uses: registering an instance in the card's registry, and the reset hook, which runs
 * after every application has been deselected. */
START_TEST(test_vm_interfaces)
{
    card_t *c = open_card();
    ck_assert_ptr_nonnull(card_image(c));
    ck_assert_uint_eq(img_size(card_image(c)), TEST_IMAGE_SIZE);
    static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x03, 0x01 };
    cl_error_t e;
    ck_assert_int_eq(apdu_reg_add(card_registry(c), aid, sizeof aid, &hk_ops, NULL, 0, &e), 0);
    struct hook_state h = { 0 };
    card_set_reset_hook(c, hook, &h);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);
    ck_assert_int_eq(h.calls, 1);
    ck_assert_uint_eq(tx(c, "00A4040007A000000062030100"), 0x9000);
    ck_assert_uint_eq(rlen, 8);
    ck_assert_mem_eq(resp, "applet", 6);
    ck_assert(hk_selected);
    ck_assert_uint_eq(tx(c, "00CA000000"), 0x6A81);
    card_reset(c, atr);
    ck_assert_int_eq(h.calls, 2);
    ck_assert(!h.app_selected_at_call);        /* deselected before transient memory is cleared */
    ck_assert(!hk_selected);
    card_power_off(c);
    ck_assert_int_eq(h.calls, 3);
    card_set_reset_hook(c, NULL, NULL);
    card_power_on(c, atr);
    ck_assert_int_eq(h.calls, 3);
    card_close(c);
}
END_TEST

/* Random commands of every length and shape: the card always answers with a well-formed response
 * and keeps working; nothing is read or written out of bounds (run under ASan in make SAN=1 unit). */
START_TEST(test_random_commands)
{
    card_t *c = open_card();
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);
    uint32_t x = 0x12345678;
    enum { ROUNDS = 20000 };
    static bool seen[65536];
    memset(seen, 0, sizeof seen);
    int distinct = 0;
    for (int i = 0; i < ROUNDS; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        size_t len = x % 40;
        if (i % 1000 == 0) len = 4 + 3 + (x % 2000);
        uint8_t *cmd = malloc(len ? len : 1);
        for (size_t j = 0; j < len; j++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; cmd[j] = (uint8_t)x; }
        /* steer a share of them at the card's own commands so they get past the CLA/INS checks */
        if (len >= 2 && i % 3 == 0) {
            static const uint8_t ins[] = { 0xA4, 0x70, 0xCA, 0xF2, 0xE2, 0xDA };
            cmd[0] = (i % 2) ? 0x80 : 0x00;
            cmd[1] = ins[(x >> 8) % sizeof ins];
        }
        if (len >= 2 && cmd[1] == 0xE2) cmd[0] = 0x00; /* keep the personalisation untouched mostly */
        if (len >= 2 && cmd[1] == 0xDA) cmd[1] = 0xCB;
        /* and a share with consistent short lengths, so they reach the handlers' own checks */
        if (len > 5 && len - 5 <= 255 && i % 2 == 0) cmd[4] = (uint8_t)(len - 5);
        if (len >= 4 && i % 6 == 0) { cmd[2] = (i % 4) ? 0x9F : 0x00; cmd[3] = (i % 4) ? 0x7F : 0x66; }
        size_t n = card_transmit(c, cmd, len, resp);
        ck_assert_uint_ge(n, 2);
        ck_assert_uint_le(n, CARD_RESP_MAX);
        uint16_t sw = cl_get16(resp + n - 2);
        ck_assert_msg((sw >> 8) >= 0x61 && ((sw >> 8) <= 0x6F || (sw >> 8) >= 0x90), "SW %04X", sw);
        if (!seen[sw]) { seen[sw] = true; distinct++; }
        free(cmd);
        if (i % 5000 == 0) card_reset(c, atr);
    }
    ck_assert_int_ge(distinct, 8); /* the commands reached many different checks */
    ck_assert(seen[0x9000] && seen[0x6700] && seen[0x6E00] && seen[0x6D00]);
    /* still a working card manager */
    card_reset(c, atr);
    ck_assert_uint_eq(tx(c, "00A4040000"), 0x9000);
    ck_assert_uint_eq(resp[0], 0x6F);
    card_close(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("card");
    TCase *t = tcase_create("core");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_atr);
    tcase_add_test(t, test_power_states);
    tcase_add_test(t, test_persistence);
    tcase_add_test(t, test_garbage_file_refused_unchanged);
    tcase_add_test(t, test_foreign_record_refused_unchanged);
    tcase_add_test(t, test_bad_record_versions);
    tcase_add_test(t, test_image_too_small);
    tcase_add_test(t, test_missing_without_create);
    tcase_add_test(t, test_layout);
    tcase_add_test(t, test_extended_lengths);
    tcase_add_test(t, test_vm_interfaces);
    tcase_add_test(t, test_random_commands);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
