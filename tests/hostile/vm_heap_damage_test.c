/* A damaged card image against the VM: the persistent area is not checksummed (the image only
 * guarantees atomic updates), so a flipped bit in the VM heap -- handle table, object headers,
 * the stored CAP blobs, static fields, applet table -- reaches vm_open and the interpreter as it is.
 * Whatever the damage: attaching refuses with a message, or the card runs and answers every
 * command with a status word. Never a crash or a sanitizer report.
 *
 * The card holds hello and the ledger; every byte of the VM heap's used part (header, handle
 * table, objects up to the bump pointer) is damaged in turn, xor 0xFF or +1 alternately, with a
 * stride that keeps the run short (HEAP_DAMAGE_STRIDE=1 for every byte). */
#include "tests/hostile/ht_card.h"
#include "vm/vm_heap.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_AREA 4096u /* the image file's header block; the persistent area follows */

static const uint8_t HELLO_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
static const uint8_t LEDGER_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x11, 0x01, 0x01 };

static void write_file(const char *path, const uint8_t *p, size_t n) { ht_write(path, p, n); }

START_TEST(damaged_heap_is_refused_or_runs)
{
    ht_dir_t d;
    ht_dir_make(&d, "heapdmg");
    vm_t *vm;
    card_t *card = ht_card_open(d.img, &vm);
    ht_install(vm, "hello", HELLO_APPLET, 8);
    ht_install(vm, "ledger", LEDGER_APPLET, 8);
    /* some state in the ledger: entries, a stamp, a wrong PIN */
    ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264110101", NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "80100000020042", NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "80135A00", NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "802000000430303030", NULL, NULL) & 0xFFF0, 0x63C0);
    /* the heap's used part: [0, bump) of the VM area */
    const uint8_t *area = img_mem(card_image(card)) + VM_CARD_HEAP_OFFSET;
    ck_assert(memcmp(area, VM_HEAP_MAGIC, 4) == 0);
    uint32_t used = cl_get32(area + 12);
    ck_assert_uint_gt(used, VM_HEAP_HDR);
    ht_card_close(card, vm);
    size_t base_len;
    uint8_t *base = ht_read(d.img, &base_len);
    ck_assert_uint_ge(base_len, FILE_AREA + VM_CARD_HEAP_OFFSET + used);
    uint8_t *m = malloc(base_len);
    ck_assert_ptr_nonnull(m);

    const char *st = getenv("HEAP_DAMAGE_STRIDE");
    size_t stride = st ? strtoul(st, NULL, 0) : 4;
    if (!stride) stride = 1;
    static const char *const cmds[] = { "00A4040008F063617264110101", "8030000000", "80100000020005", "80110000020001",
                                        "80120000", "8013A500", "802000000431323334", "00A4040008F063617264010101",
                                        "8001000000", "8002000002ABCD", "8003000000", NULL };
    int refused = 0, ran = 0, answered9000 = 0;
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 2); /* the VM logs every refusal */
    for (size_t off = 0; off < used; off += stride) {
        memcpy(m, base, base_len);
        size_t at = FILE_AREA + VM_CARD_HEAP_OFFSET + off;
        m[at] = (off / stride) % 2 ? (uint8_t)(m[at] + 1) : (uint8_t)(m[at] ^ 0xFF);
        unlink(d.wal);
        write_file(d.img, m, base_len);
        card_t *c;
        cl_error_t e = { { 0 } };
        ck_assert_int_eq(card_open(d.img, 0, IMG_SYNC_NORMAL, &c, &e), 0); /* the image itself is fine */
        vm_t *v = vm_card_attach(c, VM_CARD_HEAP_OFFSET, &e);
        if (!v) {
            ck_assert_msg(e.msg[0], "heap byte %zu: attach refused without a message", off);
            refused++;
            card_close(c);
            continue;
        }
        ran++;
        uint8_t atr[CARD_ATR_MAX];
        card_power_on(c, atr);
        for (int k = 0; cmds[k]; k++) answered9000 += ht_cmd(c, cmds[k], NULL, NULL) == 0x9000;
        /* and once more after a reset: CLEAR_ON_RESET and the default selection run over the damage */
        card_reset(c, atr);
        ht_cmd(c, "00A4040008F063617264010101", NULL, NULL);
        vm_card_detach(c, v);
        card_close(c);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(null);
    printf("vm_heap_damage: %u heap bytes, every %zu damaged: attach refused %d times, ran %d times (%d commands "
           "answered 9000)\n", used, stride, refused, ran, answered9000);
    ck_assert_int_gt(ran, 0);
    free(m);
    free(base);
    ht_dir_remove(&d);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("vm_heap_damage");
    TCase *tc = tcase_create("damage");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, damaged_heap_is_refused_or_runs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
