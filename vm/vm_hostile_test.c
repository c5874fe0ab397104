/* Hostile CAPs: the hello sample's component stream with one byte changed at offsets across the
 * whole file, installed and (when the card accepts it) driven with commands. Whatever a mutation
 * does, the card must refuse it with a message or run it without crashing, answering every command
 * with a status word; a refused install leaves the heap as it was. */
#include "cap/cap_parse.h"
#include "vm/vm_card.h"
#include "vm/vm_gc.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *hello_stream(size_t *len)
{
    char exe[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert(n > 0);
    exe[n] = 0;
    snprintf(path, sizeof path, "%s/applets/hello.cap", dirname(dirname(dirname(exe))));
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse_file(&cap, path, &e) == 0, "%s", e.msg);
    size_t total = 0;
    for (int t = CAP_COMP_HEADER; t <= CAP_COMP_DESCRIPTOR; t++)
        if (cap.comp[t].present) total += 3u + cap.comp[t].size;
    uint8_t *s = malloc(total), *w = s;
    ck_assert_ptr_nonnull(s);
    static const int order[] = { 1, 2, 4, 3, 6, 7, 8, 10, 5, 9, 11 };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const cap_component_t *c = &cap.comp[order[i]];
        if (!c->present) continue;
        *w++ = (uint8_t)order[i];
        cl_put16(w, c->size);
        w += 2;
        memcpy(w, c->info, c->size);
        w += c->size;
    }
    cap_free(&cap);
    *len = total;
    return s;
}

START_TEST(mutated_caps_never_crash)
{
    size_t len;
    uint8_t *orig = hello_stream(&len);
    uint8_t *m = malloc(len);
    ck_assert_ptr_nonnull(m);
    char dir[64];
    snprintf(dir, sizeof dir, "%s/cardlet-hostile-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char image[128], wal[140];
    snprintf(image, sizeof image, "%s/card.img", dir);
    snprintf(wal, sizeof wal, "%s.wal", image);
    static const uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    static const char *cmds[] = { "00A4040008F063617264010101", "8001000000", "80020000050102030405", "8003000002",
                                  "8004000000", "00A4040008F063617264010101" };
    static uint8_t resp[CARD_RESP_MAX];
    int installed = 0, refused = 0;
    size_t step = 1; /* every byte of the stream */
    for (size_t off = 0; off < len; off += step) {
        for (int kind = (int)(off % 2); kind == (int)(off % 2); kind++) { /* alternate the two mutations */
            memcpy(m, orig, len);
            m[off] = kind ? (uint8_t)(m[off] + 1) : (uint8_t)(m[off] ^ 0xFF);
            card_t *card;
            cl_error_t e = { { 0 } };
            unlink(image);
            unlink(wal);
            ck_assert_int_eq(card_open(image, 256 * 1024, IMG_SYNC_NORMAL, &card, &e), 0);
            vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
            ck_assert_ptr_nonnull(vm);
            uint32_t free0 = vm_heap_free_bytes(vm->heap);
            if (vm_card_install(vm, m, len, aid, sizeof aid, NULL, 0, NULL, 0, false, &e) == 0) {
                installed++;
                uint8_t atr[CARD_ATR_MAX];
                card_power_on(card, atr);
                for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
                    uint8_t c[64];
                    long cl = cl_hex_decode(cmds[k], c, sizeof c);
                    size_t rl = card_transmit(card, c, (size_t)cl, resp);
                    ck_assert_uint_ge(rl, 2);
                }
            } else {
                ck_assert_msg(e.msg[0], "refused without a message at offset %zu", off);
                /* The package may have been installed with only the applet refused; otherwise nothing stays. */
                if (!vm->pkgs[VM_PKG_FIRST_USER]) ck_assert_uint_eq(vm_heap_free_bytes(vm->heap), free0);
                refused++;
            }
            vm_card_detach(card, vm);
            card_close(card);
        }
    }
    unlink(image);
    unlink(wal);
    rmdir(dir);
    free(m);
    free(orig);
    printf("vm_hostile: %d mutated CAPs installed and driven, %d refused\n", installed, refused);
    ck_assert_int_gt(refused, 0);
    ck_assert_int_gt(installed, 0);
}
END_TEST

/* A method whose max_stack is one less than its code needs is refused at load, naming the place. */
START_TEST(verifier_checks_max_stack)
{
    size_t len;
    uint8_t *s = hello_stream(&len);
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(cap_parse(&cap, s, len, CAP_PARSE_NO_COPY, &e), 0);
    /* the Method component's info inside our stream, and the method with the deepest stack */
    size_t info = (size_t)(cap.comp[CAP_COMP_METHOD].info - s);
    const cap_method_t *best = NULL;
    for (unsigned i = 0; i < cap.method_count; i++)
        if (cap.methods[i].code_len && (!best || cap.methods[i].max_stack > best->max_stack)) best = &cap.methods[i];
    ck_assert_ptr_nonnull(best);
    ck_assert(!(best->flags & CAP_METHOD_ACC_EXTENDED));
    size_t at = info + best->offset;
    cap_free(&cap);
    s[at] = (uint8_t)((s[at] & 0xF0) | ((s[at] & 0x0F) - 1)); /* max_stack - 1 */
    char dir[64], image[96];
    snprintf(dir, sizeof dir, "/tmp/cardlet-verify-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/c.img", dir);
    card_t *card;
    ck_assert_int_eq(card_open(image, 256 * 1024, IMG_SYNC_NORMAL, &card, &e), 0);
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_ptr_nonnull(vm);
    ck_assert_int_eq(vm_card_install(vm, s, len, NULL, 0, NULL, 0, NULL, 0, false, &e), -1);
    ck_assert_msg(strstr(e.msg, "Method component") && strstr(e.msg, "max_stack"), "%s", e.msg);
    vm_card_detach(card, vm);
    card_close(card);
    free(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A damaged heap (bytes of the VM area overwritten at random, as a bug or a hostile image could
 * leave it): the VM opens it or refuses it with a message, and every command gets a status word. */
START_TEST(damaged_heap_never_crashes)
{
    size_t len;
    uint8_t *s = hello_stream(&len);
    char dir[64], image[96], wal[110];
    snprintf(dir, sizeof dir, "%s/cardlet-heapdmg-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/c.img", dir);
    snprintf(wal, sizeof wal, "%s.wal", image);
    static const uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    static const char *cmds[] = { "00A4040008F063617264010101", "8001000000", "80020000050102030405", "8003000002" };
    static uint8_t resp[CARD_RESP_MAX];
    srand(1234);
    int opened = 0, refused = 0;
    for (int round = 0; round < 60; round++) {
        unlink(image);
        unlink(wal);
        card_t *card;
        cl_error_t e = { { 0 } };
        ck_assert_int_eq(card_open(image, 256 * 1024, IMG_SYNC_NORMAL, &card, &e), 0);
        vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
        ck_assert_ptr_nonnull(vm);
        ck_assert_int_eq(vm_card_install(vm, s, len, aid, sizeof aid, NULL, 0, NULL, 0, false, &e), 0);
        img_t *img = card_image(card);
        uint32_t lo = VM_CARD_HEAP_OFFSET + (round % 3 == 0 ? 0 : VM_HEAP_HDR), hi = lo + 24 * 1024;
        int hits = 1 + rand() % 40;
        for (int k = 0; k < hits; k++) {
            uint8_t b = (uint8_t)rand();
            ck_assert_int_eq(img_write(img, lo + (uint32_t)rand() % (hi - lo), &b, 1), 0);
        }
        vm_card_detach(card, vm);
        card_close(card);
        ck_assert_int_eq(card_open(image, 0, IMG_SYNC_NORMAL, &card, &e), 0);
        vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
        if (!vm) {
            ck_assert_msg(e.msg[0], "refused without a message");
            refused++;
        } else {
            opened++;
            uint8_t atr[CARD_ATR_MAX];
            card_power_on(card, atr);
            for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
                uint8_t c[64];
                long cl = cl_hex_decode(cmds[k], c, sizeof c);
                ck_assert_uint_ge(card_transmit(card, c, (size_t)cl, resp), 2);
            }
            uint32_t got;
            vm_gc(vm, &got); /* the collector must cope with whatever it finds too */
            vm_card_detach(card, vm);
        }
        card_close(card);
    }
    unlink(image);
    unlink(wal);
    rmdir(dir);
    free(s);
    printf("vm_hostile: damaged heaps: %d opened and driven, %d refused\n", opened, refused);
    ck_assert_int_gt(opened, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, mutated_caps_never_crash);
    tcase_add_test(tc, verifier_checks_max_stack);
    tcase_add_test(tc, damaged_heap_never_crashes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
