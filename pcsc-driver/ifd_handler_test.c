/* The driver in-process: IFDH* calls against fake cards that connect from threads over real sockets.
 * The fake cards speak the wire protocol with raw socket calls (not the driver's codec), so a codec
 * bug cannot hide itself. */
#include "common/cl_util.h"
#include "pcsc-driver/ifd_wire.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <ifdhandler.h>
#include <reader.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef RESPONSECODE (*poll_fn)(DWORD, int);
typedef RESPONSECODE (*stop_fn)(DWORD);

static char dir[64];
static char sock_path[128];
static char device[160];
static const DWORD LUN = 0x10000;

static const uint8_t FAKE_ATR[] = { 0x3B, 0x88, 0x80, 0x01, 0x43, 0x41, 0x52, 0x44, 0x4C, 0x45, 0x54, 0x31, 0x0B };

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static uint64_t ms_since(uint64_t t0) { return (cl_now_ns() - t0) / 1000000u; }

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ifdtestXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock_path, sizeof sock_path, "%s/card.sock", dir);
    snprintf(device, sizeof device, "unix:%s", sock_path);
    ck_assert_int_eq(IFDHCreateChannelByName(LUN, device), IFD_SUCCESS);
}

static void teardown(void)
{
    IFDHCloseChannel(LUN);
    unlink(sock_path);
    rmdir(dir);
}

static int connect_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { close(fd); return -1; }
    return fd;
}

/* Reads exactly n bytes; 0 on success, -1 on EOF/error. */
static int read_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r; n -= (size_t)r;
    }
    return 0;
}

static int read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t h[2];
    if (read_all(fd, h, 2) != 0) return -1;
    size_t n = cl_get16(h);
    if (n > cap || read_all(fd, buf, n) != 0) return -1;
    *len = n;
    return 0;
}

static void write_frame(int fd, const uint8_t *p, size_t n, int dribble)
{
    uint8_t *f = malloc(n + 2);
    cl_put16(f, (uint16_t)n);
    memcpy(f + 2, p, n);
    if (dribble) {
        for (size_t i = 0; i < n + 2; i++) {
            if (write(fd, f + i, 1) != 1) break;
            if (i % 2) sleep_ms(1);
        }
    } else if (write(fd, f, n + 2) != (ssize_t)(n + 2)) {
        /* the driver dropped us: the test checks that on the driver side */
    }
    free(f);
}

/* A fake card's behaviour. */
enum misbehave { GOOD, DIE_ON_APDU, SHORT_RAPDU, LONG_ATR, EMPTY_FRAME, SILENT, DRIBBLE, CHATTY };

struct fake {
    int fd;
    enum misbehave how;
    pthread_t thread;
    int powered;
    int apdus;
};

/* Serves control codes and APDUs; a good card answers an APDU with its body reversed plus 90 00. */
static void *fake_main(void *arg)
{
    struct fake *f = arg;
    static __thread uint8_t buf[70000];
    uint8_t out[70000];
    size_t n;
    while (read_frame(f->fd, buf, sizeof buf, &n) == 0) {
        if (n == 1) {
            if (buf[0] == IFD_CTRL_POWER_ON || buf[0] == IFD_CTRL_RESET) f->powered = 1;
            if (buf[0] == IFD_CTRL_POWER_OFF) f->powered = 0;
            if (buf[0] == IFD_CTRL_GET_ATR) {
                if (f->how == LONG_ATR) {
                    uint8_t atr[34] = { 0x3B };
                    write_frame(f->fd, atr, sizeof atr, 0);
                } else {
                    write_frame(f->fd, FAKE_ATR, sizeof FAKE_ATR, f->how == DRIBBLE);
                    /* A card that talks out of turn: an extra frame nobody asked for. */
                    if (f->how == CHATTY) write_frame(f->fd, (const uint8_t *)"\x90\x00", 2, 0);
                }
            }
            continue;
        }
        f->apdus++;
        switch (f->how) {
        case DIE_ON_APDU: close(f->fd); f->fd = -1; return NULL;
        case SHORT_RAPDU: write_frame(f->fd, (const uint8_t *)"\x90", 1, 0); continue;
        case EMPTY_FRAME: if (write(f->fd, "\0\0", 2) != 2) return NULL; continue;
        case SILENT: continue;
        default: break;
        }
        for (size_t i = 0; i < n; i++) out[i] = buf[n - 1 - i];
        out[n] = 0x90;
        out[n + 1] = 0x00;
        write_frame(f->fd, out, n + 2, f->how == DRIBBLE);
    }
    return NULL;
}

static struct fake *fake_start_fd(int fd, enum misbehave how)
{
    ck_assert_int_ge(fd, 0);
    struct fake *f = calloc(1, sizeof *f);
    f->fd = fd;
    f->how = how;
    pthread_create(&f->thread, NULL, fake_main, f);
    return f;
}

static struct fake *fake_start(enum misbehave how) { return fake_start_fd(connect_unix(sock_path), how); }

/* Ends the card from the outside (as if its process died) and frees it. */
static void fake_kill(struct fake *f)
{
    if (f->fd >= 0) shutdown(f->fd, SHUT_RDWR);
    pthread_join(f->thread, NULL);
    if (f->fd >= 0) close(f->fd);
    free(f);
}

static poll_fn get_poll_fn(void)
{
    poll_fn fn = NULL;
    DWORD len = sizeof fn;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_POLLING_THREAD_WITH_TIMEOUT, &len, (PUCHAR)&fn), IFD_SUCCESS);
    ck_assert_uint_eq(len, sizeof fn);
    ck_assert_ptr_nonnull((void *)fn);
    return fn;
}

/* Waits (through the driver's polling function, as pcscd does) until presence is `want`. */
static uint64_t wait_presence(RESPONSECODE want)
{
    poll_fn fn = get_poll_fn();
    uint64_t t0 = cl_now_ns();
    while (IFDHICCPresence(LUN) != want && ms_since(t0) < 5000) fn(LUN, 5000);
    ck_assert_int_eq(IFDHICCPresence(LUN), want);
    return ms_since(t0);
}

static RESPONSECODE transmit(const uint8_t *cmd, DWORD len, uint8_t *resp, DWORD *rlen)
{
    SCARD_IO_HEADER pci = { .Protocol = SCARD_PROTOCOL_T1, .Length = sizeof pci };
    return IFDHTransmitToICC(LUN, pci, (PUCHAR)cmd, len, resp, rlen, NULL);
}

/* 200 commands carrying (tag, i); checks each answer is the reversal of its own command. */
struct worker { DWORD lun; uint8_t tag; int ok; };

static void *hammer(void *arg)
{
    struct worker *w = arg;
    SCARD_IO_HEADER pci = { .Protocol = SCARD_PROTOCOL_T1, .Length = sizeof pci };
    w->ok = 0;
    for (int i = 0; i < 200; i++) {
        uint8_t cmd[8] = { 0x00, 0xB0, w->tag, (uint8_t)i, 0x02, 0x11, 0x22, 0x00 };
        uint8_t resp[16];
        DWORD rlen = sizeof resp;
        if (IFDHTransmitToICC(w->lun, pci, cmd, sizeof cmd, resp, &rlen, NULL) != IFD_SUCCESS) return NULL;
        if (rlen != 10 || resp[4] != (uint8_t)i || resp[5] != w->tag) return NULL;
    }
    w->ok = 1;
    return NULL;
}

START_TEST(capabilities)
{
    UCHAR v[64];
    DWORD len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_SLOTS_NUMBER, &len, v), IFD_SUCCESS);
    ck_assert_uint_eq(len, 1);
    ck_assert_uint_eq(v[0], 1);
    len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_THREAD_SAFE, &len, v), IFD_SUCCESS);
    ck_assert_uint_eq(v[0], 1);
    len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_SLOT_THREAD_SAFE, &len, v), IFD_SUCCESS);
    ck_assert_uint_eq(v[0], 0);
    len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_SIMULTANEOUS_ACCESS, &len, v), IFD_SUCCESS);
    ck_assert_uint_ge(v[0], 2);
    len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_POLLING_THREAD_KILLABLE, &len, v), IFD_SUCCESS);
    ck_assert_uint_eq(v[0], 0);
    stop_fn stop = NULL;
    len = sizeof stop;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_STOP_POLLING_THREAD, &len, (PUCHAR)&stop), IFD_SUCCESS);
    ck_assert_ptr_nonnull((void *)stop);
    len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, SCARD_ATTR_VENDOR_NAME, &len, v), IFD_SUCCESS);
    ck_assert_uint_eq(len, 8);
    ck_assert_str_eq((char *)v, "cardlet");
    len = 3;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, SCARD_ATTR_VENDOR_NAME, &len, v), IFD_ERROR_INSUFFICIENT_BUFFER);
    len = sizeof v;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, 0x0FFF, &len, v), IFD_ERROR_TAG);
    len = 2; /* too small for a function pointer */
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_POLLING_THREAD_WITH_TIMEOUT, &len, v), IFD_ERROR_INSUFFICIENT_BUFFER);
    len = sizeof v; /* no card powered: empty ATR */
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_ATR, &len, v), IFD_SUCCESS);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(IFDHControl(LUN, 0x42000000, v, 1, v, sizeof v, &len), IFD_ERROR_NOT_SUPPORTED);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(IFDHSetProtocolParameters(LUN, SCARD_PROTOCOL_T1, 0, 0, 0, 0), IFD_SUCCESS);
    ck_assert_int_eq(IFDHSetProtocolParameters(LUN, 4, 0, 0, 0, 0), IFD_PROTOCOL_NOT_SUPPORTED);
    ck_assert_int_eq(IFDHICCPresence(0x70000), IFD_NO_SUCH_DEVICE);
}
END_TEST

START_TEST(power_atr_and_transmit)
{
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_ERROR_POWER_ACTION); /* no card yet */
    ck_assert_uint_eq(alen, 0);

    struct fake *f = fake_start(GOOD);
    wait_presence(IFD_ICC_PRESENT);
    alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    ck_assert_uint_eq(alen, sizeof FAKE_ATR);
    ck_assert_mem_eq(atr, FAKE_ATR, sizeof FAKE_ATR);
    ck_assert_int_eq(f->powered, 1);
    UCHAR cap[64];
    DWORD clen = sizeof cap;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_ATR, &clen, cap), IFD_SUCCESS);
    ck_assert_uint_eq(clen, sizeof FAKE_ATR);
    ck_assert_mem_eq(cap, FAKE_ATR, sizeof FAKE_ATR);
    clen = sizeof cap;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, SCARD_ATTR_ATR_STRING, &clen, cap), IFD_SUCCESS);
    ck_assert_uint_eq(clen, sizeof FAKE_ATR);
    clen = 5;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, SCARD_ATTR_ATR_STRING, &clen, cap), IFD_ERROR_INSUFFICIENT_BUFFER);
    clen = sizeof cap;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, SCARD_ATTR_ICC_INTERFACE_STATUS, &clen, cap), IFD_SUCCESS);
    ck_assert_uint_eq(cap[0], 1);

    const uint8_t cmd[] = { 0x00, 0xA4, 0x04, 0x00, 0x02, 0x3F, 0x00 };
    uint8_t resp[300];
    DWORD rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_SUCCESS);
    ck_assert_uint_eq(rlen, sizeof cmd + 2);
    for (size_t i = 0; i < sizeof cmd; i++) ck_assert_uint_eq(resp[i], cmd[sizeof cmd - 1 - i]);
    ck_assert_uint_eq(resp[rlen - 2], 0x90);

    /* An extended APDU near the frame limit passes through whole. */
    size_t big = 65000;
    uint8_t *bc = malloc(big), *br = malloc(big + 2);
    for (size_t i = 0; i < big; i++) bc[i] = (uint8_t)(i ^ (i >> 8));
    rlen = (DWORD)big + 2;
    ck_assert_int_eq(transmit(bc, (DWORD)big, br, &rlen), IFD_SUCCESS);
    ck_assert_uint_eq(rlen, big + 2);
    ck_assert_uint_eq(br[0], bc[big - 1]);
    ck_assert_uint_eq(br[big - 1], bc[0]);
    /* Reply larger than the caller's buffer: error, 0 bytes, and the card stays usable. */
    rlen = 10;
    ck_assert_int_eq(transmit(bc, 100, br, &rlen), IFD_ERROR_INSUFFICIENT_BUFFER);
    ck_assert_uint_eq(rlen, 0);
    free(bc);
    free(br);

    /* Commands that cannot be framed unambiguously are refused without reaching the card. */
    int before = f->apdus;
    rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, 1, resp, &rlen), IFD_COMMUNICATION_ERROR);
    ck_assert_uint_eq(rlen, 0);
    rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, 0, resp, &rlen), IFD_COMMUNICATION_ERROR);
    ck_assert_int_eq(f->apdus, before);

    alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_RESET, atr, &alen), IFD_SUCCESS);
    ck_assert_uint_eq(alen, sizeof FAKE_ATR);
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_DOWN, NULL, NULL), IFD_SUCCESS); /* as pcscd calls it */
    rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_SUCCESS); /* a round trip orders us after the 00 */
    ck_assert_int_eq(f->powered, 0);
    clen = sizeof cap;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_ATR, &clen, cap), IFD_SUCCESS);
    ck_assert_uint_eq(clen, 0);
    clen = sizeof cap;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, SCARD_ATTR_ICC_INTERFACE_STATUS, &clen, cap), IFD_SUCCESS);
    ck_assert_uint_eq(cap[0], 0);
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_PRESENT);
    fake_kill(f);
}
END_TEST

START_TEST(presence_wakes_on_connect_and_disconnect)
{
    poll_fn fn = get_poll_fn();
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    /* Nothing changes: the polling function waits out its timeout. */
    uint64_t t0 = cl_now_ns();
    fn(LUN, 150);
    ck_assert_uint_ge(ms_since(t0), 140);

    int fd = connect_unix(sock_path);
    ck_assert_int_ge(fd, 0);
    t0 = cl_now_ns();
    ck_assert_int_eq(fn(LUN, 10000), IFD_SUCCESS);
    uint64_t connect_ms = ms_since(t0);
    ck_assert_uint_lt(connect_ms, 5000);
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_PRESENT);

    close(fd); /* an idle card goes away: noticed without any command */
    t0 = cl_now_ns();
    ck_assert_int_eq(fn(LUN, 10000), IFD_SUCCESS);
    ck_assert_uint_lt(ms_since(t0), 5000);
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
}
END_TEST

START_TEST(swapped_card_reported_as_removal)
{
    int a = connect_unix(sock_path);
    wait_presence(IFD_ICC_PRESENT);
    close(a);
    /* Wait for the driver to notice without asking IFDHICCPresence (it would consume the change). */
    uint64_t t0 = cl_now_ns();
    int b = -1;
    while (ms_since(t0) < 5000) {
        sleep_ms(10);
        b = connect_unix(sock_path);
        /* Accepted only once the first one is gone; a refused one is closed by the driver. */
        uint8_t x;
        sleep_ms(100);
        if (recv(b, &x, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN) break;
        close(b);
        b = -1;
    }
    ck_assert_int_ge(b, 0);
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT); /* one removal for pcscd... */
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_PRESENT);     /* ...then the new card */
    close(b);
}
END_TEST

START_TEST(stop_polling_returns_promptly)
{
    poll_fn fn = get_poll_fn();
    stop_fn stop = NULL;
    DWORD len = sizeof stop;
    ck_assert_int_eq(IFDHGetCapabilities(LUN, TAG_IFD_STOP_POLLING_THREAD, &len, (PUCHAR)&stop), IFD_SUCCESS);
    IFDHICCPresence(LUN);
    /* A stop requested before the wait is not lost. */
    ck_assert_int_eq(stop(LUN), IFD_SUCCESS);
    uint64_t t0 = cl_now_ns();
    fn(LUN, 20000);
    ck_assert_uint_lt(ms_since(t0), 5000);
    /* And the next wait waits again (the stop was consumed). */
    t0 = cl_now_ns();
    fn(LUN, 100);
    ck_assert_uint_ge(ms_since(t0), 90);
}
END_TEST

struct stopper { stop_fn stop; };
static void *stop_later(void *arg)
{
    struct stopper *s = arg;
    sleep_ms(100);
    s->stop(LUN);
    return NULL;
}

START_TEST(stop_polling_wakes_a_waiter)
{
    poll_fn fn = get_poll_fn();
    struct stopper s;
    DWORD len = sizeof s.stop;
    IFDHGetCapabilities(LUN, TAG_IFD_STOP_POLLING_THREAD, &len, (PUCHAR)&s.stop);
    IFDHICCPresence(LUN);
    pthread_t t;
    pthread_create(&t, NULL, stop_later, &s);
    uint64_t t0 = cl_now_ns();
    fn(LUN, 20000);
    uint64_t ms = ms_since(t0);
    pthread_join(t, NULL);
    ck_assert_uint_ge(ms, 90);
    ck_assert_uint_lt(ms, 5000);
}
END_TEST

START_TEST(card_dies_mid_command)
{
    struct fake *f = fake_start(DIE_ON_APDU);
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    const uint8_t cmd[] = { 0x80, 0xCA, 0x9F, 0x7F, 0x00 };
    uint8_t resp[64];
    DWORD rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_COMMUNICATION_ERROR);
    ck_assert_uint_eq(rlen, 0);
    rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_ICC_NOT_PRESENT);
    ck_assert_uint_eq(rlen, 0);
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    fake_kill(f);
}
END_TEST

/* A misbehaving card is disconnected; the reader then accepts a good card. */
static void check_malformed(enum misbehave how, int at_power_up)
{
    struct fake *f = fake_start(how);
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    RESPONSECODE rc = IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen);
    if (at_power_up) {
        ck_assert_int_ne(rc, IFD_SUCCESS);
        ck_assert_uint_eq(alen, 0);
    } else {
        ck_assert_int_eq(rc, IFD_SUCCESS);
        const uint8_t cmd[] = { 0x00, 0xB0, 0x00, 0x00, 0x10 };
        uint8_t resp[64];
        DWORD rlen = sizeof resp;
        ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_COMMUNICATION_ERROR);
        ck_assert_uint_eq(rlen, 0);
    }
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    fake_kill(f); /* its socket was closed by the driver: the fake's read ended */

    f = fake_start(GOOD);
    wait_presence(IFD_ICC_PRESENT);
    alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    fake_kill(f);
}

START_TEST(malformed_short_rapdu) { check_malformed(SHORT_RAPDU, 0); }
END_TEST
START_TEST(malformed_empty_frame) { check_malformed(EMPTY_FRAME, 0); }
END_TEST
START_TEST(malformed_long_atr) { check_malformed(LONG_ATR, 1); }
END_TEST

START_TEST(unsolicited_data_drops_card)
{
    struct fake *f = fake_start(CHATTY);
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    /* The fake sends an extra frame right behind its ATR. If it reaches the driver together with the
     * ATR (one receive), the power-up itself fails; otherwise the next exchange finds it waiting.
     * Either way the card is dropped and the stale frame is never taken for an answer. */
    RESPONSECODE up = IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen);
    if (up == IFD_SUCCESS) {
        sleep_ms(20); /* let the extra frame arrive */
        const uint8_t cmd[] = { 0x00, 0xB0, 0x00, 0x00, 0x10 };
        uint8_t resp[64];
        DWORD rlen = sizeof resp;
        ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_COMMUNICATION_ERROR);
        ck_assert_uint_eq(rlen, 0);
    } else {
        ck_assert_int_eq(up, IFD_COMMUNICATION_ERROR);
    }
    ck_assert_int_eq(f->apdus, 0);
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    fake_kill(f);
}
END_TEST

START_TEST(one_reader_many_threads)
{
    /* Exchanges on one Lun are serialised: every thread gets the answer to its own command. */
    struct fake *f = fake_start(GOOD);
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    enum { N = 4 };
    pthread_t t[N];
    struct worker w[N];
    for (int i = 0; i < N; i++) {
        w[i].lun = LUN;
        w[i].tag = (uint8_t)(0xA0 + i);
        pthread_create(&t[i], NULL, hammer, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        ck_assert_msg(w[i].ok, "thread %d got a wrong answer", i);
    }
    ck_assert_int_eq(f->apdus, N * 200);
    ck_assert_int_eq(IFDHPowerICC(LUN, 999, atr, &alen), IFD_NOT_SUPPORTED);
    fake_kill(f);
}
END_TEST

START_TEST(split_frames_from_card)
{
    struct fake *f = fake_start(DRIBBLE);
    wait_presence(IFD_ICC_PRESENT);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    ck_assert_mem_eq(atr, FAKE_ATR, sizeof FAKE_ATR);
    const uint8_t cmd[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
    uint8_t resp[64];
    DWORD rlen = sizeof resp;
    ck_assert_int_eq(transmit(cmd, sizeof cmd, resp, &rlen), IFD_SUCCESS);
    ck_assert_uint_eq(rlen, 7);
    ck_assert_uint_eq(resp[0], 0x08);
    fake_kill(f);
}
END_TEST

START_TEST(second_card_refused)
{
    struct fake *a = fake_start(GOOD);
    wait_presence(IFD_ICC_PRESENT);
    int b = connect_unix(sock_path);
    ck_assert_int_ge(b, 0);
    struct pollfd p = { .fd = b, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    uint8_t x;
    ck_assert_int_eq(read(b, &x, 1), 0); /* closed by the driver */
    close(b);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &alen), IFD_SUCCESS); /* the first card is unharmed */
    ck_assert_int_eq(IFDHICCPresence(LUN), IFD_ICC_PRESENT);
    fake_kill(a);
}
END_TEST

START_TEST(reply_timeout)
{
    /* A second reader with a 1 s reply timeout, and a card that never answers. */
    char dev2[200], path2[160];
    snprintf(path2, sizeof path2, "%s/slow.sock", dir);
    snprintf(dev2, sizeof dev2, "unix:%s@timeout=1", path2);
    const DWORD LUN2 = 0x20000;
    ck_assert_int_eq(IFDHCreateChannelByName(LUN2, dev2), IFD_SUCCESS);
    struct fake *f = fake_start_fd(connect_unix(path2), SILENT);
    uint64_t t0 = cl_now_ns();
    while (IFDHICCPresence(LUN2) != IFD_ICC_PRESENT && ms_since(t0) < 5000) sleep_ms(5);
    UCHAR atr[MAX_ATR_SIZE];
    DWORD alen = sizeof atr;
    ck_assert_int_eq(IFDHPowerICC(LUN2, IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    const uint8_t cmd[] = { 0x00, 0xB0, 0x00, 0x00, 0x10 };
    uint8_t resp[64];
    DWORD rlen = sizeof resp;
    SCARD_IO_HEADER pci = { .Protocol = SCARD_PROTOCOL_T1, .Length = sizeof pci };
    t0 = cl_now_ns();
    ck_assert_int_eq(IFDHTransmitToICC(LUN2, pci, (PUCHAR)cmd, sizeof cmd, resp, &rlen, NULL), IFD_RESPONSE_TIMEOUT);
    ck_assert_uint_ge(ms_since(t0), 900);
    ck_assert_uint_eq(rlen, 0);
    ck_assert_int_eq(IFDHICCPresence(LUN2), IFD_ICC_NOT_PRESENT); /* the stream is out of step: dropped */
    fake_kill(f);
    ck_assert_int_eq(IFDHCloseChannel(LUN2), IFD_SUCCESS);
    ck_assert_int_eq(access(path2, F_OK), -1); /* socket file removed on close */
}
END_TEST

START_TEST(non_loopback_tcp_refused)
{
    ck_assert_int_eq(IFDHCreateChannelByName(0x30000, "tcp:10.1.2.3:35963"), IFD_COMMUNICATION_ERROR);
    ck_assert_int_eq(IFDHCreateChannelByName(0x30000, "tcp:0.0.0.0:35963"), IFD_COMMUNICATION_ERROR);
    ck_assert_int_eq(IFDHCreateChannelByName(0x30000, "bogus"), IFD_COMMUNICATION_ERROR);
    ck_assert_int_eq(IFDHICCPresence(0x30000), IFD_NO_SUCH_DEVICE);
    ck_assert_int_eq(IFDHCreateChannelByName(LUN, device), IFD_COMMUNICATION_ERROR); /* already open */
}
END_TEST

/* Binds a free loopback port by trying a few in a pid-dependent range. */
static int open_tcp_reader(DWORD lun, int *port_out)
{
    for (int i = 0; i < 50; i++) {
        int port = 20000 + (int)((getpid() * 31 + i * 977 + (int)lun) % 30000);
        char dev[64];
        snprintf(dev, sizeof dev, "tcp:127.0.0.1:%d", port);
        if (IFDHCreateChannelByName(lun, dev) == IFD_SUCCESS) { *port_out = port; return 0; }
    }
    return -1;
}

static int connect_tcp(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { close(fd); return -1; }
    return fd;
}


START_TEST(several_readers_tcp_in_parallel)
{
    enum { N = 3 };
    DWORD luns[N] = { 0x40000, 0x50000, 0x60000 };
    int ports[N];
    struct fake *cards[N];
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(open_tcp_reader(luns[i], &ports[i]), 0);
        cards[i] = fake_start_fd(connect_tcp(ports[i]), GOOD);
    }
    for (int i = 0; i < N; i++) {
        uint64_t t0 = cl_now_ns();
        while (IFDHICCPresence(luns[i]) != IFD_ICC_PRESENT && ms_since(t0) < 5000) sleep_ms(5);
        UCHAR atr[MAX_ATR_SIZE];
        DWORD alen = sizeof atr;
        ck_assert_int_eq(IFDHPowerICC(luns[i], IFD_POWER_UP, atr, &alen), IFD_SUCCESS);
    }
    pthread_t t[N];
    struct worker w[N];
    for (int i = 0; i < N; i++) {
        w[i].lun = luns[i];
        w[i].tag = (uint8_t)(luns[i] >> 16);
        pthread_create(&t[i], NULL, hammer, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        ck_assert_msg(w[i].ok, "reader %d failed", i);
        ck_assert_int_eq(cards[i]->apdus, 200);
    }
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(IFDHCloseChannel(luns[i]), IFD_SUCCESS);
        fake_kill(cards[i]);
    }
}
END_TEST

START_TEST(create_channel_by_number)
{
    int port = 20000 + (int)(getpid() % 30000);
    RESPONSECODE rc = IFD_COMMUNICATION_ERROR;
    for (int i = 0; i < 20 && rc != IFD_SUCCESS; i++) rc = IFDHCreateChannel(0x70000, (DWORD)(port = port + 7));
    ck_assert_int_eq(rc, IFD_SUCCESS);
    int fd = connect_tcp(port);
    ck_assert_int_ge(fd, 0);
    uint64_t t0 = cl_now_ns();
    while (IFDHICCPresence(0x70000) != IFD_ICC_PRESENT && ms_since(t0) < 5000) sleep_ms(5);
    ck_assert_int_eq(IFDHICCPresence(0x70000), IFD_ICC_PRESENT);
    close(fd);
    ck_assert_int_eq(IFDHCloseChannel(0x70000), IFD_SUCCESS);
    ck_assert_int_eq(IFDHCreateChannel(0x70000, 70000), IFD_COMMUNICATION_ERROR);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ifd_handler");
    TCase *t = tcase_create("driver");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 30);
    tcase_add_test(t, capabilities);
    tcase_add_test(t, power_atr_and_transmit);
    tcase_add_test(t, presence_wakes_on_connect_and_disconnect);
    tcase_add_test(t, swapped_card_reported_as_removal);
    tcase_add_test(t, stop_polling_returns_promptly);
    tcase_add_test(t, stop_polling_wakes_a_waiter);
    tcase_add_test(t, card_dies_mid_command);
    tcase_add_test(t, malformed_short_rapdu);
    tcase_add_test(t, malformed_empty_frame);
    tcase_add_test(t, malformed_long_atr);
    tcase_add_test(t, unsolicited_data_drops_card);
    tcase_add_test(t, one_reader_many_threads);
    tcase_add_test(t, split_frames_from_card);
    tcase_add_test(t, second_card_refused);
    tcase_add_test(t, reply_timeout);
    tcase_add_test(t, non_loopback_tcp_refused);
    tcase_add_test(t, several_readers_tcp_in_parallel);
    tcase_add_test(t, create_channel_by_number);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
