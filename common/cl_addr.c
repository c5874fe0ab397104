/* The reader-link address syntax shared by the driver and the card. See cl_addr.h. */
#include "common/cl_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

_Static_assert(CL_ADDR_PATH_MAX == sizeof ((struct sockaddr_un *)0)->sun_path, "CL_ADDR_PATH_MAX is sun_path");

static int parse_unix(const char *text, const char *path, cl_addr_t *out, cl_error_t *e)
{
    if (path[0] != '/') { cl_seterr(e, "unix socket path must be absolute: '%s'", text); return -1; }
    size_t n = strlen(path);
    if (n >= sizeof out->path) { cl_seterr(e, "unix socket path too long (%zu bytes, at most %zu): '%s'", n,
                                           sizeof out->path - 1, text); return -1; }
    out->kind = CL_ADDR_UNIX;
    memcpy(out->path, path, n + 1);
    return 0;
}

static int parse_tcp(const char *text, const char *hostport, cl_addr_t *out, cl_error_t *e)
{
    const char *colon = strrchr(hostport, ':');
    char host[64];
    size_t hl = colon ? (size_t)(colon - hostport) : 0;
    if (!colon || hl == 0 || hl >= sizeof host) { cl_seterr(e, "tcp address needs HOST:PORT: '%s'", text); return -1; }
    memcpy(host, hostport, hl);
    host[hl] = 0;
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10); /* digits only: strtol alone would take " 5" and "+5" */
    if (colon[1] < '0' || colon[1] > '9' || errno || *end || port < 1 || port > 65535) {
        cl_seterr(e, "bad tcp port in '%s' (want 1..65535)", text);
        return -1;
    }
    struct in_addr a;
    if (!strcmp(host, "localhost")) a.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &a) != 1) {
        cl_seterr(e, "refused '%s': only a loopback IPv4 address (127.x.y.z) or localhost is allowed", text);
        return -1;
    }
    uint32_t ip = ntohl(a.s_addr);
    if ((ip >> 24) != 127) {
        cl_seterr(e, "refused '%s': not a loopback address (a card must not be reachable from the network)", text);
        return -1;
    }
    out->kind = CL_ADDR_TCP;
    out->ipv4 = ip;
    out->port = (uint16_t)port;
    return 0;
}

int cl_addr_parse(const char *text, cl_addr_t *out, cl_error_t *e)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (!text || !*text) { cl_seterr(e, "empty address (want unix:/PATH or tcp:127.0.0.1:PORT)"); return -1; }
    if (!strncmp(text, "unix:", 5)) rc = parse_unix(text, text + 5, out, e);
    else if (!strncmp(text, "tcp:", 4)) rc = parse_tcp(text, text + 4, out, e);
    else { cl_seterr(e, "unknown address '%s' (want unix:/PATH or tcp:127.0.0.1:PORT)", text); rc = -1; }
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

socklen_t cl_addr_sockaddr(const cl_addr_t *a, struct sockaddr_storage *ss, int *family)
{
    memset(ss, 0, sizeof *ss);
    if (a->kind == CL_ADDR_UNIX) {
        struct sockaddr_un *sun = (struct sockaddr_un *)ss;
        sun->sun_family = AF_UNIX;
        memcpy(sun->sun_path, a->path, sizeof sun->sun_path); /* a->path is NUL-terminated within it */
        *family = AF_UNIX;
        return sizeof *sun;
    }
    if (a->kind == CL_ADDR_TCP) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(a->port);
        sin->sin_addr.s_addr = htonl(a->ipv4);
        *family = AF_INET;
        return sizeof *sin;
    }
    *family = AF_UNSPEC;
    return 0;
}
