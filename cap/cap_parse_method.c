/* cap_parse_method: the Method component (exception handlers, method headers, bytecode) and the
 * RefLocation component, which can only be checked against decoded instructions.
 *
 * The Method component does not record where one method ends. With a Descriptor, each method's
 * extent is its header plus bytecode_count and the methods must tile the component exactly.
 * Without one (a load file may omit it), the starts are every offset something refers to (applet
 * install methods, static method refs, virtual method tables, exports) and each method runs to
 * the next start. Either way every instruction is decoded, so no method can hide bad bytecode. */
#include <stdlib.h>
#include <string.h>

#include "cap/cap_parse_int.h"

/* A reference to a method start from another component, kept to report a bad one where it is. */
typedef struct {
    uint16_t target;
    uint8_t comp;       /* component tag holding the reference */
    uint32_t at;        /* offset of the reference in that component's info */
    const char *what;
} method_ref_t;

typedef struct {
    method_ref_t *v;
    size_t n, cap;
} ref_list_t;

typedef struct {
    uint8_t *insn;      /* bit per Method info offset: an instruction starts here */
    uint8_t *idx1;      /* a 1-byte constant pool index operand is here */
    uint8_t *idx2;      /* a 2-byte constant pool index operand is here */
    uint8_t *idx2_opt;  /* a 2-byte index RefLocation may list but need not: a catch_type of 0 (finally),
                         * the unused index of a primitive-array checkcast/instanceof */
} bitmaps_t;

static void bset(uint8_t *b, size_t i) { b[i / 8] |= (uint8_t)(1u << (i % 8)); }
static bool bget(const uint8_t *b, size_t i) { return (b[i / 8] >> (i % 8)) & 1; }

static int ref_add(ref_list_t *l, uint16_t target, uint8_t comp, size_t at, const char *what)
{
    if (l->n == l->cap) {
        size_t n = l->cap ? l->cap * 2 : 64;
        method_ref_t *nv = realloc(l->v, n * sizeof(*nv));
        if (!nv) return -1;
        l->v = nv;
        l->cap = n;
    }
    l->v[l->n++] = (method_ref_t){target, comp, (uint32_t)at, what};
    return 0;
}

/* Fails in the component holding reference ref. */
static int ref_fail(const cap_file_t *cap, const method_ref_t *ref, cl_error_t *e, const char *why)
{
    cap_rd_t r;
    cap_rd_init(&r, cap->comp[ref->comp].info, cap->comp[ref->comp].size, cap_component_name(ref->comp), e);
    return cap_rd_fail_at(&r, ref->at, "%s 0x%04x %s", ref->what, ref->target, why);
}

static int collect_refs(const cap_file_t *cap, ref_list_t *l)
{
    for (unsigned i = 0; i < cap->applet_count; i++) {
        size_t at = 1;
        for (unsigned k = 0; k < i; k++) at += 1u + cap->applets[k].aid_len + 2;
        at += 1u + cap->applets[i].aid_len;
        if (ref_add(l, cap->applets[i].install_method_offset, CAP_COMP_APPLET, at, "install_method_offset")) return -1;
    }
    for (unsigned i = 0; i < cap->cp_count; i++) {
        const cap_cp_entry_t *c = &cap->cp[i];
        if (c->tag == CAP_CP_STATIC_METHODREF && !c->external)
            if (ref_add(l, c->offset, CAP_COMP_CONSTANTPOOL, 2 + 4u * i + 2, "static method offset")) return -1;
    }
    for (unsigned i = 0; i < cap->class_count; i++) {
        const cap_class_t *c = &cap->classes[i];
        if (c->is_interface) continue;
        const uint8_t *base = cap->comp[CAP_COMP_CLASS].info;
        for (unsigned k = 0; k < c->public_method_table_count; k++) {
            uint16_t off = cl_get16(c->public_vtable + 2 * k);
            if (off != 0xFFFF && ref_add(l, off, CAP_COMP_CLASS, (size_t)(c->public_vtable - base) + 2 * k, "public virtual method"))
                return -1;
        }
        for (unsigned k = 0; k < c->package_method_table_count; k++) {
            uint16_t off = cl_get16(c->package_vtable + 2 * k);
            if (off != 0xFFFF && ref_add(l, off, CAP_COMP_CLASS, (size_t)(c->package_vtable - base) + 2 * k, "package virtual method"))
                return -1;
        }
    }
    for (unsigned i = 0; i < cap->export_count; i++) {
        const cap_export_class_t *x = &cap->exports[i];
        const uint8_t *base = cap->comp[CAP_COMP_EXPORT].info;
        for (unsigned k = 0; k < x->static_method_count; k++)
            if (ref_add(l, cl_get16(x->static_method_offsets + 2 * k), CAP_COMP_EXPORT,
                        (size_t)(x->static_method_offsets - base) + 2 * k, "exported static method"))
                return -1;
    }
    return 0;
}

typedef struct {
    uint16_t off;
    uint16_t bytecode_count;    /* from the Descriptor, when there is one */
} start_t;

static int cmp_start(const void *a, const void *b)
{
    uint16_t x = ((const start_t *)a)->off, y = ((const start_t *)b)->off;
    return (x > y) - (x < y);
}

/* Decodes the header at m->offset, bounded by end; fills the rest of m. */
static int decode_header(cap_rd_t *r, cap_method_t *m, size_t end)
{
    size_t o = m->offset;
    if (end <= o) return cap_rd_fail_at(r, o, "empty method");
    m->flags = r->p[o] >> 4;
    if (m->flags & ~(CAP_METHOD_ACC_EXTENDED | CAP_METHOD_ACC_ABSTRACT))
        return cap_rd_fail_at(r, o, "method header with unknown flags 0x%x", m->flags);
    size_t hlen = (m->flags & CAP_METHOD_ACC_EXTENDED) ? 4 : 2;
    if (end - o < hlen) return cap_rd_fail_at(r, o, "method header runs past the end of the method");
    if (m->flags & CAP_METHOD_ACC_EXTENDED) {
        if (r->p[o] & 0xF) return cap_rd_fail_at(r, o, "extended method header with nonzero padding");
        m->max_stack = r->p[o + 1];
        m->nargs = r->p[o + 2];
        m->max_locals = r->p[o + 3];
    } else {
        m->max_stack = r->p[o] & 0xF;
        m->nargs = r->p[o + 1] >> 4;
        m->max_locals = r->p[o + 1] & 0xF;
    }
    m->code_offset = (uint16_t)(o + hlen);
    m->code_len = (uint16_t)(end - o - hlen);
    m->code = r->p + m->code_offset;
    if ((m->flags & CAP_METHOD_ACC_ABSTRACT) && m->code_len)
        return cap_rd_fail_at(r, o, "abstract method with %u bytes of bytecode", m->code_len);
    if (!(m->flags & CAP_METHOD_ACC_ABSTRACT) && !m->code_len)
        return cap_rd_fail_at(r, o, "method without bytecode");
    return 0;
}

static bool cp_tag_ok(int op, uint8_t tag)
{
    switch (op) {
    case JC_getstatic_a: case JC_getstatic_b: case JC_getstatic_s: case JC_getstatic_i:
    case JC_putstatic_a: case JC_putstatic_b: case JC_putstatic_s: case JC_putstatic_i:
        return tag == CAP_CP_STATIC_FIELDREF;
    case JC_invokevirtual: return tag == CAP_CP_VIRTUAL_METHODREF;
    case JC_invokespecial: return tag == CAP_CP_STATIC_METHODREF || tag == CAP_CP_SUPER_METHODREF;
    case JC_invokestatic: return tag == CAP_CP_STATIC_METHODREF;
    case JC_invokeinterface: case JC_new: case JC_anewarray: case JC_checkcast: case JC_instanceof:
        return tag == CAP_CP_CLASSREF;
    default: /* every getfield/putfield form */
        return tag == CAP_CP_INSTANCE_FIELDREF;
    }
}

static const char *const cp_tag_names[] = {"?", "Classref", "InstanceFieldref", "VirtualMethodref",
                                           "SuperMethodref", "StaticFieldref", "StaticMethodref"};

/* First pass over one method: decode, mark instruction starts and index operands, check operands
 * that need no other instruction. */
static int walk_method(const cap_file_t *cap, cap_rd_t *r, const cap_method_t *m, bitmaps_t *bm)
{
    size_t pc = 0;
    int last_op = -1;
    while (pc < m->code_len) {
        size_t o = m->code_offset + pc;
        const uint8_t *b = m->code + pc;
        int op = b[0];
        int n = jc_insn_len(b, m->code_len - pc);
        if (n < 0) {
            if (!jc_opcode_name(op)) return cap_rd_fail_at(r, o, "undefined opcode 0x%02x", op);
            return cap_rd_fail_at(r, o, "%s runs past the end of the method or has a malformed table", jc_opcode_name(op));
        }
        bset(bm->insn, o);
        int fmt = jc_opcode_format(op);
        int w = jc_opcode_cp_index_width(op);
        bool has_cp = w != 0;
        if (fmt == JC_OPF_ATYPE_CP) {
            uint8_t at = b[1];
            if (at == JC_ATYPE_CLASS || at == JC_ATYPE_REFERENCE) has_cp = true;
            else if (at >= JC_ATYPE_BOOLEAN && at <= JC_ATYPE_INT) { has_cp = false; bset(bm->idx2_opt, o + 2); }
            else return cap_rd_fail_at(r, o, "%s with bad atype %u", jc_opcode_name(op), at);
        }
        if (fmt == JC_OPF_ATYPE && (b[1] < JC_ATYPE_BOOLEAN || b[1] > JC_ATYPE_INT))
            return cap_rd_fail_at(r, o, "newarray with bad atype %u", b[1]);
        if (fmt == JC_OPF_INVOKEINTERFACE && b[1] == 0)
            return cap_rd_fail_at(r, o, "invokeinterface with nargs 0 (the object reference counts)");
        if (has_cp) {
            size_t io = (size_t)jc_opcode_cp_index_offset(op);
            unsigned idx = w == 1 ? b[io] : cl_get16(b + io);
            if (idx >= cap->cp_count)
                return cap_rd_fail_at(r, o, "%s: constant pool index %u out of range (%u entries)", jc_opcode_name(op),
                                      idx, cap->cp_count);
            uint8_t tag = cap->cp[idx].tag;
            if (!cp_tag_ok(op, tag))
                return cap_rd_fail_at(r, o, "%s: constant pool entry %u is a %s", jc_opcode_name(op), idx,
                                      tag <= 6 ? cp_tag_names[tag] : "?");
            bset(w == 1 ? bm->idx1 : bm->idx2, o + io);
        }
        if (fmt == JC_OPF_SLOOKUPSWITCH || fmt == JC_OPF_ILOOKUPSWITCH) {
            unsigned np = cl_get16(b + 3);
            size_t pair = fmt == JC_OPF_SLOOKUPSWITCH ? 4 : 6;
            for (unsigned i = 1; i < np; i++) {
                int32_t prev, cur;
                if (fmt == JC_OPF_SLOOKUPSWITCH) {
                    prev = (int16_t)cl_get16(b + 5 + pair * (i - 1));
                    cur = (int16_t)cl_get16(b + 5 + pair * i);
                } else {
                    prev = (int32_t)cl_get32(b + 5 + pair * (i - 1));
                    cur = (int32_t)cl_get32(b + 5 + pair * i);
                }
                if (cur <= prev) return cap_rd_fail_at(r, o, "%s: match values not in ascending order", jc_opcode_name(op));
            }
        }
        last_op = op;
        pc += (size_t)n;
    }
    if (last_op >= 0 && !jc_opcode_ends_flow(last_op))
        return cap_rd_fail_at(r, m->code_offset + pc - 1, "execution can fall off the end of the method (last instruction %s)",
                              jc_opcode_name(last_op));
    return 0;
}

/* Second pass: every branch target is an instruction start inside the same method. */
static int check_targets(cap_rd_t *r, const cap_method_t *m, const bitmaps_t *bm)
{
    cap_insn_iter_t it;
    cap_insn_t in;
    cap_insn_iter_init(&it, m);
    while (cap_insn_next(&it, &in) == 1) {
        if (!jc_opcode_is_branch(in.op)) continue;
        int32_t small[64], *t = small;
        int n = cap_insn_targets(&in, small, 64);
        if (n > 64) { /* a big switch: no large stack buffer */
            t = malloc((size_t)n * sizeof(*t));
            if (!t) return cap_rd_fail_at(r, in.info_offset, "out of memory");
            cap_insn_targets(&in, t, n);
        }
        for (int i = 0; i < n; i++) {
            if (t[i] < 0 || t[i] >= m->code_len || !bget(bm->insn, (size_t)m->code_offset + (size_t)t[i])) {
                int32_t bad = t[i];
                if (t != small) free(t);
                return cap_rd_fail_at(r, in.info_offset, "%s: branch target %d is not an instruction of this method",
                                      jc_opcode_name(in.op), bad);
            }
        }
        if (t != small) free(t);
    }
    return 0;
}

/* Without a Descriptor, an unreferenced method (an unused static or private method) sits inside
 * the extent of the method before it. Its start can only be right after an instruction that ends
 * the flow (return, athrow, goto, switch) at a point nothing before it branches to or beyond, and
 * no handler of code before it lands on or after it. Returns the first such Method offset inside
 * m, or 0. */
#define MAX_SPLITS 64  /* bounds the re-walking a hostile file can cause */
static size_t split_point(const cap_file_t *cap, const cap_method_t *m)
{
    size_t end = (size_t)m->code_offset + m->code_len;
    size_t pc = 0;
    int64_t reach = -1; /* furthest Method offset a branch so far can reach */
    while (pc < m->code_len) {
        int n = jc_insn_len(m->code + pc, m->code_len - pc);
        if (n < 0) return 0;
        cap_insn_t in = {.pc = (uint16_t)pc, .info_offset = (uint16_t)(m->code_offset + pc), .op = m->code[pc],
                         .len = (uint16_t)n, .bytes = m->code + pc};
        if (jc_opcode_is_branch(in.op)) {
            int32_t small[64], *t = small;
            int nt = cap_insn_targets(&in, small, 64);
            if (nt > 64 && (t = malloc((size_t)nt * sizeof(*t))) != NULL) cap_insn_targets(&in, t, nt);
            for (int k = 0; k < nt && (t != small || k < 64); k++)
                if ((int64_t)m->code_offset + t[k] > reach) reach = (int64_t)m->code_offset + t[k];
            if (t != small) free(t);
        }
        pc += (size_t)n;
        size_t next = (size_t)m->code_offset + pc;
        if (!jc_opcode_ends_flow(in.op) || next >= end || reach >= (int64_t)next) continue;
        bool handled = false;
        for (unsigned h = 0; h < cap->handler_count && !handled; h++)
            handled = cap->handlers[h].start < next && cap->handlers[h].handler >= next;
        if (!handled) return next;
    }
    return 0;
}

/* Inserts a method starting at Method offset off at index pos (header decoded by the caller). */
static int insert_method(cap_file_t *cap, size_t pos, size_t off)
{
    cap_method_t *nv = realloc(cap->methods, ((size_t)cap->method_count + 1) * sizeof(*nv));
    if (!nv) return -1;
    cap->methods = nv;
    memmove(&nv[pos + 1], &nv[pos], (cap->method_count - pos) * sizeof(*nv));
    memset(&nv[pos], 0, sizeof(*nv));
    nv[pos].offset = (uint16_t)off;
    cap->method_count++;
    return 0;
}

/* Splits method i at Method offset p: it ends there, a new method starts there. Clears what the
 * failed walk marked. 0, or -1 (r untouched) when p does not start a valid method header. */
static int split_method(cap_file_t *cap, cap_rd_t *r, size_t i, size_t p, bitmaps_t *bm)
{
    cap_method_t *m = &cap->methods[i];
    size_t end = (size_t)m->code_offset + m->code_len;
    cap_method_t nm = {.offset = (uint16_t)p};
    cl_error_t scratch;
    cap_rd_t tr = *r;
    tr.e = &scratch;
    tr.failed = false;
    if (decode_header(&tr, &nm, end) != 0) return -1;
    if (insert_method(cap, i + 1, p) != 0) return -1;
    cap->methods[i + 1] = nm;
    m = &cap->methods[i];
    m->code_len = (uint16_t)(p - m->code_offset);
    for (size_t o = m->offset; o < end; o++) {
        bm->insn[o / 8] &= (uint8_t)~(1u << (o % 8));
        bm->idx1[o / 8] &= (uint8_t)~(1u << (o % 8));
        bm->idx2[o / 8] &= (uint8_t)~(1u << (o % 8));
        bm->idx2_opt[o / 8] &= (uint8_t)~(1u << (o % 8));
    }
    return 0;
}

static int parse_handlers(cap_file_t *cap, cap_rd_t *r)
{
    cap->handler_count = cap_rd_u1(r, "handler_count");
    if (r->failed) return -1;
    if (!cap_rd_has(r, 8u * cap->handler_count, "exception handlers")) return -1;
    if (cap->handler_count) {
        cap->handlers = calloc(cap->handler_count, sizeof(*cap->handlers));
        if (!cap->handlers) return cap_rd_fail_at(r, 0, "out of memory");
    }
    for (unsigned i = 0; i < cap->handler_count; i++) {
        cap_handler_t *h = &cap->handlers[i];
        h->start = cap_rd_u2(r, "start_offset");
        uint16_t bits = cap_rd_u2(r, "active_length");
        h->stop = (bits >> 15) != 0;
        h->end = (uint16_t)(h->start + (bits & 0x7FFF)); /* range checked below, against the method */
        if ((uint32_t)h->start + (bits & 0x7FFF) > 0xFFFF)
            return cap_rd_fail_at(r, 1 + 8u * i, "handler %u: try block end beyond 0xFFFF", i);
        h->handler = cap_rd_u2(r, "handler_offset");
        h->catch_type = cap_rd_u2(r, "catch_type_index");
    }
    return 0;
}

static int check_handlers(cap_file_t *cap, cap_rd_t *r, bitmaps_t *bm)
{
    for (unsigned i = 0; i < cap->handler_count; i++) {
        cap_handler_t *h = &cap->handlers[i];
        size_t at = 1 + 8u * i;
        const cap_method_t *m = cap_method_containing(cap, h->start);
        if (!m || h->start < m->code_offset || !bget(bm->insn, h->start))
            return cap_rd_fail_at(r, at, "handler %u: try block start 0x%04x is not an instruction", i, h->start);
        uint32_t code_end = (uint32_t)m->code_offset + m->code_len;
        if (h->end <= h->start) return cap_rd_fail_at(r, at, "handler %u: empty try block", i);
        if (h->end > code_end) return cap_rd_fail_at(r, at, "handler %u: try block end beyond method", i);
        if (h->end < code_end && !bget(bm->insn, h->end))
            return cap_rd_fail_at(r, at, "handler %u: try block end 0x%04x is inside an instruction", i, h->end);
        if (h->handler < m->code_offset || h->handler >= code_end)
            return cap_rd_fail_at(r, at + 4, "handler %u: handler 0x%04x outside the method of its try block", i, h->handler);
        if (!bget(bm->insn, h->handler))
            return cap_rd_fail_at(r, at + 4, "handler %u: handler 0x%04x is not an instruction", i, h->handler);
        if (h->catch_type != 0 && (h->catch_type >= cap->cp_count || cap->cp[h->catch_type].tag != CAP_CP_CLASSREF))
            return cap_rd_fail_at(r, at + 6, "handler %u: catch_type_index %u is not a Classref", i, h->catch_type);
        h->method = (uint16_t)(m - cap->methods);
        /* catch_type_index is a constant pool index inside the Method component, so RefLocation
         * lists it like an instruction operand (converters leave out a 0, which names no class) */
        bset(h->catch_type ? bm->idx2 : bm->idx2_opt, at + 6);
    }
    return 0;
}

/* RefLocation: two lists of 1-byte deltas (255 = skip 255 without a location). Each location must
 * be a constant pool index operand of the matching width, and every such operand must be listed. */
static int parse_refloc(cap_file_t *cap, const bitmaps_t *bm, size_t msize, cl_error_t *e)
{
    cap_rd_t r;
    cap_rd_init(&r, cap->comp[CAP_COMP_REFLOCATION].info, cap->comp[CAP_COMP_REFLOCATION].size, "RefLocation", e);
    for (int pass = 0; pass < 2; pass++) {
        const uint8_t *want = pass == 0 ? bm->idx1 : bm->idx2;
        uint16_t n = cap_rd_u2(&r, pass == 0 ? "byte_index_count" : "byte2_index_count");
        size_t start = r.pos;
        const uint8_t *d = cap_rd_bytes(&r, n, pass == 0 ? "offsets_to_byte_indices" : "offsets_to_byte2_indices");
        if (!d) return -1;
        uint16_t *locs = n ? malloc(n * sizeof(*locs)) : NULL;
        if (n && !locs) return cap_rd_fail_at(&r, start, "out of memory");
        if (pass == 0) cap->byte_locs = locs; else cap->byte2_locs = locs;
        size_t off = 0, count = 0;
        for (unsigned i = 0; i < n; i++) {
            off += d[i];
            if (d[i] == 255) continue;
            if (off >= msize || !(bget(want, off) || (pass == 1 && bget(bm->idx2_opt, off))))
                return cap_rd_fail_at(&r, start + i, "location 0x%zx is not a %s constant pool index operand in the Method component",
                                      off, pass == 0 ? "1-byte" : "2-byte");
            if (count && locs[count - 1] == off)
                return cap_rd_fail_at(&r, start + i, "location 0x%zx listed twice", off);
            locs[count++] = (uint16_t)off;
        }
        if (pass == 0) cap->byte_loc_count = (uint16_t)count; else cap->byte2_loc_count = (uint16_t)count;
        size_t expected = 0, listed_required = 0;
        for (size_t o = 0; o < msize; o++) expected += bget(want, o);
        for (size_t k = 0; k < count; k++) listed_required += bget(want, locs[k]);
        if (listed_required != expected) {
            /* name the first operand that is missing */
            size_t k = 0, o = 0;
            for (; o < msize; o++) {
                if (!bget(want, o)) continue;
                while (k < count && locs[k] < o) k++;
                if (k >= count || locs[k] != o) break;
            }
            return cap_rd_fail_at(&r, start, "the %s constant pool index at Method offset 0x%zx is not listed",
                                  pass == 0 ? "1-byte" : "2-byte", o);
        }
    }
    if (r.pos != r.len) return cap_rd_fail_at(&r, r.pos, "%zu unexpected bytes after the last item", r.len - r.pos);
    return 0;
}

int cap_p_method(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    size_t size = cap->comp[CAP_COMP_METHOD].size;
    cap_rd_init(&r, cap->comp[CAP_COMP_METHOD].info, size, "Method", e);
    if (parse_handlers(cap, &r) != 0) return -1;
    size_t first = r.pos;

    ref_list_t refs = {0};
    start_t *starts = NULL;
    bitmaps_t bm = {0};
    int rc = -1;
    if (collect_refs(cap, &refs) != 0) { cap_rd_fail_at(&r, 0, "out of memory"); goto out; }
    for (size_t i = 0; i < refs.n; i++)
        if (refs.v[i].target < first || refs.v[i].target >= size) {
            ref_fail(cap, &refs.v[i], e, "is outside the methods of the Method component");
            goto out;
        }

    /* method starts and their ends */
    size_t nd = 0;
    if (cap->has_descriptor)
        for (unsigned i = 0; i < cap->desc.class_count; i++) nd += cap->desc.classes[i].method_count;
    starts = malloc((refs.n + nd + 1) * sizeof(*starts));
    size_t ns = 0;
    if (!starts) { cap_rd_fail_at(&r, 0, "out of memory"); goto out; }
    if (cap->has_descriptor) {
        cap_rd_t dr;
        cap_rd_init(&dr, cap->comp[CAP_COMP_DESCRIPTOR].info, cap->comp[CAP_COMP_DESCRIPTOR].size, "Descriptor", e);
        for (unsigned i = 0; i < cap->desc.class_count; i++) {
            const cap_desc_class_t *dc = &cap->desc.classes[i];
            for (unsigned k = 0; k < dc->method_count; k++) {
                const cap_desc_method_t *dm = &dc->methods[k];
                if (dm->method_offset == 0) {
                    if (dm->bytecode_count) {
                        cap_rd_fail_at(&dr, dm->at + 2u, "class %u method %u: bytecode without a method_offset", i, k);
                        goto out;
                    }
                    continue; /* interface method: no body */
                }
                if (dm->method_offset < first || dm->method_offset >= size) {
                    cap_rd_fail_at(&dr, dm->at + 2u, "class %u method %u: method_offset 0x%04x outside the Method component", i, k,
                                   dm->method_offset);
                    goto out;
                }
                starts[ns++] = (start_t){dm->method_offset, dm->bytecode_count};
            }
        }
    } else {
        for (size_t i = 0; i < refs.n; i++) starts[ns++] = (start_t){refs.v[i].target, 0};
        if (size > first) starts[ns++] = (start_t){(uint16_t)first, 0};
    }
    qsort(starts, ns, sizeof(*starts), cmp_start);
    size_t uniq = 0;
    for (size_t i = 0; i < ns; i++) {
        if (uniq && starts[uniq - 1].off == starts[i].off) {
            if (cap->has_descriptor) {
                cap_rd_fail_at(&r, starts[i].off, "two Descriptor methods start here");
                goto out;
            }
            continue;
        }
        starts[uniq++] = starts[i];
    }
    ns = uniq;
    if (cap->has_descriptor && ns == 0 && size > first) {
        cap_rd_fail_at(&r, first, "bytes after the exception handlers, but the Descriptor lists no method bodies");
        goto out;
    }
    if (ns) {
        cap->methods = calloc(ns, sizeof(*cap->methods));
        if (!cap->methods) { cap_rd_fail_at(&r, 0, "out of memory"); goto out; }
    }
    cap->method_count = (uint16_t)ns;
    for (size_t i = 0; i < ns; i++) cap->methods[i].offset = starts[i].off;
    unsigned splits = 0;
    for (size_t i = 0; i < cap->method_count; i++) {
        cap_method_t *m = &cap->methods[i];
        size_t end = i + 1 < cap->method_count ? cap->methods[i + 1].offset : size;
        size_t hlen = (r.p[m->offset] >> 4) & CAP_METHOD_ACC_EXTENDED ? 4 : 2;
        if (cap->has_descriptor) {
            /* the Descriptor gives the exact end; it must meet the next method */
            size_t dend = (size_t)m->offset + hlen + starts[i].bytecode_count;
            if (i == 0 && m->offset != first) {
                cap_rd_fail_at(&r, first, "bytes before the first method the Descriptor lists");
                goto out;
            }
            if (dend != end) {
                cap_rd_fail_at(&r, m->offset, "method ends at 0x%04zx by its Descriptor bytecode_count, but the next method or the component ends at 0x%04zx",
                               dend, end);
                goto out;
            }
        } else if (((r.p[m->offset] >> 4) & CAP_METHOD_ACC_ABSTRACT) && end > m->offset + hlen && splits < MAX_SPLITS) {
            /* an abstract method is only its header: whatever follows is an unreferenced method */
            if (insert_method(cap, i + 1, m->offset + hlen) != 0) { cap_rd_fail_at(&r, 0, "out of memory"); goto out; }
            splits++;
            m = &cap->methods[i];
            end = m->offset + hlen;
        }
        if (decode_header(&r, m, end) != 0) goto out;
    }
    /* every reference must name a method start */
    for (size_t i = 0; i < refs.n; i++)
        if (!cap_method_at(cap, refs.v[i].target)) {
            ref_fail(cap, &refs.v[i], e, "is not the start of a method");
            goto out;
        }
    for (unsigned i = 0; i < cap->applet_count; i++) {
        const cap_method_t *m = cap_method_at(cap, cap->applets[i].install_method_offset);
        if (m->flags & CAP_METHOD_ACC_ABSTRACT) {
            method_ref_t fake = {cap->applets[i].install_method_offset, CAP_COMP_APPLET, 1, "install method"};
            ref_fail(cap, &fake, e, "is abstract");
            goto out;
        }
    }

    size_t nbytes = size / 8 + 1;
    bm.insn = calloc(nbytes, 1);
    bm.idx1 = calloc(nbytes, 1);
    bm.idx2 = calloc(nbytes, 1);
    bm.idx2_opt = calloc(nbytes, 1);
    if (!bm.insn || !bm.idx1 || !bm.idx2 || !bm.idx2_opt) { cap_rd_fail_at(&r, 0, "out of memory"); goto out; }
    for (size_t i = 0; i < cap->method_count; i++) {
        /* try the method as it is; without a Descriptor a failure may mean that an unreferenced
         * method follows it, so retry once split there (see split_point) */
        cl_error_t scratch = {{0}};
        cap_rd_t tr = r;
        tr.e = &scratch;
        tr.failed = false;
        cap_method_t *m = &cap->methods[i];
        if (walk_method(cap, &tr, m, &bm) == 0 && check_targets(&tr, m, &bm) == 0) continue;
        size_t p = cap->has_descriptor || splits >= MAX_SPLITS ? 0 : split_point(cap, m);
        if (p && split_method(cap, &r, i, p, &bm) == 0) {
            splits++;
            i--; /* walk the shortened method again, then the new one */
            continue;
        }
        *e = scratch;
        goto out;
    }
    if (check_handlers(cap, &r, &bm) != 0) goto out;
    if (cap->has_descriptor) {
        cap_rd_t dr;
        cap_rd_init(&dr, cap->comp[CAP_COMP_DESCRIPTOR].info, cap->comp[CAP_COMP_DESCRIPTOR].size, "Descriptor", e);
        for (unsigned c = 0; c < cap->desc.class_count; c++)
            for (unsigned k = 0; k < cap->desc.classes[c].method_count; k++) {
                const cap_desc_method_t *dm = &cap->desc.classes[c].methods[k];
                if (!dm->handler_count) continue;
                const cap_method_t *m = dm->method_offset ? cap_method_at(cap, dm->method_offset) : NULL;
                bool ok = m && (uint32_t)dm->handler_index + dm->handler_count <= cap->handler_count;
                for (unsigned h = 0; ok && h < dm->handler_count; h++)
                    ok = &cap->methods[cap->handlers[dm->handler_index + h].method] == m;
                if (!ok) {
                    cap_rd_fail_at(&dr, dm->at + 8u, "class %u method %u: exception handlers %u..%u are not this method's", c, k,
                                   dm->handler_index, dm->handler_index + dm->handler_count - 1);
                    goto out;
                }
            }
    }
    if (parse_refloc(cap, &bm, size, e) != 0) goto out;
    rc = 0;
out:
    free(refs.v);
    free(starts);
    free(bm.insn);
    free(bm.idx1);
    free(bm.idx2);
    free(bm.idx2_opt);
    return rc;
}
