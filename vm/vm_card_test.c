/* Real CAP files from the converter (applets/samples), installed into a card image and driven
 * through card_transmit with the samples' expected conversations (test.script), plus install
 * refusals and persistence across a card re-open; extended length APDUs through the extlen test
 * package (applets/tests/extlen: javacardx.apdu.ExtendedLength), checked byte for byte. */
#include "apdu/apdu_reg.h"
#include "vm/vm.h"
#include "vm/vm_card.h"
#include "vm/vm_card_int.h"
#include "vm/vm_gc.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"
#include "vm/vm_test_cap.h"

#include <check.h>
#include <openssl/evp.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char build_dir[PATH_MAX];
static char dir[128], image[192];
static card_t *card;
static vm_t *vm;

/* The CAPs are built next to this test program: <BUILD>/test/vm/vm_card_test -> <BUILD>/applets. */
static uint8_t *read_cap(const char *name, size_t *len) { return vt_read_cap(build_dir, name, len); }

static void open_card(void)
{
    cl_error_t e = { { 0 } };
    ck_assert_msg(card_open(image, 1024 * 1024, IMG_SYNC_NORMAL, &card, &e) == 0, "card_open: %s", e.msg);
    vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_msg(vm != NULL, "attach: %s", e.msg);
}

static void close_card(void)
{
    vm_card_detach(card, vm);
    card_close(card);
    card = NULL;
    vm = NULL;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

static void setup(void)
{
    vt_build_dir(build_dir, sizeof build_dir);
    snprintf(dir, sizeof dir, "%s/cardlet-vmcard-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/card.img", dir);
    open_card();
}

static void teardown(void)
{
    if (card) close_card();
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void install(const char *name, const char *class_aid_hex, const char *params_hex)
{
    size_t len;
    uint8_t *cap = read_cap(name, &len);
    uint8_t aid[16], params[64];
    long al = cl_hex_decode(class_aid_hex, aid, sizeof aid);
    long pl = params_hex ? cl_hex_decode(params_hex, params, sizeof params) : 0;
    ck_assert(al > 0 && pl >= 0);
    cl_error_t e = { { 0 } };
    int r = vm_card_install(vm, cap, len, aid, (uint8_t)al, NULL, 0, params, (uint8_t)pl, false, &e);
    free(cap);
    ck_assert_msg(r == 0, "install %s: %s", name, e.msg);
}

static size_t xmit(const char *hex, uint8_t *resp)
{
    uint8_t cmd[600];
    long n = cl_hex_decode(hex, cmd, sizeof cmd);
    ck_assert(n >= 4);
    return card_transmit(card, cmd, (size_t)n, resp);
}

/* Expected-response patterns of `cardlet script` (cli/script.h): hex bytes, ".." any one byte,
 * "..." or "*" any run of bytes. Tokens are separated by spaces. */
static bool match(const char *pat, const uint8_t *r, size_t n)
{
    while (*pat == ' ') pat++;
    if (!*pat) return n == 0;
    if (!strncmp(pat, "...", 3) || *pat == '*') {
        const char *rest = pat + (*pat == '*' ? 1 : 3);
        for (size_t k = 0; k <= n; k++)
            if (match(rest, r + k, n - k)) return true;
        return false;
    }
    if (!strncmp(pat, "..", 2)) return n > 0 && match(pat + 2, r + 1, n - 1);
    /* a run of hex digits: bytes two digits at a time */
    unsigned v;
    if (n == 0 || sscanf(pat, "%2x", &v) != 1 || !pat[1] || pat[1] == ' ') return false;
    if (v != r[0]) return false;
    return match(pat + 2, r + 1, n - 1);
}

/* Runs a sample's test.script: commands, "< expected response", "reset". Returns commands checked. */
static int run_script(const char *sample)
{
    char path[256];
    snprintf(path, sizeof path, "applets/samples/%s/test.script", sample);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing", path);
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    char line[1024], last[1024] = "";
    size_t rlen = 0;
    int checked = 0, lineno = 0;
    card_power_on(card, atr);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        char *p = line;
        while (*p == ' ') p++;
        if (!*p || *p == '#') continue;
        if (!strcmp(p, "reset")) { card_reset(card, atr); continue; }
        if (*p == '<') {
            char got[2000];
            cl_hex_encode(resp, rlen, got, ' ');
            ck_assert_msg(match(p + 1, resp, rlen), "%s:%d: %s -> %s, expected %s (%s)", path, lineno, last, got, p + 1,
                          vm->last_error);
            checked++;
            continue;
        }
        snprintf(last, sizeof last, "%s", p);
        rlen = xmit(p, resp);
    }
    fclose(f);
    return checked;
}

START_TEST(script_patterns)
{
    static const uint8_t r[] = { 0x01, 0x02, 0x90, 0x00 };
    ck_assert(match("01 02 90 00", r, 4));
    ck_assert(match("0102 9000", r, 4));
    ck_assert(!match("01 02 90 01", r, 4));
    ck_assert(!match("01 02 90", r, 4));
    ck_assert(match(".. 02 90 00", r, 4));
    ck_assert(!match(".. 90 00", r, 4));
    ck_assert(match("... 90 00", r, 4));
    ck_assert(match("* 00", r, 4));
    ck_assert(!match("... 6A 82", r, 4));
}
END_TEST

START_TEST(hello_script)
{
    install("hello", "F063617264010101", NULL);
    ck_assert_int_ge(run_script("hello"), 10);
}
END_TEST

START_TEST(wallet_script)
{
    install("wallet", "F063617264020101", "31323334"); /* applet data (the C9 value) */
    ck_assert_int_ge(run_script("wallet"), 20);
}
END_TEST

START_TEST(points_shareable_script)
{
    install("points-server", "F063617264030101", NULL);
    install("points-client", "F063617264040101", NULL);
    ck_assert_int_ge(run_script("points-client"), 4);
}
END_TEST

START_TEST(points_server_script)
{
    install("points-server", "F063617264030101", NULL);
    ck_assert_int_ge(run_script("points-server"), 2);
}
END_TEST

START_TEST(persists_across_reopen)
{
    install("hello", "F063617264010101", NULL);
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    ck_assert_int_eq(xmit("00A4040008F063617264010101", resp), 2);
    ck_assert_int_eq(xmit("8001000000", resp), 17);
    close_card();
    open_card();
    card_power_on(card, atr);
    ck_assert_int_eq(xmit("00A4040008F063617264010101", resp), 2);
    ck_assert_int_eq(resp[0], 0x90);
    size_t n = xmit("8003000002", resp);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(resp[0], 0x00);
    ck_assert_int_eq(resp[1], 0x02); /* the GREET before the re-open, and this COUNT */
}
END_TEST

START_TEST(install_refusals_leave_nothing)
{
    size_t len;
    uint8_t *cap = read_cap("hello", &len);
    cl_error_t e = { { 0 } };
    uint32_t free0 = vm_heap_free_bytes(vm->heap);
    /* Truncated CAP: refused by the parser with the component named. */
    ck_assert_int_eq(vm_card_install(vm, cap, len / 2, NULL, 0, NULL, 0, NULL, 0, false, &e), -1);
    ck_assert_msg(strstr(e.msg, "omponent") || strstr(e.msg, "zip") || strstr(e.msg, "JAR") || e.msg[0], "%s", e.msg);
    ck_assert_uint_eq(vm_heap_free_bytes(vm->heap), free0);
    /* The same package twice: the second is refused and nothing of it stays. */
    ck_assert_int_eq(vm_card_install(vm, cap, len, NULL, 0, NULL, 0, NULL, 0, false, &e), 0);
    uint32_t free1 = vm_heap_free_bytes(vm->heap);
    memset(&e, 0, sizeof e);
    ck_assert_int_eq(vm_card_install(vm, cap, len, NULL, 0, NULL, 0, NULL, 0, false, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "already installed"));
    ck_assert_uint_eq(vm_heap_free_bytes(vm->heap), free1);
    /* An applet class the card does not have. */
    uint8_t nope[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x77, 0x77 };
    ck_assert_int_eq(vm_install_applet(vm, nope, sizeof nope, NULL, 0, NULL, 0, 0, &e), -1);
    free(cap);
}
END_TEST

START_TEST(unknown_import_refused)
{
    /* The wallet's CAP with its javacard.framework import raised to a minor version the card lacks. */
    size_t len;
    uint8_t *cap = read_cap("hello", &len);
    cl_error_t e = { { 0 } };
    /* Find the framework AID followed by nothing we can rely on: patch the Import component's minor
     * version byte, which precedes the AID length byte (minor, major, aid_length, aid). */
    static const uint8_t fw[] = { 0x07, 0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01 };
    uint8_t *hit = memmem(cap, len, fw, sizeof fw);
    if (!hit) { free(cap); ck_abort_msg("framework import not found in an uncompressed CAP"); }
    hit[-2] = 0x7F; /* minor 127 */
    int r = vm_card_install(vm, cap, len, NULL, 0, NULL, 0, NULL, 0, false, &e);
    free(cap);
    ck_assert_int_eq(r, -1);
    ck_assert_msg(strstr(e.msg, "Import") || strstr(e.msg, "CRC") || strstr(e.msg, "crc"), "%s", e.msg);
}
END_TEST

START_TEST(delete_applet_and_package)
{
    install("hello", "F063617264010101", NULL);
    install("wallet", "F063617264020101", "31323334");
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    ck_assert_int_eq(xmit("00A4040008F063617264020101", resp), 2); /* wallet selected on channel 0 */
    ck_assert_int_eq(vm_card_instance_count(vm), 2);
    ck_assert_int_eq(vm_card_package_count(vm), 2);
    static const uint8_t hello_inst[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    static const uint8_t hello_pkg[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01 };
    cl_error_t e = { { 0 } };
    /* The package cannot go while its instance exists. */
    ck_assert_int_eq(vm_card_delete_package(vm, hello_pkg, sizeof hello_pkg, &e), -1);
    ck_assert_int_eq(vm_card_delete_applet(vm, hello_inst, sizeof hello_inst, &e), 0);
    ck_assert_int_eq(vm_card_delete_package(vm, hello_pkg, sizeof hello_pkg, &e), 0);
    ck_assert_int_eq(vm_card_instance_count(vm), 1);
    ck_assert_int_eq(vm_card_package_count(vm), 1);
    /* The wallet stayed selected and works; hello is gone. */
    ck_assert_int_eq(xmit("B050000002", resp), 4);
    ck_assert_int_eq(resp[2], 0x90);
    ck_assert_int_eq(xmit("00A4040008F063617264010101", resp), 2);
    ck_assert_int_ne(resp[0], 0x90); /* no such application: the SELECT went to the wallet, which refused it */
    ck_assert_int_lt(apdu_reg_find(card_registry(card), hello_inst, sizeof hello_inst), 0);
    /* Gone for good, and the package can be loaded again. */
    close_card();
    open_card();
    ck_assert_int_eq(vm_card_instance_count(vm), 1);
    install("hello", "F063617264010101", NULL);
    card_power_on(card, atr);
    ck_assert_int_eq(xmit("00A4040008F063617264010101", resp), 2);
    ck_assert_int_eq(resp[0], 0x90);
}
END_TEST

/* Loading, using and deleting a package leaves nothing behind once the collector has run. */
START_TEST(delete_reclaims_everything)
{
    ck_assert_int_eq(vm_gc(vm, NULL), 0);
    uint32_t baseline = vm_heap_free_bytes(vm->heap);
    install("wallet", "F063617264020101", "31323334");
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    ck_assert_int_eq(xmit("00A4040008F063617264020101", resp), 2);
    ck_assert_int_eq(xmit("B030000002 0064", resp), 2);
    ck_assert_uint_lt(vm_heap_free_bytes(vm->heap), baseline);
    static const uint8_t inst[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x02, 0x01, 0x01 };
    static const uint8_t pkg[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x02, 0x01 };
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(vm_card_delete_applet(vm, inst, sizeof inst, &e), 0);
    ck_assert_int_eq(vm_card_delete_package(vm, pkg, sizeof pkg, &e), 0);
    ck_assert_uint_eq(vm_heap_free_bytes(vm->heap), baseline);
}
END_TEST

START_TEST(attach_is_counted)
{
    install("hello", "F063617264010101", NULL);
    cl_error_t e = { { 0 } };
    vm_t *again = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_ptr_eq(again, vm);
    ck_assert_ptr_eq(vm_card_vm(card), vm);
    vm_card_detach(card, again); /* the first attach still holds it */
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    ck_assert_int_eq(xmit("00A4040008F063617264010101", resp), 2);
    ck_assert_int_eq(resp[0], 0x90);
    ck_assert_int_eq(xmit("8001000000", resp), 17);
}
END_TEST


/* ---- one package, several channels (JCRE 3.0.5 4.2, 4.5.2 step 5) ---- */

/* SELECT by AID on channel 0, which must answer 90 00 and no data. */
static void select_hex(const char *aid_hex)
{
    static uint8_t resp[CARD_RESP_MAX];
    char cmd[64];
    snprintf(cmd, sizeof cmd, "00A40400%02zX%s", strlen(aid_hex) / 2, aid_hex);
    ck_assert_int_eq(xmit(cmd, resp), 2);
    ck_assert_msg(resp[0] == 0x90 && resp[1] == 0x00, "SELECT %s: %02X%02X", aid_hex, resp[0], resp[1]);
}

/* Sends hex, expects exactly the status word sw (and no data). */
static void expect_sw(const char *hex, uint16_t sw)
{
    static uint8_t resp[CARD_RESP_MAX];
    size_t n = xmit(hex, resp);
    ck_assert_msg(n == 2 && cl_get16(resp) == sw, "%s -> %zu bytes %02X%02X, expected %04X", hex, n, resp[0], resp[1], sw);
}

/* The card manager's SELECT (its FCI, 90 00) on the channel of CLA cla. */
static void select_isd(uint8_t cla)
{
    static uint8_t resp[CARD_RESP_MAX];
    char cmd[40];
    snprintf(cmd, sizeof cmd, "%02XA4040008A000000151000000", cla);
    size_t n = xmit(cmd, resp);
    ck_assert_msg(n >= 2 && resp[n - 2] == 0x90 && resp[n - 1] == 0x00, "%s: SW %02X%02X", cmd, resp[n - 2], resp[n - 1]);
}

/* Neither applet is MultiSelectable: while one is selected on channel 0, the other cannot be
 * selected on channel 1 (69 85, nothing changes); once channel 0 has moved on, it can. */
START_TEST(package_active_elsewhere_refuses_plain_applet)
{
    install("extlen", "F063617264210101", NULL);
    uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x02 };
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(vm_install_applet(vm, aid, sizeof aid, NULL, 0, NULL, 0, 0, &e), 0);
    ck_assert_int_eq(vm_card_register_all(vm, &e), 0);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    select_hex("F063617264210101");
    static uint8_t resp[CARD_RESP_MAX];
    ck_assert_int_eq(xmit("0070000001", resp), 3);
    ck_assert_int_eq(resp[0], 1);
    expect_sw("01A4040008F063617264210102", 0x6985); /* another applet of the package */
    expect_sw("01A4040008F063617264210101", 0x6985); /* the applet itself */
    /* Nothing changed: ExtEcho still answers on channel 0 (COUNT), channel 1 stays open. */
    ck_assert_int_eq(xmit("8060000002", resp), 4);
    ck_assert_int_eq(resp[2], 0x90);
    select_isd(0x00);
    select_hex("F063617264210101"); /* channel 0 again: nothing else of the package is active */
    select_isd(0x00);
    expect_sw("01A4040008F063617264210102", 0x9000);
    ck_assert_int_eq(xmit("8160000002", resp), 4); /* Echo's COUNT on channel 1 */
    ck_assert_int_eq(resp[2], 0x90);
}
END_TEST

/* Counters of a Multi instance (applets/tests/multisel) read on the channel of cla: Applet.select,
 * select(false), select(true), Applet.deselect, deselect(false), deselect(true). */
static void expect_multi_log(uint8_t cla, const uint16_t want[6])
{
    static uint8_t resp[CARD_RESP_MAX];
    char cmd[16];
    snprintf(cmd, sizeof cmd, "%02X10000000", cla);
    size_t n = xmit(cmd, resp);
    ck_assert_msg(n == 14 && resp[12] == 0x90, "LOG on %02X: %zu bytes", cla, n);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(cl_get16(resp + 2 * i) == want[i], "LOG on %02X: counter %d is %u, expected %u", cla, i,
                      cl_get16(resp + 2 * i), want[i]);
}

/* MultiSelectable applets of one package on several channels: Applet.select/deselect when the package
 * is not active elsewhere, select(false)/deselect(false) when another applet of it is, select(true)/
 * deselect(true) when the instance itself is. */
START_TEST(multiselectable_calls)
{
    install("multisel", "F063617264240101", NULL);
    uint8_t cls[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x24, 0x01, 0x01 };
    uint8_t inst[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x24, 0x01, 0x02 };
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(vm_install_applet(vm, cls, sizeof cls, inst, sizeof inst, NULL, 0, 0, &e), 0);
    ck_assert_int_eq(vm_card_register_all(vm, &e), 0);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    static uint8_t resp[CARD_RESP_MAX];
    select_hex("F063617264240101");                          /* A on 0: Applet.select */
    ck_assert_int_eq(xmit("0070000001", resp), 3);
    expect_sw("01A4040008F063617264240102", 0x9000);         /* B on 1: select(false) */
    ck_assert_int_eq(xmit("0070000001", resp), 3);
    ck_assert_int_eq(resp[0], 2);
    expect_sw("02A4040008F063617264240101", 0x9000);         /* A on 2: select(true) */
    expect_sw("0070800200", 0x9000);                         /* close 2: A deselect(true) */
    select_isd(0x01);                                        /* B leaves 1: deselect(false) */
    select_isd(0x00);                                        /* A leaves 0: Applet.deselect */
    select_hex("F063617264240101");                          /* A on 0 again: Applet.select */
    static const uint16_t a_log[6] = { 2, 0, 1, 1, 0, 1 };
    expect_multi_log(0x80, a_log);
    expect_sw("01A4040008F063617264240102", 0x9000);         /* B on 1: select(false) */
    static const uint16_t b_log[6] = { 0, 2, 0, 0, 1, 0 };
    expect_multi_log(0x81, b_log);
}
END_TEST

/* ---- extended length APDUs (applets/tests/extlen, commands in Echo.java) ---- */

static const char EXT_ECHO[] = "F063617264210101";   /* implements ExtendedLength */
static const char PLAIN_ECHO[] = "F063617264210102"; /* does not */
static const char CHILD_ECHO[] = "F063617264210103"; /* inherits it from ExtEcho */
static const char TAGGED_ECHO[] = "F063617264210104"; /* gets it through a superinterface */
#define EXT_MAX 32767u
#define LE_NONE (-1L)

/* Installs the extlen package and an instance of each of its four applet classes. */
static void install_extlen(void)
{
    install("extlen", EXT_ECHO, NULL);
    const char *more[] = { PLAIN_ECHO, CHILD_ECHO, TAGGED_ECHO };
    for (size_t i = 0; i < CL_ARRAY_LEN(more); i++) {
        uint8_t aid[16];
        long al = cl_hex_decode(more[i], aid, sizeof aid);
        cl_error_t e = { { 0 } };
        ck_assert_msg(vm_install_applet(vm, aid, (uint8_t)al, NULL, 0, NULL, 0, 0, &e) == 0, "%s: %s", more[i], e.msg);
        ck_assert_int_eq(vm_card_register_all(vm, &e), 0);
    }
}

static uint8_t ext_resp[CARD_RESP_MAX];
static uint8_t ext_cmd[4 + 3 + 65535 + 2];

/* Sends 80 INS P1 P2 with nc data bytes and Le (LE_NONE: absent; 65536 is Le 0000), extended
 * form when ext, else short. Returns the response length (data and SW) in ext_resp. */
static size_t send_cmd(bool ext, uint8_t ins, uint16_t p1p2, const uint8_t *data, uint32_t nc, long le)
{
    size_t n = 0;
    ext_cmd[n++] = 0x80; ext_cmd[n++] = ins; ext_cmd[n++] = (uint8_t)(p1p2 >> 8); ext_cmd[n++] = (uint8_t)p1p2;
    if (ext) {
        ck_assert_uint_le(nc, 65535);
        if (nc || le != LE_NONE) ext_cmd[n++] = 0;
        if (nc) { cl_put16(ext_cmd + n, (uint16_t)nc); n += 2; memcpy(ext_cmd + n, data, nc); n += nc; }
        if (le != LE_NONE) { cl_put16(ext_cmd + n, (uint16_t)le); n += 2; } /* 65536 -> 0000 */
    } else {
        ck_assert_uint_le(nc, 255);
        if (nc) { ext_cmd[n++] = (uint8_t)nc; memcpy(ext_cmd + n, data, nc); n += nc; }
        if (le != LE_NONE) ext_cmd[n++] = (uint8_t)le; /* 256 -> 00 */
    }
    return card_transmit(card, ext_cmd, n, ext_resp);
}

static uint16_t resp_sw(size_t n) { ck_assert_uint_ge(n, 2); return cl_get16(ext_resp + n - 2); }

static void power_on_and_select(const char *aid_hex)
{
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    select_hex(aid_hex);
}

/* Test data that differs at every position and between sizes. */
static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < n; i++) { x = x * 1103515245u + 12345u; p[i] = (uint8_t)(x >> 16); }
}

static uint16_t process_count(void)
{
    size_t n = send_cmd(false, 0x60, 0, NULL, 0, 2);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(resp_sw(n), 0x9000);
    return cl_get16(ext_resp);
}

/* What the APDU buffer holds per block: everything after the 7-byte extended header. */
static uint32_t blocks_for(uint32_t n, uint32_t hdr) { return n ? (n + (VM_APDU_BUF_LEN - hdr) - 1) / (VM_APDU_BUF_LEN - hdr) : 0; }

/* HASH: the applet's SHA-256 of data it received block by block through the APDU buffer equals
 * the host's, with the byte and block counts and getOffsetCdata/getIncomingLength as expected. */
static void check_hash(bool ext, uint32_t nc, long le)
{
    static uint8_t data[EXT_MAX];
    fill(data, nc, nc + (ext ? 7u : 0u));
    size_t n = send_cmd(ext, 0x10, 0, data, nc, le);
    ck_assert_msg(n == 42 && resp_sw(n) == 0x9000, "HASH %u bytes (%s): %zu bytes, SW %04X (%s)", nc,
                  ext ? "extended" : "short", n, n >= 2 ? resp_sw(n) : 0, vm->last_error);
    uint8_t md[32];
    unsigned mdlen = 0;
    ck_assert(EVP_Digest(data, nc, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32);
    ck_assert_msg(memcmp(ext_resp, md, 32) == 0, "HASH of %u bytes differs", nc);
    uint32_t hdr = ext ? 7 : 5;
    ck_assert_uint_eq(cl_get16(ext_resp + 32), nc);
    ck_assert_uint_eq(cl_get16(ext_resp + 34), blocks_for(nc, hdr));
    ck_assert_uint_eq(cl_get16(ext_resp + 36), hdr);
    ck_assert_uint_eq(cl_get16(ext_resp + 38), nc);
}

START_TEST(extlen_hash_in_blocks)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    const uint32_t sizes[] = { 1, 10, 255, 256, VM_APDU_BUF_LEN - 7, VM_APDU_BUF_LEN - 6, 4096, 30000, EXT_MAX };
    for (size_t i = 0; i < CL_ARRAY_LEN(sizes); i++) check_hash(true, sizes[i], 40);
    check_hash(true, 5000, LE_NONE);  /* case 3E */
    check_hash(true, 5000, 65536);    /* Le 0000 */
    check_hash(false, 255, 256);      /* short commands still work for an ExtendedLength applet */
    check_hash(false, 1, LE_NONE);
    check_hash(true, 0, 40);          /* case 2E: no data at all */
    /* The same through applets that have the interface from their superclass or a superinterface. */
    power_on_and_select(CHILD_ECHO);
    check_hash(true, EXT_MAX, 40);
    power_on_and_select(TAGGED_ECHO);
    check_hash(true, EXT_MAX, 40);
}
END_TEST

/* The decision reads the class's interface list in any shape a converter may write it: ours lists
 * every interface (Tagged and ExtendedLength); one listing only Tagged still counts (its superinterface),
 * one listing neither does not. Checked on the linked class, with its list cut down in RAM. */
START_TEST(extlen_decided_by_interface_list)
{
    install_extlen();
    uint8_t aid[16];
    long al = cl_hex_decode(TAGGED_ECHO, aid, sizeof aid);
    int idx = vm_applet_find(vm, aid, (uint8_t)al);
    ck_assert_int_ge(idx, 0);
    vm_obj_t o;
    ck_assert(vm_heap_get(vm->heap, vm->applets[idx].obj, &o));
    vm_class_t *c = vm_class(vm, o.cls);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->nifaces, 2);
    ck_assert(vm_card_applet_extended(vm, idx));
    /* Keep only the package's own interface (Tagged extends ExtendedLength). */
    vm_iface_impl_t saved[2] = { c->ifaces[0], c->ifaces[1] };
    int tagged = c->ifaces[0].iface == VM_EXTENDED_LENGTH ? 1 : 0;
    ck_assert_int_ne(c->ifaces[tagged].iface, VM_EXTENDED_LENGTH);
    c->ifaces[0] = saved[tagged];
    c->nifaces = 1;
    ck_assert(vm_card_applet_extended(vm, idx));
    c->nifaces = 0;
    ck_assert(!vm_card_applet_extended(vm, idx));
    c->ifaces[0] = saved[0];
    c->ifaces[1] = saved[1];
    c->nifaces = 2;
    ck_assert(!vm_card_applet_extended(vm, -1));
    ck_assert(!vm_card_applet_extended(vm, vm->napplets));
}
END_TEST

/* ECHO: up to 32767 bytes in and out again, sent with sendBytesLong in pieces of every size. */
START_TEST(extlen_echo_round_trip)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    static uint8_t data[EXT_MAX];
    fill(data, EXT_MAX, 99);
    const uint16_t steps[] = { 0, 1000, 1033, 4096, 7 };
    for (size_t i = 0; i < CL_ARRAY_LEN(steps); i++) {
        size_t n = send_cmd(true, 0x20, steps[i], data, EXT_MAX, 65536);
        ck_assert_msg(n == EXT_MAX + 2 && resp_sw(n) == 0x9000, "ECHO step %u: %zu bytes (%s)", steps[i], n, vm->last_error);
        ck_assert_msg(memcmp(ext_resp, data, EXT_MAX) == 0, "ECHO step %u: data differs", steps[i]);
    }
    /* Case 3E (no Le): as much as the applet has; case 4E with a smaller Le: the applet sends Ne. */
    size_t n = send_cmd(true, 0x20, 0, data, 3000, LE_NONE);
    ck_assert_uint_eq(n, 3002);
    ck_assert_int_eq(memcmp(ext_resp, data, 3000), 0);
    n = send_cmd(true, 0x20, 100, data, 3000, 257);
    ck_assert_uint_eq(n, 259);
    ck_assert_uint_eq(resp_sw(n), 0x9000);
    ck_assert_int_eq(memcmp(ext_resp, data, 257), 0);
}
END_TEST

/* GEN: a known pattern of up to 32767 bytes built in the APDU buffer and sent with sendBytes. */
static void check_gen(uint16_t len, long le, uint16_t step)
{
    uint8_t sd[2];
    cl_put16(sd, step);
    size_t n = send_cmd(true, 0x30, len, sd, step ? 2 : 0, le);
    ck_assert_msg(n == (size_t)len + 2 && resp_sw(n) == 0x9000, "GEN %u step %u: %zu bytes SW %04X (%s)", len, step, n,
                  resp_sw(n), vm->last_error);
    for (uint32_t i = 0; i < len; i++)
        ck_assert_msg(ext_resp[i] == (uint8_t)(i ^ (i >> 8) ^ 0x5A), "GEN %u: byte %u is %02X", len, i, ext_resp[i]);
}

START_TEST(extlen_gen_long_response)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    check_gen(EXT_MAX, 65536, 0);        /* case 2E, Le 0000 */
    check_gen(EXT_MAX, EXT_MAX, VM_APDU_BUF_LEN); /* whole buffers */
    check_gen(1000, 1000, 333);
    check_gen(257, 0xFFFF, 1);
    /* A response longer than Le: the router's 67 00 (the card cannot say the length in 6C XX). */
    size_t n = send_cmd(true, 0x30, 2000, NULL, 0, 1000);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(resp_sw(n), 0x6700);
}
END_TEST

/* The applet without ExtendedLength never sees an extended command (JCRE 9.4.4: 67 00 before
 * process()) and cannot send more than 256 bytes (APDUException.BAD_LENGTH). */
START_TEST(extlen_refused_without_interface)
{
    install_extlen();
    power_on_and_select(PLAIN_ECHO);
    uint16_t before = process_count();
    uint8_t data[300];
    fill(data, sizeof data, 3);
    size_t n = send_cmd(true, 0x10, 0, data, 10, 40); /* small sizes, extended format: refused all the same */
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(resp_sw(n), 0x6700);
    n = send_cmd(true, 0x10, 0, data, 300, LE_NONE);
    ck_assert_uint_eq(resp_sw(n), 0x6700);
    n = send_cmd(true, 0x30, 300, NULL, 0, 65536);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(resp_sw(n), 0x6700);
    ck_assert_uint_eq(process_count(), (uint16_t)(before + 1)); /* only the COUNT itself ran */
    check_hash(false, 255, 256);
    uint8_t len[2];
    cl_put16(len, 257);
    n = send_cmd(false, 0x50, 0x0100, len, 2, 256);
    ck_assert_uint_eq(resp_sw(n), 0x6F03); /* BAD_LENGTH */
    cl_put16(len, 256);
    n = send_cmd(false, 0x50, 0x0100, len, 2, 256);
    ck_assert_uint_eq(n, 258);
    ck_assert_uint_eq(resp_sw(n), 0x9000);
    /* The ExtendedLength applet may send 257 and 32767 bytes. */
    select_hex(EXT_ECHO);
    cl_put16(len, 257);
    n = send_cmd(true, 0x50, 0x0100, len, 2, 65536);
    ck_assert_uint_eq(n, 259);
    cl_put16(len, EXT_MAX);
    n = send_cmd(true, 0x50, 0x0100, len, 2, 65536);
    ck_assert_uint_eq(n, EXT_MAX + 2);
    ck_assert_uint_eq(resp_sw(n), 0x9000);
}
END_TEST

/* More data than a short can count: 67 00 before process(), whichever applet. */
START_TEST(extlen_lc_over_32767_refused)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    static uint8_t data[65535];
    uint16_t before = process_count();
    const uint32_t sizes[] = { EXT_MAX + 1, 40000, 65535 };
    for (size_t i = 0; i < CL_ARRAY_LEN(sizes); i++) {
        size_t n = send_cmd(true, 0x10, 0, data, sizes[i], 40);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(resp_sw(n), 0x6700);
    }
    ck_assert_uint_eq(process_count(), (uint16_t)(before + 1));
    check_hash(true, EXT_MAX, 40); /* and the applet is fine afterwards */
}
END_TEST

/* STATES: getCurrentState() through a whole exchange, and what the APDU methods said on the way. */
static void check_states(bool ext, uint32_t nc, long le, const uint8_t want_states[6], uint16_t first, uint16_t ne)
{
    static uint8_t data[EXT_MAX];
    fill(data, nc, 5);
    size_t n = send_cmd(ext, 0x40, 0, data, nc, le);
    ck_assert_msg(n == 16 && resp_sw(n) == 0x9000, "STATES %u: %zu bytes SW %04X (%s)", nc, n, resp_sw(n), vm->last_error);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(ext_resp[i] == want_states[i], "STATES %u: state %d is %d, expected %d", nc, i, ext_resp[i], want_states[i]);
    ck_assert_uint_eq(cl_get16(ext_resp + 6), first);
    ck_assert_uint_eq(cl_get16(ext_resp + 8), ext ? 7 : 5);
    ck_assert_uint_eq(cl_get16(ext_resp + 10), nc);
    ck_assert_uint_eq(cl_get16(ext_resp + 12), ne);
}

START_TEST(extlen_state_machine)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    /* INITIAL, PARTIAL_INCOMING (more than one buffer), FULL_INCOMING, OUTGOING, OUTGOING_LENGTH_KNOWN,
     * PARTIAL_OUTGOING; FULL_OUTGOING at the end is checked by the applet itself. */
    static const uint8_t partial[6] = { 0, 1, 2, 3, 4, 5 }, full[6] = { 0, 2, 2, 3, 4, 5 };
    check_states(true, 3000, 65536, partial, VM_APDU_BUF_LEN - 7, EXT_MAX);
    check_states(true, 3000, LE_NONE, partial, VM_APDU_BUF_LEN - 7, EXT_MAX);
    check_states(true, 3000, 500, partial, VM_APDU_BUF_LEN - 7, 500);
    check_states(true, 1000, 40000, full, 1000, EXT_MAX); /* Ne above a short's range: 32767 */
    check_states(false, 10, 256, full, 10, 256);
    check_states(false, 10, LE_NONE, full, 10, 256);
}
END_TEST

/* INFO: NAD, protocol, block sizes and the CLA queries answer the same for short and extended
 * commands (CLA 80: proprietary, no chaining or secure messaging, channel 0; CLA 81: channel 1),
 * and setOutgoingNoChaining gives the same Ne as setOutgoing. */
START_TEST(extlen_other_methods_unchanged)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    uint8_t data[1500];
    fill(data, sizeof data, 17);
    static const uint8_t base[11] = { 0, 1, 0, 254, 0, 254, 0, 0, 0, 1, 0 };
    for (int ext = 0; ext < 2; ext++) {
        size_t n = send_cmd(ext, 0x70, 0, data, ext ? 1500 : 100, ext ? 65536 : 256);
        ck_assert_msg(n == 15 && resp_sw(n) == 0x9000, "INFO (%s): %zu bytes SW %04X (%s)", ext ? "extended" : "short", n,
                      resp_sw(n), vm->last_error);
        ck_assert_int_eq(memcmp(ext_resp, base, sizeof base), 0);
        ck_assert_uint_eq(cl_get16(ext_resp + 11), ext ? EXT_MAX : 256);
    }
    /* On logical channel 1: the channel and a CLA of the same class. Channel 0 goes back to the card
     * manager first (no applet of the package may stay selected elsewhere: none is MultiSelectable). */
    static uint8_t resp[CARD_RESP_MAX];
    size_t rn = xmit("00A4040008A000000151000000", resp);
    ck_assert(rn >= 2 && resp[rn - 2] == 0x90 && resp[rn - 1] == 0x00);
    ck_assert_int_eq(xmit("0070000001", resp), 3);
    ck_assert_int_eq(resp[0], 1);
    ck_assert_int_eq(xmit("01A4040008F063617264210101", resp), 2);
    ck_assert_int_eq(resp[0], 0x90);
    ext_cmd[0] = 0x81; ext_cmd[1] = 0x70; ext_cmd[2] = 0; ext_cmd[3] = 0;
    ext_cmd[4] = 0; cl_put16(ext_cmd + 5, 300); fill(ext_cmd + 7, 300, 2); cl_put16(ext_cmd + 307, 0);
    size_t n = card_transmit(card, ext_cmd, 309, ext_resp);
    ck_assert_uint_eq(n, 15);
    ck_assert_uint_eq(resp_sw(n), 0x9000);
    ck_assert_int_eq(ext_resp[10], 1);
}
END_TEST

/* Data a command left unread is gone once process() returns: the applet's deselect() (on the next
 * SELECT) gets no byte of it from receiveBytes, and the next command starts afresh. */
START_TEST(extlen_unread_data_not_kept)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    static uint8_t data[EXT_MAX];
    fill(data, EXT_MAX, 23);
    size_t n = send_cmd(true, 0x80, 0, data, EXT_MAX, LE_NONE); /* PARTIAL: 1033 of 32767 bytes read */
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(resp_sw(n), 0x9000);
    select_hex(PLAIN_ECHO); /* deselects ExtEcho: its deselect() tries receiveBytes */
    select_hex(EXT_ECHO);
    n = send_cmd(false, 0x90, 0, NULL, 0, 2);
    ck_assert_uint_eq(n, 4);
    int16_t saw = (int16_t)cl_get16(ext_resp);
    ck_assert_msg(saw == -100, "deselect(): APDU.getCurrentAPDU().receiveBytes gave %d, expected SecurityException", saw);
    check_hash(true, 5000, 40);
}
END_TEST

/* Misuse of the APDU methods throws APDUException with the documented reason, extended or not. */
START_TEST(extlen_misuse_reasons)
{
    install_extlen();
    power_on_and_select(EXT_ECHO);
    static const struct { uint8_t which; uint16_t sw; } cases[] = {
        { 2, 0x6F01 }, { 3, 0x6F01 }, { 4, 0x6F02 }, { 5, 0x6F01 }, { 6, 0x6F01 }, { 7, 0x6F01 }, { 8, 0x6F02 }, { 9, 0x6F01 },
    };
    uint8_t data[2000];
    fill(data, sizeof data, 11);
    for (size_t i = 0; i < CL_ARRAY_LEN(cases); i++)
        for (int ext = 0; ext < 2; ext++) {
            size_t n = send_cmd(ext, 0x50, (uint16_t)(cases[i].which << 8), data, ext ? 2000 : 200, 256);
            ck_assert_msg(n == 2 && resp_sw(n) == cases[i].sw, "ERR %u (%s): SW %04X, expected %04X", cases[i].which,
                          ext ? "extended" : "short", resp_sw(n), cases[i].sw);
        }
    uint8_t len[2];
    cl_put16(len, 0xFFFF); /* a negative length */
    ck_assert_uint_eq(resp_sw(send_cmd(true, 0x50, 0x0100, len, 2, 65536)), 0x6F03);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_card");
    TCase *tc = tcase_create("card");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, script_patterns);
    tcase_add_test(tc, hello_script);
    tcase_add_test(tc, wallet_script);
    tcase_add_test(tc, points_shareable_script);
    tcase_add_test(tc, points_server_script);
    tcase_add_test(tc, persists_across_reopen);
    tcase_add_test(tc, install_refusals_leave_nothing);
    tcase_add_test(tc, unknown_import_refused);
    tcase_add_test(tc, delete_applet_and_package);
    tcase_add_test(tc, attach_is_counted);
    tcase_add_test(tc, delete_reclaims_everything);
    tcase_add_test(tc, package_active_elsewhere_refuses_plain_applet);
    tcase_add_test(tc, multiselectable_calls);
    tcase_add_test(tc, extlen_hash_in_blocks);
    tcase_add_test(tc, extlen_echo_round_trip);
    tcase_add_test(tc, extlen_gen_long_response);
    tcase_add_test(tc, extlen_refused_without_interface);
    tcase_add_test(tc, extlen_lc_over_32767_refused);
    tcase_add_test(tc, extlen_state_machine);
    tcase_add_test(tc, extlen_misuse_reasons);
    tcase_add_test(tc, extlen_decided_by_interface_list);
    tcase_add_test(tc, extlen_other_methods_unchanged);
    tcase_add_test(tc, extlen_unread_data_not_kept);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
