/* libFuzzer target: a CAP (component stream, or a JAR) installed into a fresh card that already
 * holds nothing, then, when the card accepts it, every applet of it instantiated, selected and
 * sent a few commands. vm/vm_load_fuzz.c stops after the install; this one goes on into the
 * interpreter with whatever the loader let through, so a loader check that is missing shows up
 * as a memory error at run time.
 *
 * Whatever the input: no sanitizer report, no hang (the VM's instruction budget ends loops), and
 * every command gets a status word. Seeds: the sample CAPs as component streams
 * (tests/hostile/mkseed.py, run by `make fuzz-run-hostile`).
 *
 * HOSTILE_FUZZ_BASE (space-separated CAP files) installs packages, with an instance of each applet,
 * into the card every input starts from: then inputs that import them link (the verifier reads an
 * imported package's Descriptor from its stored blob, the firewall sees calls between packages).
 * `make fuzz-run-hostile-lib` uses vmfw-lib, vmfw-server and points-server. */
#include "card/card.h"
#include "vm/vm_card.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char img_path[96], wal_path[104];
/* The card every input starts from (HOSTILE_FUZZ_BASE installed): image and log bytes, NULL: none. */
static uint8_t *base_img, *base_wal;
static size_t base_img_len, base_wal_len;

/* Installs a CAP and an instance of each of its applets (at most 16, whose definitions go to defs).
 * Returns the applet count, or -1 when the package is refused (must: a base package, abort). */
static int install_all(vm_t *vm, const uint8_t *data, size_t size, vm_applet_def_t defs[16], bool must)
{
    cl_error_t e = { { 0 } };
    uint8_t slot;
    if (vm_load_install(vm, data, size, &slot, &e) != 0) {
        if (must) { fprintf(stderr, "HOSTILE_FUZZ_BASE: %s\n", e.msg); abort(); }
        return -1;
    }
    vm_pkg_t *p = vm->pkgs[slot];
    unsigned n = p ? p->napplets : 0;
    if (n > 16) n = 16;
    if (n) memcpy(defs, p->applets, n * sizeof defs[0]); /* the table may move while applets install */
    for (unsigned i = 0; i < n; i++)
        if (vm_install_applet(vm, defs[i].aid, defs[i].aid_len, NULL, 0, NULL, 0, 0, &e) != 0 && must) {
            fprintf(stderr, "HOSTILE_FUZZ_BASE: instance: %s\n", e.msg);
            abort();
        }
    return (int)n;
}

static void make_base(const char *list)
{
    card_t *card;
    cl_error_t e = { { 0 } };
    if (card_open(img_path, 256 * 1024, IMG_SYNC_NORMAL, &card, &e)) abort();
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) abort();
    char *names = strdup(list), *save = NULL;
    for (char *f = strtok_r(names, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
        size_t len;
        uint8_t *cap = cl_read_file(f, 1u << 20, &len, &e);
        if (!cap) { fprintf(stderr, "HOSTILE_FUZZ_BASE: %s\n", e.msg); abort(); }
        vm_applet_def_t defs[16];
        install_all(vm, cap, len, defs, true);
        free(cap);
    }
    free(names);
    vm_card_detach(card, vm);
    card_close(card);
    base_img = cl_read_file(img_path, 1u << 20, &base_img_len, &e);
    if (!base_img) abort();
    base_wal = access(wal_path, F_OK) == 0 ? cl_read_file(wal_path, 1u << 20, &base_wal_len, &e) : NULL;
}

/* A fresh card for the next input: the base image, or no file at all. */
static void fresh_card(void)
{
    unlink(img_path);
    unlink(wal_path);
    if (!base_img) return;
    cl_error_t e = { { 0 } };
    if (cl_write_file_atomic(img_path, base_img, base_img_len, &e) ||
        (base_wal && cl_write_file_atomic(wal_path, base_wal, base_wal_len, &e)))
        abort();
}

/* Commands sent to each instance: the INS values the test applets use, with P1 P2 from the input
 * so forged references and odd arguments get tried too. */
static void drive(card_t *card, const uint8_t *aid, uint8_t aid_len, const uint8_t *data, size_t size)
{
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t cmd[5 + 16 + 2];
    cmd[0] = 0x00; cmd[1] = 0xA4; cmd[2] = 0x04; cmd[3] = 0x00; cmd[4] = aid_len;
    memcpy(cmd + 5, aid, aid_len);
    size_t rl = card_transmit(card, cmd, 5u + aid_len, resp);
    if (rl < 2) abort();
    if (resp[rl - 2] != 0x90) return;
    static const uint8_t ins[] = { 0x01, 0x02, 0x03, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x10, 0x30 };
    for (size_t i = 0; i < sizeof ins; i++) {
        uint8_t c[9] = { 0x80, ins[i], data[i % size], data[(i * 7 + 3) % size], 0x02, 0x00, 0x01, 0x00 };
        rl = card_transmit(card, c, 7, resp);
        if (rl < 2) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!img_path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(img_path, sizeof img_path, "%s/cardlet-hostile-fuzz-%d.img", dir, (int)getpid());
        snprintf(wal_path, sizeof wal_path, "%s.wal", img_path);
        cl_log_level = 0;
        const char *base = getenv("HOSTILE_FUZZ_BASE");
        if (base && *base) make_base(base);
    }
    if (size == 0) return 0;
    fresh_card();
    card_t *card;
    cl_error_t e = { { 0 } };
    if (card_open(img_path, base_img ? 0 : 256 * 1024, IMG_SYNC_NORMAL, &card, &e)) abort();
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) abort();
    vm_applet_def_t defs[16];
    int n = install_all(vm, data, size, defs, false);
    if (n >= 0) {
        /* A fresh card from the image: the package is re-linked at boot, the instances registered. */
        vm_card_detach(card, vm);
        card_close(card);
        if (card_open(img_path, 0, IMG_SYNC_NORMAL, &card, &e)) abort(); /* an install may not damage the image */
        vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
        if (!vm) abort();
        uint8_t atr[CARD_ATR_MAX];
        card_power_on(card, atr);
        for (int i = 0; i < n; i++) drive(card, defs[i].aid, defs[i].aid_len, data, size);
    }
    vm_card_detach(card, vm);
    card_close(card);
    return 0;
}
