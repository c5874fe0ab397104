/* The card manager through the whole runtime (card_transmit): SELECT/FCI, GET DATA objects,
 * STORE DATA / PUT DATA rules, GET STATUS in both formats with paging. Responses are parsed as
 * BER-TLV here and checked against GlobalPlatform's structure and known constants. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card_int.h"
#include "card/card_tlv.h"
#include "common/cl_util.h"

#define TEST_IMAGE_SIZE (64u * 1024)

static char dir[64], path[128];
static uint8_t *resp;
static size_t rlen;
static card_t *card;

static const uint8_t isd_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };
static const uint8_t gp_oid_prefix[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B };

static void open_card(void)
{
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(path, TEST_IMAGE_SIZE, IMG_SYNC_NORMAL, &card, &e) == 0, "%s", e.msg);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/card_isd_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/card.img", dir);
    resp = malloc(CARD_RESP_MAX);
    open_card();
}

static void teardown(void)
{
    card_close(card);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(resp);
}

static uint16_t tx(const char *h)
{
    uint8_t cmd[300];
    long n = cl_hex_decode(h, cmd, sizeof cmd);
    ck_assert_int_ge(n, 0);
    rlen = card_transmit(card, cmd, (size_t)n, resp);
    ck_assert_uint_ge(rlen, 2);
    return cl_get16(resp + rlen - 2);
}

/* The response data must be exactly one TLV with this tag; returns its value. */
static card_tlv_t only(const uint8_t *p, size_t n, uint16_t tag)
{
    size_t off = 0;
    card_tlv_t t;
    ck_assert_int_eq(card_tlv_next(p, n, &off, &t), 1);
    ck_assert_uint_eq(t.tag, tag);
    ck_assert_uint_eq(off, n);
    return t;
}

static card_tlv_t child(card_tlv_t parent, uint16_t tag)
{
    card_tlv_t t;
    ck_assert_msg(card_tlv_find(parent.val, parent.len, tag, &t) == 1, "tag %04X missing", tag);
    return t;
}

/* Walks every TLV of a constructed value: all must parse and fill it exactly. */
static int count_children(card_tlv_t parent)
{
    size_t off = 0;
    card_tlv_t t;
    int n = 0, r;
    while ((r = card_tlv_next(parent.val, parent.len, &off, &t)) == 1) n++;
    ck_assert_int_eq(r, 0);
    return n;
}

static void check_recognition_data(card_tlv_t t73)
{
    card_tlv_t oid = child(t73, 0x06);
    ck_assert_uint_eq(oid.len, 7);
    ck_assert_mem_eq(oid.val, gp_oid_prefix, 6);
    ck_assert_uint_eq(oid.val[6], 0x01);                      /* card recognition data */
    card_tlv_t v = child(child(t73, 0x60), 0x06);             /* GP version 2.3.1 */
    ck_assert_uint_eq(v.len, 10);
    ck_assert_mem_eq(v.val, gp_oid_prefix, 6);
    ck_assert_mem_eq(v.val + 6, "\x02\x02\x03\x01", 4);
    card_tlv_t scp = child(child(t73, 0x64), 0x06);           /* SCP03, i=00 */
    ck_assert_uint_eq(scp.len, 9);
    ck_assert_mem_eq(scp.val + 6, "\x04\x03\x00", 3);
    ck_assert_int_ge(count_children(t73), 4);
}

static void check_fci(void)
{
    card_tlv_t fci = only(resp, rlen - 2, 0x6F);
    card_tlv_t aid = child(fci, 0x84);
    ck_assert_uint_eq(aid.len, sizeof isd_aid);
    ck_assert_mem_eq(aid.val, isd_aid, sizeof isd_aid);
    card_tlv_t prop = child(fci, 0xA5);
    check_recognition_data(child(prop, 0x73));
    card_tlv_t maxlen = child(prop, 0x9F65);
    ck_assert_uint_eq(maxlen.len, 1);
    ck_assert_uint_eq(maxlen.val[0], 0xFF);
    ck_assert_uint_ge(child(prop, 0x9F6E).len, 1);
    ck_assert_int_eq(count_children(fci), 2);
}

START_TEST(test_select_fci)
{
    ck_assert_uint_eq(tx("00A4040000"), 0x9000);                  /* empty data: gp */
    check_fci();
    ck_assert_uint_eq(tx("00A4040008A000000151000000"), 0x9000);  /* by AID without Le: GPShell */
    check_fci();
    ck_assert_uint_eq(tx("00A4040008A00000015100000000"), 0x9000);
    check_fci();
    ck_assert_uint_eq(tx("00A4040005A000000151"), 0x9000);        /* partial */
    check_fci();
    ck_assert_uint_eq(tx("00A4040C08A000000151000000"), 0x9000);  /* no FCI wanted */
    ck_assert_uint_eq(rlen, 2);
}
END_TEST

START_TEST(test_select_short_le)
{
    ck_assert_uint_eq(tx("00A4040000"), 0x9000);
    size_t full = rlen - 2;
    ck_assert_uint_lt(full, 256);
    ck_assert_uint_eq(tx("00A4040008A00000015100000010"), 0x6C00 | full); /* exact length in SW2 */
    ck_assert_uint_eq(rlen, 2);
}
END_TEST

START_TEST(test_get_data_cplc)
{
    ck_assert_uint_eq(tx("80CA9F7F00"), 0x9000);
    card_tlv_t c = only(resp, rlen - 2, 0x9F7F);
    ck_assert_uint_eq(c.len, 42);
    ck_assert_mem_eq(resp, "\x9F\x7F\x2A", 3);
    ck_assert_uint_eq(tx("00CA9F7F00"), 0x9000);                  /* interindustry class too */
    ck_assert_uint_eq(rlen, 47);
}
END_TEST

START_TEST(test_get_data_card_data)
{
    ck_assert_uint_eq(tx("80CA006600"), 0x9000);
    card_tlv_t t66 = only(resp, rlen - 2, 0x66);
    check_recognition_data(child(t66, 0x73));
}
END_TEST

START_TEST(test_get_data_key_info)
{
    ck_assert_uint_eq(tx("80CA00E000"), 0x9000);
    card_tlv_t e0 = only(resp, rlen - 2, 0xE0);
    size_t off = 0;
    card_tlv_t k;
    int n = 0;
    while (card_tlv_next(e0.val, e0.len, &off, &k) == 1) {
        n++;
        ck_assert_uint_eq(k.tag, 0xC0);
        ck_assert_uint_eq(k.len, 4);
        ck_assert_uint_eq(k.val[0], n);      /* key identifiers 1 (ENC), 2 (MAC), 3 (DEK) */
        ck_assert_uint_eq(k.val[1], 0x30);   /* KVN */
        ck_assert_uint_eq(k.val[2], 0x88);   /* AES */
        ck_assert_uint_eq(k.val[3], 16);     /* AES-128 */
    }
    ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(test_get_data_misc)
{
    ck_assert_uint_eq(tx("80CA004200"), 0x6A88);   /* not personalised yet */
    ck_assert_uint_eq(tx("80CA004500"), 0x6A88);
    ck_assert_uint_eq(tx("80CA00CF00"), 0x9000);
    ck_assert_uint_eq(only(resp, rlen - 2, 0xCF).len, 10);
    ck_assert_uint_eq(tx("80CA00C100"), 0x6A88);   /* sequence counter: no SCP02 */
    ck_assert_uint_eq(tx("80CA0066020000"), 0x6700);
    ck_assert_uint_eq(tx("84CA006600"), 0x6982);   /* secure messaging without a secure channel */
    ck_assert_uint_eq(tx("90CA006600"), 0x6884);   /* chaining */
    ck_assert_uint_eq(tx("80500000080001020304050607"), 0x6D00); /* INITIALIZE UPDATE: later */
}
END_TEST

START_TEST(test_store_data)
{
    ck_assert_uint_eq(tx("80E2900009" "4203123456" "45020A0B"), 0x9000);
    ck_assert_uint_eq(tx("80CA004200"), 0x9000);
    card_tlv_t iin = only(resp, rlen - 2, 0x42);
    ck_assert_uint_eq(iin.len, 3);
    ck_assert_mem_eq(iin.val, "\x12\x34\x56", 3);
    ck_assert_uint_eq(tx("80CA004500"), 0x9000);
    ck_assert_mem_eq(only(resp, rlen - 2, 0x45).val, "\x0A\x0B", 2);

    /* refused commands change nothing */
    ck_assert_uint_eq(tx("80E2900007" "4501FF" "9F7001AA"), 0x6A88);     /* unknown object after a good one */
    ck_assert_uint_eq(tx("80E2900004" "450301AA"), 0x6A80);             /* TLV overruns the data */
    ck_assert_uint_eq(tx("80E2900013" "4511" "000102030405060708090A0B0C0D0E0F10"), 0x6A80); /* 17 bytes */
    ck_assert_uint_eq(tx("80E2900002" "4500"), 0x6A80);                 /* empty */
    ck_assert_uint_eq(tx("80E2880003" "4501FF"), 0x6A86);               /* DGI format */
    ck_assert_uint_eq(tx("80E2A00003" "4501FF"), 0x6A86);               /* encrypted */
    ck_assert_uint_eq(tx("80E29000"), 0x6A80);                          /* no data */
    ck_assert_uint_eq(tx("00E2900003" "4501FF"), 0x6E00);               /* GP class only */
    ck_assert_uint_eq(tx("84E2900003" "4501FF"), 0x6982);
    ck_assert_uint_eq(tx("80CA004500"), 0x9000);
    ck_assert_mem_eq(only(resp, rlen - 2, 0x45).val, "\x0A\x0B", 2);

    /* PUT DATA */
    ck_assert_uint_eq(tx("80DA0045050102030405"), 0x9000);
    ck_assert_uint_eq(tx("80CA004500"), 0x9000);
    ck_assert_uint_eq(only(resp, rlen - 2, 0x45).len, 5);
    ck_assert_uint_eq(tx("80DA00450411223344"), 0x9000);
    ck_assert_uint_eq(tx("80CA004500"), 0x9000);
    ck_assert_mem_eq(only(resp, rlen - 2, 0x45).val, "\x11\x22\x33\x44", 4);
    ck_assert_uint_eq(tx("80DA00CF0101"), 0x6A88);
    ck_assert_uint_eq(tx("80DA0045"), 0x6A80);
}
END_TEST

START_TEST(test_store_data_refused_when_secured)
{
    card_close(card);
    img_t *img;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, 0, IMG_SYNC_NORMAL, &img, &e), 0);
    uint8_t secured = CARD_LC_SECURED;
    ck_assert_int_eq(img_write(img, 8, &secured, 1), 0); /* record offset 8: ISD life cycle */
    img_close(img);
    open_card();
    ck_assert_uint_eq(tx("80E2900003" "4501FF"), 0x6985);
    ck_assert_uint_eq(tx("80DA004501FF"), 0x6985);
    ck_assert_uint_eq(tx("80CA004500"), 0x6A88);
    ck_assert_uint_eq(tx("80F28002024F00"), 0x9000);
    card_tlv_t e3 = only(resp, rlen - 2, 0xE3);
    card_tlv_t lc = child(e3, 0x9F70);
    ck_assert_uint_eq(lc.val[0], 0x0F);
}
END_TEST

START_TEST(test_get_status_isd)
{
    ck_assert_uint_eq(tx("80F28002024F0000"), 0x9000);
    card_tlv_t e3 = only(resp, rlen - 2, 0xE3);
    card_tlv_t aid = child(e3, 0x4F);
    ck_assert_uint_eq(aid.len, 8);
    ck_assert_mem_eq(aid.val, isd_aid, 8);
    card_tlv_t lc = child(e3, 0x9F70);
    ck_assert_uint_eq(lc.len, 1);
    ck_assert_uint_eq(lc.val[0], 0x01);               /* OP_READY */
    card_tlv_t priv = child(e3, 0xC5);
    ck_assert_uint_eq(priv.len, 3);
    ck_assert_int_eq(count_children(e3), 3);
    ck_assert(priv.val[0] & 0x80);                    /* security domain */
    ck_assert(priv.val[0] & 0x04);                    /* card reset (default selected) */
    /* legacy format: length, AID, life cycle, privileges */
    ck_assert_uint_eq(tx("80F28000024F0000"), 0x9000);
    ck_assert_uint_eq(rlen, 1 + 8 + 1 + 1 + 2);
    ck_assert_uint_eq(resp[0], 8);
    ck_assert_mem_eq(resp + 1, isd_aid, 8);
    ck_assert_uint_eq(resp[9], 0x01);
    ck_assert_uint_eq(resp[10], priv.val[0]);
    /* search by AID prefix */
    ck_assert_uint_eq(tx("80F28002054F03A0000000"), 0x9000);
    ck_assert_uint_eq(tx("80F28002054F03A0000200"), 0x6A88);
    /* nothing else installed: empty success for GPShell */
    ck_assert_uint_eq(tx("80F24002024F0000"), 0x9000);
    ck_assert_uint_eq(rlen, 2);
    ck_assert_uint_eq(tx("80F22002024F0000"), 0x9000);
    ck_assert_uint_eq(rlen, 2);
    ck_assert_uint_eq(tx("80F21002024F0000"), 0x9000);
    ck_assert_uint_eq(rlen, 2);
    /* bad parameters */
    ck_assert_uint_eq(tx("80F20102024F0000"), 0x6A86);
    ck_assert_uint_eq(tx("80F28006024F0000"), 0x6A86);
    ck_assert_uint_eq(tx("80F2800200"), 0x6A80);          /* no search criteria */
    ck_assert_uint_eq(tx("80F2800203C10100"), 0x6A80);
    ck_assert_uint_eq(tx("80F2800203" "4F05A000"), 0x6A80); /* malformed TLV */
    ck_assert_uint_eq(tx("80F28003024F0000"), 0x6985);  /* next page without a first one */
    ck_assert_uint_eq(tx("00F28002024F0000"), 0x6E00);
}
END_TEST

static int m_select(void *ctx, uint8_t ch) { (void)ctx; (void)ch; return 1; }
static bool m_select_b(void *ctx, uint8_t ch) { return m_select(ctx, ch) != 0; }
static void m_deselect(void *ctx, uint8_t ch) { (void)ctx; (void)ch; }
static int m_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *r) { (void)ctx; (void)cmd; (void)r; return 0x9000; }
static const apdu_app_ops_t mock_ops = { m_select_b, m_deselect, m_process };

#define NAPPS 30

/* NAPPS applications D0..D0 nn (16-byte AIDs, nn = 0..NAPPS-1), after the ISD in registry order. */
static void register_apps(void)
{
    uint8_t aid[16];
    for (int i = 0; i < NAPPS; i++) {
        memset(aid, 0xD0, sizeof aid);
        aid[15] = (uint8_t)i;
        cl_error_t e;
        ck_assert_int_eq(apdu_reg_add(card->reg, aid, sizeof aid, &mock_ops, NULL, 0, &e), 0);
    }
}

/* GET STATUS P1 40 with more applications than one short response holds: 63 10 pages. */
START_TEST(test_get_status_paging)
{
    register_apps();
    bool seen[NAPPS] = { 0 };
    int total = 0, pages = 0, last = -1;
    uint16_t sw = tx("80F24002024F0000");
    while (1) {
        pages++;
        ck_assert_uint_le(rlen - 2, 256);
        size_t off = 0;
        card_tlv_t e3;
        while (card_tlv_next(resp, rlen - 2, &off, &e3) == 1) {
            ck_assert_uint_eq(e3.tag, 0xE3);
            card_tlv_t a = child(e3, 0x4F);
            ck_assert_uint_eq(a.len, 16);
            int idx = a.val[15];
            ck_assert_int_lt(idx, NAPPS);
            ck_assert(!seen[idx]);
            ck_assert_int_gt(idx, last);            /* registry order across pages */
            last = idx;
            seen[idx] = true;
            total++;
            ck_assert_uint_eq(child(e3, 0x9F70).val[0], 0x07);
            card_tlv_t sd = child(e3, 0xCC);                 /* associated security domain: the ISD */
            ck_assert_mem_eq(sd.val, isd_aid, sizeof isd_aid);
        }
        ck_assert_uint_eq(off, rlen - 2);
        if (sw == 0x9000) break;
        ck_assert_uint_eq(sw, 0x6310);
        ck_assert_int_lt(pages, 10);
        sw = tx("80F24003024F0000");
    }
    ck_assert_int_eq(total, NAPPS);
    ck_assert_int_gt(pages, 2);
    /* another command ends the sequence */
    ck_assert_uint_eq(tx("80F24002024F0000"), 0x6310);
    ck_assert_uint_eq(tx("80CA006600"), 0x9000);
    ck_assert_uint_eq(tx("80F24003024F0000"), 0x6985);
    /* an extended Le takes everything at once */
    ck_assert_uint_eq(tx("80F240020000024F000000"), 0x9000);
    ck_assert_uint_gt(rlen, 256);
    /* with a filter matching one application */
    ck_assert_uint_eq(tx("80F24002124F10D0D0D0D0D0D0D0D0D0D0D0D0D0D0D00700"), 0x9000);
    card_tlv_t e3 = only(resp, rlen - 2, 0xE3);
    ck_assert_uint_eq(child(e3, 0x4F).val[15], 7);
}
END_TEST

/* Index (last AID byte) of the last E3 entry of a GET STATUS response. */
static int last_entry_index(void)
{
    size_t off = 0;
    card_tlv_t e3;
    int idx = -1;
    while (card_tlv_next(resp, rlen - 2, &off, &e3) == 1) idx = child(e3, 0x4F).val[15];
    ck_assert_uint_eq(off, rlen - 2);
    return idx;
}

/* A "next occurrence" page refused with 6C XX (Le too small for even one entry) must not move the
 * paging on: the terminal repeats it with Le XX and gets the entry that follows the previous page. */
START_TEST(test_get_status_paging_wrong_le_loses_nothing)
{
    register_apps();
    ck_assert_uint_eq(tx("80F24002024F0000"), 0x6310);
    int last = last_entry_index();
    ck_assert_int_ge(last, 0);
    uint16_t sw = tx("80F24003024F0005");
    ck_assert_uint_eq(rlen, 2);
    ck_assert_uint_eq(sw & 0xFF00, 0x6C00);
    char again[32];
    snprintf(again, sizeof again, "80F24003024F00%02X", sw & 0xFF);
    sw = tx(again);
    ck_assert_msg(sw == 0x6310 || sw == 0x9000, "SW %04X", sw);
    card_tlv_t e3 = only(resp, rlen - 2, 0xE3);
    ck_assert_int_eq(child(e3, 0x4F).val[15], last + 1);
    /* The first page's own 6C (first occurrence) also restarts cleanly. */
    ck_assert_uint_eq(tx("80F24002024F0005") & 0xFF00, 0x6C00);
    ck_assert_uint_eq(tx("80F24002024F0000"), 0x6310);
    ck_assert_int_eq(last_entry_index(), last);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("card_isd");
    TCase *t = tcase_create("core");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_select_fci);
    tcase_add_test(t, test_select_short_le);
    tcase_add_test(t, test_get_data_cplc);
    tcase_add_test(t, test_get_data_card_data);
    tcase_add_test(t, test_get_data_key_info);
    tcase_add_test(t, test_get_data_misc);
    tcase_add_test(t, test_store_data);
    tcase_add_test(t, test_store_data_refused_when_secured);
    tcase_add_test(t, test_get_status_isd);
    tcase_add_test(t, test_get_status_paging);
    tcase_add_test(t, test_get_status_paging_wrong_le_loses_nothing);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
