/* ifd_wire: the vpcd wire protocol as the reader (driver) side speaks it, and the DEVICENAME
 * address syntax.
 *
 * A frame is a big-endian uint16 length followed by that many payload bytes. From reader to card a
 * 1-byte payload is a control code (IFD_CTRL_*); a longer one is a C-APDU answered by one R-APDU
 * frame. The card answers IFD_CTRL_GET_ATR with one ATR frame and the other control codes not at
 * all. Every frame leaves in one write; reads tolerate a peer that splits a frame over many writes. */
#ifndef IFD_WIRE_H
#define IFD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_addr.h"

#define IFD_CTRL_POWER_OFF 0x00
#define IFD_CTRL_POWER_ON 0x01
#define IFD_CTRL_RESET 0x02
#define IFD_CTRL_GET_ATR 0x04

#define IFD_FRAME_MAX 65535u        /* the length field is 16 bits */
#define IFD_ATR_MAX 33u             /* ISO 7816-3 */
#define IFD_DEFAULT_TIMEOUT_MS 30000 /* reply timeout: long enough for slow applets (key generation) */
#define IFD_DEFAULT_DEVICE "unix:/run/cardlet/card.sock"

/* Result of a frame read. */
enum ifd_wire_rc {
    IFD_WIRE_OK = 0,
    IFD_WIRE_EOF,       /* the peer closed the connection cleanly between frames */
    IFD_WIRE_CUT,       /* the peer closed the connection in the middle of a frame */
    IFD_WIRE_TIMEOUT,   /* no complete frame before the deadline */
    IFD_WIRE_MALFORMED, /* length 0, or longer than the caller accepts */
    IFD_WIRE_IO,        /* a socket error (errno kept) */
};
const char *ifd_wire_rc_text(enum ifd_wire_rc rc);

/* Sends one frame (header and payload in a single buffer, so normally one send() call; the rest of
 * a short send follows at once). len must be 1..IFD_FRAME_MAX. Never raises SIGPIPE.
 * Returns 0, or -1 (peer gone, timeout, bad length). */
int ifd_frame_send(int fd, const uint8_t *payload, size_t len, int timeout_ms);

/* Reads one frame whose payload may be at most cap bytes into buf, waiting at most timeout_ms
 * (< 0: forever) for the whole frame. *len gets the payload length on IFD_WIRE_OK. */
enum ifd_wire_rc ifd_frame_recv(int fd, uint8_t *buf, size_t cap, size_t *len, int timeout_ms);

/* A parsed DEVICENAME: a reader-link address (common/cl_addr.h: "unix:/abs/path" or
 * "tcp:127.x.y.z:PORT" / "tcp:localhost:PORT"), optionally followed by "@timeout=SECONDS" for the
 * reply timeout, which only the driver has. */
struct ifd_addr {
    cl_addr_t at;
    int timeout_ms;          /* reply timeout */
};

/* Returns 0, or -1 with a one-line reason in why (why_len bytes). Refuses any non-loopback address. */
int ifd_addr_parse(const char *text, struct ifd_addr *out, char *why, size_t why_len);

/* Creates the listening socket for addr (unix: parent directory created if missing (0755), stale
 * socket file replaced but never one a live reader listens on, socket mode 0600; tcp: SO_REUSEADDR,
 * loopback only). Close-on-exec.
 * Returns the fd, or -1 with a reason in why. */
int ifd_listen(const struct ifd_addr *addr, char *why, size_t why_len);

#endif
