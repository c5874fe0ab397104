/* script_parse: APDU script files into a list of steps.
 *
 * scriptor format (pcsc-tools): one hex APDU per line ("00 A4 04 00 00" or "00A4040000"; a trailing '\' continues
 * it on the next line), `reset`, `exit`, '#' comments. Our addition for checking: a line "< PATTERN" after a
 * command is its expected response; text after " :" is ignored, so scriptor's own "< 90 00 : Normal processing."
 * lines work. A leading "> " on a command line is ignored (scriptor's transcript marker).
 *
 * apdutool format (Java Card development kit): statements ending in ';' - `powerup;`, `powerdown;`,
 * `echo "text";`, `output on|off;`, `contacted;`/`contactless;` (accepted, no effect), and commands written
 * as bytes "CLA INS P1 P2 Lc [data] Le;" (0xNN each). Comments: // to end of line, and C block comments. Ours:
 * a comment "// expect: PATTERN" gives the expected response of the command before it.
 * Le 0x00 means "no Le" (apdutool's habit of writing 0x7F for "whatever comes back" keeps Le).
 */
#include "cli/script.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void script_free(struct script *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->steps[i].apdu);
        free(s->steps[i].text);
        free(s->steps[i].expect);
    }
    free(s->steps);
    memset(s, 0, sizeof *s);
}

static struct script_step *add_step(struct script *s, enum script_op op, int line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        struct script_step *n = realloc(s->steps, cap * sizeof *n);
        if (!n) return NULL;
        s->steps = n;
        s->cap = cap;
    }
    struct script_step *st = &s->steps[s->n++];
    memset(st, 0, sizeof *st);
    st->op = op;
    st->line = line;
    return st;
}

/* Attaches an expected response to the last step. */
static int set_expect(const char *name, struct script *s, const char *pat_text, int line, cl_error_t *e)
{
    struct script_step *last = s->n ? &s->steps[s->n - 1] : NULL;
    if (!last || (last->op != SOP_APDU && last->op != SOP_RESET && last->op != SOP_POWERUP)) {
        cl_seterr(e, "%s:%d: expected response without a command before it", name, line);
        return -1;
    }
    if (last->expect) {
        cl_seterr(e, "%s:%d: second expected response for the command of line %d", name, line, last->line);
        return -1;
    }
    int16_t pat[SCRIPT_PAT_MAX];
    char why[160];
    long n = script_pattern_parse(pat_text, pat, SCRIPT_PAT_MAX, why, sizeof why);
    if (n < 0) {
        cl_seterr(e, "%s:%d: bad expected response: %s", name, line, why);
        return -1;
    }
    last->expect = malloc((size_t)n * sizeof *pat);
    if (!last->expect) {
        cl_seterr(e, "%s:%d: out of memory", name, line);
        return -1;
    }
    memcpy(last->expect, pat, (size_t)n * sizeof *pat);
    last->expect_len = (size_t)n;
    last->expect_line = line;
    return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
    return p;
}

static bool word_is(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && !strncasecmp(p, w, n);
}

/* ---------------- format detection ---------------- */

enum script_format script_detect(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *q = skip_ws(p, eol);
        if (q < eol) {
            if (*q == '#') { p = eol + 1; continue; }
            if (*q == '/' && q + 1 < eol && (q[1] == '/' || q[1] == '*')) return SCRIPT_APDUTOOL;
            if (eol - q >= 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) return SCRIPT_APDUTOOL;
            const char *w = q;
            while (w < eol && isalpha((unsigned char)*w)) w++;
            size_t wl = (size_t)(w - q);
            if (word_is(q, wl, "powerup") || word_is(q, wl, "powerdown") || word_is(q, wl, "echo") ||
                word_is(q, wl, "output") || word_is(q, wl, "contacted") || word_is(q, wl, "contactless"))
                return SCRIPT_APDUTOOL;
            return SCRIPT_SCRIPTOR;
        }
        p = eol + 1;
    }
    return SCRIPT_SCRIPTOR;
}

/* ---------------- scriptor ---------------- */

static int parse_scriptor(const char *name, const char *text, size_t len, struct script *s, cl_error_t *e)
{
    const char *p = text, *end = text + len;
    int line = 0, cmd_line = 0;
    /* The hex text of one command: at most the longest APDU written with spaces, and never more than the file
     * itself plus one separator per line (so a small script needs a small buffer). */
    size_t cmd_len = 0, cmd_cap = 2 * SCRIPT_APDU_MAX * 3 + 64;
    if (len < (cmd_cap - 64) / 2) cmd_cap = 2 * len + 64;
    char *cmd = malloc(cmd_cap);
    size_t apdu_cap = len / 2 + 8 < SCRIPT_APDU_MAX ? len / 2 + 8 : SCRIPT_APDU_MAX; /* two digits per byte */
    uint8_t *apdu = malloc(apdu_cap);
    int rc = -1;
    if (!cmd || !apdu) {
        cl_seterr(e, "%s: out of memory", name);
        goto out;
    }
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        line++;
        const char *q = skip_ws(p, eol);
        const char *le = eol;
        while (le > q && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r')) le--;
        p = eol + 1;
        if (memchr(q, 0, (size_t)(le - q))) {
            cl_seterr(e, "%s:%d: NUL byte in a text script", name, line);
            goto out;
        }
        if (q == le || *q == '#') {
            if (cmd_len) { /* a continuation ended by a blank/comment line: the command is complete */
            } else continue;
        }
        if (!cmd_len && q < le && *q == '<') {
            char pat[2048];
            const char *t = q + 1;
            size_t n = (size_t)(le - t);
            /* scriptor prints "< 90 00 : Normal processing."; a reset prints "< OK: 3B ..." */
            const char *colon = memchr(t, ':', n);
            if (colon) {
                const char *ok = skip_ws(t, le);
                if (le - ok >= 3 && !strncasecmp(ok, "OK:", 3)) { t = ok + 3; n = (size_t)(le - t); colon = memchr(t, ':', n); }
                if (colon) n = (size_t)(colon - t);
            }
            if (n >= sizeof pat) {
                cl_seterr(e, "%s:%d: expected response line too long", name, line);
                goto out;
            }
            memcpy(pat, t, n);
            pat[n] = 0;
            if (set_expect(name, s, pat, line, e) != 0) goto out;
            continue;
        }
        if (q < le && *q != '#') {
            size_t wl = (size_t)(le - q);
            if (!cmd_len && word_is(q, wl, "reset")) {
                if (!add_step(s, SOP_RESET, line)) goto oom;
                continue;
            }
            if (!cmd_len && (word_is(q, wl, "exit") || word_is(q, wl, "quit"))) break;
            if (!cmd_len && *q == '>') q = skip_ws(q + 1, le);
            bool cont = le > q && le[-1] == '\\';
            const char *te = cont ? le - 1 : le;
            if (!cmd_len) cmd_line = line;
            if (cmd_len + (size_t)(te - q) + 2 > cmd_cap) {
                cl_seterr(e, "%s:%d: command longer than the longest APDU (%d bytes)", name, cmd_line, SCRIPT_APDU_MAX);
                goto out;
            }
            memcpy(cmd + cmd_len, q, (size_t)(te - q));
            cmd_len += (size_t)(te - q);
            cmd[cmd_len++] = ' ';
            if (cont && p < end) continue;
        }
        if (!cmd_len) continue;
        cmd[cmd_len] = 0;
        long n = cl_hex_decode(cmd, apdu, apdu_cap);
        if (n < 0) {
            /* Say which token is wrong: the commonest mistake is a typo or a word scriptor does not know. */
            char tok[48] = "";
            for (char *t = strtok(cmd, " \t"); t; t = strtok(NULL, " \t")) {
                const char *h = (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) ? t + 2 : t;
                size_t hl = strlen(h);
                if (hl % 2 || strspn(h, "0123456789abcdefABCDEF") != hl) {
                    snprintf(tok, sizeof tok, "%.40s", t);
                    break;
                }
            }
            cl_seterr(e, "%s:%d: not a hex APDU, `reset` or `exit`%s%s%s", name, cmd_line, tok[0] ? " (bad: '" : "",
                      tok, tok[0] ? "')" : " (odd number of hex digits, or too long)");
            goto out;
        }
        if (n < 4) {
            cl_seterr(e, "%s:%d: APDU of %ld byte%s; a command has at least CLA INS P1 P2", name, cmd_line, n,
                      n == 1 ? "" : "s");
            goto out;
        }
        struct script_step *st = add_step(s, SOP_APDU, cmd_line);
        if (!st || !(st->apdu = malloc((size_t)n))) goto oom;
        memcpy(st->apdu, apdu, (size_t)n);
        st->apdu_len = (size_t)n;
        cmd_len = 0;
    }
    rc = 0;
    goto out;
oom:
    cl_seterr(e, "%s:%d: out of memory", name, line);
out:
    free(cmd);
    free(apdu);
    return rc;
}

/* ---------------- apdutool ---------------- */

struct lex {
    const char *name, *p, *end;
    int line;
};

/* Skips blanks and comments; a "// expect: PATTERN" comment is attached to the last step. */
static int lex_skip(struct lex *lx, struct script *s, cl_error_t *e)
{
    for (;;) {
        while (lx->p < lx->end && isspace((unsigned char)*lx->p)) {
            if (*lx->p == '\n') lx->line++;
            lx->p++;
        }
        if (lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '/') {
            const char *eol = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
            if (!eol) eol = lx->end;
            const char *c = skip_ws(lx->p + 2, eol);
            if (eol - c >= 7 && !strncasecmp(c, "expect:", 7)) {
                char pat[2048];
                const char *t = c + 7;
                size_t n = (size_t)(eol - t);
                if (n >= sizeof pat) {
                    cl_seterr(e, "%s:%d: expect comment too long", lx->name, lx->line);
                    return -1;
                }
                memcpy(pat, t, n);
                pat[n] = 0;
                if (n && pat[n - 1] == '\r') pat[n - 1] = 0;
                if (set_expect(lx->name, s, pat, lx->line, e) != 0) return -1;
            }
            lx->p = eol;
            continue;
        }
        if (lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '*') {
            int start = lx->line;
            lx->p += 2;
            while (lx->p < lx->end && !(lx->end - lx->p >= 2 && lx->p[0] == '*' && lx->p[1] == '/')) {
                if (*lx->p == '\n') lx->line++;
                lx->p++;
            }
            if (lx->p >= lx->end) {
                cl_seterr(e, "%s:%d: comment /* not closed by */", lx->name, start);
                return -1;
            }
            lx->p += 2;
            continue;
        }
        return 0;
    }
}

static int parse_byte(const char *t, size_t n, uint8_t *out)
{
    if (n < 3 || n > 4 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) return -1;
    unsigned v = 0;
    for (size_t i = 2; i < n; i++) {
        int c = tolower((unsigned char)t[i]);
        if (c >= '0' && c <= '9') v = v * 16 + (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (unsigned)(c - 'a' + 10);
        else return -1;
    }
    *out = (uint8_t)v;
    return 0;
}

static int parse_apdutool(const char *name, const char *text, size_t len, struct script *s, cl_error_t *e)
{
    struct lex lx = { name, text, text + len, 1 };
    uint8_t bytes[4 + 1 + 255 + 1 + 1];
    for (;;) {
        if (lex_skip(&lx, s, e) != 0) return -1;
        if (lx.p >= lx.end) return 0;
        int line = lx.line;
        if (*lx.p == 0) {
            cl_seterr(e, "%s:%d: NUL byte in a text script", name, line);
            return -1;
        }
        /* A word statement? */
        const char *w = lx.p;
        while (w < lx.end && isalpha((unsigned char)*w)) w++;
        size_t wl = (size_t)(w - lx.p);
        if (wl && !(wl == 1 && (*lx.p == 'x' || *lx.p == 'X'))) {
            const char *word = lx.p;
            lx.p = w;
            if (word_is(word, wl, "echo")) {
                while (lx.p < lx.end && (*lx.p == ' ' || *lx.p == '\t')) lx.p++;
                if (lx.p >= lx.end || *lx.p != '"') {
                    cl_seterr(e, "%s:%d: echo wants a \"quoted text\"", name, line);
                    return -1;
                }
                const char *t = ++lx.p;
                while (lx.p < lx.end && *lx.p != '"' && *lx.p != '\n') lx.p++;
                if (lx.p >= lx.end || *lx.p != '"') {
                    cl_seterr(e, "%s:%d: echo text not closed by '\"' on its line", name, line);
                    return -1;
                }
                struct script_step *st = add_step(s, SOP_ECHO, line);
                if (!st || !(st->text = strndup(t, (size_t)(lx.p - t)))) goto oom;
                lx.p++;
            } else if (word_is(word, wl, "output")) {
                while (lx.p < lx.end && (*lx.p == ' ' || *lx.p == '\t')) lx.p++;
                const char *a = lx.p;
                while (lx.p < lx.end && isalpha((unsigned char)*lx.p)) lx.p++;
                size_t al = (size_t)(lx.p - a);
                int on = word_is(a, al, "on") ? 1 : word_is(a, al, "off") ? 0 : -1;
                if (on < 0) {
                    cl_seterr(e, "%s:%d: output wants 'on' or 'off'", name, line);
                    return -1;
                }
                struct script_step *st = add_step(s, SOP_OUTPUT, line);
                if (!st) goto oom;
                st->on = on;
            } else if (word_is(word, wl, "powerup")) {
                if (!add_step(s, SOP_POWERUP, line)) goto oom;
            } else if (word_is(word, wl, "powerdown")) {
                if (!add_step(s, SOP_POWERDOWN, line)) goto oom;
            } else if (word_is(word, wl, "contacted") || word_is(word, wl, "contactless")) {
                /* interface choice of the kit's simulator; a PC/SC reader has one interface */
            } else {
                cl_seterr(e, "%s:%d: unknown statement '%.*s' (known: powerup, powerdown, echo, output, "
                          "or command bytes 0xNN ...;)", name, line, (int)(wl > 30 ? 30 : wl), word);
                return -1;
            }
            if (lex_skip(&lx, s, e) != 0) return -1;
            if (lx.p >= lx.end || *lx.p != ';') {
                cl_seterr(e, "%s:%d: missing ';' after '%.*s'", name, line, (int)(wl > 30 ? 30 : wl), word);
                return -1;
            }
            lx.p++;
            continue;
        }
        /* A command: bytes up to ';'. */
        size_t n = 0;
        for (;;) {
            if (lex_skip(&lx, s, e) != 0) return -1;
            if (lx.p >= lx.end) {
                cl_seterr(e, "%s:%d: command not ended by ';'", name, line);
                return -1;
            }
            if (*lx.p == ';') {
                lx.p++;
                break;
            }
            const char *t = lx.p;
            while (lx.p < lx.end && !isspace((unsigned char)*lx.p) && *lx.p != ';' && *lx.p != '/') lx.p++;
            if (lx.p == t) lx.p++; /* a lone '/' */
            size_t tl = (size_t)(lx.p - t);
            uint8_t b;
            if (parse_byte(t, tl, &b) != 0) {
                cl_seterr(e, "%s:%d: '%.*s' is not a byte (write 0x00 .. 0xFF)", name, lx.line, (int)(tl > 30 ? 30 : tl), t);
                return -1;
            }
            if (n >= sizeof bytes) {
                cl_seterr(e, "%s:%d: command longer than CLA INS P1 P2 Lc, 255 data bytes, Le", name, line);
                return -1;
            }
            bytes[n++] = b;
        }
        if (n < 6) {
            cl_seterr(e, "%s:%d: command has %zu byte%s; apdutool commands are CLA INS P1 P2 Lc [data] Le", name,
                      line, n, n == 1 ? "" : "s");
            return -1;
        }
        size_t lc = bytes[4];
        if (n != 6 + lc) {
            cl_seterr(e, "%s:%d: Lc is 0x%02zX (%zu data bytes) but %zu byte%s stand between Lc and Le", name, line,
                      lc, lc, n - 6, n - 6 == 1 ? "" : "s");
            return -1;
        }
        uint8_t le = bytes[n - 1];
        struct script_step *st = add_step(s, SOP_APDU, line);
        size_t alen = 4 + (lc ? 1 + lc : 0) + (le ? 1 : 0);
        if (!st || !(st->apdu = malloc(alen))) goto oom;
        memcpy(st->apdu, bytes, 4);
        size_t o = 4;
        if (lc) {
            memcpy(st->apdu + o, bytes + 4, 1 + lc);
            o += 1 + lc;
        }
        if (le) st->apdu[o++] = le;
        st->apdu_len = o;
    }
oom:
    cl_seterr(e, "%s:%d: out of memory", name, lx.line);
    return -1;
}

int script_parse(const char *name, const char *text, size_t len, enum script_format fmt, struct script *out,
                 cl_error_t *e)
{
    memset(out, 0, sizeof *out);
    /* Editors on some systems start text files with a UTF-8 byte order mark; it is not part of the script. */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    if (fmt == SCRIPT_AUTO) fmt = script_detect(text, len);
    out->format = fmt;
    int rc = fmt == SCRIPT_APDUTOOL ? parse_apdutool(name, text, len, out, e) : parse_scriptor(name, text, len, out, e);
    if (rc != 0) {
        script_free(out);
        out->format = fmt;
    }
    return rc;
}
