/* vm_bench: figures for `make bench` -- interpreter speed, native calls, one APDU round trip
 * through an applet, and installing a package. Prints "name: value unit" lines. Usage: vm_bench HELLO.cap */
#include "cap/jc_opcodes.h"
#include "vm/vm_card.h"
#include "vm/vm_load.h"
#include "vm/vm_native.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what, const char *msg)
{
    fprintf(stderr, "vm_bench: %s: %s\n", what, msg);
    return 1;
}

/* Runs method 1 (one short argument n) of a hand-made package (Method component, constant pool,
 * method extents or NULL) reps times and returns the seconds and the bytecodes the VM counted. */
static int run_hand_method(vm_t *vm, const uint8_t *methods, uint32_t len, vm_cpe_t *cp, uint16_t ncp,
                           vm_method_ext_t *mext, uint16_t nmext, uint16_t n, int reps, double *secs, double *insns,
                           uint16_t *result)
{
    vm_pkg_t p;
    memset(&p, 0, sizeof p);
    p.slot = 16;
    p.methods = methods;
    p.methods_len = len;
    p.cp = cp;
    p.ncp = ncp;
    p.mext = mext;
    p.nmext = nmext;
    vm->pkgs[16] = &p;
    uint16_t args[1] = { n }, ret[2] = { 0, 0 };
    uint32_t steps0 = vm->steps;
    /* Process CPU time, not wall time: the figure then holds on a machine busy with other work. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    int rc = 0;
    for (int k = 0; k < reps && rc == 0; k++)
        if (vm_run_method(vm, &p, 1, 16, args, 1, ret) != VM_RUN_OK) rc = die("hand-made method", vm->last_error);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    vm->pkgs[16] = NULL;
    *secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *insns = (double)(uint32_t)(vm->steps - steps0);
    *result = ret[0];
    return rc;
}

/* Assembles into methods (the Method component: no handlers, the method at offset 1) the static
 * method short m(short n) { short s = 0; for (short i = 0; i < n; i++) s = BODY; return s; } where
 * body computes the new s from s (local 1) and i (local 2) and stores it. Returns the length. */
static uint32_t assemble_loop(uint8_t methods[64], const uint8_t *body, size_t body_len, uint8_t max_stack)
{
    /* Explicit offsets: the branch distances are easy to get wrong by hand. */
    uint8_t c[48];
    size_t n = 0;
    c[n++] = JC_sconst_0; c[n++] = JC_sstore_1; c[n++] = JC_sconst_0; c[n++] = JC_sstore_2;
    size_t loop = n;
    c[n++] = JC_sload_2; c[n++] = JC_sload_0;
    size_t br = n;
    c[n++] = JC_if_scmpge; c[n++] = 0;
    memcpy(c + n, body, body_len);
    n += body_len;
    c[n++] = JC_sinc; c[n++] = 2; c[n++] = 1;
    size_t g = n;
    c[n++] = JC_goto; c[n++] = (uint8_t)(int8_t)((int)loop - (int)g);
    size_t end = n;
    c[n++] = JC_sload_1; c[n++] = JC_sreturn;
    c[br + 1] = (uint8_t)(end - br);
    methods[0] = 0;
    methods[1] = max_stack;
    methods[2] = (uint8_t)(1 << 4 | 2); /* 1 argument, 2 locals */
    memcpy(methods + 3, c, n);
    return (uint32_t)(3 + n);
}

/* A loop of short arithmetic: s += i ^ 3 (6 bytecodes per iteration besides the loop's 5); the
 * result is checked against the same loop in C. */
static int bench_interp(vm_t *vm)
{
    static const uint8_t body[] = { JC_sload_1, JC_sload_2, JC_sconst_3, JC_sxor, JC_sadd, JC_sstore_1 };
    static uint8_t methods[64];
    uint32_t len = assemble_loop(methods, body, sizeof body, 3);
    double secs, insns;
    uint16_t result;
    const uint16_t iters = 30000;
    if (run_hand_method(vm, methods, len, NULL, 0, NULL, 0, iters, 20, &secs, &insns, &result)) return 1;
    uint16_t want = 0;
    for (uint16_t i = 0; i < iters; i++) want = (uint16_t)(want + (i ^ 3));
    if (result != want) {
        fprintf(stderr, "vm_bench: arithmetic loop returned %04X, expected %04X\n", result, want);
        return 1;
    }
    printf("vm_interp_speed: %.1f Minsn/s\n", insns / secs / 1e6);
    return 0;
}

/* Native calls: s = Util.makeShort((byte) s, (byte) i) -- a static call bound to C per iteration
 * (argument words, the call, the result), 8 bytecodes around it. The result is checked against
 * the same loop in C. */
static int bench_native(vm_t *vm)
{
    const vm_native_class_t *util = vm_native_class(VM_PKG_FRAMEWORK, 16);
    const vm_native_method_t *make_short = util ? vm_native_method(util, VM_NAT_STATIC, 5) : NULL;
    if (!make_short || strncmp(make_short->sig, "makeShort(", 10)) return die("bench_native", "Util.makeShort not bound");
    vm_cpe_t cp[1];
    memset(cp, 0, sizeof cp);
    cp[0].tag = 6; /* static method ref */
    cp[0].nat = make_short;
    static const uint8_t body[] = { JC_sload_1, JC_sload_2, JC_invokestatic, 0, 0, JC_sstore_1 };
    static uint8_t methods[64];
    uint32_t len = assemble_loop(methods, body, sizeof body, 2);
    const uint16_t iters = 30000;
    double secs, insns;
    uint16_t result;
    if (run_hand_method(vm, methods, len, cp, 1, NULL, 0, iters, 20, &secs, &insns, &result)) return 1;
    uint16_t want = 0;
    for (uint16_t i = 0; i < iters; i++) want = (uint16_t)(((want & 0xFF) << 8) | (i & 0xFF));
    if (result != want) {
        fprintf(stderr, "vm_bench: native loop returned %04X, expected %04X\n", result, want);
        return 1;
    }
    printf("vm_native_calls_per_s: %.1f M/s\n", 20.0 * iters / secs / 1e6);
    return 0;
}

/* Bytecode calls: s = add(s, i) with static short add(short a, short b) { return (short) (a + b); }
 * -- a frame push and pop per iteration (the callee found through the package's method table, as
 * for a loaded CAP), 10 bytecodes. The result is checked against the same loop in C. */
static int bench_calls(vm_t *vm)
{
    static const uint8_t body[] = { JC_sload_1, JC_sload_2, JC_invokestatic, 0, 0, JC_sstore_1 };
    static const uint8_t callee[] = { 0x02, 0x20, JC_sload_0, JC_sload_1, JC_sadd, JC_sreturn }; /* 2 args, max_stack 2 */
    static uint8_t methods[64];
    uint32_t len = assemble_loop(methods, body, sizeof body, 2);
    if (len + sizeof callee > sizeof methods) return die("bench_calls", "methods too long");
    uint32_t add_off = len;
    memcpy(methods + len, callee, sizeof callee);
    vm_method_ext_t mext[2] = {
        { .off = 1, .code = 3, .end = (uint16_t)add_off, .max_stack = 2, .nargs = 1, .max_locals = 2 },
        { .off = (uint16_t)add_off, .code = (uint16_t)(add_off + 2), .end = (uint16_t)(add_off + sizeof callee),
          .max_stack = 2, .nargs = 2, .max_locals = 0 },
    };
    vm_cpe_t cp[1];
    memset(cp, 0, sizeof cp);
    cp[0].tag = 6; /* static method ref, this package */
    cp[0].pkg = 16;
    cp[0].a = (uint16_t)add_off;
    const uint16_t iters = 30000;
    double secs, insns;
    uint16_t result;
    if (run_hand_method(vm, methods, len + (uint32_t)sizeof callee, cp, 1, mext, 2, iters, 20, &secs, &insns, &result))
        return 1;
    uint16_t want = 0;
    for (uint16_t i = 0; i < iters; i++) want = (uint16_t)(want + i);
    if (result != want) {
        fprintf(stderr, "vm_bench: call loop returned %04X, expected %04X\n", result, want);
        return 1;
    }
    printf("vm_bytecode_calls_per_s: %.1f M/s\n", 20.0 * iters / secs / 1e6);
    return 0;
}

static int bench_hand_made(img_t *img)
{
    cl_error_t e = { { 0 } };
    vm_t *vm = vm_open(img, 4096, &e);
    if (!vm) return die("vm_open", e.msg);
    int rc = bench_interp(vm);
    if (!rc) rc = bench_native(vm);
    if (!rc) rc = bench_calls(vm);
    vm_close(vm);
    return rc;
}

static int bench_card(const char *dir, const char *cap_path)
{
    char image[512];
    snprintf(image, sizeof image, "%s/bench.img", dir);
    cl_error_t e = { { 0 } };
    size_t len;
    uint8_t *cap = cl_read_file(cap_path, 4u << 20, &len, &e);
    if (!cap) return die("cap", e.msg);
    card_t *card;
    if (card_open(image, 1024 * 1024, IMG_SYNC_NORMAL, &card, &e)) { free(cap); return die("card_open", e.msg); }
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) { free(cap); card_close(card); return die("attach", e.msg); }
    static const uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    uint64_t t0 = cl_now_ns();
    int r = vm_card_install(vm, cap, len, aid, sizeof aid, NULL, 0, NULL, 0, false, &e);
    uint64_t t1 = cl_now_ns();
    free(cap);
    if (r) { vm_card_detach(card, vm); card_close(card); return die("install", e.msg); }
    printf("vm_install_hello: %.2f ms\n", (double)(t1 - t0) / 1e6);
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    static const uint8_t greet[] = { 0x80, 0x01, 0x00, 0x00, 0x0F };
    card_transmit(card, sel, sizeof sel, resp);
    int rounds = 2000;
    t0 = cl_now_ns();
    for (int i = 0; i < rounds; i++) card_transmit(card, greet, sizeof greet, resp);
    t1 = cl_now_ns();
    printf("vm_apdu_hello_greet: %.1f us/command\n", (double)(t1 - t0) / 1e3 / rounds);
    vm_card_detach(card, vm);
    card_close(card);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/cardlet-vmbench-XXXXXX";
    if (!mkdtemp(dir)) return die("mkdtemp", "failed");
    char path[64];
    snprintf(path, sizeof path, "%s/interp.img", dir);
    img_t *img;
    cl_error_t e = { { 0 } };
    int rc = 1;
    if (img_open(path, 512 * 1024, IMG_SYNC_NORMAL, &img, &e) == 0) {
        rc = bench_hand_made(img);
        img_close(img);
    } else {
        die("img_open", e.msg);
    }
    if (!rc && argc > 1) rc = bench_card(dir, argv[1]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "vm_bench: could not remove %s\n", dir);
    return rc;
}
