/* pcsc_bench: PC/SC figures for `make bench`, run inside `cardlet with` (tests/bench/run-pcsc-bench.sh).
 *
 *   pcsc_bench rtt NAME COUNT [AID APDU]  round trip of one simple APDU (GET DATA 80 CA 00 FE 00, or APDU sent to
 *                                      the applet AID selected first) on one connection to the first reader:
 *                                      prints NAME_rtt_median / NAME_rtt_p99 (us)
 *   pcsc_bench events CARDLET ROUNDS   starts `CARDLET card` on $CARDLET_READER and kills it, ROUNDS times:
 *                                      time from start (kill) to the SCardGetStatusChange insertion (removal) event
 *
 * Output: one "name: value unit" line per figure, as `make bench` wants. Errors go to stderr, exit 1. */
#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 200

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t percentile(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

static int die(const char *what, LONG rv)
{
    fprintf(stderr, "pcsc_bench: %s: %s\n", what, pcsc_stringify_error(rv));
    return 1;
}

static int first_reader(SCARDCONTEXT ctx, char *name, size_t cap)
{
    char list[4096];
    DWORD len = sizeof list;
    LONG rv = SCardListReaders(ctx, NULL, list, &len);
    if (rv != SCARD_S_SUCCESS) return die("list readers", rv);
    snprintf(name, cap, "%.*s", (int)strnlen(list, cap - 1), list);
    return 0;
}

/* Parses hex into out (at most cap bytes); returns the length or -1. */
static long parse_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n; i += 2) {
        unsigned v;
        if (sscanf(hex + i, "%2x", &v) != 1) return -1;
        out[i / 2] = (uint8_t)v;
    }
    return (long)(n / 2);
}

static int bench_rtt(const char *label, long count, const char *select_aid, const char *apdu_hex)
{
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    DWORD proto;
    char reader[MAX_READERNAME + 1];
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS) return die("establish context", rv);
    if (first_reader(ctx, reader, sizeof reader)) return 1;
    rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &proto);
    if (rv != SCARD_S_SUCCESS) return die("connect", rv);
    const SCARD_IO_REQUEST *pci = proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    uint8_t apdu[261] = { 0x80, 0xCA, 0x00, 0xFE, 0x00 };
    long apdu_len = 5;
    if (apdu_hex && (apdu_len = parse_hex(apdu_hex, apdu, sizeof apdu)) < 4) {
        fprintf(stderr, "pcsc_bench: bad APDU hex '%s'\n", apdu_hex);
        return 1;
    }
    if (select_aid) {
        /* An applet's command: select it once, then every measured APDU goes to it. */
        uint8_t sel[5 + 16] = { 0x00, 0xA4, 0x04, 0x00 }, resp[258];
        long aid_len = parse_hex(select_aid, sel + 5, 16);
        DWORD rlen = sizeof resp;
        if (aid_len < 5) {
            fprintf(stderr, "pcsc_bench: bad AID hex '%s'\n", select_aid);
            return 1;
        }
        sel[4] = (uint8_t)aid_len;
        rv = SCardTransmit(card, pci, sel, (DWORD)(5 + aid_len), NULL, resp, &rlen);
        if (rv != SCARD_S_SUCCESS) return die("select", rv);
        if (rlen < 2 || resp[rlen - 2] != 0x90 || resp[rlen - 1] != 0x00) {
            fprintf(stderr, "pcsc_bench: SELECT %s answered %02X %02X\n", select_aid, rlen >= 2 ? resp[rlen - 2] : 0,
                    rlen >= 2 ? resp[rlen - 1] : 0);
            return 1;
        }
    }
    uint64_t *t = calloc((size_t)count, sizeof *t);
    if (!t) return 1;
    for (long i = -WARMUP; i < count; i++) {
        uint8_t resp[258];
        DWORD rlen = sizeof resp;
        uint64_t t0 = now_ns();
        rv = SCardTransmit(card, pci, apdu, (DWORD)apdu_len, NULL, resp, &rlen);
        uint64_t dt = now_ns() - t0;
        if (rv != SCARD_S_SUCCESS || rlen < 2) {
            free(t);
            return die("transmit", rv != SCARD_S_SUCCESS ? rv : SCARD_F_UNKNOWN_ERROR);
        }
        if (i >= 0) t[i] = dt;
    }
    qsort(t, (size_t)count, sizeof *t, cmp_u64);
    printf("%s_rtt_median: %.1f us\n", label, (double)percentile(t, (size_t)count, 50) / 1000.0);
    printf("%s_rtt_p99: %.1f us\n", label, (double)percentile(t, (size_t)count, 99) / 1000.0);
    free(t);
    SCardDisconnect(card, SCARD_LEAVE_CARD);
    SCardReleaseContext(ctx);
    return 0;
}

/* Blocks until the reader shows the card present (or empty); returns 0, or -1 after timeout_ms. */
static int wait_card(SCARDCONTEXT ctx, const char *reader, int present, int timeout_ms)
{
    SCARD_READERSTATE rs;
    memset(&rs, 0, sizeof rs);
    rs.szReader = reader;
    rs.dwCurrentState = SCARD_STATE_UNAWARE;
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (now_ns() < deadline) {
        LONG rv = SCardGetStatusChange(ctx, 1000, &rs, 1);
        if (rv == SCARD_S_SUCCESS) {
            int is = (rs.dwEventState & SCARD_STATE_PRESENT) && !(rs.dwEventState & SCARD_STATE_MUTE);
            if (is == present) return 0;
            rs.dwCurrentState = rs.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        } else if (rv != SCARD_E_TIMEOUT) {
            die("status change", rv);
            return -1;
        }
    }
    return -1;
}

static pid_t start_card(const char *cardlet, const char *image, const char *reader_addr)
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen("/dev/null", "w", stdout);
        (void)f;
        execl(cardlet, cardlet, "card", "--card", image, "--reader", reader_addr, "-q", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int bench_events(const char *cardlet, long rounds)
{
    const char *addr = getenv("CARDLET_READER"), *dir = getenv("CARDLET_WITH_DIR");
    if (!addr || !dir) {
        fprintf(stderr, "pcsc_bench: events needs CARDLET_READER and CARDLET_WITH_DIR (run in cardlet with --no-card)\n");
        return 1;
    }
    char image[4096];
    snprintf(image, sizeof image, "%s/bench.img", dir);
    SCARDCONTEXT ctx;
    char reader[MAX_READERNAME + 1];
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS) return die("establish context", rv);
    if (first_reader(ctx, reader, sizeof reader)) return 1;
    uint64_t *ins = calloc((size_t)rounds, sizeof *ins), *rem = calloc((size_t)rounds, sizeof *rem);
    if (!ins || !rem) return 1;
    int rc = 0;
    for (long i = 0; i < rounds && rc == 0; i++) {
        uint64_t t0 = now_ns();
        pid_t pid = start_card(cardlet, image, addr);
        if (pid < 0 || wait_card(ctx, reader, 1, 10000) != 0) {
            fprintf(stderr, "pcsc_bench: round %ld: no insertion event within 10 s\n", i);
            rc = 1;
        }
        ins[i] = now_ns() - t0;
        if (pid > 0) {
            uint64_t t1 = now_ns();
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            if (rc == 0 && wait_card(ctx, reader, 0, 10000) != 0) {
                fprintf(stderr, "pcsc_bench: round %ld: no removal event within 10 s\n", i);
                rc = 1;
            }
            rem[i] = now_ns() - t1;
        }
    }
    if (rc == 0) {
        qsort(ins, (size_t)rounds, sizeof *ins, cmp_u64);
        qsort(rem, (size_t)rounds, sizeof *rem, cmp_u64);
        printf("pcsc_card_insert_event_median: %.1f ms\n", (double)percentile(ins, (size_t)rounds, 50) / 1e6);
        printf("pcsc_card_insert_event_max: %.1f ms\n", (double)ins[rounds - 1] / 1e6);
        printf("pcsc_card_remove_event_median: %.1f ms\n", (double)percentile(rem, (size_t)rounds, 50) / 1e6);
        printf("pcsc_card_remove_event_max: %.1f ms\n", (double)rem[rounds - 1] / 1e6);
    }
    free(ins);
    free(rem);
    SCardReleaseContext(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    long n = argc >= 4 ? strtol(argv[3], NULL, 10) : 0;
    if ((argc == 4 || argc == 6) && n > 0 && n <= 10000000 && !strcmp(argv[1], "rtt"))
        return bench_rtt(argv[2], n, argc == 6 ? argv[4] : NULL, argc == 6 ? argv[5] : NULL);
    if (argc == 4 && n > 0 && n <= 10000 && !strcmp(argv[1], "events")) return bench_events(argv[2], n);
    fprintf(stderr, "usage: pcsc_bench rtt NAME COUNT [SELECT_AID_HEX APDU_HEX] | pcsc_bench events CARDLET ROUNDS\n");
    return 2;
}
