/* conv_export: export files, the API token list and the export search path (see conv_export.h). */
#include "conv/conv_export.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/conv_buf.h"

#define EXP_MAGIC 0x00FACADEu
enum { EXPC_UTF8 = 1, EXPC_INTEGER = 3, EXPC_CLASSREF = 7, EXPC_PACKAGE = 13 };

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) { memcpy(d, s, n); d[n] = 0; }
    return d;
}
static char *dups(const char *s) { return dupn(s, strlen(s)); }

static void free_class(conv_exp_class_t *c)
{
    free(c->name);
    for (int i = 0; i < c->super_count; i++) free(c->supers[i]);
    free(c->supers);
    for (int i = 0; i < c->iface_count; i++) free(c->ifaces[i]);
    free(c->ifaces);
    for (int i = 0; i < c->field_count; i++) { free(c->fields[i].name); free(c->fields[i].desc); }
    free(c->fields);
    for (int i = 0; i < c->method_count; i++) { free(c->methods[i].name); free(c->methods[i].desc); }
    free(c->methods);
}

void conv_export_free(conv_export_t *x)
{
    if (!x) return;
    free(x->name);
    for (int i = 0; i < x->class_count; i++) free_class(&x->classes[i]);
    free(x->classes);
    memset(x, 0, sizeof *x);
}

void conv_export_free_all(conv_export_t *xs, int n)
{
    for (int i = 0; xs && i < n; i++) conv_export_free(&xs[i]);
    free(xs);
}

const conv_exp_class_t *conv_export_class(const conv_export_t *x, const char *name)
{
    for (int i = 0; i < x->class_count; i++)
        if (!strcmp(x->classes[i].name, name)) return &x->classes[i];
    return NULL;
}

const conv_exp_member_t *conv_export_method(const conv_exp_class_t *c, const char *name, const char *desc)
{
    for (int i = 0; i < c->method_count; i++)
        if (!strcmp(c->methods[i].name, name) && !strcmp(c->methods[i].desc, desc)) return &c->methods[i];
    return NULL;
}

const conv_exp_member_t *conv_export_field(const conv_exp_class_t *c, const char *name)
{
    for (int i = 0; i < c->field_count; i++)
        if (!strcmp(c->fields[i].name, name)) return &c->fields[i];
    return NULL;
}

/* ---- growable arrays ---- */
static int grow(void **arr, int *count, size_t elem)
{
    void *n = realloc(*arr, (size_t)(*count + 1) * elem);
    if (!n) return -1;
    memset((char *)n + (size_t)*count * elem, 0, elem);
    *arr = n;
    (*count)++;
    return 0;
}

/* ---- the token list ---- */

/* Splits a comma-separated list into malloc'd strings appended to *list. */
static int add_list(char ***list, int *count, const char *s)
{
    while (*s) {
        const char *c = strchr(s, ',');
        size_t n = c ? (size_t)(c - s) : strlen(s);
        if (n == 0) return -1;
        if (grow((void **)list, count, sizeof(char *))) return -1;
        if (!((*list)[*count - 1] = dupn(s, n))) return -1;
        s += n + (c ? 1 : 0);
    }
    return 0;
}

static int parse_token(const char *s, int *tok)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 255) return -1;
    *tok = (int)v;
    return 0;
}

/* Member "nameDESC": split at '('. */
static int add_method(conv_exp_class_t *c, int token, uint16_t access, const char *nd)
{
    const char *p = strchr(nd, '(');
    if (!p || p == nd) return -1;
    if (grow((void **)&c->methods, &c->method_count, sizeof *c->methods)) return -1;
    conv_exp_member_t *m = &c->methods[c->method_count - 1];
    m->token = (uint8_t)token;
    m->access = access;
    m->name = dupn(nd, (size_t)(p - nd));
    m->desc = dups(p);
    return m->name && m->desc ? 0 : -1;
}

static int add_field(conv_exp_class_t *c, int token, uint16_t access, const char *name, const char *desc,
                     int has_const, int32_t v)
{
    if (grow((void **)&c->fields, &c->field_count, sizeof *c->fields)) return -1;
    conv_exp_member_t *f = &c->fields[c->field_count - 1];
    f->token = (uint8_t)token;
    f->access = access;
    f->name = dups(name);
    f->desc = dups(desc);
    f->has_const = has_const;
    f->cval = v;
    return f->name && f->desc ? 0 : -1;
}

/* One data line, already split into words (at most 12). */
static int tokens_line(conv_export_t **pk, int *np, char **w, int nw, cl_error_t *e, const char *what, int ln)
{
    conv_export_t *x = *np ? &(*pk)[*np - 1] : NULL;
    conv_exp_class_t *c = x && x->class_count ? &x->classes[x->class_count - 1] : NULL;
    int tok;
    if (!strcmp(w[0], "package")) {
        if (nw != 4 || strncmp(w[2], "aid=", 4) || strncmp(w[3], "version=", 8)) goto bad;
        if (grow((void **)pk, np, sizeof **pk)) goto oom;
        x = &(*pk)[*np - 1];
        x->name = dups(w[1]);
        if (!x->name) goto oom;
        long n = cl_hex_decode(w[2] + 4, x->aid, sizeof x->aid);
        if (n < 5 || n > 16) goto bad;
        x->aid_len = (int)n;
        unsigned maj, min;
        char extra;
        if (sscanf(w[3] + 8, "%u.%u%c", &maj, &min, &extra) != 2 || maj > 255 || min > 255) goto bad;
        x->major = (uint8_t)maj; x->minor = (uint8_t)min;
        x->flags = EXP_PKG_LIBRARY;
        return 0;
    }
    int k = 0;
    uint16_t cacc = EXP_ACC_PUBLIC;
    if (!strcmp(w[0], "abstract") && nw > 1 && !strcmp(w[1], "class")) { cacc |= EXP_ACC_ABSTRACT; k = 2; }
    else if (!strcmp(w[0], "class")) k = 1;
    else if (!strcmp(w[0], "interface")) { cacc |= EXP_ACC_INTERFACE | EXP_ACC_ABSTRACT; k = 1; }
    if (k) {
        if (!x || nw < k + 2 || parse_token(w[k], &tok)) goto bad;
        if (grow((void **)&x->classes, &x->class_count, sizeof *x->classes)) goto oom;
        c = &x->classes[x->class_count - 1];
        c->token = (uint8_t)tok;
        c->access = cacc;
        if (!(c->name = dups(w[k + 1]))) goto oom;
        for (int i = k + 2; i + 1 < nw + 1; i += 2) {
            if (i + 1 >= nw) goto bad;
            if (!strcmp(w[i], "extends")) {
                /* interfaces have no superclasses in an export file; Object is implied */
                if (!(cacc & EXP_ACC_INTERFACE) && add_list(&c->supers, &c->super_count, w[i + 1])) goto bad;
            } else if (!strcmp(w[i], "implements")) {
                if (add_list(&c->ifaces, &c->iface_count, w[i + 1])) goto bad;
            } else goto bad;
        }
        int sh = !strcmp(c->name, "javacard/framework/Shareable");
        for (int i = 0; i < c->iface_count; i++) sh |= !strcmp(c->ifaces[i], "javacard/framework/Shareable");
        if (sh && (cacc & EXP_ACC_INTERFACE)) c->access |= EXP_ACC_SHAREABLE;
        return 0;
    }
    if (!c) goto bad;
    if (!strcmp(w[0], "constructor") && nw == 3) {
        if (parse_token(w[1], &tok) || strncmp(w[2], "<init>(", 7) || add_method(c, tok, EXP_ACC_PUBLIC, w[2])) goto bad;
        return 0;
    }
    if ((!strcmp(w[0], "static") || !strcmp(w[0], "virtual")) && nw == 4 && !strcmp(w[1], "method")) {
        uint16_t acc = EXP_ACC_PUBLIC | (w[0][0] == 's' ? EXP_ACC_STATIC : 0);
        if (c->access & EXP_ACC_INTERFACE) acc |= EXP_ACC_ABSTRACT;
        if (parse_token(w[2], &tok) || add_method(c, tok, acc, w[3])) goto bad;
        return 0;
    }
    if ((!strcmp(w[0], "static") || !strcmp(w[0], "instance")) && nw == 5 && !strcmp(w[1], "field")) {
        uint16_t acc = EXP_ACC_PUBLIC | (w[0][0] == 's' ? EXP_ACC_STATIC : 0);
        if (parse_token(w[2], &tok) || add_field(c, tok, acc, w[3], w[4], 0, 0)) goto bad;
        return 0;
    }
    if (!strcmp(w[0], "const") && nw >= 5 && !strcmp(w[3], "=")) {
        char *end;
        errno = 0;
        long v = strtol(w[4], &end, 10);
        if (*end || errno || v < INT32_MIN || v > INT32_MAX || strlen(w[2]) != 1 || !strchr("BSZI", w[2][0])) goto bad;
        if (add_field(c, EXP_CONST_TOKEN, EXP_ACC_PUBLIC | EXP_ACC_STATIC | EXP_ACC_FINAL, w[1], w[2], 1, (int32_t)v)) goto bad;
        return 0;
    }
bad:
    cl_seterr(e, "%s:%d: unrecognised token line", what, ln);
    return -1;
oom:
    cl_seterr(e, "%s: out of memory", what);
    return -1;
}

int conv_tokens_parse(const char *text, size_t len, const char *what, conv_export_t **out, int *count, cl_error_t *e)
{
    conv_export_t *pk = NULL;
    int np = 0, ln = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        ln++;
        char line[1024];
        size_t n = eol - pos;
        if (n >= sizeof line) { cl_seterr(e, "%s:%d: line too long", what, ln); goto fail; }
        memcpy(line, text + pos, n);
        line[n] = 0;
        pos = eol + 1;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *w[16];
        int nw = 0;
        for (char *t = strtok(line, " \t\r"); t; t = strtok(NULL, " \t\r")) {
            if (nw == 16) { cl_seterr(e, "%s:%d: too many words", what, ln); goto fail; }
            w[nw++] = t;
        }
        if (!nw) continue;
        if (tokens_line(&pk, &np, w, nw, e, what, ln)) goto fail;
    }
    if (!np) { cl_seterr(e, "%s: no package in the token list", what); goto fail; }
    *out = pk;
    *count = np;
    return 0;
fail:
    conv_export_free_all(pk, np);
    return -1;
}

/* ---- export file writer ---- */

/* Constant pool under construction: entries kept as (tag, string or value) for deduplication. */
typedef struct {
    uint8_t tag;
    const char *s;
    int32_t v;
    uint16_t ref;
} wcp_t;
typedef struct {
    wcp_t *e;
    int n;
    int oom;
} wpool_t;

static uint16_t pool_find(wpool_t *p, uint8_t tag, const char *s, int32_t v, uint16_t ref)
{
    for (int i = 0; i < p->n; i++) {
        wcp_t *c = &p->e[i];
        if (c->tag != tag) continue;
        if (tag == EXPC_UTF8 && !strcmp(c->s, s)) return (uint16_t)i;
        if (tag == EXPC_INTEGER && c->v == v) return (uint16_t)i;
        if (tag == EXPC_CLASSREF && c->ref == ref) return (uint16_t)i;
    }
    if (grow((void **)&p->e, &p->n, sizeof *p->e)) { p->oom = 1; return 0; }
    wcp_t *c = &p->e[p->n - 1];
    c->tag = tag; c->s = s; c->v = v; c->ref = ref;
    return (uint16_t)(p->n - 1);
}
static uint16_t pool_utf8(wpool_t *p, const char *s) { return pool_find(p, EXPC_UTF8, s, 0, 0); }
static uint16_t pool_class(wpool_t *p, const char *s) { return pool_find(p, EXPC_CLASSREF, NULL, 0, pool_utf8(p, s)); }

uint8_t *conv_export_write(const conv_export_t *x, size_t *out_len, cl_error_t *e)
{
    wpool_t pool = { 0 };
    conv_buf_t body = { 0 }, out = { 0 };
    if (x->class_count > 255) { cl_seterr(e, "export: more than 255 classes"); return NULL; }
    /* Package entry first: index 0, so this_package is 0. */
    if (grow((void **)&pool.e, &pool.n, sizeof *pool.e)) { cl_seterr(e, "out of memory"); return NULL; }
    pool.e[0].tag = EXPC_PACKAGE;
    uint16_t pkg_name = pool_utf8(&pool, x->name); /* may move pool.e: assign after */
    pool.e[0].ref = pkg_name;
    uint16_t cv_name = 0;
    for (int i = 0; i < x->class_count; i++)
        for (int k = 0; k < x->classes[i].field_count; k++)
            if (x->classes[i].fields[k].has_const) cv_name = pool_utf8(&pool, "ConstantValue");
    conv_put2(&body, 0); /* this_package */
    conv_put1(&body, (unsigned)x->class_count);
    for (int i = 0; i < x->class_count; i++) {
        const conv_exp_class_t *c = &x->classes[i];
        conv_put1(&body, c->token);
        conv_put2(&body, c->access);
        conv_put2(&body, pool_class(&pool, c->name));
        conv_put2(&body, (unsigned)c->super_count);
        for (int k = 0; k < c->super_count; k++) conv_put2(&body, pool_class(&pool, c->supers[k]));
        conv_put1(&body, (unsigned)c->iface_count);
        for (int k = 0; k < c->iface_count; k++) conv_put2(&body, pool_class(&pool, c->ifaces[k]));
        conv_put2(&body, (unsigned)c->field_count);
        for (int k = 0; k < c->field_count; k++) {
            const conv_exp_member_t *f = &c->fields[k];
            conv_put1(&body, f->token);
            conv_put2(&body, f->access);
            conv_put2(&body, pool_utf8(&pool, f->name));
            conv_put2(&body, pool_utf8(&pool, f->desc));
            if (f->has_const) {
                conv_put2(&body, 1);
                conv_put2(&body, cv_name);
                conv_put4(&body, 2);
                conv_put2(&body, pool_find(&pool, EXPC_INTEGER, NULL, f->cval, 0));
            } else {
                conv_put2(&body, 0);
            }
        }
        conv_put2(&body, (unsigned)c->method_count);
        for (int k = 0; k < c->method_count; k++) {
            const conv_exp_member_t *m = &c->methods[k];
            conv_put1(&body, m->token);
            conv_put2(&body, m->access);
            conv_put2(&body, pool_utf8(&pool, m->name));
            conv_put2(&body, pool_utf8(&pool, m->desc));
        }
    }
    if (pool.oom || body.oom || pool.n > 65535) {
        cl_seterr(e, "export: %s", pool.n > 65535 ? "constant pool too large" : "out of memory");
        free(pool.e); free(body.p);
        return NULL;
    }
    conv_put4(&out, EXP_MAGIC);
    conv_put1(&out, 1); /* minor: format 2.1 */
    conv_put1(&out, 2); /* major */
    conv_put2(&out, (unsigned)pool.n);
    for (int i = 0; i < pool.n; i++) {
        const wcp_t *c = &pool.e[i];
        conv_put1(&out, c->tag);
        if (c->tag == EXPC_UTF8) { size_t n = strlen(c->s); conv_put2(&out, (unsigned)n); conv_put(&out, c->s, n); }
        else if (c->tag == EXPC_INTEGER) conv_put4(&out, (uint32_t)c->v);
        else if (c->tag == EXPC_CLASSREF) conv_put2(&out, c->ref);
        else {
            conv_put1(&out, x->flags);
            conv_put2(&out, c->ref);
            conv_put1(&out, x->minor);
            conv_put1(&out, x->major);
            conv_put1(&out, (unsigned)x->aid_len);
            conv_put(&out, x->aid, (size_t)x->aid_len);
        }
    }
    conv_put(&out, body.p, body.len);
    free(pool.e);
    free(body.p);
    if (out.oom) { free(out.p); cl_seterr(e, "out of memory"); return NULL; }
    *out_len = out.len;
    return out.p;
}

/* ---- export file reader ---- */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} rd_t;
static int need(rd_t *r, size_t n) { if (r->bad || r->len - r->pos < n) { r->bad = 1; return 0; } return 1; }
static unsigned g1(rd_t *r) { return need(r, 1) ? r->p[r->pos++] : 0; }
static unsigned g2(rd_t *r) { if (!need(r, 2)) return 0; unsigned v = cl_get16(r->p + r->pos); r->pos += 2; return v; }
static uint32_t g4(rd_t *r) { if (!need(r, 4)) return 0; uint32_t v = cl_get32(r->p + r->pos); r->pos += 4; return v; }

typedef struct {
    uint8_t tag;
    char *s;
    uint32_t v;
    unsigned ref;
    const uint8_t *pkg;  /* package entry: flags.. */
} rcp_t;

static const char *cp_utf8(const rcp_t *cp, unsigned n, unsigned i)
{
    return i < n && cp[i].tag == EXPC_UTF8 ? cp[i].s : NULL;
}
static const char *cp_class(const rcp_t *cp, unsigned n, unsigned i)
{
    return i < n && cp[i].tag == EXPC_CLASSREF ? cp_utf8(cp, n, cp[i].ref) : NULL;
}

int conv_export_read(conv_export_t *x, const uint8_t *buf, size_t len, const char *what, cl_error_t *e)
{
    memset(x, 0, sizeof *x);
    rd_t r = { buf, len, 0, 0 };
    rcp_t *cp = NULL;
    unsigned n = 0;
    if (g4(&r) != EXP_MAGIC) { cl_seterr(e, "%s: not an export file (bad magic)", what); return -1; }
    unsigned minor = g1(&r), major = g1(&r);
    if (r.bad || major != 2 || minor > 3) { cl_seterr(e, "%s: unsupported export file version %u.%u", what, major, minor); return -1; }
    n = g2(&r);
    cp = calloc(n ? n : 1, sizeof *cp);
    if (!cp) { cl_seterr(e, "%s: out of memory", what); return -1; }
    for (unsigned i = 0; i < n && !r.bad; i++) {
        cp[i].tag = (uint8_t)g1(&r);
        switch (cp[i].tag) {
        case EXPC_UTF8: {
            unsigned l = g2(&r);
            if (!need(&r, l)) break;
            if (memchr(r.p + r.pos, 0, l)) { r.bad = 1; break; }
            cp[i].s = dupn((const char *)r.p + r.pos, l);
            if (!cp[i].s) r.bad = 1;
            r.pos += l;
            break;
        }
        case EXPC_INTEGER: cp[i].v = g4(&r); break;
        case EXPC_CLASSREF: cp[i].ref = g2(&r); break;
        case EXPC_PACKAGE: {
            if (!need(&r, 6)) break;
            cp[i].pkg = r.p + r.pos;
            unsigned al = r.p[r.pos + 5];
            r.pos += 6;
            if (al < 5 || al > 16 || !need(&r, al)) { r.bad = 1; break; }
            r.pos += al;
            break;
        }
        default: r.bad = 1; break;
        }
    }
    if (r.bad) { cl_seterr(e, "%s: malformed constant pool", what); goto fail; }
    unsigned tp = g2(&r);
    if (major == 2 && minor >= 3) {           /* 2.3 adds the referenced packages */
        unsigned rc = g1(&r);
        for (unsigned i = 0; i < rc; i++) (void)g2(&r);
    }
    if (r.bad || tp >= n || cp[tp].tag != EXPC_PACKAGE) { cl_seterr(e, "%s: this_package is not a package entry", what); goto fail; }
    const uint8_t *pk = cp[tp].pkg;
    const char *pname = cp_utf8(cp, n, cl_get16(pk + 1));
    if (!pname) { cl_seterr(e, "%s: package name missing", what); goto fail; }
    x->name = dups(pname);
    x->flags = pk[0]; x->minor = pk[3]; x->major = pk[4]; x->aid_len = pk[5];
    memcpy(x->aid, pk + 6, (size_t)x->aid_len);
    unsigned cc = g1(&r);
    x->classes = calloc(cc ? cc : 1, sizeof *x->classes);
    if (!x->name || !x->classes) { cl_seterr(e, "%s: out of memory", what); goto fail; }
    for (unsigned i = 0; i < cc; i++) {
        conv_exp_class_t *c = &x->classes[i];
        x->class_count = (int)i + 1;
        c->token = (uint8_t)g1(&r);
        c->access = (uint16_t)g2(&r);
        const char *cn = cp_class(cp, n, g2(&r));
        if (r.bad || !cn) goto malformed;
        c->name = dups(cn);
        unsigned sc = g2(&r);
        for (unsigned k = 0; k < sc; k++) {
            const char *s = cp_class(cp, n, g2(&r));
            if (r.bad || !s || grow((void **)&c->supers, &c->super_count, sizeof(char *))) goto malformed;
            c->supers[c->super_count - 1] = dups(s);
        }
        unsigned ic = g1(&r);
        for (unsigned k = 0; k < ic; k++) {
            const char *s = cp_class(cp, n, g2(&r));
            if (r.bad || !s || grow((void **)&c->ifaces, &c->iface_count, sizeof(char *))) goto malformed;
            c->ifaces[c->iface_count - 1] = dups(s);
        }
        unsigned fc = g2(&r);
        for (unsigned k = 0; k < fc; k++) {
            unsigned tok = g1(&r), acc = g2(&r);
            const char *fnm = cp_utf8(cp, n, g2(&r)), *fds = cp_utf8(cp, n, g2(&r));
            if (r.bad || !fnm || !fds) goto malformed;
            int hc = 0;
            int32_t v = 0;
            unsigned na = g2(&r);
            for (unsigned a = 0; a < na; a++) {
                const char *an = cp_utf8(cp, n, g2(&r));
                uint32_t al = g4(&r);
                if (r.bad || !need(&r, al)) goto malformed;
                if (an && !strcmp(an, "ConstantValue") && al == 2) {
                    unsigned vi = cl_get16(r.p + r.pos);
                    if (vi >= n || cp[vi].tag != EXPC_INTEGER) goto malformed;
                    hc = 1; v = (int32_t)cp[vi].v;
                }
                r.pos += al;
            }
            if (add_field(c, (int)tok, (uint16_t)acc, fnm, fds, hc, v)) goto malformed;
        }
        unsigned mc = g2(&r);
        for (unsigned k = 0; k < mc; k++) {
            unsigned tok = g1(&r), acc = g2(&r);
            const char *mn = cp_utf8(cp, n, g2(&r)), *md = cp_utf8(cp, n, g2(&r));
            if (r.bad || !mn || !md || *md != '(') goto malformed;
            if (grow((void **)&c->methods, &c->method_count, sizeof *c->methods)) goto malformed;
            conv_exp_member_t *m = &c->methods[c->method_count - 1];
            m->token = (uint8_t)tok; m->access = (uint16_t)acc;
            m->name = dups(mn); m->desc = dups(md);
            if (!m->name || !m->desc) goto malformed;
        }
        if (!c->name) goto malformed;
    }
    if (r.bad) goto malformed;
    for (unsigned i = 0; i < n; i++) free(cp[i].s);
    free(cp);
    return 0;
malformed:
    cl_seterr(e, "%s: malformed or truncated class entry", what);
fail:
    for (unsigned i = 0; i < n; i++) free(cp[i].s);
    free(cp);
    conv_export_free(x);
    return -1;
}

int conv_export_path(const char *dir, const char *pkg, char *out, size_t cap)
{
    const char *last = strrchr(pkg, '/');
    last = last ? last + 1 : pkg;
    int n = snprintf(out, cap, "%s/%s/javacard/%s.exp", dir, pkg, last);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int conv_export_find(const char *exportpath, const char *pkg, conv_export_t *x, cl_error_t *e)
{
    const char *s = exportpath ? exportpath : "";
    while (1) {
        const char *c = strchr(s, ':');
        size_t n = c ? (size_t)(c - s) : strlen(s);
        if (n > 0 && n < 4000) {
            char dir[4096], path[8192];
            memcpy(dir, s, n);
            dir[n] = 0;
            if (!conv_export_path(dir, pkg, path, sizeof path)) {
                FILE *f = fopen(path, "rb");
                if (f) {
                    fclose(f);
                    size_t len;
                    uint8_t *b = cl_read_file(path, 1u << 20, &len, e);
                    if (!b) return -1;
                    int rc = conv_export_read(x, b, len, path, e);
                    free(b);
                    if (rc) return -1;
                    if (strcmp(x->name, pkg)) {
                        cl_seterr(e, "%s: holds package %s, expected %s", path, x->name, pkg);
                        conv_export_free(x);
                        return -1;
                    }
                    return 0;
                }
            }
        }
        if (!c) break;
        s = c + 1;
    }
    {
        char shown[200];
        snprintf(shown, sizeof shown, "%s", exportpath ? exportpath : "");
        cl_seterr(e, "no export file for package %s in the export path '%s'", pkg, shown);
    }
    return -1;
}
