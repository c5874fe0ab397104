/* script_transcript: apdutool's output lines, and checking a run against a recorded transcript (the Java Card
 * kit's "expected output" files: the lines "CLA: .., INS: .., ..., SW1: .., SW2: .." of an earlier good run).
 * Only those lines count; whatever else a transcript holds (connection notes, echo text) is ignored. */
#include "cli/script.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *script_apdutool_line(const uint8_t *cmd, size_t clen, const uint8_t *resp, size_t rlen)
{
    if (clen < 4 || rlen < 2) return NULL;
    size_t lc = 0;
    if (clen > 5) {
        lc = cmd[4];
        if (lc + 5 > clen) lc = clen - 5;
    }
    size_t data = rlen - 2, cap = 80 + 4 * (lc + data); /* fixed text is 67 chars, each byte ", xx" */
    char *out = malloc(cap);
    if (!out) return NULL;
    /* The kit's layout: Lc and the data sent, then Le as the number of bytes received and those bytes. */
    size_t o = (size_t)snprintf(out, cap, "CLA: %02x, INS: %02x, P1: %02x, P2: %02x, Lc: %02zx", cmd[0], cmd[1], cmd[2],
                                cmd[3], lc);
    for (size_t i = 0; i < lc; i++) o += (size_t)snprintf(out + o, cap - o, ", %02x", cmd[5 + i]);
    o += (size_t)snprintf(out + o, cap - o, ", Le: %02zx", data); /* over 255 (extended): all digits */
    for (size_t i = 0; i < data; i++) o += (size_t)snprintf(out + o, cap - o, ", %02x", resp[i]);
    snprintf(out + o, cap - o, ", SW1: %02x, SW2: %02x", resp[rlen - 2], resp[rlen - 1]);
    return out;
}

bool script_transcript_same(const char *a, const char *b)
{
    /* Case and spacing differ between tools and versions; the bytes and their order must not. */
    for (;;) {
        while (*a && isspace((unsigned char)*a)) a++;
        while (*b && isspace((unsigned char)*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
        a++;
        b++;
    }
}

void script_transcript_free(struct script_transcript *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->lines[i]);
    free(t->lines);
    free(t->line_no);
    memset(t, 0, sizeof *t);
}

int script_transcript_parse(const char *name, const char *text, size_t len, struct script_transcript *t, cl_error_t *e)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    const char *p = text, *end = text + len;
    int line = 0;
    size_t cap = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        line++;
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t')) q++;
        const char *le = eol;
        while (le > q && isspace((unsigned char)le[-1])) le--;
        p = eol + 1;
        if (le - q < 4 || strncmp(q, "CLA:", 4) != 0) continue;
        if (memchr(q, 0, (size_t)(le - q))) {
            cl_seterr(e, "%s:%d: NUL byte in a transcript", name, line);
            goto fail;
        }
        if (t->n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nl = realloc(t->lines, cap * sizeof *nl);
            if (!nl) goto oom;
            t->lines = nl;
            int *nn = realloc(t->line_no, cap * sizeof *nn);
            if (!nn) goto oom;
            t->line_no = nn;
        }
        if (!(t->lines[t->n] = strndup(q, (size_t)(le - q)))) goto oom;
        t->line_no[t->n++] = line;
    }
    if (!t->n) {
        cl_seterr(e, "%s: no \"CLA: ..\" lines: not an apdutool transcript", name);
        goto fail;
    }
    return 0;
oom:
    cl_seterr(e, "%s:%d: out of memory", name, line);
fail:
    script_transcript_free(t);
    return -1;
}
