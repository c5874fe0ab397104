/* conv_cap: assembling the CAP components (JCVM spec chapter 6, CAP format 2.1) and the JAR,
 * plus the package's own export file. Runs after every method is translated. */
#include "conv/conv_pkg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap_consts.h"
#include "cap/cap_zip.h"
#include "conv/conv_buf.h"

/* class_ref encoding (u2) of a class we know. */
static unsigned classref(const conv_pkg_t *p, const conv_cref_t *r)
{
    if (r->internal) return (unsigned)p->classes[r->index].offset;
    return 0x8000u | ((unsigned)r->import << 8) | r->ext->token;
}

static int cref_named(conv_pkg_t *p, const char *name, conv_cref_t *r, cl_error_t *e)
{
    return conv_pkg_class(p, name, r, e);
}

/* ---- interfaces implemented (transitively) ---- */

typedef struct { conv_cref_t r[32]; int n; } iset_t;

static int iset_add(conv_pkg_t *p, iset_t *s, const char *name, cl_error_t *e, int depth)
{
    if (depth > 16) { cl_seterr(e, "interface hierarchy too deep"); return -1; }
    conv_cref_t r;
    if (cref_named(p, name, &r, e)) return -1;
    for (int i = 0; i < s->n; i++) if (conv_pkg_same_class(&s->r[i], &r)) return 0;
    if (s->n >= 32) { cl_seterr(e, "too many interfaces"); return -1; }
    s->r[s->n++] = r;
    if (r.internal) {
        conv_class_t *c = &p->classes[r.index];
        for (int k = 0; k < c->cf.interface_count; k++)
            if (iset_add(p, s, c->cf.interfaces[k], e, depth + 1)) return -1;
    } else {
        const conv_exp_class_t *x = r.ext;
        for (int k = 0; k < x->iface_count; k++)
            if (iset_add(p, s, x->ifaces[k], e, depth + 1)) return -1;
    }
    return 0;
}

/* All interfaces of class ci: its own, its superclasses', and their superinterfaces. */
static int class_interfaces(conv_pkg_t *p, int ci, iset_t *s, cl_error_t *e)
{
    s->n = 0;
    conv_cref_t r = { .internal = 1, .index = ci };
    for (int depth = 0; depth < 64; depth++) {
        if (r.internal) {
            conv_class_t *c = &p->classes[r.index];
            for (int k = 0; k < c->cf.interface_count; k++)
                if (iset_add(p, s, c->cf.interfaces[k], e, 0)) return -1;
        } else {
            for (int k = 0; k < r.ext->iface_count; k++)
                if (iset_add(p, s, r.ext->ifaces[k], e, 0)) return -1;
        }
        conv_cref_t sup;
        int rc = conv_pkg_super(p, &r, &sup, e);
        if (rc == -2) return -1;
        if (rc < 0) break;
        r = sup;
    }
    return 0;
}

/* Public virtual token of the implementation of name+desc in class ci's hierarchy, -1 if none. */
static int impl_token(conv_pkg_t *p, int ci, const char *name, const char *desc, cl_error_t *e)
{
    conv_cref_t r = { .internal = 1, .index = ci };
    for (int depth = 0; depth < 64; depth++) {
        if (r.internal) {
            conv_class_t *c = &p->classes[r.index];
            for (int i = 0; i < c->method_count; i++) {
                conv_method_t *m = &c->methods[i];
                if (m->is_virtual && m->is_public && !strcmp(m->cf->name, name) && !strcmp(m->cf->desc, desc)) return m->token;
            }
        } else {
            const conv_exp_member_t *m = conv_export_method(r.ext, name, desc);
            if (m && !(m->access & EXP_ACC_STATIC)) return m->token;
        }
        conv_cref_t sup;
        int rc = conv_pkg_super(p, &r, &sup, e);
        if (rc < 0) return -1;
        r = sup;
    }
    return -1;
}

/* ---- Class component ---- */

static int class_size(conv_pkg_t *p, int ci, cl_error_t *e, int *size)
{
    conv_class_t *c = &p->classes[ci];
    iset_t s;
    if (c->is_interface) {
        iset_t all = { .n = 0 };
        for (int k = 0; k < c->cf.interface_count; k++)
            if (iset_add(p, &all, c->cf.interfaces[k], e, 0)) return -1;
        *size = 1 + 2 * all.n;
        return 0;
    }
    if (class_interfaces(p, ci, &s, e)) return -1;
    int n = 1 + 2 + 5 + 2;
    int pub_base, pub_count, pkg_base, pkg_count;
    (void)pub_base; (void)pkg_base;
    /* same computation as in write_class: tables cover the tokens this class defines */
    int lo = 128, lop = 128;
    for (int i = 0; i < c->method_count; i++) {
        conv_method_t *m = &c->methods[i];
        if (!m->is_virtual) continue;
        if (m->token & 0x80) { if ((m->token & 0x7F) < lop) lop = m->token & 0x7F; }
        else if (m->token < lo) lo = m->token;
    }
    pub_count = lo == 128 ? 0 : c->max_public_vtoken - lo + 1;
    pkg_count = lop == 128 ? 0 : c->max_package_vtoken - lop + 1;
    n += 2 * (pub_count + pkg_count);
    for (int k = 0; k < s.n; k++) {
        int cnt = s.r[k].internal ? 0 : s.r[k].ext->method_count;
        if (s.r[k].internal) {
            conv_class_t *ic = &p->classes[s.r[k].index];
            for (int i = 0; i < ic->method_count; i++) if (ic->methods[i].is_virtual) cnt++;
        }
        n += 3 + cnt;
    }
    *size = n;
    return 0;
}

static const conv_method_t *method_with_token(conv_pkg_t *p, int ci, int token)
{
    while (ci >= 0) {
        conv_class_t *c = &p->classes[ci];
        for (int i = 0; i < c->method_count; i++)
            if (c->methods[i].is_virtual && c->methods[i].token == token) return &c->methods[i];
        ci = c->super_internal;
    }
    return NULL;
}

static int write_class(conv_pkg_t *p, int ci, conv_buf_t *b, cl_error_t *e)
{
    conv_class_t *c = &p->classes[ci];
    if (c->is_interface) {
        iset_t all = { .n = 0 };
        for (int k = 0; k < c->cf.interface_count; k++)
            if (iset_add(p, &all, c->cf.interfaces[k], e, 0)) return -1;
        if (all.n > 15) { cl_seterr(e, "interface %s: more than 15 superinterfaces", c->name); return -1; }
        unsigned flags = CAP_ACC_INTERFACE | (c->is_shareable ? CAP_ACC_SHAREABLE : 0);
        conv_put1(b, (flags << 4) | (unsigned)all.n);
        for (int k = 0; k < all.n; k++) conv_put2(b, classref(p, &all.r[k]));
        return 0;
    }
    iset_t s;
    if (class_interfaces(p, ci, &s, e)) return -1;
    if (s.n > 15) { cl_seterr(e, "class %s: more than 15 interfaces", c->name); return -1; }
    int shareable = 0;
    for (int k = 0; k < s.n; k++)
        if (s.r[k].internal ? p->classes[s.r[k].index].is_shareable : !!(s.r[k].ext->access & EXP_ACC_SHAREABLE)) shareable = 1;
    conv_put1(b, ((unsigned)(shareable ? CAP_ACC_SHAREABLE : 0) << 4) | (unsigned)s.n);
    if (c->cf.super_name) {
        conv_cref_t sup;
        if (cref_named(p, c->cf.super_name, &sup, e)) return -1;
        conv_put2(b, classref(p, &sup));
    } else {
        conv_put2(b, 0xFFFF);
    }
    conv_put1(b, (unsigned)c->instance_size);
    conv_put1(b, (unsigned)c->first_ref_token);
    conv_put1(b, (unsigned)c->ref_count);
    int lo = 128, lop = 128;
    for (int i = 0; i < c->method_count; i++) {
        conv_method_t *m = &c->methods[i];
        if (!m->is_virtual) continue;
        if (m->token & 0x80) { if ((m->token & 0x7F) < lop) lop = m->token & 0x7F; }
        else if (m->token < lo) lo = m->token;
    }
    int pub_count = lo == 128 ? 0 : c->max_public_vtoken - lo + 1;
    int pkg_count = lop == 128 ? 0 : c->max_package_vtoken - lop + 1;
    conv_put1(b, (unsigned)(lo == 128 ? c->max_public_vtoken + 1 : lo));
    conv_put1(b, (unsigned)pub_count);
    conv_put1(b, (unsigned)(lop == 128 ? c->max_package_vtoken + 1 : lop));
    conv_put1(b, (unsigned)pkg_count);
    for (int t = 0; t < pub_count; t++) {
        const conv_method_t *m = method_with_token(p, ci, lo + t);
        conv_put2(b, m ? (unsigned)m->offset : 0xFFFF);
    }
    for (int t = 0; t < pkg_count; t++) {
        const conv_method_t *m = method_with_token(p, ci, 0x80 | (lop + t));
        conv_put2(b, m ? (unsigned)m->offset : 0xFFFF);
    }
    for (int k = 0; k < s.n; k++) {
        conv_put2(b, classref(p, &s.r[k]));
        if (s.r[k].internal) {
            conv_class_t *ic = &p->classes[s.r[k].index];
            int cnt = 0;
            for (int i = 0; i < ic->method_count; i++) if (ic->methods[i].is_virtual) cnt++;
            conv_put1(b, (unsigned)cnt);
            for (int t = 0; t < cnt; t++)
                for (int i = 0; i < ic->method_count; i++) {
                    conv_method_t *im = &ic->methods[i];
                    if (!im->is_virtual || im->token != t) continue;
                    int tok = impl_token(p, ci, im->cf->name, im->cf->desc, e);
                    if (tok < 0 && !c->is_abstract) {
                        cl_seterr(e, "class %s does not implement %s.%s%s", c->name, ic->name, im->cf->name, im->cf->desc);
                        return -1;
                    }
                    conv_put1(b, tok < 0 ? 0xFF : (unsigned)tok);
                }
        } else {
            const conv_exp_class_t *x = s.r[k].ext;
            conv_put1(b, (unsigned)x->method_count);
            for (int t = 0; t < x->method_count; t++) {
                const conv_exp_member_t *im = NULL;
                for (int i = 0; i < x->method_count; i++) if (x->methods[i].token == t) im = &x->methods[i];
                int tok = im ? impl_token(p, ci, im->name, im->desc, e) : -1;
                if (tok < 0 && !c->is_abstract) {
                    cl_seterr(e, "class %s does not implement %s.%s%s", c->name, x->name, im ? im->name : "?", im ? im->desc : "");
                    return -1;
                }
                conv_put1(b, tok < 0 ? 0xFF : (unsigned)tok);
            }
        }
    }
    return 0;
}

/* ---- type descriptors ---- */

typedef struct {
    conv_buf_t b;          /* type_desc[] bytes */
} types_t;

static int type_nibbles(conv_pkg_t *p, const char *d, uint8_t *nib, int *nn, int max, cl_error_t *e)
{
    int arr = 0;
    if (*d == '[') { arr = 1; d++; }
    if (*nn + 5 > max) { cl_seterr(e, "type descriptor too long"); return -1; }
    switch (*d) {
    case 'V': nib[(*nn)++] = 0x1; return 1;
    case 'Z': nib[(*nn)++] = arr ? 0xA : 0x2; return 1;
    case 'B': nib[(*nn)++] = arr ? 0xB : 0x3; return 1;
    case 'S': nib[(*nn)++] = arr ? 0xC : 0x4; return 1;
    case 'I': nib[(*nn)++] = arr ? 0xD : 0x5; return 1;
    case 'L': {
        const char *end = strchr(d, ';');
        if (!end || end - d - 1 >= 400) { cl_seterr(e, "bad descriptor"); return -1; }
        char name[400];
        memcpy(name, d + 1, (size_t)(end - d - 1));
        name[end - d - 1] = 0;
        conv_cref_t r;
        if (conv_pkg_class(p, name, &r, e)) return -1;
        unsigned cr = classref(p, &r);
        nib[(*nn)++] = arr ? 0xE : 0x6;
        for (int s = 12; s >= 0; s -= 4) nib[(*nn)++] = (uint8_t)((cr >> s) & 0xF);
        return (int)(end - d) + 1 + arr - arr;
    }
    default: cl_seterr(e, "unsupported type in descriptor %s", d); return -1;
    }
}

/* Offset of the type descriptor of a JVM field or method descriptor within type_desc[]. */
static int type_offset(conv_pkg_t *p, types_t *t, const char *desc, cl_error_t *e)
{
    uint8_t nib[600];
    int nn = 0;
    if (*desc == '(') {
        const char *d = desc + 1;
        while (*d && *d != ')') {
            const char *q = d;
            if (*q == '[') q++;
            if (type_nibbles(p, d, nib, &nn, 590, e) < 0) return -1;
            d = *q == 'L' ? strchr(q, ';') + 1 : q + 1;
        }
        if (*d != ')' || type_nibbles(p, d + 1, nib, &nn, 590, e) < 0) return -1;
    } else if (type_nibbles(p, desc, nib, &nn, 590, e) < 0) return -1;
    if (nn > 255) { cl_seterr(e, "type descriptor too long"); return -1; }
    uint8_t enc[300];
    int bytes = (nn + 1) / 2;
    enc[0] = (uint8_t)nn;
    for (int i = 0; i < bytes; i++)
        enc[1 + i] = (uint8_t)((nib[2 * i] << 4) | (2 * i + 1 < nn ? nib[2 * i + 1] : 0));
    /* reuse an equal descriptor */
    for (size_t off = 0; off < t->b.len;) {
        int n = t->b.p[off], l = 1 + (n + 1) / 2;
        if (l == 1 + bytes && !memcmp(t->b.p + off, enc, (size_t)l)) return (int)off;
        off += (size_t)l;
    }
    int at = (int)t->b.len;
    conv_put(&t->b, enc, (size_t)(1 + bytes));
    return at;
}

/* ---- the package ---- */

static void component(conv_buf_t *jar_parts, int tag, const conv_buf_t *info)
{
    conv_put1(jar_parts, (unsigned)tag);
    conv_put2(jar_parts, (unsigned)info->len);
    conv_put(jar_parts, info->p, info->len);
}

static const char *COMP_NAMES[] = { "", "Header", "Directory", "Applet", "Import", "ConstantPool", "Class", "Method",
                                    "StaticField", "RefLocation", "Export", "Descriptor" };

static int method_header_size(const conv_method_t *m)
{
    return m->max_stack <= 15 && m->nargs <= 15 && m->max_locals <= 15 ? 2 : 4;
}

static void refdeltas(conv_buf_t *b, int *offs, int n)
{
    /* offs sorted ascending; each gap is written as 255s plus the rest */
    int prev = 0;
    for (int i = 0; i < n; i++) {
        int d = offs[i] - prev;
        while (d >= 255) { conv_put1(b, 255); d -= 255; }   /* 255 means "255 further, no entry here" */
        conv_put1(b, (unsigned)d);
        prev = offs[i];
    }
}
static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int conv_cap_build(conv_pkg_t *p, uint8_t **cap_out, size_t *cap_len, uint8_t **exp_out, size_t *exp_len, cl_error_t *e)
{
    conv_buf_t comp[12];
    memset(comp, 0, sizeof comp);
    types_t types = { 0 };
    int rc = -1;
    int *r1 = NULL, *r2 = NULL;
    int n1 = 0, n2 = 0;
    uint8_t *jar = NULL;
    size_t jar_len = 0;
    cap_zip_writer_t zw = { 0 };

    /* 1. Class component layout: offsets of every class_info */
    int off = 0;
    for (int k = 0; k < p->class_count; k++) {
        int ci = p->order[k], sz;
        p->classes[ci].offset = off;
        /* the superclass/interfaces may live in packages not imported yet: load them now */
        if (class_size(p, ci, e, &sz)) goto out;
        off += sz;
    }
    /* 2. Method component layout */
    int moff = 1 + 8 * p->handler_count;
    for (int k = 0; k < p->class_count; k++) {
        conv_class_t *c = &p->classes[p->order[k]];
        if (c->is_interface) continue;
        for (int i = 0; i < c->method_count; i++) {
            conv_method_t *m = &c->methods[i];
            if (!strcmp(m->cf->name, "<clinit>")) continue;
            m->offset = moff;
            moff += method_header_size(m) + m->code_len;
        }
    }
    if (moff > 0xFFFF) { cl_seterr(e, "Method component larger than 64 KiB"); goto out; }
    /* 3. Class component bytes */
    for (int k = 0; k < p->class_count; k++) {
        size_t before = comp[CAP_COMP_CLASS].len;
        if (write_class(p, p->order[k], &comp[CAP_COMP_CLASS], e)) goto out;
        if ((int)before != p->classes[p->order[k]].offset) { cl_seterr(e, "internal: class layout mismatch"); goto out; }
    }
    /* 4. Method component */
    {
        conv_buf_t *b = &comp[CAP_COMP_METHOD];
        conv_put1(b, (unsigned)p->handler_count);
        for (int k = 0; k < p->class_count; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            if (c->is_interface) continue;
            for (int i = 0; i < c->method_count; i++) {
                conv_method_t *m = &c->methods[i];
                if (!strcmp(m->cf->name, "<clinit>")) continue;
                int base = m->offset + method_header_size(m);
                for (int h = m->handler_first; h < m->handler_first + m->handler_count; h++) {
                    p->handlers[h].start += (uint16_t)base;
                    p->handlers[h].end += (uint16_t)base;
                    p->handlers[h].handler += (uint16_t)base;
                }
            }
        }
        for (int h = 0; h < p->handler_count; h++) {
            conv_handler_t *hd = &p->handlers[h];
            /* stop bit: no later handler's range contains this one */
            int stop = 1;
            for (int k = h + 1; k < p->handler_count; k++)
                if (p->handlers[k].start <= hd->start && p->handlers[k].end >= hd->end) stop = 0;
            conv_put2(b, hd->start);
            conv_put2(b, (unsigned)(stop ? 0x8000 : 0) | (unsigned)(hd->end - hd->start));
            conv_put2(b, hd->handler);
            conv_put2(b, hd->any ? 0 : hd->catch_cp);
        }
        int total_refs = 0;
        for (int k = 0; k < p->class_count; k++) {
            conv_class_t *c = &p->classes[k];
            for (int i = 0; i < c->method_count; i++) total_refs += c->methods[i].nref1 + c->methods[i].nref2;
        }
        r1 = malloc(sizeof(int) * (size_t)(total_refs + 1));
        r2 = malloc(sizeof(int) * (size_t)(total_refs + p->handler_count + 1));
        if (!r1 || !r2) { cl_seterr(e, "out of memory"); goto out; }
        /* catch_type_index is a 2-byte constant pool index inside the Method component too */
        for (int h = 0; h < p->handler_count; h++)
            if (!p->handlers[h].any) r2[n2++] = 1 + 8 * h + 6;
        for (int k = 0; k < p->class_count; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            if (c->is_interface) continue;
            for (int i = 0; i < c->method_count; i++) {
                conv_method_t *m = &c->methods[i];
                if (!strcmp(m->cf->name, "<clinit>")) continue;
                int hs = method_header_size(m);
                int flags = m->is_abstract ? CAP_METHOD_ACC_ABSTRACT : 0;
                if ((int)b->len != m->offset) { cl_seterr(e, "internal: method layout mismatch"); goto out; }
                if (hs == 2) {
                    conv_put1(b, ((unsigned)flags << 4) | (unsigned)m->max_stack);
                    conv_put1(b, ((unsigned)m->nargs << 4) | (unsigned)m->max_locals);
                } else {
                    conv_put1(b, (unsigned)(flags | CAP_METHOD_ACC_EXTENDED) << 4);
                    conv_put1(b, (unsigned)m->max_stack);
                    conv_put1(b, (unsigned)m->nargs);
                    conv_put1(b, (unsigned)m->max_locals);
                }
                for (int r = 0; r < m->nref1; r++) r1[n1++] = m->offset + hs + m->ref1[r];
                for (int r = 0; r < m->nref2; r++) r2[n2++] = m->offset + hs + m->ref2[r];
                conv_put(b, m->code, (size_t)m->code_len);
            }
        }
    }
    /* 5. ConstantPool (now that class, method and static offsets are known) */
    {
        conv_buf_t *b = &comp[CAP_COMP_CONSTANTPOOL];
        conv_put2(b, (unsigned)p->cp_count);
        for (int i = 0; i < p->cp_count; i++) {
            conv_cpe_t *c = &p->cp[i];
            conv_put1(b, c->tag);
            switch (c->tag) {
            case CAP_CP_CLASSREF: conv_put2(b, classref(p, &c->cls)); conv_put1(b, 0); break;
            case CAP_CP_INSTANCE_FIELDREF: case CAP_CP_VIRTUAL_METHODREF: case CAP_CP_SUPER_METHODREF:
                conv_put2(b, classref(p, &c->cls)); conv_put1(b, (unsigned)c->token); break;
            default:
                if (c->cls.internal) {
                    conv_class_t *k = &p->classes[c->cls.index];
                    conv_put1(b, 0);
                    conv_put2(b, c->tag == CAP_CP_STATIC_FIELDREF ? (unsigned)k->fields[c->field].offset
                                                             : (unsigned)k->methods[c->method].offset);
                } else {
                    conv_put1(b, 0x80u | (unsigned)c->cls.import);
                    conv_put1(b, c->cls.ext->token);
                    conv_put1(b, (unsigned)c->token);
                }
            }
        }
    }
    /* 6. StaticField */
    int array_init_count = 0, array_init_size = 0;
    {
        conv_buf_t *b = &comp[CAP_COMP_STATICFIELD];
        conv_put2(b, (unsigned)p->static_image_size);
        conv_put2(b, (unsigned)p->static_ref_count);
        size_t count_at = b->len;
        conv_put2(b, 0);
        int def_bytes = 0;
        conv_buf_t nondef = { 0 };
        /* walk the image in offset order */
        for (int o = 0; o < p->static_image_size;) {
            conv_field_t *f = NULL;
            for (int k = 0; k < p->class_count && !f; k++)
                for (int i = 0; i < p->classes[k].field_count; i++) {
                    conv_field_t *x = &p->classes[k].fields[i];
                    if (x->is_static && !x->is_const && x->offset == o) { f = x; break; }
                }
            if (!f) { cl_seterr(e, "internal: static image hole"); free(nondef.p); goto out; }
            int sz = f->vt == VT_REF || f->vt == VT_SHORT ? 2 : f->vt == VT_INT ? 4 : 1;
            if (f->vt == VT_REF && f->array_init) {
                conv_put1(b, (unsigned)f->array_init_type);
                conv_put2(b, (unsigned)f->array_init_len);
                conv_put(b, f->array_init, (size_t)f->array_init_len);
                array_init_count++;
                array_init_size += f->array_init_len;
            } else if (f->vt != VT_REF) {
                if (f->has_init && f->init_value) {
                    uint8_t v[4];
                    if (sz == 1) v[0] = (uint8_t)f->init_value;
                    else if (sz == 2) cl_put16(v, (uint16_t)f->init_value);
                    else cl_put32(v, (uint32_t)f->init_value);
                    conv_put(&nondef, v, (size_t)sz);
                } else {
                    def_bytes += sz;
                }
            }
            o += sz;
        }
        conv_set2(b, count_at, (unsigned)array_init_count);
        conv_put2(b, (unsigned)def_bytes);
        conv_put2(b, (unsigned)nondef.len);
        conv_put(b, nondef.p, nondef.len);
        free(nondef.p);
        if (array_init_size > 0xFFFF) { cl_seterr(e, "array initializers larger than 64 KiB"); goto out; }
    }
    /* 7. RefLocation */
    {
        conv_buf_t *b = &comp[CAP_COMP_REFLOCATION];
        qsort(r1, (size_t)n1, sizeof *r1, cmp_int);
        qsort(r2, (size_t)n2, sizeof *r2, cmp_int);
        conv_buf_t d1 = { 0 }, d2 = { 0 };
        refdeltas(&d1, r1, n1);
        refdeltas(&d2, r2, n2);
        conv_put2(b, (unsigned)d1.len); conv_put(b, d1.p, d1.len);
        conv_put2(b, (unsigned)d2.len); conv_put(b, d2.p, d2.len);
        free(d1.p); free(d2.p);
    }
    /* 8. Export */
    if (p->exports) {
        conv_buf_t *b = &comp[CAP_COMP_EXPORT];
        int n = 0;
        for (int k = 0; k < p->class_count; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            if (c->token != 0xFF && (!p->conf.applet_count || c->is_shareable)) n++;
        }
        conv_put1(b, (unsigned)n);
        for (int k = 0; k < p->class_count; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            if (c->token == 0xFF || (p->conf.applet_count && !c->is_shareable)) continue;
            conv_put2(b, (unsigned)c->offset);
            int nf = 0, nm = 0;
            if (!p->conf.applet_count) {
                for (int i = 0; i < c->field_count; i++) if (c->fields[i].is_static && c->fields[i].token != 0xFF) nf++;
                for (int i = 0; i < c->method_count; i++)
                    if ((c->methods[i].is_static || c->methods[i].is_ctor) && c->methods[i].token != 0xFF) nm++;
            }
            conv_put1(b, (unsigned)nf);
            conv_put1(b, (unsigned)nm);
            for (int t = 0; t < nf; t++)
                for (int i = 0; i < c->field_count; i++)
                    if (c->fields[i].is_static && c->fields[i].token == t) conv_put2(b, (unsigned)c->fields[i].offset);
            for (int t = 0; t < nm; t++)
                for (int i = 0; i < c->method_count; i++)
                    if ((c->methods[i].is_static || c->methods[i].is_ctor) && c->methods[i].token == t) conv_put2(b, (unsigned)c->methods[i].offset);
        }
    }
    /* 9. Descriptor (before Import: its types may name classes of further packages) */
    {
        conv_buf_t *b = &comp[CAP_COMP_DESCRIPTOR];
        conv_put1(b, (unsigned)p->class_count);
        for (int k = 0; k < p->class_count; k++) {
            int ci = p->order[k];
            conv_class_t *c = &p->classes[ci];
            unsigned acc = (c->is_public ? CAP_ACC_PUBLIC : 0) | ((c->cf.access & CF_ACC_FINAL) ? CAP_ACC_FINAL : 0) |
                           (c->is_interface ? 0x40 : 0) | (c->is_abstract ? 0x80 : 0);
            /* interfaces list neither superinterfaces nor fields here (JCVM 6.13.1) */
            iset_t s = { .n = 0 };
            if (!c->is_interface && class_interfaces(p, ci, &s, e)) goto out;
            int nf = 0, nm = 0;
            for (int i = 0; i < c->field_count; i++) if (!c->fields[i].is_const && !c->is_interface) nf++;
            for (int i = 0; i < c->method_count; i++) if (strcmp(c->methods[i].cf->name, "<clinit>")) nm++;
            conv_put1(b, (unsigned)c->token);
            conv_put1(b, acc);
            conv_put2(b, (unsigned)c->offset);
            conv_put1(b, (unsigned)s.n);
            conv_put2(b, (unsigned)nf);
            conv_put2(b, (unsigned)nm);
            for (int i = 0; i < s.n; i++) conv_put2(b, classref(p, &s.r[i]));
            for (int i = 0; i < c->field_count; i++) {
                conv_field_t *f = &c->fields[i];
                if (f->is_const || c->is_interface) continue;
                uint16_t a = f->cf->access;
                conv_put1(b, (unsigned)f->token);
                conv_put1(b, (unsigned)(a & (CF_ACC_PUBLIC | CF_ACC_PRIVATE | CF_ACC_PROTECTED | CF_ACC_STATIC | CF_ACC_FINAL)));
                if (f->is_static) { conv_put1(b, 0); conv_put2(b, (unsigned)f->offset); }
                else { conv_put2(b, (unsigned)c->offset); conv_put1(b, (unsigned)f->token); }
                if (f->vt == VT_REF) {
                    int to = type_offset(p, &types, f->cf->desc, e);
                    if (to < 0) goto out;
                    conv_put2(b, (unsigned)to); /* fixed up below: relative to type_descriptor_info */
                } else {
                    conv_put2(b, CAP_TYPE_PRIMITIVE | (unsigned)(f->vt == VT_BOOL ? 2 : f->vt == VT_BYTE ? 3 : f->vt == VT_SHORT ? 4 : 5));
                }
            }
            for (int i = 0; i < c->method_count; i++) {
                conv_method_t *m = &c->methods[i];
                if (!strcmp(m->cf->name, "<clinit>")) continue;
                uint16_t a = m->cf->access;
                unsigned ma = (unsigned)(a & (CF_ACC_PUBLIC | CF_ACC_PRIVATE | CF_ACC_PROTECTED | CF_ACC_STATIC | CF_ACC_FINAL)) |
                              (m->is_abstract ? CAP_ACC_ABSTRACT : 0) | (m->is_ctor ? CAP_ACC_INIT : 0);
                int to = type_offset(p, &types, m->cf->desc, e);
                if (to < 0) goto out;
                conv_put1(b, (unsigned)m->token);
                conv_put1(b, ma);
                conv_put2(b, c->is_interface ? 0 : (unsigned)m->offset);
                conv_put2(b, (unsigned)to);
                conv_put2(b, (unsigned)(c->is_interface ? 0 : m->code_len));
                conv_put2(b, (unsigned)m->handler_count);
                conv_put2(b, (unsigned)(m->handler_count ? m->handler_first : 0));
            }
        }
    }
    /* constant pool types, then fix the type offsets (relative to type_descriptor_info) */
    {
        int *cpt = malloc(sizeof(int) * (size_t)(p->cp_count + 1));
        if (!cpt) { cl_seterr(e, "out of memory"); goto out; }
        for (int i = 0; i < p->cp_count; i++) {
            cpt[i] = -1;
            if (p->cp[i].tag != CAP_CP_CLASSREF && p->cp[i].type_desc) {
                cpt[i] = type_offset(p, &types, p->cp[i].type_desc, e);
                if (cpt[i] < 0) { free(cpt); goto out; }
            }
        }
        int shift = 2 + 2 * p->cp_count;
        conv_buf_t *b = &comp[CAP_COMP_DESCRIPTOR];
        /* walk again to shift reference type offsets: recompute positions */
        size_t pos = 1;
        for (int k = 0; k < p->class_count; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            unsigned ni = b->p[pos + 4];
            unsigned nf = cl_get16(b->p + pos + 5), nm = cl_get16(b->p + pos + 7);
            pos += 9 + 2 * ni;
            for (unsigned i = 0; i < nf; i++) {
                unsigned t = cl_get16(b->p + pos + 5);
                if (!(t & CAP_TYPE_PRIMITIVE)) conv_set2(b, pos + 5, t + (unsigned)shift);
                pos += 7;
            }
            for (unsigned i = 0; i < nm; i++) {
                conv_set2(b, pos + 4, cl_get16(b->p + pos + 4) + (unsigned)shift);
                pos += 12;
            }
            (void)c;
        }
        conv_put2(b, (unsigned)p->cp_count);
        for (int i = 0; i < p->cp_count; i++) conv_put2(b, cpt[i] < 0 ? 0xFFFF : (unsigned)(cpt[i] + shift));
        conv_put(b, types.b.p, types.b.len);
        free(cpt);
        if (types.b.oom) { cl_seterr(e, "out of memory"); goto out; }
    }
    /* 10. Import (every package referenced so far) */
    {
        conv_buf_t *b = &comp[CAP_COMP_IMPORT];
        conv_put1(b, (unsigned)p->import_count);
        for (int i = 0; i < p->import_count; i++) {
            conv_put1(b, p->imports[i].minor);
            conv_put1(b, p->imports[i].major);
            conv_put1(b, (unsigned)p->imports[i].aid_len);
            conv_put(b, p->imports[i].aid, (size_t)p->imports[i].aid_len);
        }
    }
    /* 11. Applet */
    if (p->conf.applet_count) {
        conv_buf_t *b = &comp[CAP_COMP_APPLET];
        conv_put1(b, (unsigned)p->conf.applet_count);
        for (int a = 0; a < p->conf.applet_count; a++) {
            const char *cn = p->conf.applets[a].cls;
            int ci = -1;
            for (int k = 0; k < p->class_count; k++) {
                const char *full = p->classes[k].name, *simple = strrchr(full, '/');
                if (!strcmp(full, cn) || (simple && !strcmp(simple + 1, cn))) ci = k;
            }
            if (ci < 0) { cl_seterr(e, "applet class %s is not in package %s", cn, p->conf.package); goto out; }
            const conv_method_t *inst = NULL;
            for (int i = 0; i < p->classes[ci].method_count; i++) {
                const conv_method_t *m = &p->classes[ci].methods[i];
                if (m->is_static && !strcmp(m->cf->name, "install") && !strcmp(m->cf->desc, "([BSB)V")) inst = m;
            }
            if (!inst) { cl_seterr(e, "applet class %s has no static install(byte[], short, byte) method", cn); goto out; }
            conv_put1(b, (unsigned)p->conf.applets[a].aid_len);
            conv_put(b, p->conf.applets[a].aid, (size_t)p->conf.applets[a].aid_len);
            conv_put2(b, (unsigned)inst->offset);
        }
    }
    /* 12. Header and Directory */
    int has_int = p->uses_int;
    for (int k = 0; k < p->class_count; k++)
        for (int i = 0; i < p->classes[k].field_count; i++) if (p->classes[k].fields[i].vt == VT_INT) has_int = 1;
    {
        conv_buf_t *b = &comp[CAP_COMP_HEADER];
        conv_put1(b, 0xDE); conv_put1(b, 0xCA); conv_put1(b, 0xFF); conv_put1(b, 0xED);
        conv_put1(b, 1); conv_put1(b, 2);   /* CAP format 2.1 */
        conv_put1(b, (has_int ? CAP_HDR_ACC_INT : 0) | (p->exports ? CAP_HDR_ACC_EXPORT : 0) | (p->conf.applet_count ? CAP_HDR_ACC_APPLET : 0));
        conv_put1(b, (unsigned)p->conf.minor);
        conv_put1(b, (unsigned)p->conf.major);
        conv_put1(b, (unsigned)p->conf.aid_len);
        conv_put(b, p->conf.aid, (size_t)p->conf.aid_len);
    }
    {
        conv_buf_t *b = &comp[CAP_COMP_DIRECTORY];
        /* CAP 2.1: 11 sizes (Header..Descriptor); Directory's own size is 11*2 + 6 + 3 */
        for (int tag = 1; tag <= 11; tag++) {
            unsigned sz = tag == CAP_COMP_DIRECTORY ? 11 * 2 + 6 + 3 : (unsigned)comp[tag].len;
            if (comp[tag].len > 0xFFFF) { cl_seterr(e, "%s component larger than 64 KiB", COMP_NAMES[tag]); goto out; }
            conv_put2(b, sz);
        }
        conv_put2(b, (unsigned)p->static_image_size);
        conv_put2(b, (unsigned)array_init_count);
        conv_put2(b, (unsigned)array_init_size);
        conv_put1(b, (unsigned)p->import_count);
        conv_put1(b, (unsigned)p->conf.applet_count);
        conv_put1(b, 0);
    }
    for (int t = 1; t <= 11; t++) if (comp[t].oom) { cl_seterr(e, "out of memory"); goto out; }
    /* 13. JAR */
    {
        static const int order[] = { CAP_COMP_HEADER, CAP_COMP_DIRECTORY, CAP_COMP_IMPORT, CAP_COMP_APPLET, CAP_COMP_CLASS,
                                     CAP_COMP_METHOD, CAP_COMP_STATICFIELD, CAP_COMP_EXPORT, CAP_COMP_CONSTANTPOOL,
                                     CAP_COMP_REFLOCATION, CAP_COMP_DESCRIPTOR };
        size_t ml = 0;
        char *manifest = conv_manifest(p, &ml);
        if (!manifest) { cl_seterr(e, "out of memory"); goto out; }
        int mrc = cap_zip_writer_add(&zw, "META-INF/MANIFEST.MF", (const uint8_t *)manifest, ml, e);
        free(manifest);
        if (mrc) goto out;
        for (size_t k = 0; k < CL_ARRAY_LEN(order); k++) {
            int t = order[k];
            if ((t == CAP_COMP_APPLET && !p->conf.applet_count) || (t == CAP_COMP_EXPORT && !p->exports)) continue;
            conv_buf_t one = { 0 };
            component(&one, t, &comp[t]);
            char name[600];
            snprintf(name, sizeof name, "%s/javacard/%s.cap", p->conf.package, COMP_NAMES[t]);
            int arc = one.oom ? -1 : cap_zip_writer_add(&zw, name, one.p, one.len, e);
            free(one.p);
            if (arc) { if (one.oom) cl_seterr(e, "out of memory"); goto out; }
        }
        if (cap_zip_writer_finish(&zw, &jar, &jar_len, e)) goto out;
    }
    /* 14. Export file of this package */
    if (exp_out) {
        *exp_out = NULL;
        *exp_len = 0;
    }
    if (exp_out && p->exports) {
        conv_export_t x = { 0 };
        x.name = p->conf.package;
        memcpy(x.aid, p->conf.aid, (size_t)p->conf.aid_len);
        x.aid_len = p->conf.aid_len;
        x.major = (uint8_t)p->conf.major; x.minor = (uint8_t)p->conf.minor;
        x.flags = p->conf.applet_count ? 0 : EXP_PKG_LIBRARY;
        conv_exp_class_t cls[256];
        memset(cls, 0, sizeof cls);
        char *strs[1024];
        int nstr = 0;
        int ok = 1;
        for (int k = 0; k < p->class_count && ok; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            if (c->token == 0xFF || (p->conf.applet_count && !c->is_shareable)) continue;
            conv_exp_class_t *xc = &cls[x.class_count++];
            xc->name = (char *)c->name;
            xc->token = (uint8_t)c->token;
            xc->access = EXP_ACC_PUBLIC | (c->is_interface ? EXP_ACC_INTERFACE | EXP_ACC_ABSTRACT : 0) |
                         (c->is_abstract ? EXP_ACC_ABSTRACT : 0) | ((c->cf.access & CF_ACC_FINAL) ? EXP_ACC_FINAL : 0) |
                         (c->is_shareable ? EXP_ACC_SHAREABLE : 0);
            /* superclasses, most general first */
            char *sup[64];
            int ns = 0;
            if (!c->is_interface) {
                conv_cref_t r = { .internal = 1, .index = p->order[k] };
                while (ns < 64) {
                    conv_cref_t s;
                    if (conv_pkg_super(p, &r, &s, e) < 0) break;
                    sup[ns++] = (char *)(s.internal ? p->classes[s.index].name : s.ext->name);
                    r = s;
                }
            }
            xc->supers = malloc(sizeof(char *) * (size_t)(ns + 1));
            for (int i = 0; xc->supers && i < ns; i++) xc->supers[i] = sup[ns - 1 - i];
            xc->super_count = ns;
            iset_t s = { .n = 0 };
            if (c->is_interface) { for (int i = 0; i < c->cf.interface_count; i++) if (iset_add(p, &s, c->cf.interfaces[i], e, 0)) ok = 0; }
            else if (class_interfaces(p, p->order[k], &s, e)) ok = 0;
            xc->ifaces = malloc(sizeof(char *) * (size_t)(s.n + 1));
            for (int i = 0; xc->ifaces && i < s.n; i++) xc->ifaces[i] = (char *)(s.r[i].internal ? p->classes[s.r[i].index].name : s.r[i].ext->name);
            xc->iface_count = s.n;
            xc->fields = calloc((size_t)c->field_count + 1, sizeof *xc->fields);
            /* room for inherited public virtual methods of superclasses in this package too */
            int room = c->method_count;
            for (int sc = c->super_internal; sc >= 0; sc = p->classes[sc].super_internal) room += p->classes[sc].method_count;
            xc->methods = calloc((size_t)room + 1, sizeof *xc->methods);
            if (!xc->supers || !xc->ifaces || !xc->fields || !xc->methods) { ok = 0; break; }
            for (int i = 0; i < c->field_count; i++) {
                conv_field_t *f = &c->fields[i];
                if (!(f->cf->access & (CF_ACC_PUBLIC | CF_ACC_PROTECTED))) continue;
                conv_exp_member_t *xf = &xc->fields[xc->field_count++];
                xf->name = f->cf->name; xf->desc = f->cf->desc;
                xf->access = f->cf->access & (EXP_ACC_PUBLIC | EXP_ACC_PROTECTED | EXP_ACC_STATIC | EXP_ACC_FINAL);
                if (f->is_const) {
                    xf->token = EXP_CONST_TOKEN; xf->has_const = 1;
                    const conv_cf_const_t *k2 = &c->cf.cp[f->cf->const_index];
                    xf->cval = k2->tag == CF_INTEGER ? k2->ival : 0;
                } else xf->token = (uint8_t)f->token;
            }
            for (int i = 0; i < c->method_count; i++) {
                conv_method_t *m = &c->methods[i];
                if (!m->is_public || m->token == 0xFF) continue;
                conv_exp_member_t *xm = &xc->methods[xc->method_count++];
                xm->name = m->cf->name; xm->desc = m->cf->desc; xm->token = (uint8_t)m->token;
                xm->access = m->cf->access & (EXP_ACC_PUBLIC | EXP_ACC_PROTECTED | EXP_ACC_STATIC | EXP_ACC_FINAL | EXP_ACC_ABSTRACT);
            }
            /* inherited, not overridden public virtual methods of superclasses in this package: a
             * client may call them through this class even when the superclass is not exported */
            for (int sc = c->super_internal; sc >= 0; sc = p->classes[sc].super_internal) {
                conv_class_t *sup = &p->classes[sc];
                for (int i = 0; i < sup->method_count; i++) {
                    conv_method_t *m = &sup->methods[i];
                    if (!m->is_virtual || !m->is_public || m->token == 0xFF) continue;
                    if (conv_export_method(xc, m->cf->name, m->cf->desc)) continue;
                    conv_exp_member_t *xm = &xc->methods[xc->method_count++];
                    xm->name = m->cf->name; xm->desc = m->cf->desc; xm->token = (uint8_t)m->token;
                    xm->access = m->cf->access & (EXP_ACC_PUBLIC | EXP_ACC_PROTECTED | EXP_ACC_FINAL | EXP_ACC_ABSTRACT);
                }
            }
        }
        (void)strs; (void)nstr;
        x.classes = cls;
        if (ok) *exp_out = conv_export_write(&x, exp_len, e);
        for (int k = 0; k < x.class_count; k++) { free(cls[k].supers); free(cls[k].ifaces); free(cls[k].fields); free(cls[k].methods); }
        if (!ok || !*exp_out) { if (!ok && !e->msg[0]) cl_seterr(e, "out of memory"); goto out; }
    }
    *cap_out = jar;
    *cap_len = jar_len;
    jar = NULL;
    rc = 0;
out:
    for (int t = 0; t < 12; t++) free(comp[t].p);
    free(types.b.p);
    free(r1); free(r2);
    free(jar);
    cap_zip_writer_free(&zw);
    if (rc && exp_out && *exp_out) { free(*exp_out); *exp_out = NULL; }
    return rc;
}

int conv_pkg_translate(conv_pkg_t *p, cl_error_t *e)
{
    for (int k = 0; k < p->class_count; k++) {
        int ci = p->order[k];
        conv_class_t *c = &p->classes[ci];
        for (int i = 0; i < c->method_count; i++) {
            conv_method_t *m = &c->methods[i];
            if (!strcmp(m->cf->name, "<clinit>")) continue;
            if (m->is_abstract) {
                /* header only: nargs in words (int arguments take two) */
                const char *d = m->cf->desc + 1;
                int w = 1;
                while (*d && *d != ')') {
                    w += *d == 'I' ? 2 : 1;
                    while (*d == '[') d++;
                    d = *d == 'L' ? strchr(d, ';') + 1 : d + 1;
                }
                m->nargs = w;
                m->handler_first = p->handler_count;
                continue;
            }
            if (conv_xlate_method(p, ci, i, e)) return -1;
        }
    }
    return 0;
}

int conv_convert(const conv_conf_t *conf, const char *classdir, const char *exportpath, uint8_t **cap, size_t *cap_len,
                 uint8_t **exp, size_t *exp_len, cl_error_t *e)
{
    conv_pkg_t p;
    memset(&p, 0, sizeof p);
    e->msg[0] = 0;
    if (!conf->package || !conf->aid_len) { cl_seterr(e, "the package name and AID are required"); return -1; }
    p.conf = *conf;   /* borrowed: not freed by conv_pkg_free */
    p.exportpath = exportpath;
    int rc = -1;
    if (exp) *exp = NULL;
    if (conv_pkg_load(&p, classdir, e) || conv_pkg_tokens(&p, e) || conv_pkg_translate(&p, e)) goto out;
    rc = conv_cap_build(&p, cap, cap_len, exp, exp_len, e);
out:
    memset(&p.conf, 0, sizeof p.conf);
    conv_pkg_free(&p);
    return rc;
}
