/* conv_xlate: JVM bytecode -> JCVM bytecode for one method.
 *
 * Passes:
 *  1. decode the JVM instructions (bounds-checked) and reject what Java Card lacks;
 *  2. abstract interpretation: every value on the operand stack is a node (who produced it and
 *     what it is: reference, short-range value, full int arithmetic result, int); values meeting at
 *     a join point become phi nodes;
 *  3. width analysis: javac computes byte/short arithmetic in int. An arithmetic result whose high
 *     bits never matter (it is cast to short/byte, stored into a short place, or only feeds more
 *     such arithmetic) is computed with short instructions; one that reaches a place where the high
 *     bits matter (comparison, array index, division, ...) needs int instructions, which a package
 *     without `int yes` may not use: that is the official converter's "must cast" error;
 *  4. emission with symbolic branch targets, then branch relayout (short forms when the offset
 *     fits in a byte, _w forms otherwise, repeated until stable) and local renumbering in 16-bit
 *     words (int = 2). */
#include "conv/conv_xlate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/jc_opcodes.h"

/* ---- errors ---- */
int xl_fail_at(X *x, uint32_t pc, const char *fmt, const char *what)
{
    char w[300];
    conv_where(w, sizeof w, x->c, x->m, pc);
    cl_seterr(x->e, "%s: %s%s", w, fmt, what ? what : "");
    x->failed = 1;
    return -1;
}

const char xl_MUST_CAST[] = "unsupported int type of intermediate value, must cast intermediate value to type short or byte";

/* ---- nodes ---- */
static int new_node(X *x, int kind, int ins)
{
    if (x->nnodes == x->capnodes) {
        int nc = x->capnodes ? x->capnodes * 2 : 64;
        node_t *n = realloc(x->nodes, (size_t)nc * sizeof *n);
        if (!n) return -1;
        x->nodes = n; x->capnodes = nc;
    }
    node_t *n = &x->nodes[x->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind; n->ins = ins; n->in[0] = n->in[1] = -1; n->want = -1;
    n->rep = kind == K_INT ? R_I : R_S;
    return x->nnodes++;
}

static int add_phi_input(X *x, int phi, int input)
{
    for (int i = 0; i < x->nphis; i++)
        if (x->phis[i].phi == phi && x->phis[i].input == input) return 0;
    if (x->nphis == x->capphis) {
        int nc = x->capphis ? x->capphis * 2 : 16;
        phin_t *n = realloc(x->phis, (size_t)nc * sizeof *n);
        if (!n) return -1;
        x->phis = n; x->capphis = nc;
    }
    x->phis[x->nphis].phi = phi;
    x->phis[x->nphis].input = input;
    x->nphis++;
    return 1;
}

/* ---- decoding ---- */
static int jvm_len(X *x, uint32_t pc)
{
    const uint8_t *c = x->code;
    uint8_t op = c[pc];
    static const int8_t fixed[256] = {
        /* 0x00 */ 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 2,3,2,3,3,2,2,2,2,2,1,1,1,1,1,1,
        /* 0x20 */ 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,2,2,2,2,2,1,1,1,1,1,
        /* 0x40 */ 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
        /* 0x60 */ 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
        /* 0x80 */ 1,1,1,1,3,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,3,3,3,3,3,3,3,
        /* 0xa0 */ 3,3,3,3,3,3,3,3,3,2,0,0,1,1,1,1, 1,1,3,3,3,3,3,3,3,5,5,3,2,3,1,1,
        /* 0xc0 */ 3,3,1,1,0,4,3,3,5,5,-1,-1,-1,-1,-1,-1, -1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,
        /* 0xe0 */ -1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1, -1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,
    };
    if (op == 0xaa || op == 0xab) {
        uint32_t p = (pc + 4) & ~3u;
        if (p + 12 > x->len) return -1;
        if (op == 0xaa) {
            int32_t lo = (int32_t)cl_get32(c + p + 4), hi = (int32_t)cl_get32(c + p + 8);
            if (lo > hi || (int64_t)hi - lo > 16384) return -1;
            uint64_t end = p + 12 + 4 * ((uint64_t)hi - lo + 1);
            return end > x->len ? -1 : (int)(end - pc);
        }
        uint32_t np = cl_get32(c + p + 4);
        if (np > 16384) return -1;
        uint64_t end = p + 8 + 8 * (uint64_t)np;
        return end > x->len ? -1 : (int)(end - pc);
    }
    if (op == 0xc4) { /* wide */
        if (pc + 1 >= x->len) return -1;
        return c[pc + 1] == 0x84 ? 6 : 4;
    }
    int n = fixed[op];
    if (n <= 0 || pc + (uint32_t)n > x->len) return -1;
    return n;
}

static const char *unsupported_op(uint8_t op)
{
    static const uint8_t longs[] = { 0x09, 0x0a, 0x16, 0x1e, 0x1f, 0x20, 0x21, 0x2f, 0x37, 0x3f, 0x40, 0x41, 0x42, 0x50,
                                     0x61, 0x65, 0x69, 0x6d, 0x71, 0x75, 0x79, 0x7b, 0x7d, 0x7f, 0x81, 0x83, 0x85, 0x88,
                                     0x89, 0x8a, 0x8c, 0x8f, 0x94, 0xad };
    static const uint8_t floats[] = { 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x17, 0x18, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
                                      0x29, 0x30, 0x31, 0x38, 0x39, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x51,
                                      0x52, 0x62, 0x63, 0x66, 0x67, 0x6a, 0x6b, 0x6e, 0x6f, 0x72, 0x73, 0x76, 0x77, 0x86,
                                      0x87, 0x8b, 0x8d, 0x8e, 0x90, 0x95, 0x96, 0x97, 0x98, 0xae, 0xaf };
    for (size_t i = 0; i < sizeof longs; i++) if (op == longs[i]) return "long is not supported";
    for (size_t i = 0; i < sizeof floats; i++) if (op == floats[i]) return "float and double are not supported";
    switch (op) {
    case 0x14: return "long and double constants are not supported";
    case 0x34: case 0x55: case 0x92: return "char is not supported";
    case 0xc2: case 0xc3: return "synchronized blocks are not supported (no threads)";
    case 0xc5: return "multi-dimensional arrays are not supported";
    case 0xa8: case 0xa9: case 0xc9: return "jsr/ret subroutines are not supported";
    case 0xba: return "invokedynamic (lambdas, string concatenation) is not supported";
    default: return NULL;
    }
}

/* ---- stack simulation ---- */

typedef struct { int st[64]; int sp; } sstate_t;

static int merge(X *x, int ti, const sstate_t *s, int *work, int *nwork)
{
    jins_t *t = &x->ins[ti];
    if (!t->in_stack) {
        t->in_stack = malloc(sizeof(int) * (size_t)(s->sp + 1));
        if (!t->in_stack) return -1;
        memcpy(t->in_stack, s->st, sizeof(int) * (size_t)s->sp);
        t->depth = s->sp;
        work[(*nwork)++] = ti;
        return 0;
    }
    if (t->depth != s->sp) return xl_fail_at(x, t->pc, "inconsistent stack depth at a join point", NULL);
    int changed = 0;
    for (int i = 0; i < s->sp; i++) {
        int a = t->in_stack[i], b = s->st[i];
        if (a == b) continue;
        node_t *na = &x->nodes[a];
        int phi = a;
        if (!(na->ins == -1 && na->in[0] == ti && na->in[1] == i)) {
            /* kind is settled by phi_kinds() once every input is known */
            phi = new_node(x, na->kind == K_REF ? K_REF : K_SHORT, -1);
            if (phi < 0) return -1;
            x->nodes[phi].in[0] = ti; /* identifies the phi: (instruction, depth) */
            x->nodes[phi].in[1] = i;
            if (add_phi_input(x, phi, a) < 0) return -1;
            t->in_stack[i] = phi;
            changed = 1;
        }
        int r = add_phi_input(x, phi, b);
        if (r < 0) return -1;
        if (r) changed = 1;
    }
    if (changed) work[(*nwork)++] = ti;
    return 0;
}


static int short_range(X *x, int n)
{
    const node_t *d = &x->nodes[n];
    return d->kind == K_SHORT || (d->kind == K_CONST && xl_fits_s(d->cval));
}
static int small_nonneg_const(X *x, int n)
{
    const node_t *d = &x->nodes[n];
    return d->kind == K_CONST && d->cval >= 0 && d->cval <= 32767;
}

/* Kinds that depend on other nodes: a join (phi) is a reference or the widest of its inputs
 * (short-range, int arithmetic result, int); &, |, ^ of short-range values, & with a constant
 * 0..32767, % of short-range values and >> of a short-range value stay short-range. Phis and
 * arithmetic feed each other through loops, so this runs to a fixpoint; if it does not settle,
 * every such result is taken as full int arithmetic (never wrong, at worst a needless refusal). */
static void refine_kinds(X *x)
{
    int stable = 0;
    for (int round = 0; round < 32 && !stable; round++) {
        stable = 1;
        for (int n = 0; n < x->nnodes; n++) {
            node_t *nd = &x->nodes[n];
            if (nd->ins != -1 || nd->kind == K_REF) continue;
            int k = K_SHORT;
            for (int w = 0; w < 64; w++) {   /* widen over the inputs (phis of phis settle in rounds) */
                int grew = 0;
                for (int q = 0; q < x->nphis; q++) {
                    if (x->phis[q].phi != n) continue;
                    node_t *in = &x->nodes[x->phis[q].input];
                    int ik = in->kind == K_CONST ? (xl_fits_s(in->cval) ? K_SHORT : K_INT) : in->kind;
                    if (ik == K_REF) continue;
                    int ri = ik == K_INT ? 2 : ik == K_FULL ? 1 : 0, rk = k == K_INT ? 2 : k == K_FULL ? 1 : 0;
                    if (ri > rk) { k = ik; grew = 1; }
                }
                if (!grew) break;
            }
            if (k != nd->kind) { nd->kind = k; nd->rep = k == K_INT ? R_I : R_S; stable = 0; }
        }
        for (int n = 0; n < x->nnodes; n++) {
            node_t *nd = &x->nodes[n];
            if (nd->ins < 0 || nd->in[0] < 0) continue;
            uint8_t op = x->ins[nd->ins].op;
            if (op != 0x7e && op != 0x80 && op != 0x82 && op != 0x7a && op != 0x70) continue;
            int a = nd->in[0], b = nd->in[1];
            int sa = short_range(x, a), sb = b >= 0 && short_range(x, b);
            int k = K_FULL;
            if (op == 0x7a ? sa : (sa && sb)) k = K_SHORT;
            if (op == 0x7e && b >= 0 && (small_nonneg_const(x, a) || small_nonneg_const(x, b))) k = K_SHORT;
            if (k != nd->kind) { nd->kind = k; stable = 0; }
        }
    }
    if (!stable)
        for (int n = 0; n < x->nnodes; n++) {
            node_t *nd = &x->nodes[n];
            if (nd->kind == K_REF) continue;
            if (nd->ins == -1 && nd->kind == K_SHORT) nd->kind = K_FULL;
            if (nd->ins >= 0 && nd->in[0] >= 0 && nd->kind == K_SHORT) {
                uint8_t op = x->ins[nd->ins].op;
                if (op == 0x7e || op == 0x80 || op == 0x82 || op == 0x7a || op == 0x70) nd->kind = K_FULL;
            }
        }
}

static int slot_kind(X *x, int slot) { return x->slot_int[slot] ? K_INT : K_SHORT; }

/* Fits in a JCVM short? */
int xl_fits_s(int32_t v) { return v >= -32768 && v <= 32767; }

/* Member resolution results used both by simulation (types) and emission. */
int xl_desc_args(const char *d, int *types, int max)
{
    int n = 0;
    for (const char *p = d + 1; *p && *p != ')';) {
        if (n >= max) return -1;
        types[n++] = conv_vtype_of(p);
        while (*p == '[') p++;
        if (*p == 'L') { p = strchr(p, ';'); if (!p) return -1; }
        p++;
    }
    return n;
}
int xl_desc_ret(const char *d) { const char *r = strchr(d, ')'); return r ? conv_vtype_of(r + 1) : VT_BAD; }

static int kind_of_vt(int vt) { return vt == VT_REF ? K_REF : vt == VT_INT ? K_INT : K_SHORT; }

/* Simulates instruction i on s; records operand nodes and the produced node. */
static int step(X *x, int i, sstate_t *s)
{
    jins_t *in = &x->ins[i];
    const uint8_t *c = x->code + in->pc;
    uint8_t op = in->op;
    int npop = 0, kind = -1;
    int32_t cval = 0;
    int dupop = 0;
    in->out = -1;
    in->npops = 0;
#define POPN(n) do { npop = (n); } while (0)
    switch (op) {
    case 0x00: break;
    case 0x01: kind = K_REF; break;
    case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: kind = K_CONST; cval = op - 3; break;
    case 0x10: kind = K_CONST; cval = (int8_t)c[1]; break;
    case 0x11: kind = K_CONST; cval = (int16_t)cl_get16(c + 1); break;
    case 0x12: case 0x13: {
        uint16_t idx = op == 0x12 ? c[1] : cl_get16(c + 1);
        const conv_cf_const_t *k = idx < x->c->cf.cp_count ? &x->c->cf.cp[idx] : NULL;
        if (!k || k->tag != CF_INTEGER) {
            if (k && k->tag == CF_STRING) return xl_fail_at(x, in->pc, "String literals are not supported", NULL);
            if (k && k->tag == CF_CLASS) return xl_fail_at(x, in->pc, "class literals (reflection) are not supported", NULL);
            if (k && k->tag == CF_FLOAT) return xl_fail_at(x, in->pc, "float and double are not supported", NULL);
            return xl_fail_at(x, in->pc, "unsupported constant", NULL);
        }
        kind = K_CONST; cval = k->ival;
        break;
    }
    case 0x15: case 0x1a: case 0x1b: case 0x1c: case 0x1d: { /* iload */
        int slot = op == 0x15 ? c[1] : op - 0x1a;
        kind = slot_kind(x, slot);
        break;
    }
    case 0x19: case 0x2a: case 0x2b: case 0x2c: case 0x2d: kind = K_REF; break; /* aload */
    case 0x2e: case 0x33: case 0x35: POPN(2); kind = K_SHORT; break;             /* iaload→below, baload, saload */
    case 0x32: POPN(2); kind = K_REF; break;
    case 0x36: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3a: case 0x4b: case 0x4c: case 0x4d: case 0x4e:
        POPN(1); break;                                                          /* istore, astore */
    case 0x4f: case 0x54: case 0x56: case 0x53: POPN(3); break;                  /* xastore */
    case 0x57: POPN(1); break;                                                   /* pop */
    case 0x58: /* pop2: two category-1 values */ POPN(2); break;
    case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: dupop = 1; break;
    case 0x60: case 0x64: case 0x68: case 0x78: case 0x7e: case 0x80: case 0x82: POPN(2); kind = K_FULL; break;
    case 0x6c: POPN(2); kind = K_FULL; break;   /* idiv */
    case 0x70: POPN(2); kind = K_FULL; break;   /* irem */
    case 0x7a: POPN(2); kind = K_FULL; break;   /* ishr */
    case 0x7c: POPN(2); kind = K_FULL; break;   /* iushr */
    case 0x74: POPN(1); kind = K_FULL; break;   /* ineg */
    case 0x84: break;                           /* iinc */
    case 0x91: case 0x93: POPN(1); kind = K_SHORT; break; /* i2b, i2s */
    case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0xc6: case 0xc7: POPN(1); break;
    case 0x9f: case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: case 0xa5: case 0xa6: POPN(2); break;
    case 0xa7: break;
    case 0xaa: case 0xab: POPN(1); break;
    case 0xac: case 0xb0: POPN(1); break;
    case 0xb1: break;
    case 0xb2: case 0xb3: case 0xb4: case 0xb5: {
        const char *cls, *nm, *ds;
        if (conv_cf_member_ref(&x->c->cf, cl_get16(c + 1), &cls, &nm, &ds)) return xl_fail_at(x, in->pc, "bad field reference", NULL);
        int vt = conv_vtype_of(ds);
        if (vt == VT_BAD) return xl_fail_at(x, in->pc, "unsupported field type ", ds);
        if (op == 0xb2) kind = kind_of_vt(vt);
        else if (op == 0xb3) POPN(1);
        else if (op == 0xb4) { POPN(1); kind = kind_of_vt(vt); }
        else POPN(2);
        break;
    }
    case 0xb6: case 0xb7: case 0xb8: case 0xb9: {
        const char *cls, *nm, *ds;
        if (conv_cf_member_ref(&x->c->cf, cl_get16(c + 1), &cls, &nm, &ds)) return xl_fail_at(x, in->pc, "bad method reference", NULL);
        int types[64];
        int n = xl_desc_args(ds, types, 64);
        if (n < 0) return xl_fail_at(x, in->pc, "too many arguments", NULL);
        POPN(n + (op == 0xb8 ? 0 : 1));
        int rt = xl_desc_ret(ds);
        if (rt == VT_BAD) return xl_fail_at(x, in->pc, "unsupported return type in ", ds);
        if (rt != VT_VOID) kind = kind_of_vt(rt);
        break;
    }
    case 0xbb: kind = K_REF; break;
    case 0xbc: case 0xbd: POPN(1); kind = K_REF; break;
    case 0xbe: POPN(1); kind = K_SHORT; break;
    case 0xbf: POPN(1); break;
    case 0xc0: POPN(1); kind = K_REF; break;
    case 0xc1: POPN(1); kind = K_SHORT; break;
    case 0xc4: { /* wide */
        uint8_t wop = c[1];
        int slot = cl_get16(c + 2);
        if (wop == 0x15) kind = slot_kind(x, slot);
        else if (wop == 0x19) kind = K_REF;
        else if (wop == 0x36 || wop == 0x3a) POPN(1);
        else if (wop == 0x84) break;
        else return xl_fail_at(x, in->pc, "unsupported wide instruction", NULL);
        break;
    }
    default:
        return xl_fail_at(x, in->pc, "unsupported instruction", NULL);
    }
    /* int array load gives an int */
    if (op == 0x2e) kind = K_INT;
    if (npop > s->sp) return xl_fail_at(x, in->pc, "stack underflow", NULL);
    if (npop > 64) return xl_fail_at(x, in->pc, "too many arguments", NULL);
    in->npops = npop;
    for (int k = 0; k < in->npops; k++) in->pops[k] = s->st[s->sp - in->npops + k];
    s->sp -= npop;
    if (dupop) {
        int *st = s->st, sp = s->sp;
        if (sp + 2 > 62) return xl_fail_at(x, in->pc, "stack too deep", NULL);
        switch (op) {
        case 0x59: if (sp < 1) goto under; st[sp] = st[sp - 1]; s->sp++; break;
        case 0x5a: if (sp < 2) goto under; st[sp] = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = st[sp]; s->sp++; break;
        case 0x5b: if (sp < 3) goto under; st[sp] = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = st[sp - 3]; st[sp - 3] = st[sp]; s->sp++; break;
        case 0x5c: if (sp < 2) goto under; st[sp] = st[sp - 2]; st[sp + 1] = st[sp - 1]; s->sp += 2; break;
        case 0x5d: if (sp < 3) goto under;
            st[sp + 1] = st[sp - 1]; st[sp] = st[sp - 2]; st[sp - 1] = st[sp - 3]; st[sp - 2] = st[sp + 1]; st[sp - 3] = st[sp];
            s->sp += 2; break;
        case 0x5e: if (sp < 4) goto under;
            st[sp + 1] = st[sp - 1]; st[sp] = st[sp - 2]; st[sp - 1] = st[sp - 3]; st[sp - 2] = st[sp - 4];
            st[sp - 3] = st[sp + 1]; st[sp - 4] = st[sp]; s->sp += 2; break;
        case 0x5f: { if (sp < 2) goto under; int t = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = t; break; }
        }
        return 0;
    under:
        return xl_fail_at(x, in->pc, "stack underflow", NULL);
    }
    if (kind >= 0) {
        /* Reuse the node of this instruction across iterations so the fixpoint converges. */
        int n = in->node;
        if (n < 0) n = in->node = new_node(x, kind, i);
        if (n < 0) return -1;
        node_t *nd = &x->nodes[n];
        nd->kind = kind;
        nd->rep = kind == K_INT ? R_I : R_S;
        nd->cval = cval;
        if (kind == K_CONST && !xl_fits_s(cval)) nd->rep = R_I;
        nd->in[0] = in->npops >= 1 ? in->pops[0] : -1;
        nd->in[1] = in->npops >= 2 ? in->pops[1] : -1;
        /* and/or/xor/shr/rem may stay in short range: decided by refine_kinds() after the walk */
        nd->truncating_arith = op == 0x60 || op == 0x64 || op == 0x68 || op == 0x78 || op == 0x74 ||
                               op == 0x7e || op == 0x80 || op == 0x82;
        in->out = n;
        if (s->sp >= 62) return xl_fail_at(x, in->pc, "stack too deep", NULL);
        s->st[s->sp++] = n;
    }
    return 0;
#undef POPN
}

int xl_is_cond_branch(uint8_t op) { return (op >= 0x99 && op <= 0xa6) || op == 0xc6 || op == 0xc7; }

static int simulate(X *x)
{
    int *work = malloc(sizeof(int) * (size_t)(x->nins * 8 + 64));
    int nwork = 0, budget = x->nins * 64 + 1000;
    if (!work) { cl_seterr(x->e, "out of memory"); return -1; }
    for (int i = 0; i < x->nins; i++) { free(x->ins[i].in_stack); x->ins[i].in_stack = NULL; }
    x->nphis = 0;
    for (int k = 0; k < x->nnodes; k++) x->nodes[k].uses = 0;
    /* keep only instruction nodes (phis are rebuilt) */
    sstate_t s = { .sp = 0 };
    if (merge(x, 0, &s, work, &nwork)) goto bad;
    for (int h = 0; h < x->m->cf->handler_count; h++) {
        const conv_cf_handler_t *hd = &x->m->cf->handlers[h];
        int hi = x->at[hd->handler_pc];
        if (hi < 0) { xl_fail_at(x, hd->handler_pc, "handler not at an instruction", NULL); goto bad; }
        /* the caught exception is a fresh reference per handler */
        int n = -1;
        for (int k = 0; k < x->nnodes; k++)
            if (x->nodes[k].ins == -2 - h) n = k;
        if (n < 0 && (n = new_node(x, K_REF, -2 - h)) < 0) goto bad;
        sstate_t hs = { .sp = 1 };
        hs.st[0] = n;
        if (merge(x, hi, &hs, work, &nwork)) goto bad;
    }
    while (nwork > 0) {
        if (--budget < 0) { xl_fail_at(x, 0, "stack analysis does not converge", NULL); goto bad; }
        int i = work[--nwork];
        jins_t *in = &x->ins[i];
        sstate_t st;
        st.sp = in->depth;
        if (st.sp > 62) { xl_fail_at(x, in->pc, "stack too deep", NULL); goto bad; }
        memcpy(st.st, in->in_stack, sizeof(int) * (size_t)st.sp);
        if (step(x, i, &st)) goto bad;
        if (nwork > x->nins * 8) { xl_fail_at(x, in->pc, "internal: work list overflow", NULL); goto bad; }
        uint8_t op = in->op;
        if (op == 0xa7 || op == 0xc8) {
            int t = x->at[in->target];
            if (merge(x, t, &st, work, &nwork)) goto bad;
        } else if (xl_is_cond_branch(op)) {
            if (merge(x, x->at[in->target], &st, work, &nwork)) goto bad;
            if (i + 1 >= x->nins) { xl_fail_at(x, in->pc, "code falls off the end", NULL); goto bad; }
            if (merge(x, i + 1, &st, work, &nwork)) goto bad;
        } else if (op == 0xaa || op == 0xab) {
            for (int k = 0; k < in->swn; k++) {
                int32_t tpc = in->sw[k];
                if (merge(x, x->at[tpc], &st, work, &nwork)) goto bad;
            }
        } else if ((op >= 0xac && op <= 0xb1) || op == 0xbf) {
            /* end of flow */
        } else {
            if (i + 1 >= x->nins) { xl_fail_at(x, in->pc, "code falls off the end", NULL); goto bad; }
            if (merge(x, i + 1, &st, work, &nwork)) goto bad;
        }
    }
    free(work);
    refine_kinds(x);
    return 0;
bad:
    free(work);
    if (!x->failed) cl_seterr(x->e, "out of memory");
    return -1;
}

/* ---- decoding and local variable types ---- */


static int decode(X *x)
{
    x->at = malloc(sizeof(int) * (x->len + 1));
    x->ins = calloc(x->len + 1, sizeof *x->ins);
    if (!x->at || !x->ins) { cl_seterr(x->e, "out of memory"); return -1; }
    for (uint32_t i = 0; i <= x->len; i++) x->at[i] = -1;
    uint32_t pc = 0;
    while (pc < x->len) {
        int l = jvm_len(x, pc);
        if (l <= 0) return xl_fail_at(x, pc, "malformed or unknown instruction", NULL);
        const char *why = unsupported_op(x->code[pc]);
        if (why) return xl_fail_at(x, pc, why, NULL);
        if (x->code[pc] == 0xc4) {
            uint8_t w = x->code[pc + 1];
            if (w != 0x15 && w != 0x19 && w != 0x36 && w != 0x3a && w != 0x84) return xl_fail_at(x, pc, "unsupported wide instruction", NULL);
        }
        jins_t *in = &x->ins[x->nins];
        in->pc = pc; in->op = x->code[pc]; in->len = l; in->target = -1; in->out = -1; in->node = -1;
        x->at[pc] = x->nins++;
        pc += (uint32_t)l;
    }
    /* every local variable index inside max_locals */
    for (int i = 0; i < x->nins; i++) {
        int st, isref, slot = xl_ins_slot(x, &x->ins[i], &st, &isref);
        if (slot >= x->nslots) return xl_fail_at(x, x->ins[i].pc, "local variable index beyond max_locals", NULL);
    }
    /* branch targets */
    for (int i = 0; i < x->nins; i++) {
        jins_t *in = &x->ins[i];
        const uint8_t *c = x->code + in->pc;
        int64_t t = -1;
        if (xl_is_cond_branch(in->op) || in->op == 0xa7) t = (int64_t)in->pc + (int16_t)cl_get16(c + 1);
        else if (in->op == 0xc8) t = (int64_t)in->pc + (int32_t)cl_get32(c + 1);
        else if (in->op == 0xaa || in->op == 0xab) {
            uint32_t p = (in->pc + 4) & ~3u;
            int32_t def = (int32_t)cl_get32(x->code + p);
            if (in->op == 0xaa) {
                int32_t lo = (int32_t)cl_get32(x->code + p + 4), hi = (int32_t)cl_get32(x->code + p + 8);
                in->swlow = lo; in->swhigh = hi;
                in->swn = (int)(hi - lo + 2);
                in->sw = malloc(sizeof(int32_t) * (size_t)in->swn);
                if (!in->sw) { cl_seterr(x->e, "out of memory"); return -1; }
                in->sw[0] = (int32_t)in->pc + def;
                for (int k = 1; k < in->swn; k++) in->sw[k] = (int32_t)in->pc + (int32_t)cl_get32(x->code + p + 12 + 4 * (k - 1));
            } else {
                uint32_t np = cl_get32(x->code + p + 4);
                in->swn = (int)np + 1;
                in->sw = malloc(sizeof(int32_t) * (size_t)in->swn * 2);
                if (!in->sw) { cl_seterr(x->e, "out of memory"); return -1; }
                in->sw[0] = (int32_t)in->pc + def;
                /* targets first (1..np), then matches at swn.. */
                for (uint32_t k = 0; k < np; k++) {
                    in->sw[in->swn + k] = (int32_t)cl_get32(x->code + p + 8 + 8 * k);
                    in->sw[1 + k] = (int32_t)in->pc + (int32_t)cl_get32(x->code + p + 12 + 8 * k);
                }
            }
            for (int k = 0; k < in->swn; k++)
                if (in->sw[k] < 0 || (uint32_t)in->sw[k] >= x->len || x->at[in->sw[k]] < 0)
                    return xl_fail_at(x, in->pc, "switch target out of range", NULL);
            continue;
        } else continue;
        if (t < 0 || t >= x->len || x->at[t] < 0) return xl_fail_at(x, in->pc, "branch target out of range", NULL);
        in->target = (int)t;
    }
    for (int h = 0; h < x->m->cf->handler_count; h++) {
        const conv_cf_handler_t *hd = &x->m->cf->handlers[h];
        if (x->at[hd->start_pc] < 0 || (hd->end_pc < x->len && x->at[hd->end_pc] < 0) || x->at[hd->handler_pc] < 0)
            return xl_fail_at(x, hd->handler_pc, "exception handler range not on instruction boundaries", NULL);
    }
    return 0;
}

/* Slot of a load/store/iinc instruction, -1 if none; *store 1 for stores, 2 for iinc. */
int xl_ins_slot(X *x, const jins_t *in, int *store, int *isref)
{
    const uint8_t *c = x->code + in->pc;
    uint8_t op = in->op;
    *store = 0; *isref = 0;
    if (op == 0xc4) {
        op = c[1];
        int s = cl_get16(c + 2);
        *store = op == 0x36 || op == 0x3a ? 1 : op == 0x84 ? 2 : 0;
        *isref = op == 0x19 || op == 0x3a;
        return s;
    }
    if (op == 0x15 || op == 0x19) { *isref = op == 0x19; return c[1]; }
    if (op >= 0x1a && op <= 0x1d) return op - 0x1a;
    if (op >= 0x2a && op <= 0x2d) { *isref = 1; return op - 0x2a; }
    if (op == 0x36 || op == 0x3a) { *store = 1; *isref = op == 0x3a; return c[1]; }
    if (op >= 0x3b && op <= 0x3e) { *store = 1; return op - 0x3b; }
    if (op >= 0x4b && op <= 0x4e) { *store = 1; *isref = 1; return op - 0x4b; }
    if (op == 0x84) { *store = 2; return c[1]; }
    return -1;
}

/* Which JVM slots hold int values: parameters from the descriptor, locals from the
 * LocalVariableTable (javac -g) or, without it, from what is stored into them (Java requires a
 * cast to store an int expression into a short variable, so an uncast int result means an int
 * variable; iinc is only emitted for int variables). Returns 1 if anything changed. */
static int infer_slots(X *x, int first)
{
    int changed = 0;
    const conv_cf_method_t *cm = x->m->cf;
    if (first) {
        int s = x->m->is_static ? 0 : 1;
        int types[64];
        int n = xl_desc_args(cm->desc, types, 64);
        for (int k = 0; k < n && s < x->nslots; k++, s++) x->slot_int[s] = types[k] == VT_INT;
        for (uint32_t k = 0; k < cm->local_count; k++)
            if (!strcmp(cm->locals[k].desc, "I") && cm->locals[k].index < x->nslots) x->slot_int[cm->locals[k].index] = 1;
    }
    for (int i = 0; i < x->nins; i++) {
        jins_t *in = &x->ins[i];
        int st, isref;
        int s = xl_ins_slot(x, in, &st, &isref);
        if (s < 0 || !st || isref || s >= x->nslots || x->slot_int[s]) continue;
        if (!in->in_stack && !first) continue;
        int isint = 0;
        /* iinc means an int variable, except on javac's synthetic locals (no LocalVariableTable
         * entry in a method that has one): the index of a for-each over an array, bounded by the
         * array length, so short arithmetic gives the same values */
        if (st == 2) {
            int covered = 0;
            for (uint32_t k = 0; k < cm->local_count; k++) covered |= cm->locals[k].index == s;
            isint = !(cm->local_count > 0 && !covered);
        }
        else if (in->in_stack && in->depth > 0) {
            node_t *n = &x->nodes[in->in_stack[in->depth - 1]];
            isint = n->kind == K_INT || n->kind == K_FULL || (n->kind == K_CONST && !xl_fits_s(n->cval));
        }
        if (isint) { x->slot_int[s] = 1; changed = 1; }
    }
    return changed;
}

/* ---- width analysis ---- */

int xl_ret_vt(X *x) { return xl_desc_ret(x->m->cf->desc); }

/* Requirement of operand k of instruction i: *want R_S/R_I or -1 (reference / no preference),
 * *exact 1 when the full Java int value matters there. */
void xl_req(X *x, int i, int k, int *want, int *exact)
{
    jins_t *in = &x->ins[i];
    uint8_t op = in->op;
    const uint8_t *c = x->code + in->pc;
    node_t *res = in->out >= 0 ? &x->nodes[in->out] : NULL;
    int n = in->pops[k];
    node_t *nd = &x->nodes[n];
    *want = -1; *exact = 0;
    if (nd->kind == K_REF) return;
    switch (op) {
    case 0x2e: case 0x33: case 0x35: case 0x32: if (k == 1) { *want = R_S; *exact = 1; } return;
    case 0x4f: case 0x54: case 0x56: case 0x53:
        if (k == 1) { *want = R_S; *exact = 1; }
        else if (k == 2) { *want = op == 0x4f ? R_I : R_S; *exact = op == 0x4f; }
        return;
    case 0x36: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0xc4: {
        int st, isref, s = xl_ins_slot(x, in, &st, &isref);
        if (s >= 0 && x->slot_int[s]) { *want = R_I; *exact = 1; } else *want = R_S;
        return;
    }
    case 0x60: case 0x64: case 0x68: case 0x78: case 0x7e: case 0x80: case 0x82: case 0x74:
        *want = res->rep; *exact = res->rep == R_I; return;
    case 0x6c: case 0x70: *want = res->rep; *exact = 1; return;
    case 0x7a: case 0x7c: *want = res->rep; *exact = k == 0 || res->rep == R_I; return;
    case 0x91: case 0x93: return;
    case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0xaa: case 0xab:
        *want = nd->rep; *exact = 1; return;
    case 0x9f: case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {
        int other = in->pops[1 - k];
        *want = nd->rep == R_I || x->nodes[other].rep == R_I ? R_I : R_S;
        *exact = 1;
        return;
    }
    case 0xac: *want = xl_ret_vt(x) == VT_INT ? R_I : R_S; *exact = *want == R_I; return;
    case 0xb3: case 0xb5: {
        const char *cls, *nm, *ds;
        if (conv_cf_member_ref(&x->c->cf, cl_get16(c + 1), &cls, &nm, &ds)) return;
        *want = ds[0] == 'I' ? R_I : R_S; *exact = ds[0] == 'I';
        return;
    }
    case 0xb6: case 0xb7: case 0xb8: case 0xb9: {
        const char *cls, *nm, *ds;
        if (conv_cf_member_ref(&x->c->cf, cl_get16(c + 1), &cls, &nm, &ds)) return;
        int types[64];
        int na = xl_desc_args(ds, types, 64);
        int a = k - (op == 0xb8 ? 0 : 1);
        if (a < 0 || a >= na) return;
        *want = types[a] == VT_INT ? R_I : R_S; *exact = types[a] == VT_INT;
        return;
    }
    case 0xbc: case 0xbd: *want = R_S; *exact = 1; return;
    default: return;
    }
}

/* Does this value need int instructions? A constant beyond the short range does not when it only
 * meets truncating uses (`v += (short) 0x8000` is javac's `ldc 32768; isub; i2s`): the low 16 bits
 * are all that matter there, so it is emitted as the short with those bits. */
static int needs_int(X *x, int n)
{
    const node_t *nd = &x->nodes[n];
    if (nd->kind == K_REF) return 0;
    if (nd->kind == K_CONST) return !xl_fits_s(nd->cval) && (nd->exact || nd->want != R_S);
    return nd->rep == R_I || nd->want == R_I;
}

static int is_arith(uint8_t op)
{
    return op == 0x60 || op == 0x64 || op == 0x68 || op == 0x6c || op == 0x70 || op == 0x74 || op == 0x78 ||
           op == 0x7a || op == 0x7c || op == 0x7e || op == 0x80 || op == 0x82;
}

static int widths(X *x)
{
    for (int round = 0; round < 10000; round++) {
        int changed = 0;
        for (int i = 0; i < x->nins; i++) {
            jins_t *in = &x->ins[i];
            if (!in->in_stack) continue;
            for (int k = 0; k < in->npops; k++) {
                int w, ex;
                xl_req(x, i, k, &w, &ex);
                node_t *nd = &x->nodes[in->pops[k]];
                if (ex && !nd->exact) { nd->exact = 1; changed = 1; }
                if (w == R_I && nd->kind != K_SHORT && nd->kind != K_CONST && nd->rep == R_S && ex) { nd->rep = R_I; changed = 1; }
            }
        }
        for (int k = 0; k < x->nphis; k++) {
            node_t *ph = &x->nodes[x->phis[k].phi], *inn = &x->nodes[x->phis[k].input];
            if (ph->exact && !inn->exact) { inn->exact = 1; changed = 1; }
            if (ph->kind != K_REF && inn->rep == R_I && ph->rep == R_S) { ph->rep = R_I; changed = 1; }
        }
        for (int n = 0; n < x->nnodes; n++) {
            node_t *nd = &x->nodes[n];
            if (nd->kind == K_REF || nd->rep == R_I) continue;
            if ((nd->kind == K_FULL || nd->kind == K_INT) && nd->exact) { nd->rep = R_I; changed = 1; continue; }
            if (nd->ins >= 0 && is_arith(x->ins[nd->ins].op) && nd->kind != K_SHORT) {
                for (int k = 0; k < 2; k++)
                    if (nd->in[k] >= 0 && x->nodes[nd->in[k]].rep == R_I && x->nodes[nd->in[k]].kind != K_CONST) { nd->rep = R_I; changed = 1; }
            }
            if (nd->rep == R_S && nd->ins >= 0 && is_arith(x->ins[nd->ins].op)) {
                /* A constant beyond the short range may be narrowed to its low 16 bits only under
                 * operations whose low 16 result bits depend on nothing else (+ - * & | ^ <<).
                 * The dividend and divisor of / %, and the shifted value of >> >>>, need their
                 * full value: (short) (0x12345678 % s) is irem on the int constant, then i2s. */
                uint8_t op = x->ins[nd->ins].op;
                int full_ops = op == 0x6c || op == 0x70 ? 2 : op == 0x7a || op == 0x7c ? 1 : 0;
                for (int k = 0; k < full_ops; k++) {
                    const node_t *o = nd->in[k] >= 0 ? &x->nodes[nd->in[k]] : NULL;
                    if (o && o->kind == K_CONST && !xl_fits_s(o->cval)) { nd->rep = R_I; changed = 1; }
                }
            }
            if (nd->ins >= 0 && is_arith(x->ins[nd->ins].op) && nd->kind == K_SHORT) {
                /* a short-range result of int operands (e.g. int & 0xFF) is computed in int */
                for (int k = 0; k < 2; k++)
                    if (nd->in[k] >= 0 && x->nodes[nd->in[k]].kind == K_INT) { nd->rep = R_I; changed = 1; }
            }
        }
        if (!changed) break;
    }
    /* wants */
    for (int n = 0; n < x->nnodes; n++) { x->nodes[n].want = -1; x->nodes[n].uses = 0; }
    for (int i = 0; i < x->nins; i++) {
        jins_t *in = &x->ins[i];
        if (!in->in_stack) continue;
        for (int k = 0; k < in->npops; k++) {
            int w, ex;
            xl_req(x, i, k, &w, &ex);
            node_t *nd = &x->nodes[in->pops[k]];
            nd->uses++;
            if (w < 0) continue;
            nd->want = nd->want == -1 ? w : nd->want == w ? w : 2;
        }
    }
    for (int k = 0; k < x->nphis; k++) {
        node_t *ph = &x->nodes[x->phis[k].phi], *inn = &x->nodes[x->phis[k].input];
        inn->uses++;
        if (ph->kind == K_REF) continue;
        inn->want = inn->want == -1 ? ph->rep : inn->want == ph->rep ? ph->rep : 2;
    }
    /* without `int yes`, nothing may end up as an int */
    if (!x->p->conf.int_support) {
        for (int i = 0; i < x->nins; i++) {
            jins_t *in = &x->ins[i];
            if (!in->in_stack) continue;
            int st, isref, s = xl_ins_slot(x, in, &st, &isref);
            if (s >= 0 && s < x->nslots && !isref && x->slot_int[s])
                return xl_fail_at(x, in->pc, "int is not supported (local variable of type int; the package does not declare `int yes`)", NULL);
            for (int k = 0; k < in->npops; k++)
                if (needs_int(x, in->pops[k])) return xl_fail_at(x, in->pc, xl_MUST_CAST, NULL);
            if (in->out >= 0 && needs_int(x, in->out)) return xl_fail_at(x, in->pc, xl_MUST_CAST, NULL);
        }
    }
    for (int i = 0; i < x->nins; i++) if (x->ins[i].in_stack && x->ins[i].out >= 0 && needs_int(x, x->ins[i].out)) x->p->uses_int = 1;
    (void)xl_words;
    return 0;
}

/* Representation of a node while it sits on the stack (after a conversion right after its producer). */
int xl_srep(X *x, int n)
{
    node_t *nd = &x->nodes[n];
    if (nd->kind == K_REF) return R_S;
    /* an int whose full value matters where it is narrowed (an array index) stays int until its
     * consumer, which range-checks it (conv_xlate_emit.c) */
    if (nd->ins >= 0 && nd->want == R_S && nd->rep == R_I && nd->exact) return R_I;
    if (nd->ins >= 0 && (nd->want == R_S || nd->want == R_I)) return nd->want;
    return nd->rep;
}
int xl_words(X *x, int n)
{
    if (x->nodes[n].elided) return 0;
    return x->nodes[n].kind == K_REF ? 1 : xl_srep(x, n) == R_I ? 2 : 1;
}

int conv_xlate_method(conv_pkg_t *p, int ci, int mi, cl_error_t *e)
{
    X xs, *x = &xs;
    char *target = NULL;
    memset(x, 0, sizeof *x);
    x->p = p; x->c = &p->classes[ci]; x->m = &x->c->methods[mi]; x->e = e;
    const conv_cf_method_t *cm = x->m->cf;
    int rc = -1;
    x->code = cm->code; x->len = cm->code_len;
    x->nslots = cm->max_locals;
    x->slot_int = calloc((size_t)x->nslots + 1, sizeof(int));
    x->slot_map = calloc((size_t)x->nslots + 1, sizeof(int));
    if (!x->slot_int || !x->slot_map) { cl_seterr(e, "out of memory"); goto out; }
    int nargs = conv_desc_arg_count(cm->desc) + (x->m->is_static ? 0 : 1);
    if (nargs > x->nslots) { xl_fail_at(x, 0, "max_locals smaller than the arguments", NULL); goto out; }
    if (decode(x)) goto out;
    infer_slots(x, 1);
    for (int round = 0; round < 4; round++) {
        if (simulate(x)) goto out;
        if (!infer_slots(x, 0)) break;
        for (int n = 0; n < x->nnodes; n++) { x->nodes[n].exact = 0; x->nodes[n].want = -1; }
    }
    if (widths(x)) goto out;
    /* JCVM locals: 16-bit xl_words, int takes two */
    int w = 0, argw = 0;
    for (int s = 0; s < x->nslots; s++) {
        x->slot_map[s] = w;
        w += x->slot_int[s] ? 2 : 1;
        if (s == nargs - 1) argw = w;
    }
    if (nargs == 0) argw = 0;
    if (argw > 255 || w > 255 + argw) { xl_fail_at(x, 0, "too many local variables", NULL); goto out; }
    x->m->nargs = argw;
    x->m->max_locals = w - argw;
    /* Field access on `this`: fold the aload_0 into getfield/putfield_<t>_this when nothing between
     * them can see the reference (no branch, no join, no stack shuffling, no other use of it). */
    /* instructions something jumps to: peephole forms must not swallow them */
    target = calloc(x->len + 1, 1);
    if (!target) { cl_seterr(e, "out of memory"); goto out; }
    for (int i = 0; i < x->nins; i++) {
        jins_t *in = &x->ins[i];
        if (in->target >= 0) target[in->target] = 1;
        for (int k = 0; in->sw && k < in->swn && (in->op == 0xaa || k == 0 || k < in->swn); k++) target[in->sw[k]] = 1;
    }
    for (int h = 0; h < cm->handler_count; h++) target[cm->handlers[h].handler_pc] = 1;
    int this_stored = 0;   /* bytecode that overwrites local 0 gets no _this forms */
    for (int i = 0; i < x->nins; i++) {
        int st, isref, slot = xl_ins_slot(x, &x->ins[i], &st, &isref);
        if (slot == 0 && st) this_stored = 1;
    }
    for (int s = 0; s < x->nslots; s++) if (x->slot_int[s]) x->p->uses_int = 1;
    if (!x->m->is_static && x->slot_map[0] == 0 && !this_stored) {
        for (int j = 1; j < x->nins; j++) {
            jins_t *fj = &x->ins[j];
            if ((fj->op != 0xb4 && fj->op != 0xb5) || !fj->in_stack || target[fj->pc]) continue;
            int obj = fj->pops[0];
            node_t *on = &x->nodes[obj];
            if (on->ins < 0 || x->ins[on->ins].op != 0x2a || on->uses != 1) continue;
            int i0 = on->ins, ok = 1;
            for (int k = i0 + 1; k < j && ok; k++) {
                jins_t *mid = &x->ins[k];
                if (!mid->in_stack || target[mid->pc] || (mid->op >= 0x59 && mid->op <= 0x5f) || xl_is_cond_branch(mid->op) ||
                    mid->op == 0xa7 || mid->op == 0xc8 || mid->op == 0xaa || mid->op == 0xab)
                    ok = 0;
                for (int q = 0; q < mid->npops && ok; q++) if (mid->pops[q] == obj) ok = 0;
            }
            if (!ok) continue;
            /* the _this forms take a 1-byte constant pool index */
            const char *cls, *nm, *ds;
            if (conv_cf_member_ref(&x->c->cf, cl_get16(x->code + fj->pc + 1), &cls, &nm, &ds)) continue;
            int idx = xl_cp_field(x, fj->pc, cls, nm, ds, 0);
            if (idx < 0) goto out;
            if (idx > 255) continue;
            x->ins[i0].elide = 1;
            fj->this_form = 1;
            on->elided = 1;
        }
    }
    for (int i = 0; i < x->nins; i++) {
        jins_t *in = &x->ins[i];
        in->label = x->nout;
        if (!in->in_stack) continue;   /* unreachable code is dropped */
        if (in->op == 0xab && xl_srep(x, in->pops[0]) == R_S) xl_trim_lookup(x, i);
        int32_t inc;
        int islot = xl_sinc_pattern(x, i, target, &inc);
        if (islot >= 0) {
            /* s = (short)(s + c): one sinc instead of load, constant, add, store */
            x->depth = 0;
            for (int k = 0; k < in->depth; k++) x->depth += xl_words(x, in->in_stack[k]);
            jc_t *j = xl_emit(x, xl_fits_b(inc) ? JC_sinc : JC_sinc_w, 0);
            if (!j) goto out;
            j->b[0] = (uint8_t)x->slot_map[islot];
            if (xl_fits_b(inc)) { j->b[1] = (uint8_t)inc; j->n = 2; }
            else { cl_put16(j->b + 1, (uint16_t)inc); j->n = 3; }
            for (int k = 1; k <= 4; k++) x->ins[i + k].label = x->nout;
            i += 4;
            continue;
        }
        if (xl_xlate_ins(x, i)) { if (!x->failed && !e->msg[0]) cl_seterr(e, "out of memory"); goto out; }
    }
    if (x->max_depth > 255) { xl_fail_at(x, 0, "operand stack deeper than 255 xl_words", NULL); goto out; }
    x->m->max_stack = x->max_depth;
    int total = xl_layout(x);
    if (total < 0 || xl_serialize(x, total)) goto out;
    /* exception handlers, in javac's order (inner blocks first) */
    x->m->handler_first = p->handler_count;
    for (int h = 0; h < cm->handler_count; h++) {
        const conv_cf_handler_t *hd = &cm->handlers[h];
        if (!x->ins[x->at[hd->handler_pc]].in_stack) continue;
        conv_handler_t nh = { 0 };
        nh.start = (uint16_t)xl_label_off(x, hd->start_pc);
        nh.end = (uint16_t)(hd->end_pc >= x->len ? total : xl_label_off(x, hd->end_pc));
        nh.handler = (uint16_t)xl_label_off(x, hd->handler_pc);
        if (nh.start >= nh.end) continue;    /* the range held only unreachable code */
        if (hd->catch_type) {
            int idx = xl_cp_classref(x, hd->handler_pc, conv_cf_class_name(&x->c->cf, hd->catch_type));
            if (idx < 0) goto out;
            nh.catch_cp = (uint16_t)idx;
        } else {
            nh.any = 1;
        }
        conv_handler_t *nhs = realloc(p->handlers, (size_t)(p->handler_count + 1) * sizeof *nhs);
        if (!nhs) { cl_seterr(e, "out of memory"); goto out; }
        p->handlers = nhs;
        p->handlers[p->handler_count++] = nh;
    }
    x->m->handler_count = p->handler_count - x->m->handler_first;
    if (p->handler_count > 255) { xl_fail_at(x, 0, "more than 255 exception handlers in the package", NULL); goto out; }
    rc = 0;
out:
    free(target);
    for (int i = 0; i < x->nins; i++) { free(x->ins[i].in_stack); free(x->ins[i].sw); }
    free(x->ins); free(x->at); free(x->nodes); free(x->phis); free(x->slot_int); free(x->slot_map); free(x->out);
    return rc;
}
