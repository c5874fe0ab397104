/* vmt_bench: `make bench` figures of the VM through the card (tests/vm/module.mk, bench-vm-conform).
 *   vm_bytecodes_per_s      bytecodes the interpreter executes per second in the vmbench loop
 *                           (counted by the VM's own step counter, vm->steps)
 *   lua_equiv_ops_per_s     the same loop in lua5.4 (tests/vm/bench.lua): the card's bytecode count
 *                           for the same work divided by Lua's time, so both figures are in
 *                           "JCVM bytecodes' worth of work per second"
 *   vm_vs_lua_ratio         the first divided by the second (1.0: as fast as Lua)
 *   vm_bytecodes_per_s_persistent_array  the same loop on a persistent array (image writes)
 *   card_applet_apdu        card_transmit of a computation-free command to an applet, averaged
 * Usage: vmt_bench BUILD_DIR (the vmbench CAP is BUILD_DIR/applets/vmbench.cap). */
#include "vm/vm_card.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOP_N 20000         /* iterations per APDU: well inside the 5M-step budget per call */
#define LOOP_APDUS 100
#define PERSIST_APDUS 5      /* the persistent-array variant: each store is an atomic image write */
#define PING_APDUS 20000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Process CPU time: what Lua's os.clock() reports for its side, so the ratio holds on a loaded machine. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *msg)
{
    fprintf(stderr, "vmt_bench: %s: %s\n", what, msg);
    return 1;
}

/* The card image and its write-ahead log, then the directory. */
static void remove_image(const char *dir, const char *image)
{
    char wal[128];
    snprintf(wal, sizeof wal, "%s.wal", image);
    unlink(image);
    unlink(wal);
    rmdir(dir);
}

static size_t xmit(card_t *card, const char *hex, uint8_t *resp)
{
    uint8_t cmd[64];
    long n = cl_hex_decode(hex, cmd, sizeof cmd);
    if (n < 4) return 0;
    return card_transmit(card, cmd, (size_t)n, resp);
}

int main(int argc, char **argv)
{
    if (argc != 2) return die("usage", "vmt_bench BUILD_DIR");
    char dir[64], image[96], cap_path[4096];
    snprintf(dir, sizeof dir, "%s/cardlet-vmtbench-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir)) return die("mkdtemp", "failed");
    snprintf(image, sizeof image, "%s/card.img", dir);
    snprintf(cap_path, sizeof cap_path, "%s/applets/vmbench.cap", argv[1]);
    cl_error_t e = { { 0 } };
    size_t cap_len;
    uint8_t *cap = cl_read_file(cap_path, 4u << 20, &cap_len, &e);
    if (!cap) { remove_image(dir, image); return die(cap_path, e.msg); }
    card_t *card;
    int rc = 1;
    if (card_open(image, 1024 * 1024, IMG_SYNC_NORMAL, &card, &e) != 0) {
        free(cap);
        remove_image(dir, image);
        return die("card_open", e.msg);
    }
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) { die("attach", e.msg); goto out_card; }
    static const uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x15, 0x01, 0x01 };
    if (vm_card_install(vm, cap, cap_len, aid, sizeof aid, NULL, 0, NULL, 0, false, &e) != 0) { die("install", e.msg); goto out_vm; }
    static uint8_t resp[CARD_RESP_MAX];
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    if (xmit(card, "00A4040008F063617264150101", resp) != 2 || resp[0] != 0x90) { die("select", vm->last_error); goto out_vm; }

    /* The loop: steps counted by the VM, CPU time around the APDUs (as Lua's side is measured). */
    char loop_cmd[32];
    snprintf(loop_cmd, sizeof loop_cmd, "8001000002%04X02", LOOP_N);
    int card_result = 0;
    uint32_t steps0 = vm->steps;
    double t0 = cpu_now();
    for (int i = 0; i < LOOP_APDUS; i++) {
        size_t n = xmit(card, loop_cmd, resp);
        if (n != 4 || resp[2] != 0x90) { fprintf(stderr, "vmt_bench: loop APDU answered %zu bytes, SW %02X%02X\n", n, n >= 2 ? resp[n - 2] : 0, n >= 2 ? resp[n - 1] : 0); die("loop APDU", vm->last_error); goto out_vm; }
        card_result = (int16_t)(resp[0] << 8 | resp[1]);
    }
    double vm_s = cpu_now() - t0;
    double steps = (double)(uint32_t)(vm->steps - steps0);
    double steps_per_iter = steps / ((double)LOOP_N * LOOP_APDUS);

    /* The same work in Lua, timed by Lua itself (CPU seconds, startup excluded). */
    char lua_cmd[4200];
    snprintf(lua_cmd, sizeof lua_cmd, "lua5.4 tests/vm/bench.lua %d %d 2>/dev/null", LOOP_N, LOOP_APDUS);
    FILE *p = popen(lua_cmd, "r");
    int lua_result = 0;
    double lua_s = 0;
    int got = p ? fscanf(p, "%d %lf", &lua_result, &lua_s) : 0;
    if (p) pclose(p);

    /* The persistent-array variant. */
    snprintf(loop_cmd, sizeof loop_cmd, "8003000002%04X02", LOOP_N);
    uint32_t psteps0 = vm->steps;
    t0 = now();
    for (int i = 0; i < PERSIST_APDUS; i++) {
        size_t n = xmit(card, loop_cmd, resp);
        if (n != 4 || resp[2] != 0x90 || (int16_t)(resp[0] << 8 | resp[1]) != card_result) {
            die("persistent loop APDU", vm->last_error);
            goto out_vm;
        }
    }
    double psteps_per_s = (double)(uint32_t)(vm->steps - psteps0) / (now() - t0);

    /* An applet APDU without computation: the card's per-command cost. */
    t0 = now();
    for (int i = 0; i < PING_APDUS; i++) {
        if (xmit(card, "8002000002", resp) != 4) { die("ping APDU", vm->last_error); goto out_vm; }
    }
    double ping_us = (now() - t0) / PING_APDUS * 1e6;

    printf("vm_bytecodes_per_s: %.0f /s\n", steps / vm_s);
    printf("vm_bench_loop_bytecodes_per_iteration: %.1f bytecodes\n", steps_per_iter);
    if (got == 2 && lua_s > 0) {
        double lua_ops = steps / lua_s;
        printf("lua_equiv_ops_per_s: %.0f /s\n", lua_ops);
        printf("vm_vs_lua_ratio: %.2f x\n", (steps / vm_s) / lua_ops);
        if (lua_result != card_result) {
            fprintf(stderr, "vmt_bench: card result %d differs from lua %d\n", card_result, lua_result);
            goto out_vm;
        }
    } else {
        fprintf(stderr, "vmt_bench: lua5.4 not available, no Lua comparison (apt-get install lua5.4)\n");
    }
    printf("vm_bytecodes_per_s_persistent_array: %.0f /s\n", psteps_per_s);
    printf("card_applet_apdu: %.2f us\n", ping_us);
    rc = 0;
out_vm:
    vm_card_detach(card, vm);
out_card:
    card_close(card);
    free(cap);
    remove_image(dir, image);
    return rc;
}
