/* cardlet card: the card daemon. Opens a card image and keeps the card inserted in a reader
 * (the cardlet driver inside pcscd, or vsmartcard's vpcd) until SIGINT/SIGTERM. */
#include "card/card.h"
#include "card/card_link.h"
#include "cli/cli.h"
#include "common/cl_util.h"
#include "vm/vm_card.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_IMAGE "./cardlet.img"

/* card.h's functions behind the link's interface. */
static size_t op_power_on(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_power_on(c, atr); }
static size_t op_reset(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_reset(c, atr); }
static void op_power_off(void *c) { card_power_off(c); }
static size_t op_atr(void *c, uint8_t atr[CARD_LINK_ATR_MAX]) { return card_atr(c, atr); }
static size_t op_transmit(void *c, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    return card_transmit(c, cmd, len, resp);
}
static const struct card_link_ops CARD_OPS = { op_power_on, op_reset, op_power_off, op_atr, op_transmit };

_Static_assert(CARD_LINK_ATR_MAX == CARD_ATR_MAX, "the link and the card agree on the ATR size");
_Static_assert(CARD_LINK_RESP_MAX >= CARD_RESP_MAX, "the link's response buffer holds any R-APDU");

static card_link_t *running; /* for the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    if (running) card_link_stop(running); /* async-signal-safe: one write() to a pipe */
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cardlet card [--card IMAGE] [--reader ADDRESS] [--size BYTES] [--sync normal|full] [--once] [-v|-q]\n\n"
            "Runs a card: opens IMAGE (created if missing) and keeps it inserted in the reader at ADDRESS until\n"
            "SIGINT/SIGTERM/SIGHUP. The card reconnects by itself when the reader is not there yet or restarts.\n\n"
            "  --card IMAGE     card image (default %s)\n"
            "  --reader ADDR    unix:/PATH or tcp:127.0.0.1:PORT (default %s;\n"
            "                   vsmartcard's vpcd listens on tcp:127.0.0.1:35963)\n"
            "  --size BYTES     persistent memory of a newly created image (default %u)\n"
            "  --sync MODE      normal: survive a killed process; full: survive power loss (fsync per update)\n"
            "  --once           exit when the first reader connection ends\n"
            "  -v, --verbose    log each APDU's header and status word (never its data)\n"
            "  -q, --quiet      log errors only\n",
            DEFAULT_IMAGE, CARD_LINK_DEFAULT_READER, CARD_DEFAULT_IMAGE_SIZE);
}

static int parse_size(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || v == 0 || v > UINT32_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

static int cmd_card(int argc, char **argv)
{
    const char *image = DEFAULT_IMAGE, *reader = CARD_LINK_DEFAULT_READER;
    uint32_t size = CARD_DEFAULT_IMAGE_SIZE;
    enum img_sync sync = IMG_SYNC_NORMAL;
    bool once = false;
    enum { O_CARD = 1, O_READER, O_SIZE, O_SYNC, O_ONCE };
    static const struct option opts[] = {
        { "card", required_argument, 0, O_CARD }, { "reader", required_argument, 0, O_READER },
        { "size", required_argument, 0, O_SIZE }, { "sync", required_argument, 0, O_SYNC },
        { "once", no_argument, 0, O_ONCE },       { "verbose", no_argument, 0, 'v' },
        { "quiet", no_argument, 0, 'q' },         { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
        switch (c) {
        case O_CARD: image = optarg; break;
        case O_READER: reader = optarg; break;
        case O_SIZE:
            if (parse_size(optarg, &size) != 0) {
                fprintf(stderr, "cardlet card: --size wants a positive number of bytes, not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_SYNC:
            if (!strcmp(optarg, "normal")) sync = IMG_SYNC_NORMAL;
            else if (!strcmp(optarg, "full")) sync = IMG_SYNC_FULL;
            else {
                fprintf(stderr, "cardlet card: --sync is 'normal' or 'full', not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_ONCE: once = true; break;
        case 'v': cl_log_level = 2; break;
        case 'q': cl_log_level = 0; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "cardlet card: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (!*image) {
        fprintf(stderr, "cardlet card: --card wants a file name\n");
        return 2;
    }

    cl_error_t e = { { 0 } };
    card_link_t *link = NULL;
    /* The address first: a typo must not create an image file. */
    if (card_link_new(reader, &CARD_OPS, NULL, &link, &e) != 0) {
        fprintf(stderr, "cardlet card: %s\n", e.msg);
        return 2;
    }
    card_link_free(link);
    card_t *card = NULL;
    if (card_open(image, size, sync, &card, &e) != 0) {
        fprintf(stderr, "cardlet card: cannot open card image %s: %s\n", image, e.msg[0] ? e.msg : "unknown error");
        return 1;
    }
    /* The applets installed in the image (Java Card VM): registered before the card is inserted, so the
     * first SELECT can reach them. A VM area that cannot be read refuses the whole card, untouched. */
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) {
        fprintf(stderr, "cardlet card: cannot start the applets of %s: %s\n", image, e.msg[0] ? e.msg : "unknown error");
        card_close(card);
        return 1;
    }
    if (card_link_new(reader, &CARD_OPS, card, &link, &e) != 0) {
        fprintf(stderr, "cardlet card: %s\n", e.msg);
        vm_card_detach(card, vm);
        card_close(card);
        return 1;
    }

    running = link;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal also ends the card cleanly */
    signal(SIGPIPE, SIG_IGN); /* a vanished reader is an error return, not a death */

    cl_info("card %s ready", image);
    int rc = card_link_run(link, once, &e);
    if (rc != 0) cl_err("%s", e.msg);

    sigaction(SIGINT, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
    sigaction(SIGTERM, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
    sigaction(SIGHUP, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
    running = NULL;
    struct card_link_stats st;
    card_link_get_stats(link, &st);
    card_link_free(link);
    vm_card_detach(card, vm);
    card_close(card); /* checkpoints the image: the file is complete when we exit */
    cl_info("card %s closed (%u connections, %u APDUs)", image, st.connects, st.apdus);
    return rc == 0 ? 0 : 1;
}

CLI_REGISTER(card, "run a card: open an image and insert it into a reader (pcscd driver or vpcd)", cmd_card)
