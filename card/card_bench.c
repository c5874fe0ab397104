/* Figures of the command path inside the card (no PC/SC): parsing, and whole commands through
 * card_transmit. Printed as "name: value unit" lines for make bench. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apdu/apdu.h"
#include "card/card.h"
#include "common/cl_util.h"

static double ns_per(uint64_t t0, long n) { return (double)(cl_now_ns() - t0) / (double)n; }

static double run(card_t *c, const char *hex, long rounds, uint8_t *resp)
{
    uint8_t cmd[64];
    long n = cl_hex_decode(hex, cmd, sizeof cmd);
    if (n < 0) { fprintf(stderr, "card_bench: bad command %s\n", hex); exit(1); }
    uint64_t t0 = cl_now_ns();
    for (long i = 0; i < rounds; i++) {
        size_t r = card_transmit(c, cmd, (size_t)n, resp);
        if (r < 2 || resp[r - 2] != 0x90) { fprintf(stderr, "card_bench: %s failed\n", hex); exit(1); }
    }
    return ns_per(t0, rounds);
}

int main(void)
{
    char dir[] = "/tmp/card_bench.XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[64];
    snprintf(path, sizeof path, "%s/card.img", dir);
    card_t *c;
    cl_error_t e = { { 0 } };
    if (card_open(path, 64 * 1024, IMG_SYNC_NORMAL, &c, &e) != 0) { fprintf(stderr, "card_bench: %s\n", e.msg); return 1; }
    uint8_t *resp = malloc(CARD_RESP_MAX);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(c, atr);

    const long rounds = 200000;
    uint8_t ext[7 + 255 + 2] = { 0x00, 0xD6, 0, 0, 0, 0, 255 };
    apdu_cmd_t cmd;
    uint64_t t0 = cl_now_ns();
    for (long i = 0; i < rounds; i++) {
        if (apdu_parse(ext, sizeof ext, &cmd) != APDU_PARSE_OK) return 1;
    }
    printf("apdu_parse_case4e: %.1f ns\n", ns_per(t0, rounds));
    printf("card_select_isd_fci: %.0f ns/apdu\n", run(c, "00A4040000", rounds, resp));
    printf("card_get_data_cplc: %.0f ns/apdu\n", run(c, "80CA9F7F00", rounds, resp));
    printf("card_get_status_isd: %.0f ns/apdu\n", run(c, "80F28002024F0000", rounds, resp));
    /* Each PUT DATA is one atomic image write: the persistent path. The CIN changes every round, since
     * the image skips a write of unchanged bytes (the same CIN each time measured only the refusal). */
    const long writes = 20000;
    uint8_t put[] = { 0x80, 0xDA, 0x00, 0x45, 0x04, 0x11, 0x22, 0x00, 0x00 };
    t0 = cl_now_ns();
    for (long i = 0; i < writes; i++) {
        cl_put16(put + 7, (uint16_t)(i + 1));
        size_t r = card_transmit(c, put, sizeof put, resp);
        if (r < 2 || cl_get16(resp + r - 2) != 0x9000) { fprintf(stderr, "card_bench: PUT DATA failed\n"); return 1; }
    }
    printf("card_put_data_cin: %.0f ns/apdu\n", ns_per(t0, writes));

    card_close(c);
    free(resp);
    unlink(path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s.wal", path);
    unlink(wal);
    rmdir(dir);
    return 0;
}
