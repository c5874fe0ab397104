/* cl_addr: the address of the reader link, parsed the same way by both of its ends (the driver's
 * DEVICENAME in reader.conf, the card's --reader): "unix:/ABSOLUTE/PATH" or "tcp:HOST:PORT" with HOST
 * "localhost" or an IPv4 address in 127/8. Loopback only: a card must never be reachable from the
 * network. Options an end adds after the address (the driver's "@timeout=") are that end's to strip
 * before calling cl_addr_parse. */
#ifndef CL_ADDR_H
#define CL_ADDR_H

#include <stdint.h>
#include <sys/socket.h>

#include "common/cl_util.h"

#define CL_ADDR_PATH_MAX 108 /* sizeof sun_path on Linux, NUL included */

enum cl_addr_kind { CL_ADDR_UNIX = 1, CL_ADDR_TCP = 2 };

typedef struct {
    enum cl_addr_kind kind;
    char path[CL_ADDR_PATH_MAX]; /* unix: the socket path */
    uint32_t ipv4;               /* tcp: host byte order, always 127.x.y.z */
    uint16_t port;               /* tcp: 1..65535 */
} cl_addr_t;

/* Returns 0 and fills out, or -1 with a one-line reason in e (out zeroed). */
int cl_addr_parse(const char *text, cl_addr_t *out, cl_error_t *e);

/* The socket address for socket()/connect()/bind(): fills *ss and returns its length, or 0 for an
 * address with no kind. *family gets AF_UNIX or AF_INET. */
socklen_t cl_addr_sockaddr(const cl_addr_t *a, struct sockaddr_storage *ss, int *family);

#endif
