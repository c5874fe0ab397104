/* conv_classfile: strict Java class file reader (see conv_classfile.h). */
#include "conv/conv_classfile.h"

#include <stdlib.h>
#include <string.h>

/* A cursor over the input that refuses to read past the end: every read checks first. */
typedef struct {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} rd_t;

static int need(rd_t *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) { r->bad = 1; return 0; }
    return 1;
}
static uint8_t u1(rd_t *r) { return need(r, 1) ? r->p[r->pos++] : 0; }
static uint16_t u2(rd_t *r)
{
    if (!need(r, 2)) return 0;
    uint16_t v = cl_get16(r->p + r->pos);
    r->pos += 2;
    return v;
}
static uint32_t u4(rd_t *r)
{
    if (!need(r, 4)) return 0;
    uint32_t v = cl_get32(r->p + r->pos);
    r->pos += 4;
    return v;
}

static char *dupstr(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

const char *conv_cf_utf8(const conv_classfile_t *cf, uint16_t idx)
{
    if (idx == 0 || idx >= cf->cp_count || cf->cp[idx].tag != CF_UTF8) return NULL;
    return cf->cp[idx].utf8;
}

const char *conv_cf_class_name(const conv_classfile_t *cf, uint16_t idx)
{
    if (idx == 0 || idx >= cf->cp_count || cf->cp[idx].tag != CF_CLASS) return NULL;
    return conv_cf_utf8(cf, cf->cp[idx].a);
}

int conv_cf_member_ref(const conv_classfile_t *cf, uint16_t idx, const char **cls, const char **name,
                       const char **desc)
{
    if (idx == 0 || idx >= cf->cp_count) return -1;
    const conv_cf_const_t *c = &cf->cp[idx];
    if (c->tag != CF_FIELDREF && c->tag != CF_METHODREF && c->tag != CF_IMETHODREF) return -1;
    const char *k = conv_cf_class_name(cf, c->a);
    if (!k || c->b == 0 || c->b >= cf->cp_count || cf->cp[c->b].tag != CF_NAMEANDTYPE) return -1;
    const char *n = conv_cf_utf8(cf, cf->cp[c->b].a), *d = conv_cf_utf8(cf, cf->cp[c->b].b);
    if (!n || !d) return -1;
    *cls = k; *name = n; *desc = d;
    return 0;
}

int conv_cf_line_of(const conv_cf_method_t *m, uint32_t pc)
{
    int line = 0;
    uint32_t best = 0;
    for (uint32_t i = 0; i < m->line_count; i++)
        if (m->lines[i].start_pc <= pc && m->lines[i].start_pc >= best) { best = m->lines[i].start_pc; line = m->lines[i].line; }
    return line;
}

/* Skips one field type in a descriptor; returns the position after it or NULL. */
static const char *skip_type(const char *d, int *words)
{
    int dims = 0;
    while (*d == '[') { d++; dims++; if (dims > 255) return NULL; }
    switch (*d) {
    case 'B': case 'C': case 'F': case 'I': case 'S': case 'Z':
        *words = dims ? 1 : 1; return d + 1;
    case 'J': case 'D':
        *words = dims ? 1 : 2; return d + 1;
    case 'L': {
        const char *e = strchr(d, ';');
        if (!e || e == d + 1) return NULL;
        *words = 1; return e + 1;
    }
    default: return NULL;
    }
}

int conv_desc_arg_count(const char *desc)
{
    if (!desc || *desc != '(') return -1;
    const char *d = desc + 1;
    int n = 0;
    while (*d != ')') {
        int w;
        d = skip_type(d, &w);
        if (!d) return -1;
        n += w;
    }
    d++;
    if (*d == 'V') return d[1] ? -1 : n;
    int w;
    const char *e = skip_type(d, &w);
    if (!e || *e) return -1;
    return n;
}

static void free_method(conv_cf_method_t *m)
{
    free(m->name); free(m->desc); free(m->code); free(m->handlers); free(m->lines);
    for (uint32_t i = 0; i < m->local_count; i++) { free(m->locals[i].name); free(m->locals[i].desc); }
    free(m->locals);
}

void conv_cf_free(conv_classfile_t *cf)
{
    if (!cf) return;
    if (cf->cp)
        for (uint16_t i = 0; i < cf->cp_count; i++) free(cf->cp[i].utf8);
    free(cf->cp);
    free(cf->this_name); free(cf->super_name); free(cf->source_file);
    for (uint16_t i = 0; i < cf->interface_count; i++) free(cf->interfaces[i]);
    free(cf->interfaces);
    for (uint16_t i = 0; i < cf->field_count; i++) { free(cf->fields[i].name); free(cf->fields[i].desc); }
    free(cf->fields);
    for (uint16_t i = 0; i < cf->method_count; i++) free_method(&cf->methods[i]);
    free(cf->methods);
    memset(cf, 0, sizeof *cf);
}

static int parse_cp(conv_classfile_t *cf, rd_t *r, const char *what, cl_error_t *e)
{
    cf->cp_count = u2(r);
    if (r->bad || cf->cp_count == 0) { cl_seterr(e, "%s: truncated or empty constant pool", what); return -1; }
    cf->cp = calloc(cf->cp_count, sizeof *cf->cp);
    if (!cf->cp) { cl_seterr(e, "%s: out of memory", what); return -1; }
    for (uint16_t i = 1; i < cf->cp_count; i++) {
        conv_cf_const_t *c = &cf->cp[i];
        c->tag = u1(r);
        switch (c->tag) {
        case CF_UTF8: {
            uint16_t n = u2(r);
            if (!need(r, n)) break;
            if (memchr(r->p + r->pos, 0, n)) { cl_seterr(e, "%s: constant %u: NUL byte in a UTF-8 constant", what, i); return -1; }
            c->utf8 = malloc((size_t)n + 1);
            if (!c->utf8) { cl_seterr(e, "%s: out of memory", what); return -1; }
            memcpy(c->utf8, r->p + r->pos, n);
            c->utf8[n] = 0;
            r->pos += n;
            break;
        }
        case CF_INTEGER: c->ival = (int32_t)u4(r); break;
        case CF_FLOAT: (void)u4(r); break;
        case CF_LONG: case CF_DOUBLE:
            (void)u4(r); (void)u4(r);
            if (i + 1 >= cf->cp_count) { cl_seterr(e, "%s: constant %u: 8-byte constant at the end of the pool", what, i); return -1; }
            i++; /* the next slot is unusable by definition */
            break;
        case CF_CLASS: case CF_STRING: case CF_METHODTYPE: case CF_MODULE: case CF_PACKAGE: c->a = u2(r); break;
        case CF_FIELDREF: case CF_METHODREF: case CF_IMETHODREF: case CF_NAMEANDTYPE: case CF_DYNAMIC: case CF_INVOKEDYNAMIC:
            c->a = u2(r); c->b = u2(r); break;
        case CF_METHODHANDLE: c->a = u1(r); c->b = u2(r); break;
        default:
            if (r->bad) break;
            cl_seterr(e, "%s: constant %u: unknown constant pool tag %u", what, i, c->tag);
            return -1;
        }
        if (r->bad) { cl_seterr(e, "%s: truncated constant pool (entry %u)", what, i); return -1; }
    }
    /* Cross-check the indices the converter follows, so later lookups can trust the tags. */
    for (uint16_t i = 1; i < cf->cp_count; i++) {
        conv_cf_const_t *c = &cf->cp[i];
        int ok = 1;
        switch (c->tag) {
        case CF_CLASS: case CF_STRING: ok = conv_cf_utf8(cf, c->a) != NULL; break;
        case CF_NAMEANDTYPE: ok = conv_cf_utf8(cf, c->a) && conv_cf_utf8(cf, c->b); break;
        case CF_FIELDREF: case CF_METHODREF: case CF_IMETHODREF:
            ok = c->a && c->a < cf->cp_count && cf->cp[c->a].tag == CF_CLASS && c->b && c->b < cf->cp_count &&
                 cf->cp[c->b].tag == CF_NAMEANDTYPE;
            break;
        default: break;
        }
        if (!ok) { cl_seterr(e, "%s: constant %u refers to a missing or wrong-typed constant", what, i); return -1; }
    }
    return 0;
}

static int parse_code(conv_classfile_t *cf, conv_cf_method_t *m, rd_t *r, uint32_t alen, const char *what,
                      cl_error_t *e)
{
    size_t end = r->pos + alen;
    m->has_code = 1;
    m->max_stack = u2(r);
    m->max_locals = u2(r);
    m->code_len = u4(r);
    if (r->bad || m->code_len == 0 || m->code_len > 65535 || !need(r, m->code_len)) {
        cl_seterr(e, "%s: method %s: bad code length", what, m->name);
        return -1;
    }
    m->code = malloc(m->code_len);
    if (!m->code) { cl_seterr(e, "%s: out of memory", what); return -1; }
    memcpy(m->code, r->p + r->pos, m->code_len);
    r->pos += m->code_len;
    m->handler_count = u2(r);
    if (!need(r, (size_t)m->handler_count * 8)) { cl_seterr(e, "%s: method %s: truncated exception table", what, m->name); return -1; }
    m->handlers = calloc(m->handler_count ? m->handler_count : 1, sizeof *m->handlers);
    if (!m->handlers) { cl_seterr(e, "%s: out of memory", what); return -1; }
    for (uint16_t i = 0; i < m->handler_count; i++) {
        conv_cf_handler_t *h = &m->handlers[i];
        h->start_pc = u2(r); h->end_pc = u2(r); h->handler_pc = u2(r); h->catch_type = u2(r);
        if (h->start_pc >= h->end_pc || h->end_pc > m->code_len || h->handler_pc >= m->code_len ||
            (h->catch_type && !conv_cf_class_name(cf, h->catch_type))) {
            cl_seterr(e, "%s: method %s: exception table entry %u is out of range", what, m->name, i);
            return -1;
        }
    }
    uint16_t na = u2(r);
    for (uint16_t i = 0; i < na && !r->bad; i++) {
        const char *an = conv_cf_utf8(cf, u2(r));
        uint32_t len = u4(r);
        if (r->bad || !need(r, len)) break;
        size_t aend = r->pos + len;
        if (an && !strcmp(an, "LineNumberTable")) {
            uint16_t n = u2(r);
            if (len != 2u + 4u * n) { cl_seterr(e, "%s: method %s: bad LineNumberTable", what, m->name); return -1; }
            conv_cf_line_t *nl = realloc(m->lines, (m->line_count + n + 1) * sizeof *nl);
            if (!nl) { cl_seterr(e, "%s: out of memory", what); return -1; }
            m->lines = nl;
            for (uint16_t k = 0; k < n; k++) { nl[m->line_count].start_pc = u2(r); nl[m->line_count].line = u2(r); m->line_count++; }
        } else if (an && !strcmp(an, "LocalVariableTable")) {
            uint16_t n = u2(r);
            if (len != 2u + 10u * n) { cl_seterr(e, "%s: method %s: bad LocalVariableTable", what, m->name); return -1; }
            conv_cf_local_t *nl = realloc(m->locals, (m->local_count + n + 1) * sizeof *nl);
            if (!nl) { cl_seterr(e, "%s: out of memory", what); return -1; }
            m->locals = nl;
            for (uint16_t k = 0; k < n; k++) {
                conv_cf_local_t *l = &nl[m->local_count];
                l->start_pc = u2(r); l->length = u2(r);
                const char *ln = conv_cf_utf8(cf, u2(r)), *ld = conv_cf_utf8(cf, u2(r));
                l->index = u2(r);
                if (!ln || !ld) { cl_seterr(e, "%s: method %s: bad LocalVariableTable entry", what, m->name); return -1; }
                l->name = dupstr(ln); l->desc = dupstr(ld);
                m->local_count++;
                if (!l->name || !l->desc) { cl_seterr(e, "%s: out of memory", what); return -1; }
            }
        }
        r->pos = aend;
    }
    if (r->bad || r->pos != end) { cl_seterr(e, "%s: method %s: Code attribute length mismatch", what, m->name); return -1; }
    return 0;
}

static int parse_members(conv_classfile_t *cf, rd_t *r, int methods, const char *what, cl_error_t *e)
{
    uint16_t n = u2(r);
    if (r->bad) { cl_seterr(e, "%s: truncated", what); return -1; }
    void *arr = calloc(n ? n : 1, methods ? sizeof(conv_cf_method_t) : sizeof(conv_cf_field_t));
    if (!arr) { cl_seterr(e, "%s: out of memory", what); return -1; }
    if (methods) { cf->methods = arr; } else { cf->fields = arr; }
    for (uint16_t i = 0; i < n; i++) {
        uint16_t acc = u2(r);
        const char *nm = conv_cf_utf8(cf, u2(r)), *ds = conv_cf_utf8(cf, u2(r));
        if (r->bad || !nm || !ds) { cl_seterr(e, "%s: %s %u: bad name or descriptor", what, methods ? "method" : "field", i); return -1; }
        conv_cf_method_t *m = methods ? &cf->methods[i] : NULL;
        conv_cf_field_t *f = methods ? NULL : &cf->fields[i];
        if (m) { m->access = acc; m->name = dupstr(nm); m->desc = dupstr(ds); cf->method_count = i + 1; }
        else { f->access = acc; f->name = dupstr(nm); f->desc = dupstr(ds); cf->field_count = i + 1; }
        if (m ? (!m->name || !m->desc) : (!f->name || !f->desc)) { cl_seterr(e, "%s: out of memory", what); return -1; }
        if (m && conv_desc_arg_count(ds) < 0) { cl_seterr(e, "%s: method %s: malformed descriptor %s", what, nm, ds); return -1; }
        uint16_t na = u2(r);
        for (uint16_t k = 0; k < na; k++) {
            const char *an = conv_cf_utf8(cf, u2(r));
            uint32_t len = u4(r);
            if (r->bad || !need(r, len)) { cl_seterr(e, "%s: %s: truncated attribute", what, nm); return -1; }
            size_t aend = r->pos + len;
            if (m && an && !strcmp(an, "Code")) {
                if (m->has_code) { cl_seterr(e, "%s: method %s: two Code attributes", what, nm); return -1; }
                if (parse_code(cf, m, r, len, what, e)) return -1;
            } else if (f && an && !strcmp(an, "ConstantValue")) {
                if (len != 2) { cl_seterr(e, "%s: field %s: bad ConstantValue", what, nm); return -1; }
                f->has_const = 1;
                f->const_index = u2(r);
                if (f->const_index == 0 || f->const_index >= cf->cp_count) { cl_seterr(e, "%s: field %s: bad ConstantValue index", what, nm); return -1; }
            }
            r->pos = aend;
        }
    }
    return 0;
}

int conv_cf_parse(conv_classfile_t *cf, const uint8_t *buf, size_t len, const char *what, cl_error_t *e)
{
    memset(cf, 0, sizeof *cf);
    rd_t r = { buf, len, 0, 0 };
    if (u4(&r) != 0xCAFEBABEu) { cl_seterr(e, "%s: not a class file (bad magic)", what); return -1; }
    cf->minor = u2(&r);
    cf->major = u2(&r);
    if (r.bad || cf->major < 45 || cf->major > 70) { cl_seterr(e, "%s: unsupported class file version %u.%u", what, cf->major, cf->minor); return -1; }
    if (parse_cp(cf, &r, what, e)) goto fail;
    cf->access = u2(&r);
    const char *tn = conv_cf_class_name(cf, u2(&r));
    uint16_t sup = u2(&r);
    if (r.bad || !tn) { cl_seterr(e, "%s: bad this_class", what); goto fail; }
    cf->this_name = dupstr(tn);
    if (sup) {
        const char *sn = conv_cf_class_name(cf, sup);
        if (!sn) { cl_seterr(e, "%s: bad super_class", what); goto fail; }
        cf->super_name = dupstr(sn);
    }
    cf->interface_count = u2(&r);
    cf->interfaces = calloc(cf->interface_count ? cf->interface_count : 1, sizeof(char *));
    if (!cf->interfaces) { cl_seterr(e, "%s: out of memory", what); goto fail; }
    for (uint16_t i = 0; i < cf->interface_count; i++) {
        const char *in = conv_cf_class_name(cf, u2(&r));
        if (!in) { cl_seterr(e, "%s: bad interface entry %u", what, i); cf->interface_count = i; goto fail; }
        cf->interfaces[i] = dupstr(in);
    }
    if (parse_members(cf, &r, 0, what, e) || parse_members(cf, &r, 1, what, e)) goto fail;
    uint16_t na = u2(&r);
    for (uint16_t i = 0; i < na && !r.bad; i++) {
        const char *an = conv_cf_utf8(cf, u2(&r));
        uint32_t alen = u4(&r);
        if (r.bad || !need(&r, alen)) break;
        size_t aend = r.pos + alen;
        if (an && !strcmp(an, "SourceFile") && alen == 2) {
            const char *sf = conv_cf_utf8(cf, u2(&r));
            if (sf && !cf->source_file) cf->source_file = dupstr(sf);
        }
        r.pos = aend;
    }
    if (r.bad) { cl_seterr(e, "%s: truncated class file", what); goto fail; }
    if (r.pos != len) { cl_seterr(e, "%s: %zu trailing bytes after the class file", what, len - r.pos); goto fail; }
    return 0;
fail:
    conv_cf_free(cf);
    return -1;
}
