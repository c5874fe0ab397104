/* libFuzzer target: a hostile card behind the driver. The input is a script of the card's answers:
 * a sequence of [n][n raw bytes] chunks; every time the driver sends something that expects a
 * reply (GET ATR, a C-APDU), the fake card writes the next chunk as it is (any bytes: good frames,
 * malformed lengths, half frames, several frames at once), and hangs up when the script ends.
 * The driver must answer every IFDH call with a defined code and never crash, hang or over-read. */
#include "common/cl_util.h"

#include <ifdhandler.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const DWORD LUN = 0;
static char sock_path[108];

struct script { const uint8_t *p; size_t n; int fd; };

static int read_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r; n -= (size_t)r;
    }
    return 0;
}

/* Writes the next chunk of the script; false when the script is over. */
static bool next_chunk(struct script *s)
{
    if (s->n == 0) return false;
    size_t k = s->p[0];
    if (k > s->n - 1) k = s->n - 1;
    if (k && write(s->fd, s->p + 1, k) != (ssize_t)k) return false;
    s->p += 1 + k;
    s->n -= 1 + k;
    return true;
}

static void *card_main(void *arg)
{
    struct script *s = arg;
    static uint8_t buf[65536];
    bool answered = false;
    for (;;) {
        /* After an answer the driver may still be waiting for bytes we never sent (a half frame):
         * if no new command comes within 10 ms, go on with the script instead of letting the
         * driver sit out its timeout, and hang up when the script is over. */
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        int r = poll(&p, 1, answered ? 10 : -1);
        if (r == 0) {
            if (!next_chunk(s)) break;
            continue;
        }
        uint8_t h[2];
        if (r < 0 || read_all(s->fd, h, 2) != 0) break;
        size_t n = cl_get16(h);
        if (read_all(s->fd, buf, n) != 0) break;
        bool wants_reply = n > 1 || (n == 1 && buf[0] == 0x04);
        if (!wants_reply) continue;
        if (!next_chunk(s)) break;
        answered = true;
    }
    shutdown(s->fd, SHUT_RDWR);
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    cl_log_level = 0;
    snprintf(sock_path, sizeof sock_path, "/tmp/ifd-fuzz-%d.sock", (int)getpid());
    char dev[128];
    snprintf(dev, sizeof dev, "unix:%s@timeout=1", sock_path);
    if (IFDHCreateChannelByName(LUN, dev) != IFD_SUCCESS) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    typedef RESPONSECODE (*poll_fn)(DWORD, int);
    poll_fn wait_change;
    DWORD len = sizeof wait_change;
    IFDHGetCapabilities(LUN, TAG_IFD_POLLING_THREAD_WITH_TIMEOUT, &len, (PUCHAR)&wait_change);

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) abort();
    while (IFDHICCPresence(LUN) != IFD_ICC_PRESENT) wait_change(LUN, 100);

    struct script s = { data, size, fd };
    pthread_t t;
    pthread_create(&t, NULL, card_main, &s);

    static const uint8_t apdus[][8] = {
        { 0x00, 0xA4, 0x04, 0x00, 0x00 }, { 0x80, 0xCA, 0x9F, 0x7F, 0x00 }, { 0x00, 0xB0, 0x00, 0x00, 0x10 },
    };
    UCHAR atr[MAX_ATR_SIZE];
    static UCHAR resp[65548];
    SCARD_IO_HEADER pci = { .Protocol = SCARD_PROTOCOL_T1, .Length = sizeof pci };
    for (int round = 0; round < 2; round++) {
        DWORD alen = sizeof atr;
        RESPONSECODE rc = IFDHPowerICC(LUN, round ? IFD_RESET : IFD_POWER_UP, atr, &alen);
        if (rc == IFD_SUCCESS && (alen < 1 || alen > MAX_ATR_SIZE)) abort();
        if (rc != IFD_SUCCESS && alen != 0) abort();
        for (size_t i = 0; i < CL_ARRAY_LEN(apdus); i++) {
            DWORD rlen = sizeof resp;
            rc = IFDHTransmitToICC(LUN, pci, (PUCHAR)apdus[i], 5, resp, &rlen, NULL);
            if (rc == IFD_SUCCESS && rlen < 2) abort(); /* never "success with nothing" */
            if (rc != IFD_SUCCESS && rlen != 0) abort();
        }
    }
    IFDHPowerICC(LUN, IFD_POWER_DOWN, NULL, NULL);
    shutdown(fd, SHUT_RDWR); /* pull the card: ends the fake card's wait for another command */
    pthread_join(t, NULL);
    close(fd);
    while (IFDHICCPresence(LUN) != IFD_ICC_NOT_PRESENT) wait_change(LUN, 100);
    return 0;
}
