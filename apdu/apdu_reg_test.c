/* The registry and router: logical channels, SELECT (full, partial, next, no match, refusal,
 * multiselection), default selection across power cycles, status-word hygiene. The applications are
 * small recorders: each answers [id, channel, selecting, INS, P2] so the test sees who got what. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu_reg.h"
#include "common/cl_util.h"

struct mock {
    uint8_t id;
    bool refuse;            /* select() answers false */
    int sw;                 /* what process() returns */
    int selects[APDU_CHANNELS];
    int deselects[APDU_CHANNELS];
    bool active[APDU_CHANNELS];
    int processed;
};

/* Every callback in order, "S<id>/<ch>" select, "D<id>/<ch>" deselect, "P<id>/<ch>:<flags>" process
 * (flags: 1 selecting, 2 reselecting), so a test can check the exact sequence a command causes. */
static char calls[512];
static void log_call(char kind, const struct mock *m, uint8_t ch, int flags)
{
    size_t n = strlen(calls);
    if (flags < 0) snprintf(calls + n, sizeof calls - n, "%c%u/%u ", kind, m->id, ch);
    else snprintf(calls + n, sizeof calls - n, "%c%u/%u:%d ", kind, m->id, ch, flags);
}

static bool m_select(void *ctx, uint8_t ch)
{
    struct mock *m = ctx;
    ck_assert_uint_lt(ch, APDU_CHANNELS);
    ck_assert(!m->active[ch]);
    log_call('S', m, ch, -1);
    m->selects[ch]++;
    if (m->refuse) return false;
    m->active[ch] = true;
    return true;
}

static void m_deselect(void *ctx, uint8_t ch)
{
    struct mock *m = ctx;
    ck_assert(m->active[ch]);
    log_call('D', m, ch, -1);
    m->active[ch] = false;
    m->deselects[ch]++;
}

static int m_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    struct mock *m = ctx;
    ck_assert(m->active[cmd->cla_info.channel]);
    m->processed++;
    log_call('P', m, cmd->cla_info.channel, cmd->selecting | cmd->reselecting << 1);
    uint8_t out[5] = { m->id, cmd->cla_info.channel, (uint8_t)(cmd->selecting | cmd->reselecting << 1), cmd->ins,
                       cmd->p2 };
    apdu_resp_append(r, out, sizeof out);
    return m->sw;
}

static const apdu_app_ops_t ops = { m_select, m_deselect, m_process };

static apdu_reg_t *reg;
static uint8_t *resp;
static size_t rlen;
static struct mock a_isd, a_app1, a_app2, a_solo;

#define AID_ISD "A000000151000000"
#define AID_APP1 "A0000000620101"
#define AID_APP2 "A000000062010201"
#define AID_SOLO "D27600012401"

static void add(const char *aidhex, struct mock *m, uint8_t id, unsigned flags)
{
    uint8_t aid[16];
    long n = cl_hex_decode(aidhex, aid, sizeof aid);
    memset(m, 0, sizeof *m);
    m->id = id;
    m->sw = 0x9000;
    cl_error_t e = { { 0 } };
    ck_assert_msg(apdu_reg_add(reg, aid, (size_t)n, &ops, m, flags, &e) == 0, "%s", e.msg);
}

static void setup(void)
{
    reg = apdu_reg_new();
    resp = malloc(APDU_RESP_MAX);
    add(AID_ISD, &a_isd, 1, APDU_APP_DEFAULT_SELECTED | APDU_APP_MULTISELECTABLE);
    add(AID_APP1, &a_app1, 2, APDU_APP_MULTISELECTABLE);
    add(AID_APP2, &a_app2, 3, APDU_APP_MULTISELECTABLE);
    add(AID_SOLO, &a_solo, 4, 0);
    apdu_reg_power_on(reg);
    calls[0] = 0;
}

static void teardown(void)
{
    apdu_reg_free(reg);
    free(resp);
}

/* Sends hex, returns SW; the response data stays in resp[0..rlen-2). */
static uint16_t tx(const char *h)
{
    uint8_t cmd[300];
    long n = cl_hex_decode(h, cmd, sizeof cmd);
    ck_assert_int_ge(n, 0);
    rlen = apdu_reg_process(reg, cmd, (size_t)n, resp);
    ck_assert_uint_ge(rlen, 2);
    return cl_get16(resp + rlen - 2);
}

/* Asserts the answer came from application id on channel ch. */
static void from(uint8_t id, uint8_t ch, bool selecting)
{
    ck_assert_uint_eq(rlen, 7);
    ck_assert_uint_eq(resp[0], id);
    ck_assert_uint_eq(resp[1], ch);
    ck_assert_uint_eq(resp[2] & 1, selecting); /* bit 1: reselecting, checked where it matters */
}

START_TEST(test_power_on_default)
{
    ck_assert(apdu_reg_channel_open(reg, 0));
    ck_assert(!apdu_reg_channel_open(reg, 1));
    ck_assert_int_eq(apdu_reg_selected(reg, 0), 0);
    ck_assert_int_eq(a_isd.selects[0], 1);
    ck_assert_uint_eq(tx("80CA006600"), 0x9000);
    from(1, 0, false);
    ck_assert_uint_eq(tx("01CA006600"), 0x6881);  /* closed channel */
    ck_assert_uint_eq(tx("C5CA006600"), 0x6881);
    /* power cycle: deselect called, default selected again */
    apdu_reg_power_off(reg);
    ck_assert_int_eq(a_isd.deselects[0], 1);
    ck_assert_uint_eq(tx("80CA006600"), 0x6881);
    apdu_reg_power_on(reg);
    ck_assert_int_eq(a_isd.selects[0], 2);
    ck_assert_uint_eq(tx("80CA006600"), 0x9000);
    from(1, 0, false);
}
END_TEST

START_TEST(test_power_on_after_other_selection)
{
    ck_assert_uint_eq(tx("00A4040007" AID_APP1), 0x9000);
    from(2, 0, true);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);
    ck_assert_uint_eq(tx("01A4040006" AID_SOLO), 0x9000);
    apdu_reg_power_on(reg); /* warm reset */
    ck_assert(!a_app1.active[0]);
    ck_assert(!a_solo.active[1]);
    ck_assert(!apdu_reg_channel_open(reg, 1));
    ck_assert_int_eq(apdu_reg_selected(reg, 0), 0);
    ck_assert(a_isd.active[0]);
}
END_TEST

START_TEST(test_manage_channel_open_close)
{
    ck_assert_uint_eq(tx("0070000001"), 0x9000);   /* card assigns: 1 */
    ck_assert_uint_eq(rlen, 3);
    ck_assert_uint_eq(resp[0], 1);
    ck_assert(a_isd.active[1]);                    /* default application follows from channel 0 */
    ck_assert_uint_eq(tx("0070000001"), 0x9000);
    ck_assert_uint_eq(resp[0], 2);
    ck_assert_uint_eq(tx("00700005"), 0x9000);     /* explicit channel 5, no data back */
    ck_assert_uint_eq(rlen, 2);
    ck_assert(apdu_reg_channel_open(reg, 5));
    ck_assert_uint_eq(tx("00700005"), 0x6A86);     /* already open */
    ck_assert_uint_eq(tx("00700014"), 0x6A81);     /* 20: out of range */
    ck_assert_uint_eq(tx("007000FF"), 0x6A81);
    ck_assert_uint_eq(tx("007000000103"), 0x6700); /* data not allowed */
    ck_assert_uint_eq(tx("0070400001"), 0x6A81);   /* P1 neither open nor close */
    ck_assert_uint_eq(tx("0370000001"), 0x6881);   /* origin channel 3 closed */
    ck_assert_uint_eq(tx("1070000001"), 0x6884);   /* chaining */
    ck_assert_uint_eq(tx("0470000001"), 0x6882);   /* secure messaging */
    /* close */
    ck_assert_uint_eq(tx("00708005"), 0x9000);
    ck_assert(!apdu_reg_channel_open(reg, 5));
    ck_assert_int_eq(a_isd.deselects[5], 1);
    ck_assert_uint_eq(tx("00708005"), 0x6200);     /* warning: already closed */
    ck_assert_uint_eq(tx("00708000"), 0x6A81);     /* channel 0 cannot be closed */
    ck_assert_uint_eq(tx("02708000"), 0x6A81);     /* P2 names the channel: 00 is the basic one */
    ck_assert_uint_eq(tx("00708014"), 0x6A81);
    ck_assert_uint_eq(tx("03708001"), 0x6881);     /* origin channel 3 is not open */
    ck_assert_uint_eq(tx("02708002"), 0x9000);     /* a channel may close itself */
    ck_assert(!apdu_reg_channel_open(reg, 2));
    ck_assert(apdu_reg_channel_open(reg, 1));
    /* the lowest free number is reused */
    ck_assert_uint_eq(tx("0070000001"), 0x9000);
    ck_assert_uint_eq(resp[0], 2);
}
END_TEST

/* Card-assigned open (P2 00) under every Le form. Le is Ne, the most the terminal accepts (ISO 7816-4
 * 5.1: short 00 = 256, extended 0000 = 65536): any Ne >= 1 has room for the one channel byte. Le absent
 * (Ne 0) leaves no room: 6C 01 tells the terminal the length to ask for (JCRE 4.5.1) and opens nothing,
 * so no channel is left open whose number the terminal never saw. */
START_TEST(test_manage_channel_open_le_forms)
{
    static const char *const fits[] = { "0070000001", "0070000000", "0070000002", "00700000FF",
                                        "00700000000001", "00700000000000" };
    for (size_t i = 0; i < CL_ARRAY_LEN(fits); i++) {
        ck_assert_msg(tx(fits[i]) == 0x9000, "%s answered %04X", fits[i], cl_get16(resp + rlen - 2));
        ck_assert_uint_eq(rlen, 3);
        ck_assert_uint_eq(resp[0], i + 1); /* the lowest free channel, one more each time */
        ck_assert(apdu_reg_channel_open(reg, (uint8_t)(i + 1)));
        ck_assert(a_isd.active[i + 1]);
    }
    ck_assert_uint_eq(tx("00700000"), 0x6C01);
    ck_assert_uint_eq(rlen, 2);
    ck_assert(!apdu_reg_channel_open(reg, CL_ARRAY_LEN(fits) + 1));
    ck_assert_int_eq(a_isd.selects[CL_ARRAY_LEN(fits) + 1], 0);
}
END_TEST

START_TEST(test_all_channels)
{
    for (int i = 1; i < APDU_CHANNELS; i++) {
        ck_assert_uint_eq(tx("0070000001"), 0x9000);
        ck_assert_uint_eq(resp[0], i);
    }
    ck_assert_uint_eq(tx("0070000001"), 0x6A81);  /* none left */
    /* channels 4-19 are addressed with further interindustry classes */
    ck_assert_uint_eq(tx("4FCA000000"), 0x9000);
    from(1, 19, false);
    ck_assert_uint_eq(tx("40CA000000"), 0x9000);
    from(1, 4, false);
    ck_assert_uint_eq(tx("C3CA000000"), 0x9000);  /* GlobalPlatform proprietary, channel 7 */
    from(1, 7, false);
    ck_assert_uint_eq(tx("4F708013"), 0x9000);    /* close 19 from itself */
    ck_assert(!apdu_reg_channel_open(reg, 19));
    ck_assert_uint_eq(tx("4FCA000000"), 0x6881);
}
END_TEST

START_TEST(test_open_from_other_channel)
{
    ck_assert_uint_eq(tx("0070000001"), 0x9000);        /* 1, ISD */
    ck_assert_uint_eq(tx("01A4040007" AID_APP1), 0x9000);
    from(2, 1, true);
    ck_assert_uint_eq(tx("0170000001"), 0x9000);        /* from 1: app1 (multiselectable) follows */
    ck_assert_uint_eq(resp[0], 2);
    ck_assert(a_app1.active[2]);
    ck_assert_uint_eq(tx("02CA000000"), 0x9000);
    from(2, 2, false);
    /* a non-multiselectable application cannot follow to a new channel */
    ck_assert_uint_eq(tx("01A4040006" AID_SOLO), 0x9000);
    ck_assert_uint_eq(tx("0170000001"), 0x6985);
    ck_assert(!apdu_reg_channel_open(reg, 3));          /* nothing changed */
    ck_assert_int_eq(a_solo.selects[3], 0);
}
END_TEST

START_TEST(test_select_full_partial_next)
{
    ck_assert_uint_eq(tx("00A4040007" AID_APP1 "00"), 0x9000);   /* full */
    from(2, 0, true);
    ck_assert_int_eq(a_isd.deselects[0], 1);
    ck_assert_uint_eq(tx("00CA000000"), 0x9000);
    from(2, 0, false);
    ck_assert_uint_eq(tx("00A4040005A000000062"), 0x9000);        /* partial: first match, app1 */
    ck_assert_uint_eq(resp[2], 3);                                /* selecting and reselecting */
    from(2, 0, true);
    ck_assert_int_eq(a_app1.deselects[0], 1);                     /* reselection deselects first */
    ck_assert_uint_eq(tx("00A4040205A000000062"), 0x9000);        /* next: app2 */
    from(3, 0, true);
    ck_assert_uint_eq(resp[4], 0x02);
    ck_assert_uint_eq(tx("00A4040205A000000062"), 0x9000);        /* no further match: forwarded */
    from(3, 0, false);
    ck_assert_uint_eq(tx("04A4040008" AID_APP2), 0x9000);         /* SM bits: not a selection, forwarded */
    from(3, 0, false);
    ck_assert_uint_eq(tx("10A4040007" AID_APP2), 0x6884);         /* chaining */
    ck_assert_uint_eq(tx("00CA000000"), 0x9000);
    from(3, 0, false);
    ck_assert_uint_eq(tx("00A4040C07" AID_APP1), 0x9000);         /* P2 0C reaches the app */
    from(2, 0, true);
    ck_assert_uint_eq(resp[4], 0x0C);
    ck_assert_uint_eq(tx("00A4040000"), 0x9000);                  /* empty: the default application */
    from(1, 0, true);
    ck_assert_uint_eq(tx("00A40400"), 0x9000);
    from(1, 0, true);
    /* exact match preferred over an earlier partial one */
    ck_assert_uint_eq(tx("00A4040008A000000062010201"), 0x9000);
    from(3, 0, true);
}
END_TEST

/* JCRE 3.0.5 4.6: an applet instance is deselected when a SELECT selects "a different (or the same)"
 * instance on the channel; 4.5.2 then selects the candidate. So reselecting the current application
 * is deselect() then select() on that channel only, then process() with selecting and reselecting
 * set; a multiselectable instance keeps its other channels; a refusal leaves the channel empty. */
START_TEST(test_reselect_sequence)
{
    ck_assert_uint_eq(tx("00A4040008" AID_ISD), 0x9000);          /* the power-on default, reselected */
    ck_assert_str_eq(calls, "D1/0 S1/0 P1/0:3 ");
    calls[0] = 0;
    ck_assert_uint_eq(tx("00A4040007" AID_APP1), 0x9000);         /* another one: not a reselection */
    ck_assert_str_eq(calls, "D1/0 S2/0 P2/0:1 ");
    ck_assert_uint_eq(tx("0070000001"), 0x9000);                  /* channel 1: the ISD */
    ck_assert_uint_eq(tx("01A4040007" AID_APP1), 0x9000);         /* app1 on channels 0 and 1 */
    calls[0] = 0;
    ck_assert_uint_eq(tx("01A4040007" AID_APP1), 0x9000);         /* reselected on 1 only */
    ck_assert_str_eq(calls, "D2/1 S2/1 P2/1:3 ");
    ck_assert(a_app1.active[0] && a_app1.active[1]);
    ck_assert_uint_eq(apdu_reg_active_count(reg, 1), 2);
    /* the non-multiselectable one: reselecting it on its own channel is allowed (its context is
     * active only on the channel being reselected) */
    ck_assert_uint_eq(tx("02A4040006" AID_SOLO), 0x9000);
    calls[0] = 0;
    ck_assert_uint_eq(tx("02A4040006" AID_SOLO), 0x9000);
    ck_assert_str_eq(calls, "D4/2 S4/2 P4/2:3 ");
    /* a refused reselection: deselected, select() says no, 69 99, nothing selected, no process() */
    a_solo.refuse = true;
    calls[0] = 0;
    ck_assert_uint_eq(tx("02A4040006" AID_SOLO), 0x6999);
    ck_assert_str_eq(calls, "D4/2 S4/2 ");
    ck_assert_int_eq(apdu_reg_selected(reg, 2), -1);
    ck_assert(apdu_reg_channel_open(reg, 2));
    /* the next SELECT of it on that channel is a plain selection again, not a reselection */
    a_solo.refuse = false;
    calls[0] = 0;
    ck_assert_uint_eq(tx("02A4040006" AID_SOLO), 0x9000);
    ck_assert_str_eq(calls, "S4/2 P4/2:1 ");
}
END_TEST

START_TEST(test_select_no_match)
{
    ck_assert_uint_eq(tx("00A4040005A00000099900"), 0x9000);    /* forwarded to the ISD */
    from(1, 0, false);
    ck_assert_uint_eq(a_isd.selects[0], 1);                      /* not reselected */
    ck_assert_uint_eq(tx("00A4040011" "0102030405060708090A0B0C0D0E0F1011"), 0x9000); /* 17 bytes: no AID */
    from(1, 0, false);
    ck_assert_uint_eq(tx("00A4040101A0"), 0x9000);                /* last occurrence: not ours */
    from(1, 0, false);
    ck_assert_uint_eq(tx("00A4000002" "3F00"), 0x9000);           /* select by file id: forwarded */
    from(1, 0, false);
    ck_assert_uint_eq(tx("80A4040007" AID_APP1), 0x9000);         /* proprietary class: forwarded */
    from(1, 0, false);
    /* nothing selected and no match: 6A 82 */
    a_isd.refuse = true;
    ck_assert_uint_eq(tx("00A4040008" AID_ISD), 0x6999);
    ck_assert_int_eq(apdu_reg_selected(reg, 0), -1);
    ck_assert_uint_eq(tx("00A4040005A000000999"), 0x6A82);
    ck_assert_uint_eq(tx("00CA000000"), 0x6A82);
}
END_TEST

START_TEST(test_select_refused)
{
    a_app1.refuse = true;
    ck_assert_uint_eq(tx("00A4040007" AID_APP1), 0x6999);
    ck_assert_uint_eq(rlen, 2);
    ck_assert_int_eq(a_isd.deselects[0], 1);           /* the old one was deselected */
    ck_assert_int_eq(apdu_reg_selected(reg, 0), -1);   /* and nothing is selected */
    ck_assert_int_eq(a_app1.processed, 0);             /* SELECT not passed to a refusing app */
    ck_assert_uint_eq(tx("00CA000000"), 0x6A82);
}
END_TEST

START_TEST(test_multiselectable)
{
    ck_assert_uint_eq(tx("00A4040006" AID_SOLO), 0x9000);
    from(4, 0, true);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);        /* default (ISD) on 1 */
    ck_assert_uint_eq(tx("01A4040006" AID_SOLO), 0x6985);
    ck_assert_int_eq(apdu_reg_selected(reg, 1), 0);     /* ISD still selected there */
    ck_assert_uint_eq(tx("01CA000000"), 0x9000);
    from(1, 1, false);
    /* reselecting on its own channel is fine */
    ck_assert_uint_eq(tx("00A4040006" AID_SOLO), 0x9000);
    from(4, 0, true);
    ck_assert_uint_eq(resp[2], 3);
    ck_assert_int_eq(a_solo.deselects[0], 1);
    /* multiselectable ones can be on both */
    ck_assert_uint_eq(apdu_reg_active_count(reg, 0), 1);           /* the ISD on channel 1 */
    ck_assert_uint_eq(tx("00A4040007" AID_APP1), 0x9000);
    ck_assert_uint_eq(resp[2], 1);                                /* selecting, not reselecting */
    ck_assert_uint_eq(tx("01A4040007" AID_APP1), 0x9000);
    ck_assert(a_app1.active[0] && a_app1.active[1]);
    ck_assert_uint_eq(apdu_reg_active_count(reg, 1), 2);
    ck_assert_uint_eq(apdu_reg_active_count(reg, 0), 0);
    ck_assert_uint_eq(apdu_reg_active_count(reg, 99), 0);
    /* now SOLO is free again */
    ck_assert_uint_eq(tx("01A4040006" AID_SOLO), 0x9000);
}
END_TEST

/* JCRE 3.0.5 4.2, 4.5.1 step 8, 4.5.2 step 5: a non-multiselectable applet may not be selected while its
 * context is active on another channel -- its own instance, or another applet of its package. The
 * registry knows packages as contexts (apdu_reg_set_context); two applications of one context are
 * one Java Card package. */
#define AID_PKG_A "D2760001250101"
#define AID_PKG_B "D2760001250102"
START_TEST(test_context_blocks_package_mate)
{
    static struct mock a, b;
    add(AID_PKG_A, &a, 5, 0);
    add(AID_PKG_B, &b, 6, 0);
    uint8_t aid_a[7], aid_b[7];
    cl_hex_decode(AID_PKG_A, aid_a, sizeof aid_a);
    cl_hex_decode(AID_PKG_B, aid_b, sizeof aid_b);
    ck_assert_int_eq(apdu_reg_set_context(reg, aid_a, sizeof aid_a, 7), 0);
    ck_assert_int_eq(apdu_reg_set_context(reg, aid_b, sizeof aid_b, 7), 0);
    ck_assert_int_eq(apdu_reg_set_context(reg, aid_b, 5, 7), -1);          /* no such AID */
    ck_assert_uint_eq(tx("00A4040007" AID_PKG_A), 0x9000);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);                           /* channel 1: the ISD */
    calls[0] = 0;
    ck_assert_uint_eq(tx("01A4040007" AID_PKG_B), 0x6985);                 /* its package is active on 0 */
    ck_assert_str_eq(calls, "");                                           /* nobody was called */
    ck_assert_int_eq(apdu_reg_selected(reg, 1), 0);                       /* the ISD still there */
    /* on the channel where its package-mate is selected, B simply replaces it */
    ck_assert_uint_eq(tx("00A4040007" AID_PKG_B), 0x9000);
    ck_assert_str_eq(calls, "D5/0 S6/0 P6/0:1 ");
    ck_assert_uint_eq(tx("01A4040007" AID_PKG_A), 0x6985);                 /* and the other way round */
    ck_assert_uint_eq(tx("00A40400"), 0x9000);                             /* the ISD again on 0 */
    ck_assert_uint_eq(tx("01A4040007" AID_PKG_A), 0x9000);                 /* nothing of the package active */
    /* context 0 is no context: A leaves the package, B is independent of it again */
    ck_assert_int_eq(apdu_reg_set_context(reg, aid_a, sizeof aid_a, 0), 0);
    ck_assert_uint_eq(tx("0070000002"), 0x9000);
    ck_assert_uint_eq(tx("02A4040007" AID_PKG_B), 0x9000);
}
END_TEST

START_TEST(test_select_opens_closed_channel)
{
    ck_assert_uint_eq(tx("02A4040007" AID_APP1), 0x9000);
    from(2, 2, true);
    ck_assert(apdu_reg_channel_open(reg, 2));
    /* JCRE 4.5.2: the channel is opened before the search and stays open whatever happens */
    ck_assert_uint_eq(tx("03A4040005A000000999"), 0x6A82);
    ck_assert(apdu_reg_channel_open(reg, 3));
    ck_assert_int_eq(apdu_reg_selected(reg, 3), -1);
    a_app2.refuse = true;
    ck_assert_uint_eq(tx("43A4040008" AID_APP2), 0x6999);  /* channel 7 */
    ck_assert(apdu_reg_channel_open(reg, 7));
    ck_assert_int_eq(apdu_reg_selected(reg, 7), -1);
    ck_assert_uint_eq(tx("00A4040006" AID_SOLO), 0x9000);
    ck_assert_uint_eq(tx("44A4040006" AID_SOLO), 0x6985);  /* channel 8 */
    ck_assert(apdu_reg_channel_open(reg, 8));
    ck_assert_uint_eq(tx("6AA4040006" AID_SOLO), 0x6881);  /* SM bits (channel 14, closed): not a selection */
    ck_assert_uint_eq(tx("13A4040006" AID_SOLO), 0x6884);
}
END_TEST

START_TEST(test_bad_commands)
{
    ck_assert_uint_eq(tx("00CA"), 0x6700);
    ck_assert_uint_eq(tx("00CA000000AA"), 0x6700);
    ck_assert_uint_eq(tx("00A4040002AA"), 0x6700);
    ck_assert_uint_eq(tx("FFCA000000"), 0x6E00);
    ck_assert_uint_eq(tx("20CA000000"), 0x6E00);
    ck_assert_int_eq(a_isd.processed, 0);
    /* an application answering nonsense: 6F 00, the card keeps going */
    a_isd.sw = 0x1234;
    ck_assert_uint_eq(tx("00CA000000"), 0x6F00);
    ck_assert_uint_eq(rlen, 2);
    a_isd.sw = 0x6A88;
    ck_assert_uint_eq(tx("00CA000000"), 0x6A88);
    ck_assert_uint_eq(rlen, 2);                     /* data dropped with an error */
    a_isd.sw = 0x9000;
    ck_assert_uint_eq(tx("00CA000000"), 0x9000);
    from(1, 0, false);
    ck_assert_uint_eq(tx("00CA000002"), 0x6C05);    /* 5 bytes available, Le 2 */
}
END_TEST

START_TEST(test_registration_rules)
{
    cl_error_t e = { { 0 } };
    uint8_t aid[17] = { 0xA0, 0, 0, 0, 0x62, 9 };
    struct mock m = { 0 };
    ck_assert_int_eq(apdu_reg_add(reg, aid, 4, &ops, &m, 0, &e), -1);
    ck_assert_int_eq(apdu_reg_add(reg, aid, 17, &ops, &m, 0, &e), -1);
    ck_assert_int_eq(apdu_reg_add(reg, aid, 6, &ops, &m, APDU_APP_DEFAULT_SELECTED, &e), -1);
    ck_assert_int_eq(apdu_reg_add(reg, aid, 6, &ops, &m, 0x80, &e), -1);
    apdu_app_ops_t half = { m_select, NULL, m_process };
    ck_assert_int_eq(apdu_reg_add(reg, aid, 6, &half, &m, 0, &e), -1);
    uint8_t dup[8];
    cl_hex_decode(AID_ISD, dup, sizeof dup);
    ck_assert_int_eq(apdu_reg_add(reg, dup, 8, &ops, &m, 0, &e), -1);
    ck_assert_str_ne(e.msg, "");
    ck_assert_uint_eq(apdu_reg_count(reg), 4);
    apdu_app_info_t info;
    ck_assert(apdu_reg_get(reg, 1, &info));
    ck_assert_uint_eq(info.aid_len, 7);
    ck_assert(!apdu_reg_get(reg, 4, &info));
}
END_TEST

START_TEST(test_remove_deselects)
{
    ck_assert_uint_eq(tx("00A4040007" AID_APP1), 0x9000);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);
    ck_assert_uint_eq(tx("01A4040007" AID_APP1), 0x9000);
    uint8_t aid[8];
    cl_hex_decode(AID_APP1, aid, sizeof aid);
    ck_assert_int_eq(apdu_reg_remove(reg, aid, 7), 0);
    ck_assert(!a_app1.active[0] && !a_app1.active[1]);
    ck_assert_int_eq(apdu_reg_remove(reg, aid, 7), -1);
    ck_assert_uint_eq(tx("00CA000000"), 0x6A82);
    ck_assert_uint_eq(tx("00A4040005A000000062"), 0x9000); /* partial now finds app2 */
    from(3, 0, true);
    ck_assert_uint_eq(apdu_reg_count(reg), 3);
}
END_TEST

START_TEST(test_channel_defaults)
{
    uint8_t aid[8];
    cl_hex_decode(AID_APP2, aid, sizeof aid);
    ck_assert_int_eq(apdu_reg_set_channel_default(reg, 2, aid, 8), 0);
    ck_assert_int_eq(apdu_reg_set_channel_default(reg, 20, aid, 8), -1);
    ck_assert_int_eq(apdu_reg_set_channel_default(reg, 3, aid, 7), -1);   /* no such AID */
    ck_assert_uint_eq(tx("0070000001"), 0x9000);                         /* 1: the card default */
    ck_assert(a_isd.active[1]);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);                         /* 2: its own default */
    ck_assert_uint_eq(resp[0], 2);
    ck_assert(a_app2.active[2]);
    ck_assert_uint_eq(tx("02A4040000"), 0x9000);                         /* empty SELECT there: app2 */
    from(3, 2, true);
    ck_assert_uint_eq(tx("01A4040000"), 0x9000);                         /* and the ISD on 1 */
    from(1, 1, true);
    /* channel 0's override applies at power-on */
    ck_assert_int_eq(apdu_reg_set_channel_default(reg, 0, aid, 8), 0);
    apdu_reg_power_on(reg);
    ck_assert_int_eq(apdu_reg_selected(reg, 0), 2);
    ck_assert_int_eq(apdu_reg_set_channel_default(reg, 0, NULL, 0), 0);
    apdu_reg_power_on(reg);
    ck_assert_int_eq(apdu_reg_selected(reg, 0), 0);
    /* removing the application drops its overrides */
    ck_assert_int_eq(apdu_reg_remove(reg, aid, 8), 0);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);
    ck_assert_uint_eq(tx("0070000001"), 0x9000);
    ck_assert_uint_eq(resp[0], 2);
    ck_assert(a_isd.active[2]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("apdu_reg");
    TCase *t = tcase_create("core");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_power_on_default);
    tcase_add_test(t, test_power_on_after_other_selection);
    tcase_add_test(t, test_manage_channel_open_close);
    tcase_add_test(t, test_manage_channel_open_le_forms);
    tcase_add_test(t, test_all_channels);
    tcase_add_test(t, test_open_from_other_channel);
    tcase_add_test(t, test_select_full_partial_next);
    tcase_add_test(t, test_reselect_sequence);
    tcase_add_test(t, test_select_no_match);
    tcase_add_test(t, test_select_refused);
    tcase_add_test(t, test_multiselectable);
    tcase_add_test(t, test_context_blocks_package_mate);
    tcase_add_test(t, test_select_opens_closed_channel);
    tcase_add_test(t, test_bad_commands);
    tcase_add_test(t, test_registration_rules);
    tcase_add_test(t, test_remove_deselects);
    tcase_add_test(t, test_channel_defaults);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
