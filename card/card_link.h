/* card_link: the card's side of the reader link, what the contacts of a real card are.
 *
 * The card connects (as a client) to the reader driver's socket, `unix:/PATH` or
 * `tcp:127.0.0.1:PORT` (loopback only), and speaks vpcd framing: every frame is a big-endian
 * uint16 length plus payload, sent in one write. From the reader, a 1-byte payload is a control
 * code (00 power off, 01 power on, 02 reset: no reply; 04 get ATR: the card replies with one ATR
 * frame); a longer payload is a C-APDU, answered by one R-APDU frame. See docs/driver.md.
 *
 * The link keeps the card reachable: when the reader is not there yet or goes away (pcscd
 * restarted), it retries with a short backoff (50 ms doubling to 1 s) until stopped. A malformed
 * frame from the reader is logged and the connection dropped (then re-established). Losing the
 * reader powers the card off, as pulling a real card out of a reader does.
 *
 * The card itself is reached through card_link_ops (the daemon passes card.h's functions), so the
 * link can be tested against scripted cards as well as the real runtime. */
#ifndef CARD_LINK_H
#define CARD_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

#define CARD_LINK_ATR_MAX 33
#define CARD_LINK_FRAME_MAX 65535u    /* the length field is 16 bits */
#define CARD_LINK_RESP_MAX (65536 + 2) /* what card_transmit may write (card.h CARD_RESP_MAX) */
#define CARD_LINK_DEFAULT_READER "unix:/run/cardlet/card.sock"

/* What the link needs from a card; same meaning as the card.h functions of the same names. */
struct card_link_ops {
    size_t (*power_on)(void *card, uint8_t atr[CARD_LINK_ATR_MAX]);
    size_t (*reset)(void *card, uint8_t atr[CARD_LINK_ATR_MAX]);
    void (*power_off)(void *card);
    size_t (*atr)(void *card, uint8_t atr[CARD_LINK_ATR_MAX]);
    /* resp holds CARD_LINK_RESP_MAX bytes; returns the R-APDU length (>= 2) */
    size_t (*transmit)(void *card, const uint8_t *cmd, size_t len, uint8_t *resp);
};

typedef struct card_link card_link_t;

/* Checks the reader address (refuses anything but unix:/ABS/PATH and loopback tcp) and prepares the
 * link; nothing is connected yet. Returns 0, or -1 with e set. */
int card_link_new(const char *reader, const struct card_link_ops *ops, void *card, card_link_t **out,
                  cl_error_t *e);
void card_link_free(card_link_t *link);

/* Connects (retrying) and serves the reader until card_link_stop(); with once, returns after the
 * first connection has ended. Returns 0 when stopped or done, -1 on an internal error (e set). */
int card_link_run(card_link_t *link, bool once, cl_error_t *e);

/* How long one reply may wait for a reader that does not read (default 10 s): past it the reader
 * counts as gone and the connection is dropped. For tests; call before card_link_run. */
void card_link_set_send_timeout(card_link_t *link, int ms);

/* Makes card_link_run return soon. Async-signal-safe: call it from a SIGINT/SIGTERM handler. */
void card_link_stop(card_link_t *link);

/* Counters for tests and the daemon's closing line. */
struct card_link_stats {
    unsigned connects;   /* connections established */
    unsigned apdus;      /* C-APDUs answered */
    unsigned malformed;  /* connections dropped for a malformed frame */
};
void card_link_get_stats(const card_link_t *link, struct card_link_stats *out);

#endif
