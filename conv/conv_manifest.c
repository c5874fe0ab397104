/* conv_manifest: META-INF/MANIFEST.MF of a CAP file, with the attributes the official converter
 * writes (package name, AID and version, applets, imported packages), so that tools reading the
 * manifest find what they expect. JAR rules: CRLF line ends, at most 72 bytes per line, longer
 * values continued on lines starting with one space. */
#include "conv/conv_pkg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} mbuf_t;

static void addn(mbuf_t *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        while (nc < b->len + n + 1) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) { b->oom = 1; return; }
        b->p = np; b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

/* "Name: value" wrapped at 72 bytes per line. */
static void attr(mbuf_t *b, const char *name, const char *value)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "%s: %s", name, value);
    if (n < 0 || (size_t)n >= sizeof line) { b->oom = 1; return; }
    size_t pos = 0, total = (size_t)n;
    int first = 1;
    while (pos < total) {
        size_t room = first ? 72 : 71;
        size_t take = total - pos < room ? total - pos : room;
        if (!first) addn(b, " ", 1);
        addn(b, line + pos, take);
        addn(b, "\r\n", 2);
        pos += take;
        first = 0;
    }
}

/* AID as the official tools write it: 0xa0:0x00:... */
static void aid_text(const uint8_t *aid, int len, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < len && o + 6 < cap; i++) o += (size_t)snprintf(out + o, cap - o, "%s0x%02x", i ? ":" : "", aid[i]);
}

char *conv_manifest(const conv_pkg_t *p, size_t *len)
{
    mbuf_t b = { 0 };
    char v[256], k[64], dotted[300];
    snprintf(dotted, sizeof dotted, "%s", p->conf.package);
    for (char *q = dotted; *q; q++) if (*q == '/') *q = '.';
    attr(&b, "Manifest-Version", "1.0");
    attr(&b, "Created-By", "cardlet converter");
    attr(&b, "Java-Card-CAP-File-Version", "2.1");
    attr(&b, "Java-Card-Converter-Version", "1.0");
    attr(&b, "Java-Card-Converter-Provider", "cardlet");
    attr(&b, "Java-Card-Package-Name", dotted);
    snprintf(v, sizeof v, "%d.%d", p->conf.major, p->conf.minor);
    attr(&b, "Java-Card-Package-Version", v);
    aid_text(p->conf.aid, p->conf.aid_len, v, sizeof v);
    attr(&b, "Java-Card-Package-AID", v);
    attr(&b, "Java-Card-Integer-Support-Required", p->uses_int ? "TRUE" : "FALSE");
    for (int i = 0; i < p->conf.applet_count; i++) {
        const char *cls = p->conf.applets[i].cls, *sl = strrchr(cls, '/');
        snprintf(k, sizeof k, "Java-Card-Applet-%d-Name", i + 1);
        attr(&b, k, sl ? sl + 1 : cls);
        snprintf(k, sizeof k, "Java-Card-Applet-%d-AID", i + 1);
        aid_text(p->conf.applets[i].aid, p->conf.applets[i].aid_len, v, sizeof v);
        attr(&b, k, v);
    }
    for (int i = 0; i < p->import_count; i++) {
        snprintf(k, sizeof k, "Java-Card-Import-Package-%d-AID", i + 1);
        aid_text(p->imports[i].aid, p->imports[i].aid_len, v, sizeof v);
        attr(&b, k, v);
        snprintf(k, sizeof k, "Java-Card-Import-Package-%d-Version", i + 1);
        snprintf(v, sizeof v, "%u.%u", p->imports[i].major, p->imports[i].minor);
        attr(&b, k, v);
    }
    addn(&b, "\r\n", 2);
    if (b.oom) { free(b.p); return NULL; }
    *len = b.len;
    return b.p;
}
