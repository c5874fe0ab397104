/* Random command sequences against the extended-length test applets (applets/tests/extlen,
 * commands in Echo.java) through card_transmit: short and extended forms with every Lc/Le shape,
 * malformed lengths, other classes (chaining, secure messaging, channels), SELECTs in both forms,
 * MANAGE CHANNEL and resets, in a fixed-seed stream bounded by a command count and by ~5 s of CPU.
 *
 * Checked for every command: a status word, never more data than the command's Ne allows, and a
 * malformed length answered 67 00. Where the test knows which applet a channel holds, the answer
 * itself is checked: a plain applet refuses any extended command (67 00, process() not run); HASH
 * is the host's SHA-256 of the data with the right counts; ECHO gives the data back up to Ne; GEN
 * its pattern; STATES, INFO and the misuse cases of ERR what the APDU class must say. Every 64
 * commands a probe closes the extra channels and checks each applet answers HASH, ECHO and GEN
 * exactly and that a refused extended command did not reach process() (COUNT).
 *
 * EXTLEN_RANDOM_SEED and EXTLEN_RANDOM_COMMANDS change the stream (default seed 1, 12000). */
#include "tests/hostile/ht_card.h"
#include "vm/vm_card_int.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <openssl/evp.h>
#include <time.h>

static const uint8_t EXT_AIDS[4][8] = {
    { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x01 }, /* ExtEcho: implements ExtendedLength */
    { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x02 }, /* Echo: does not */
    { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x03 }, /* ExtEchoChild: inherits it */
    { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x04 }, /* ExtEchoTagged: through a superinterface */
};
static bool is_ext_applet(int a) { return a != 1; }

#define UNKNOWN (-1)   /* the test does not know what the channel holds */
#define NCHAN 4
#define EXT_MAX 32767u /* the most data the API's shorts count (VM_APDU_EXT_MAX) */
#define LE_NONE (-1L)
#define IMAGE_SIZE (256u * 1024)

typedef struct {
    card_t *card;
    vm_t *vm;
    ht_dir_t d;
    uint64_t rng;
    int sel[NCHAN];        /* applet index per channel, or UNKNOWN */
    bool open[NCHAN];
    uint8_t cmd[4 + 3 + 65535 + 2 + 8];
    size_t cmd_len;
    uint8_t resp[CARD_RESP_MAX];
    size_t rlen;
    /* the last command as built (for expectations) */
    bool ext, malformed;
    uint32_t nc;
    long le;
    unsigned long sent, checked, refused_ext, malformed_sent, sw9000;
} rt_t;

static uint32_t rnd(rt_t *t)
{
    /* xorshift64*: a fixed seed gives the same stream on every machine */
    t->rng ^= t->rng >> 12; t->rng ^= t->rng << 25; t->rng ^= t->rng >> 27;
    return (uint32_t)((t->rng * 2685821657736338717ull) >> 32);
}
static uint32_t rnd_below(rt_t *t, uint32_t n) { return n ? rnd(t) % n : 0; }

static uint16_t sw_of(const rt_t *t) { return cl_get16(t->resp + t->rlen - 2); }
static size_t data_len(const rt_t *t) { return t->rlen - 2; }

/* The data bytes of a command: a pattern of the seed, so each command's data differs. */
static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < n; i++) { x = x * 1103515245u + 12345u; p[i] = (uint8_t)(x >> 16); }
}

/* Sends what t->cmd holds and checks what every answer must satisfy. */
static void transmit(rt_t *t, const char *what)
{
    t->rlen = card_transmit(t->card, t->cmd, t->cmd_len, t->resp);
    t->sent++;
    ck_assert_msg(t->rlen >= 2 && t->rlen <= CARD_RESP_MAX, "%s: response of %zu bytes", what, t->rlen);
    if (sw_of(t) == 0x9000) t->sw9000++;
    if (t->malformed) {
        ck_assert_msg(t->rlen == 2 && sw_of(t) == 0x6700, "%s: malformed length answered %04X (%zu bytes)", what,
                      sw_of(t), t->rlen);
        return;
    }
    /* Never more data than Ne (absent Le: 256 short, 65536 extended). */
    uint32_t limit = t->le == LE_NONE ? (t->ext ? 65536u : 256u) : (uint32_t)t->le;
    ck_assert_msg(data_len(t) <= limit, "%s: %zu data bytes for Ne %u", what, data_len(t), limit);
}

/* Builds CLA INS P1 P2 with nc data bytes and Le (LE_NONE absent; 256 short / 65536 extended are
 * encoded as 00 / 0000), extended when ext. */
static void build(rt_t *t, uint8_t cla, uint8_t ins, uint16_t p1p2, const uint8_t *data, uint32_t nc, long le, bool ext)
{
    size_t n = 0;
    uint8_t *c = t->cmd;
    c[n++] = cla; c[n++] = ins; c[n++] = (uint8_t)(p1p2 >> 8); c[n++] = (uint8_t)p1p2;
    if (ext) {
        if (nc || le != LE_NONE) c[n++] = 0;
        if (nc) { cl_put16(c + n, (uint16_t)nc); n += 2; memcpy(c + n, data, nc); n += nc; }
        if (le != LE_NONE) { cl_put16(c + n, (uint16_t)le); n += 2; }
    } else {
        if (nc) { c[n++] = (uint8_t)nc; memcpy(c + n, data, nc); n += nc; }
        if (le != LE_NONE) c[n++] = (uint8_t)le;
    }
    t->cmd_len = n;
    /* no body at all is case 1, whatever form was asked for */
    t->ext = ext && (nc || le != LE_NONE); t->nc = nc; t->le = le; t->malformed = false;
}

/* A body whose lengths do not add up, one of the shapes ISO 7816-4 leaves no reading for. */
static void build_malformed(rt_t *t, uint8_t cla, uint8_t ins, const uint8_t *data)
{
    uint8_t *c = t->cmd;
    c[0] = cla; c[1] = ins; c[2] = (uint8_t)rnd(t); c[3] = (uint8_t)rnd(t);
    size_t n = 4;
    uint32_t L = 1 + rnd_below(t, 300);
    switch (rnd_below(t, 6)) {
    case 0: /* short Lc, then 2 or more bytes too many */
        L = 1 + rnd_below(t, 250);
        c[n++] = (uint8_t)L; { uint32_t m = L + 2 + rnd_below(t, 3); memcpy(c + n, data, m); n += m; }
        break;
    case 1: /* short Lc, then fewer data bytes (at least one) */
        L = 2 + rnd_below(t, 254);
        c[n++] = (uint8_t)L; { uint32_t m = 1 + rnd_below(t, L - 1); memcpy(c + n, data, m); n += m; }
        break;
    case 2: /* 00 XX: a short Lc of zero, or an extended length cut short */
        c[n++] = 0; c[n++] = (uint8_t)rnd(t);
        break;
    case 3: /* extended Lc 0000 with more bytes */
        c[n++] = 0; c[n++] = 0; c[n++] = 0; { uint32_t m = 1 + rnd_below(t, 4); memcpy(c + n, data, m); n += m; }
        break;
    case 4: /* extended Lc, its data, then half an Le */
        c[n++] = 0; cl_put16(c + n, (uint16_t)L); n += 2; memcpy(c + n, data, L); n += L; c[n++] = (uint8_t)rnd(t);
        break;
    default: /* extended Lc, fewer data bytes */
        L = 2 + rnd_below(t, 3000);
        c[n++] = 0; cl_put16(c + n, (uint16_t)L); n += 2; { uint32_t m = 1 + rnd_below(t, L - 1); memcpy(c + n, data, m); n += m; }
        break;
    }
    t->cmd_len = n;
    t->malformed = true;
    t->malformed_sent++;
}

static void power_cycle(rt_t *t)
{
    uint8_t atr[CARD_ATR_MAX];
    ck_assert_uint_gt(card_power_on(t->card, atr), 0);
    for (int c = 0; c < NCHAN; c++) { t->sel[c] = UNKNOWN; t->open[c] = c == 0; }
}

static void select_applet(rt_t *t, int ch, int a, bool ext_form)
{
    build(t, (uint8_t)ch, 0xA4, 0x0400, EXT_AIDS[a], 8, LE_NONE, ext_form);
    transmit(t, "SELECT");
    uint16_t sw = sw_of(t);
    /* A plain applet gets no extended command, SELECT included: whatever select() did, 67 00. */
    if (ext_form && !is_ext_applet(a) && t->open[ch])
        ck_assert_msg(sw == 0x6700 || sw == 0x6985, "extended SELECT of the plain applet: %04X", sw);
    t->sel[ch] = sw == 0x9000 ? a : UNKNOWN;
}

static void sha256(const uint8_t *p, uint32_t n, uint8_t md[32])
{
    unsigned len = 0;
    ck_assert(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) == 1 && len == 32);
}

/* Ne as the applet's setOutgoing reports it (api_fw_apdu.c expected_length). */
static uint32_t applet_ne(const rt_t *t)
{
    uint32_t ne = t->le == LE_NONE ? (t->ext ? EXT_MAX : 256u) : (uint32_t)t->le;
    return ne > EXT_MAX ? EXT_MAX : ne;
}

/* The answer for a response of n bytes and status 9000: the data when Ne allows it, else 6C n (short,
 * n <= 256) or 67 00. Returns whether the data is there to check. */
static bool expect_fits(rt_t *t, uint32_t n, const char *what)
{
    uint32_t limit = t->le == LE_NONE ? (t->ext ? 65536u : 256u) : (uint32_t)t->le;
    if (n <= limit) {
        ck_assert_msg(sw_of(t) == 0x9000 && data_len(t) == n, "%s (%s, Nc %u, Le %ld): %zu bytes, SW %04X, want %u 9000",
                      what, t->ext ? "extended" : "short", t->nc, t->le, data_len(t), sw_of(t), n);
        return true;
    }
    uint16_t want = (!t->ext && n <= 256) ? (uint16_t)(0x6C00 | (n & 0xFF)) : 0x6700;
    ck_assert_msg(t->rlen == 2 && sw_of(t) == want, "%s: %u bytes over Le %ld: SW %04X, want %04X", what, n, t->le,
                  sw_of(t), want);
    return false;
}

/* Checks the answer of an applet command the test understands, sent with CLA 80|ch to applet a. */
static void check_answer(rt_t *t, int a, uint8_t ins, uint16_t p1p2, const uint8_t *data)
{
    uint16_t sw = sw_of(t);
    if (t->ext && (!is_ext_applet(a) || t->nc > EXT_MAX)) {
        ck_assert_msg(t->rlen == 2 && sw == 0x6700, "extended command (Nc %u) to applet %d: SW %04X, want 6700", t->nc, a, sw);
        t->refused_ext++;
        t->checked++;
        return;
    }
    uint32_t hdr = t->ext ? 7 : 5, ne = applet_ne(t);
    switch (ins) {
    case 0x10: /* HASH */
        if (expect_fits(t, 40, "HASH")) {
            uint8_t md[32];
            sha256(data, t->nc, md);
            ck_assert_msg(memcmp(t->resp, md, 32) == 0, "HASH of %u bytes (%s) differs", t->nc, t->ext ? "extended" : "short");
            uint32_t per = VM_APDU_BUF_LEN - hdr;
            ck_assert_uint_eq(cl_get16(t->resp + 32), t->nc);
            ck_assert_uint_eq(cl_get16(t->resp + 34), (t->nc + per - 1) / per);
            ck_assert_uint_eq(cl_get16(t->resp + 36), hdr);
            ck_assert_uint_eq(cl_get16(t->resp + 38), t->nc);
        }
        break;
    case 0x20: { /* ECHO: min(Nc, Ne) bytes back */
        uint32_t n = t->nc < ne ? t->nc : ne;
        if (expect_fits(t, n, "ECHO")) ck_assert_msg(memcmp(t->resp, data, n) == 0, "ECHO of %u bytes differs", n);
        break;
    }
    case 0x30: { /* GEN: P1P2 bytes of the pattern, step from 2 data bytes */
        int16_t n = (int16_t)p1p2;
        int16_t step = t->nc == 2 ? (int16_t)cl_get16(data) : 300;
        if (n < 0 || step <= 0 || step > (int16_t)VM_APDU_BUF_LEN) { ck_assert_uint_eq(sw, 0x6A80); break; }
        if ((uint32_t)n > (is_ext_applet(a) ? EXT_MAX : 256u)) { ck_assert_uint_eq(sw, 0x6F00); break; } /* BAD_LENGTH, uncaught */
        if (expect_fits(t, (uint32_t)n, "GEN"))
            for (uint16_t i = 0; i < (uint16_t)n; i++)
                ck_assert_msg(t->resp[i] == (uint8_t)(i ^ (i >> 8) ^ 0x5A), "GEN byte %u of %d", i, n);
        break;
    }
    case 0x40: /* STATES */
        if (expect_fits(t, 14, "STATES")) {
            uint32_t first = t->nc < VM_APDU_BUF_LEN - hdr ? t->nc : VM_APDU_BUF_LEN - hdr;
            const uint8_t want[6] = { 0, first == t->nc ? 2 : 1, 2, 3, 4, 5 };
            ck_assert_msg(memcmp(t->resp, want, 6) == 0, "STATES: states %02X %02X %02X %02X %02X %02X", t->resp[0], t->resp[1],
                          t->resp[2], t->resp[3], t->resp[4], t->resp[5]);
            ck_assert_uint_eq(cl_get16(t->resp + 6), first);
            ck_assert_uint_eq(cl_get16(t->resp + 8), hdr);
            ck_assert_uint_eq(cl_get16(t->resp + 10), t->nc);
            ck_assert_uint_eq(cl_get16(t->resp + 12), ne);
        }
        break;
    case 0x50: { /* ERR: the misuse cases' APDUException reasons */
        static const uint16_t want[10] = { 0, 0, 0x6F01, 0x6F01, 0x6F02, 0x6F01, 0x6F01, 0x6F01, 0x6F02, 0x6F01 };
        uint8_t p1 = (uint8_t)(p1p2 >> 8);
        if (p1 == 1) ck_assert_msg(sw == 0x9000 || sw == 0x6F03 || sw == 0x6700 || (sw & 0xFF00) == 0x6C00, "ERR 1: %04X", sw);
        else ck_assert_msg(sw == (p1 >= 2 && p1 < 10 ? want[p1] : 0x6A86), "ERR %u: SW %04X", p1, sw);
        break;
    }
    case 0x60: /* COUNT */
        if (expect_fits(t, 2, "COUNT")) ck_assert_uint_gt(cl_get16(t->resp), 0);
        break;
    case 0x70: /* INFO: what the APDU says about the command */
        if (expect_fits(t, 13, "INFO")) {
            const uint8_t ch = (uint8_t)(t->cmd[0] & 3);
            const uint8_t want[11] = { 0, 1, 0, 254, 0, 254, 0, 0, 0, 1, ch };
            ck_assert_msg(memcmp(t->resp, want, 11) == 0, "INFO differs");
            ck_assert_uint_eq(cl_get16(t->resp + 11), ne);
        }
        break;
    case 0x80: /* PARTIAL: the rest of the data stays unread, nothing answered */
        ck_assert_msg(t->rlen == 2 && sw == 0x9000, "PARTIAL: %04X", sw);
        break;
    case 0x90: /* SAW: receiveBytes in deselect() must have thrown (or deselect never ran) */
        if (expect_fits(t, 2, "SAW")) ck_assert_int_le((int16_t)cl_get16(t->resp), 0);
        break;
    default:
        if (ins == 0xA4) return; /* a proprietary class never selects, but the applet sees random data */
        ck_assert_msg(sw == 0x6D00, "INS %02X: SW %04X", ins, sw);
        return;
    }
    t->checked++;
}

static uint32_t random_nc(rt_t *t, bool ext)
{
    uint32_t r = rnd_below(t, 100);
    uint32_t n = r < 35 ? rnd_below(t, 17) : r < 55 ? 17 + rnd_below(t, 239)
               : r < 80 ? 256 + rnd_below(t, 1900) : r < 95 ? 2156 + rnd_below(t, EXT_MAX - 2155) : EXT_MAX + 1 + rnd_below(t, 32768);
    return ext ? n : n % 256;
}

static long random_le(rt_t *t, bool ext)
{
    uint32_t r = rnd_below(t, 100), max = ext ? 65536 : 256;
    if (r < 40) return LE_NONE;
    if (r < 50) return (long)max;                    /* Le 00 / 0000 */
    if (r < 70) return 1 + (long)rnd_below(t, 40);   /* often too small for the answer */
    return 1 + (long)rnd_below(t, max);
}

static uint8_t random_ins(rt_t *t)
{
    static const uint8_t ins[] = { 0x10, 0x10, 0x10, 0x20, 0x20, 0x20, 0x30, 0x30, 0x40, 0x50, 0x50, 0x60, 0x70, 0x80, 0x90 };
    return rnd_below(t, 10) == 0 ? (uint8_t)rnd(t) : ins[rnd_below(t, sizeof ins)];
}

static uint16_t random_p1p2(rt_t *t, uint8_t ins)
{
    switch (ins) {
    case 0x30: return rnd_below(t, 4) == 0 ? (uint16_t)rnd(t) : (uint16_t)rnd_below(t, rnd_below(t, 2) ? 300 : 4000);
    case 0x50: return (uint16_t)(rnd_below(t, 12) << 8);
    case 0x20: return rnd_below(t, 2) ? 0 : (uint16_t)rnd_below(t, 1200);
    default: return (uint16_t)rnd(t);
    }
}

/* One random step: mostly applet commands, sometimes SELECT, MANAGE CHANNEL or a reset. */
static void random_step(rt_t *t, uint8_t *data)
{
    uint32_t r = rnd_below(t, 100);
    int ch = rnd_below(t, 100) < 80 ? 0 : (int)rnd_below(t, NCHAN);
    if (r < 1) { power_cycle(t); return; }
    if (r < 8) { select_applet(t, ch, (int)rnd_below(t, 4), rnd_below(t, 3) == 0); return; }
    if (r < 11) {
        if (rnd_below(t, 2)) {
            build(t, 0x00, 0x70, 0x0000, NULL, 0, 1, false);
            transmit(t, "MANAGE CHANNEL open");
            if (sw_of(t) == 0x9000 && data_len(t) == 1 && t->resp[0] < NCHAN) { t->open[t->resp[0]] = true; t->sel[t->resp[0]] = UNKNOWN; }
        } else if (ch) {
            build(t, 0x00, 0x70, (uint16_t)(0x8000 | ch), NULL, 0, LE_NONE, false);
            transmit(t, "MANAGE CHANNEL close");
            if (sw_of(t) == 0x9000) { t->open[ch] = false; t->sel[ch] = UNKNOWN; }
        }
        return;
    }
    uint8_t ins = random_ins(t);
    uint8_t cla = (uint8_t)(0x80 | ch);
    if (rnd_below(t, 6) == 0) {
        static const uint8_t odd[] = { 0x00, 0x90, 0x84, 0x8C, 0xC0, 0xE0, 0xFF, 0x20, 0x10, 0x40 };
        cla = (uint8_t)(odd[rnd_below(t, sizeof odd)] | (uint8_t)ch);
    }
    if (rnd_below(t, 8) == 0) {
        fill(data, 3400, rnd(t));
        build_malformed(t, cla, ins, data);
        transmit(t, "malformed");
        return;
    }
    bool ext = rnd_below(t, 2);
    uint32_t nc = random_nc(t, ext);
    long le = random_le(t, ext);
    uint16_t p1p2 = random_p1p2(t, ins);
    if (nc > 65535) nc = 65535;
    fill(data, nc, rnd(t));
    if (ins == 0x30 && nc == 2 && rnd_below(t, 2)) cl_put16(data, (uint16_t)(1 + rnd_below(t, 1100)));
    build(t, cla, ins, p1p2, data, nc, le, ext);
    transmit(t, "command");
    /* Applet commands with the class the applets accept, on a channel whose applet is known: an
     * ins of 0x70 with an interindustry class would be MANAGE CHANNEL, never the case here. */
    if (cla == (0x80 | ch) && t->open[ch] && t->sel[ch] != UNKNOWN) check_answer(t, t->sel[ch], ins, p1p2, data);
}

/* Closes the extra channels, then checks each applet on channel 0: HASH, ECHO and GEN answer
 * exactly, and an extended command refused to the plain applet never reached process(). */
static void probe(rt_t *t, uint8_t *data)
{
    for (int c = 1; c < NCHAN; c++) {
        build(t, 0x00, 0x70, (uint16_t)(0x8000 | c), NULL, 0, LE_NONE, false);
        transmit(t, "probe: close channel");
        t->open[c] = false;
        t->sel[c] = UNKNOWN;
    }
    for (int a = 0; a < 4; a++) {
        select_applet(t, 0, a, false);
        ck_assert_msg(sw_of(t) == 0x9000, "probe: SELECT applet %d: %04X (%s)", a, sw_of(t), t->vm->last_error);
        bool ext = is_ext_applet(a);
        uint32_t nc = ext ? 3000 + rnd_below(t, 3000) : 200;
        fill(data, nc, rnd(t));
        build(t, 0x80, 0x10, 0, data, nc, ext ? 40 : 256, ext);
        transmit(t, "probe HASH");
        check_answer(t, a, 0x10, 0, data);
        build(t, 0x80, 0x20, 0, data, nc, LE_NONE, ext);
        transmit(t, "probe ECHO");
        check_answer(t, a, 0x20, 0, data);
        build(t, 0x80, 0x30, (uint16_t)(ext ? 1500 : 256), NULL, 0, ext ? 65536 : 256, ext);
        transmit(t, "probe GEN");
        check_answer(t, a, 0x30, ext ? 1500 : 256, data);
        if (!ext) {
            build(t, 0x80, 0x60, 0, NULL, 0, 2, false);
            transmit(t, "probe COUNT");
            uint16_t before = cl_get16(t->resp);
            build(t, 0x80, 0x10, 0, data, 10, 40, true);
            transmit(t, "probe extended to plain");
            check_answer(t, a, 0x10, 0, data);
            build(t, 0x80, 0x60, 0, NULL, 0, 2, false);
            transmit(t, "probe COUNT");
            ck_assert_msg(cl_get16(t->resp) == (uint16_t)(before + 1), "the refused extended command ran process()");
        }
    }
}

static double cpu_seconds(void) { return (double)clock() / CLOCKS_PER_SEC; }

START_TEST(random_extended_and_short_commands)
{
    rt_t *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    const char *s = getenv("EXTLEN_RANDOM_SEED"), *c = getenv("EXTLEN_RANDOM_COMMANDS");
    t->rng = (s ? strtoull(s, NULL, 0) : 1) * 0x9E3779B97F4A7C15ull + 1;
    unsigned long max = c ? strtoul(c, NULL, 0) : 12000;
    cl_log_level = 0; /* the uncaught APDUExceptions the misuse cases provoke are expected */
    ht_dir_make(&t->d, "extrand");
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(t->d.img, IMAGE_SIZE, IMG_SYNC_NORMAL, &t->card, &e) == 0, "card_open: %s", e.msg);
    t->vm = vm_card_attach(t->card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_msg(t->vm != NULL, "attach: %s", e.msg);
    ht_install(t->vm, "extlen", EXT_AIDS[0], 8);
    for (int a = 1; a < 4; a++) {
        ck_assert_msg(vm_install_applet(t->vm, EXT_AIDS[a], 8, NULL, 0, NULL, 0, 0, &e) == 0, "applet %d: %s", a, e.msg);
        ck_assert_int_eq(vm_card_register_all(t->vm, &e), 0);
    }
    uint8_t *data = malloc(65536 + 16);
    ck_assert_ptr_nonnull(data);
    power_cycle(t);
    probe(t, data);
    double start = cpu_seconds();
    unsigned long steps = 0;
    /* The count bounds the work; the CPU bound only keeps a slow (sanitized, loaded) run short. */
    while (steps < max && cpu_seconds() - start < 5.0) {
        random_step(t, data);
        if (++steps % 64 == 0) probe(t, data);
    }
    probe(t, data);
    printf("extlen random: %lu steps, %lu commands (%lu 90 00), %lu answers checked exactly, %lu extended refused 67 00, "
           "%lu malformed, %.1f s CPU\n", steps, t->sent, t->sw9000, t->checked, t->refused_ext, t->malformed_sent,
           cpu_seconds() - start);
    ck_assert_uint_gt(t->checked, steps / 4);
    free(data);
    vm_card_detach(t->card, t->vm);
    card_close(t->card);
    ht_dir_remove(&t->d);
    free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_extlen_random");
    TCase *tc = tcase_create("random");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_extended_and_short_commands);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
