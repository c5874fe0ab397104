/* make bench: the transport's own cost, in-process (no pcscd): IFDHTransmitToICC -> socket -> card_link ->
 * a real card_t, SELECT of the ISD, over a Unix socket and over TCP loopback; and how fast presence
 * changes reach the polling function. Prints "name: value unit" lines. */
#include "card/card.h"
#include "card/card_link.h"
#include "common/cl_util.h"

#include <ifdhandler.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef RESPONSECODE (*poll_fn)(DWORD, int);

static size_t op_power_on(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_power_on(c, atr); }
static size_t op_reset(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_reset(c, atr); }
static void op_power_off(void *c) { card_power_off(c); }
static size_t op_atr(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_atr(c, atr); }
static size_t op_transmit(void *c, const uint8_t *cmd, size_t len, uint8_t *resp) { return card_transmit(c, cmd, len, resp); }
static const struct card_link_ops OPS = { op_power_on, op_reset, op_power_off, op_atr, op_transmit };

static card_link_t *link_;

static void *run_link(void *arg)
{
    (void)arg;
    cl_error_t e = { { 0 } };
    card_link_run(link_, false, &e);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Blocks in the driver's polling function until presence is want; returns the ns it took. */
static uint64_t wait_presence(DWORD lun, RESPONSECODE want)
{
    poll_fn fn;
    DWORD len = sizeof fn;
    IFDHGetCapabilities(lun, TAG_IFD_POLLING_THREAD_WITH_TIMEOUT, &len, (PUCHAR)&fn);
    uint64_t t0 = cl_now_ns();
    while (IFDHICCPresence(lun) != want && cl_now_ns() - t0 < 5000000000ull) fn(lun, 1000);
    return cl_now_ns() - t0;
}

static int bench_one(const char *name, DWORD lun, const char *device, const char *reader, card_t *card, int n)
{
    cl_error_t e = { { 0 } };
    if (IFDHCreateChannelByName(lun, (LPSTR)device) != IFD_SUCCESS) { fprintf(stderr, "bench: cannot open %s\n", device); return -1; }
    IFDHICCPresence(lun);
    if (card_link_new(reader, &OPS, card, &link_, &e) != 0) { fprintf(stderr, "bench: %s\n", e.msg); return -1; }
    pthread_t t;
    pthread_create(&t, NULL, run_link, NULL);
    uint64_t insert_ns = wait_presence(lun, IFD_ICC_PRESENT);

    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    int rc = IFDHPowerICC(lun, IFD_POWER_UP, atr, &alen) == IFD_SUCCESS ? 0 : -1;
    const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x00 };
    static uint8_t resp[CARD_RESP_MAX];
    uint64_t *ts = calloc((size_t)n, sizeof *ts);
    SCARD_IO_HEADER pci = { .Protocol = SCARD_PROTOCOL_T1, .Length = sizeof pci };
    for (int i = 0; i < n && rc == 0; i++) {
        DWORD rlen = sizeof resp;
        uint64_t t0 = cl_now_ns();
        if (IFDHTransmitToICC(lun, pci, (PUCHAR)select, sizeof select, resp, &rlen, NULL) != IFD_SUCCESS || rlen < 2 ||
            resp[rlen - 2] != 0x90)
            rc = -1;
        ts[i] = cl_now_ns() - t0;
    }
    if (rc == 0) {
        qsort(ts, (size_t)n, sizeof *ts, cmp_u64);
        printf("driver_select_%s_median: %.1f us\n", name, ts[n / 2] / 1000.0);
        printf("driver_select_%s_p99: %.1f us\n", name, ts[n * 99 / 100] / 1000.0);
        printf("driver_insert_detect_%s: %.2f ms\n", name, insert_ns / 1e6);
    }
    free(ts);
    card_link_stop(link_);
    uint64_t remove_ns = wait_presence(lun, IFD_ICC_NOT_PRESENT);
    pthread_join(t, NULL);
    card_link_free(link_);
    if (rc == 0) printf("driver_remove_detect_%s: %.2f ms\n", name, remove_ns / 1e6);
    IFDHCloseChannel(lun);
    return rc;
}

int main(void)
{
    cl_log_level = 0;
    char dir[] = "/tmp/ifdbenchXXXXXX";
    if (!mkdtemp(dir)) return 1;
    char image[128], sock[128], dev[160], port_dev[64], port_reader[64];
    snprintf(image, sizeof image, "%s/card.img", dir);
    snprintf(sock, sizeof sock, "%s/card.sock", dir);
    snprintf(dev, sizeof dev, "unix:%s", sock);
    cl_error_t e = { { 0 } };
    card_t *card;
    if (card_open(image, 256 * 1024, IMG_SYNC_NORMAL, &card, &e) != 0) { fprintf(stderr, "bench: %s\n", e.msg); return 1; }
    int rc = bench_one("unix", 0x10000, dev, dev, card, 5000);
    int port = 20000 + (int)(getpid() % 30000);
    snprintf(port_dev, sizeof port_dev, "tcp:127.0.0.1:%d", port);
    snprintf(port_reader, sizeof port_reader, "tcp:127.0.0.1:%d", port);
    if (bench_one("tcp", 0x20000, port_dev, port_reader, card, 5000) != 0) rc = -1;
    card_close(card);
    unlink(image);
    char wal[140];
    snprintf(wal, sizeof wal, "%s.wal", image);
    unlink(wal);
    unlink(sock);
    rmdir(dir);
    return rc == 0 ? 0 : 1;
}
