/* vm_card_bench: figures for `make bench` on extended length APDUs -- the time one 32767-byte
 * command takes through card_transmit to the extlen test applet (applets/tests/extlen): HASH
 * (32 blocks through the APDU buffer into SHA-256), ECHO (the same data into EEPROM and back with
 * sendBytesLong) and GEN (a 32767-byte response built in the buffer with sendBytes). Prints
 * "name: value unit" lines. Usage: vm_card_bench EXTLEN.cap */
#include "vm/vm_card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DATA_LEN 32767u
#define REPS 50

static uint8_t cmd[4 + 3 + DATA_LEN + 2], resp[CARD_RESP_MAX];

/* 80 INS P1P2 00 Lc(2) data Le 0000 (65536); nc 0: case 2E. */
static size_t build(uint8_t ins, uint16_t p1p2, uint32_t nc)
{
    size_t n = 0;
    cmd[n++] = 0x80; cmd[n++] = ins; cl_put16(cmd + n, p1p2); n += 2;
    cmd[n++] = 0;
    if (nc) { cl_put16(cmd + n, (uint16_t)nc); n += 2; for (uint32_t i = 0; i < nc; i++) cmd[n++] = (uint8_t)(i * 7); }
    cmd[n++] = 0; cmd[n++] = 0;
    return n;
}

/* Microseconds of process CPU time per command (the figure then holds on a busy machine), or -1
 * when an answer is not 90 00 with want_len data bytes. */
static double time_cmd(card_t *card, size_t len, size_t want_len)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (int k = 0; k < REPS; k++) {
        size_t n = card_transmit(card, cmd, len, resp);
        if (n != want_len + 2 || resp[n - 2] != 0x90 || resp[n - 1] != 0x00) return -1;
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return s * 1e6 / REPS;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: vm_card_bench EXTLEN.cap\n"); return 2; }
    cl_error_t e = { { 0 } };
    size_t cap_len;
    uint8_t *cap = cl_read_file(argv[1], 4u << 20, &cap_len, &e);
    if (!cap) { fprintf(stderr, "vm_card_bench: %s\n", e.msg); return 1; }
    char dir[] = "/tmp/cardlet-extbench-XXXXXX", image[64];
    if (!mkdtemp(dir)) { perror("mkdtemp"); free(cap); return 1; }
    snprintf(image, sizeof image, "%s/card.img", dir);
    card_t *card = NULL;
    vm_t *vm = NULL;
    int rc = 1;
    static const uint8_t applet[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x01 }; /* ExtEcho */
    if (card_open(image, 1024 * 1024, IMG_SYNC_NORMAL, &card, &e) || !(vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e)) ||
        vm_card_install(vm, cap, cap_len, applet, sizeof applet, NULL, 0, NULL, 0, false, &e)) {
        fprintf(stderr, "vm_card_bench: %s\n", e.msg);
        goto out;
    }
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    static const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x21, 0x01, 0x01 };
    if (card_transmit(card, select, sizeof select, resp) != 2 || resp[0] != 0x90) {
        fprintf(stderr, "vm_card_bench: SELECT ExtEcho failed\n");
        goto out;
    }
    double hash = time_cmd(card, build(0x10, 0, DATA_LEN), 40);
    double echo = time_cmd(card, build(0x20, 0, DATA_LEN), DATA_LEN);
    double gen = time_cmd(card, build(0x30, DATA_LEN, 0), DATA_LEN);
    if (hash < 0 || echo < 0 || gen < 0) { fprintf(stderr, "vm_card_bench: a command failed\n"); goto out; }
    printf("vm_extended_hash_32767: %.0f us\n", hash);
    printf("vm_extended_echo_32767: %.0f us\n", echo);
    printf("vm_extended_gen_32767: %.0f us\n", gen);
    rc = 0;
out:
    if (vm) vm_card_detach(card, vm);
    if (card) card_close(card);
    free(cap);
    unlink(image);
    char wal[80];
    snprintf(wal, sizeof wal, "%s.wal", image);
    unlink(wal);
    rmdir(dir);
    return rc;
}
