/* Real CAP files from the converter (applets/samples), installed into a card image and driven
 * through card_transmit with the samples' expected conversations (test.script), plus install
 * refusals and persistence across a card re-open. */
#include "apdu/apdu_reg.h"
#include "vm/vm_card.h"
#include "vm/vm_gc.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <check.h>
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
static void find_build_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert(n > 0);
    exe[n] = 0;
    char *d = dirname(dirname(dirname(exe)));
    snprintf(build_dir, sizeof build_dir, "%s", d);
}

static uint8_t *read_cap(const char *name, size_t *len)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/applets/%s.cap", build_dir, name);
    cl_error_t e = { { 0 } };
    uint8_t *b = cl_read_file(path, 4u << 20, len, &e);
    ck_assert_msg(b != NULL, "%s (build it with make applets)", e.msg);
    return b;
}

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
    find_build_dir();
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
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
