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
#include "cap/cap_parse.h"
#include "cap/jc_opcodes.h"
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

/* Structure-aware mutation: byte flips rarely get past the parser's structure checks, so half the
 * mutations of a component stream that parses change one instruction in a way the structure keeps
 * (like vm_hostile_test's opcode_swaps): its opcode for another of the same operand format and
 * length, or its constant pool index for another index. The mutants reach the verifier (types, the
 * class typing of references) and the interpreter; the other half are libFuzzer's own. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static bool mutate_insn(uint8_t *data, size_t size, const cap_file_t *cap, uint32_t *rng)
{
    for (int tries = 0; tries < 8; tries++) {
        *rng = *rng * 1103515245u + 12345u;
        const cap_method_t *m = &cap->methods[(*rng >> 8) % cap->method_count];
        if (!m->code_len || m->code < data || m->code + m->code_len > data + size) continue;
        *rng = *rng * 1103515245u + 12345u;
        size_t stop = (*rng >> 8) % m->code_len, pc = 0;
        int len = 0;
        while (pc < m->code_len) { /* the instruction that holds byte stop */
            len = jc_insn_len(m->code + pc, m->code_len - pc);
            if (len <= 0) return false;
            if (pc + (size_t)len > stop) break;
            pc += (size_t)len;
        }
        if (pc >= m->code_len) continue;
        uint8_t *at = data + (m->code - data) + pc; /* the input's own byte (the parse kept pointers into it) */
        int op = *at, width = jc_opcode_cp_index_width(op);
        *rng = *rng * 1103515245u + 12345u;
        if (width && cap->cp_count && (*rng >> 30) == 0) {
            uint16_t idx = (uint16_t)((*rng >> 8) % cap->cp_count);
            uint8_t *ip = at + jc_opcode_cp_index_offset(op);
            if (width == 1) { if (idx > 0xFF) continue; ip[0] = (uint8_t)idx; }
            else cl_put16(ip, idx);
            return true;
        }
        int same[256], n = 0, fmt = jc_opcode_format(op);
        for (int o = 0; o < 256; o++)
            if (o != op && jc_opcode_name(o) && jc_opcode_format(o) == fmt && jc_opcode_fixed_len(o) == len) same[n++] = o;
        if (!n) continue;
        *at = (uint8_t)same[(*rng >> 8) % (unsigned)n];
        return true;
    }
    return false; /* a JAR (the parse's code is a copy) or nothing to swap */
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint32_t rng = seed;
    if (size && (seed & 1)) {
        cap_file_t cap;
        cl_error_t e = { { 0 } };
        int lvl = cl_log_level;
        cl_log_level = 0;
        if (cap_parse(&cap, data, size, CAP_PARSE_NO_COPY, &e) == 0) {
            bool done = cap.method_count && mutate_insn(data, size, &cap, &rng);
            cap_free(&cap);
            cl_log_level = lvl;
            if (done) return size;
        }
        cl_log_level = lvl;
    }
    return LLVMFuzzerMutate(data, size, max_size);
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
