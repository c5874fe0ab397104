/* vm_bench: figures for `make bench` -- interpreter speed, one APDU round trip through an applet,
 * and installing a package. Prints "name: value unit" lines. Usage: vm_bench HELLO.cap */
#include "cap/jc_opcodes.h"
#include "vm/vm_card.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int die(const char *what, const char *msg)
{
    fprintf(stderr, "vm_bench: %s: %s\n", what, msg);
    return 1;
}

/* A loop of short arithmetic: for (i = 0; i < n; i++) s += i ^ 3; on a hand-made package. */
static int bench_interp(img_t *img)
{
    cl_error_t e = { { 0 } };
    vm_t *vm = vm_open(img, 4096, &e);
    if (!vm) return die("vm_open", e.msg);
    static uint8_t methods[64];
    /* Assemble with explicit offsets (the branch distances are easy to get wrong by hand). */
    uint8_t c[32];
    size_t n = 0;
    c[n++] = JC_sconst_0; c[n++] = JC_sstore_1; c[n++] = JC_sconst_0; c[n++] = JC_sstore_2;
    size_t loop = n;
    c[n++] = JC_sload_2; c[n++] = JC_sload_0;
    size_t br = n;
    c[n++] = JC_if_scmpge; c[n++] = 0;
    c[n++] = JC_sload_1; c[n++] = JC_sload_2; c[n++] = JC_sconst_3; c[n++] = JC_sxor; c[n++] = JC_sadd; c[n++] = JC_sstore_1;
    c[n++] = JC_sinc; c[n++] = 2; c[n++] = 1;
    size_t g = n;
    c[n++] = JC_goto; c[n++] = (uint8_t)(int8_t)((int)loop - (int)g);
    size_t end = n;
    c[n++] = JC_sload_1; c[n++] = JC_sreturn;
    c[br + 1] = (uint8_t)(end - br);
    methods[0] = 0;
    methods[1] = 3;
    methods[2] = (uint8_t)(1 << 4 | 2);
    memcpy(methods + 3, c, n);
    vm_pkg_t p;
    memset(&p, 0, sizeof p);
    p.slot = 16;
    p.methods = methods;
    p.methods_len = (uint32_t)(3 + n);
    vm->pkgs[16] = &p;
    uint16_t args[1] = { 30000 }, ret[2];
    uint32_t steps0 = vm->steps;
    uint64_t t0 = cl_now_ns();
    for (int k = 0; k < 20; k++) vm_run_method(vm, &p, 1, 16, args, 1, ret);
    uint64_t t1 = cl_now_ns();
    double insns = (double)(vm->steps - steps0);
    printf("vm_interp_speed: %.1f Minsn/s\n", insns / ((double)(t1 - t0) / 1e9) / 1e6);
    vm->pkgs[16] = NULL;
    vm_close(vm);
    return 0;
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
        rc = bench_interp(img);
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
