/* conv_xlate_emit: the emitting half of the translation (see conv_xlate.c): JCVM instructions for
 * each JVM instruction in the widths the analysis chose, constant pool references through the
 * package's classes and export files, the sinc peephole, and the branch layout (short forms
 * first, _w forms where an offset does not fit a byte, repeated until stable). */
#include "conv/conv_xlate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/jc_opcodes.h"

/* ---- emission ---- */

jc_t *xl_emit(X *x, int op, int delta)
{
    if (x->nout == x->capout) {
        int nc = x->capout ? x->capout * 2 : 64;
        jc_t *n = realloc(x->out, (size_t)nc * sizeof *n);
        if (!n) { cl_seterr(x->e, "out of memory"); x->failed = 1; return NULL; }
        x->out = n; x->capout = nc;
    }
    jc_t *j = &x->out[x->nout++];
    memset(j, 0, sizeof *j);
    j->op = (uint8_t)op; j->target = -1; j->sw = -1; j->label = -1;
    x->depth += delta;
    if (x->depth > x->max_depth) x->max_depth = x->depth;
    return j;
}
static int emit1(X *x, int op, int delta, int b)
{
    jc_t *j = xl_emit(x, op, delta);
    if (!j) return -1;
    j->b[0] = (uint8_t)b; j->n = 1;
    return 0;
}
static int emit_cp(X *x, int op, int delta, int idx, int wide)
{
    jc_t *j = xl_emit(x, op, delta);
    if (!j) return -1;
    if (wide) { cl_put16(j->b, (uint16_t)idx); j->n = 2; j->cpw = 2; }
    else { j->b[0] = (uint8_t)idx; j->n = 1; j->cpw = 1; }
    j->cpo = 1;
    return 0;
}

static int emit_conv(X *x, int from, int to)
{
    if (from == to) return 0;
    return xl_emit(x, from == R_S ? JC_s2i : JC_i2s, from == R_S ? 1 : -1) ? 0 : -1;
}

/* An int array index narrowed to the JCVM's short index: an int that does not fit in a short must
 * not wrap onto a valid element (Java: b[65537] throws, b[(short) 65537] is b[1]). Branch-free:
 * d = i - (int) (short) i is 0 exactly when i fits; (d | -d) >> 31 is then 0, else -1; or-ing it
 * into i gives i itself or -1, an index every array refuses. Stack: i -> (short) i or -1. */
static int emit_narrow_index(X *x)
{
    static const struct { int op, delta; } seq[] = {
        { JC_dup2, 2 }, { JC_dup2, 2 }, { JC_i2s, -1 }, { JC_s2i, 1 }, { JC_isub, -2 }, { JC_dup2, 2 },
        { JC_ineg, 0 }, { JC_ior, -2 },
    };
    for (size_t k = 0; k < sizeof seq / sizeof seq[0]; k++)
        if (!xl_emit(x, seq[k].op, seq[k].delta)) return -1;
    if (emit1(x, JC_bipush, 2, 31)) return -1;
    if (!xl_emit(x, JC_ishr, -2) || !xl_emit(x, JC_ior, -2) || !xl_emit(x, JC_i2s, -1)) return -1;
    return 0;
}

/* Conversion of an operand for one consumer: an int narrowed for a use where its full value
 * matters (an array index or size) is range-checked; elsewhere narrowing keeps the low 16 bits. */
static int emit_conv_use(X *x, int from, int to, int exact)
{
    if (from == R_I && to == R_S && exact) return emit_narrow_index(x);
    return emit_conv(x, from, to);
}

static int emit_const(X *x, int32_t v, int rep)
{
    if (rep == R_S) {
        if (v >= -1 && v <= 5) return xl_emit(x, JC_sconst_0 + v, 1) ? 0 : -1;
        if (v >= -128 && v <= 127) return emit1(x, JC_bspush, 1, (uint8_t)v);
        jc_t *j = xl_emit(x, JC_sspush, 1);
        if (!j) return -1;
        cl_put16(j->b, (uint16_t)v); j->n = 2;
        return 0;
    }
    if (v >= -1 && v <= 5) return xl_emit(x, JC_iconst_0 + v, 2) ? 0 : -1;
    if (v >= -128 && v <= 127) return emit1(x, JC_bipush, 2, (uint8_t)v);
    jc_t *j = xl_emit(x, xl_fits_s(v) ? JC_sipush : JC_iipush, 2);
    if (!j) return -1;
    if (xl_fits_s(v)) { cl_put16(j->b, (uint16_t)v); j->n = 2; }
    else { cl_put32(j->b, (uint32_t)v); j->n = 4; }
    return 0;
}

static int emit_local(X *x, int base_op, int short_base, int slot, int delta)
{
    int idx = x->slot_map[slot];
    if (idx > 255) return xl_fail_at(x, 0, "more than 255 local variable xl_words", NULL);
    if (idx <= 3) return xl_emit(x, short_base + idx, delta) ? 0 : -1;
    return emit1(x, base_op, delta, idx);
}

/* Moves *r to its superclass: 1 moved, 0 no superclass (java/lang/Object), -1 failed (the
 * superclass cannot be resolved: the conversion fails, naming it). */
static int xl_super(X *x, uint32_t pc, conv_cref_t *r)
{
    conv_cref_t s;
    cl_error_t e;
    int rc = conv_pkg_super(x->p, r, &s, &e);
    if (rc == -2) return xl_fail_at(x, pc, e.msg, NULL);
    if (rc < 0) return 0;
    *r = s;
    return 1;
}

/* ---- references ---- */

static int cref(X *x, uint32_t pc, const char *name, conv_cref_t *r)
{
    cl_error_t e;
    if (conv_pkg_class(x->p, name, r, &e)) return xl_fail_at(x, pc, e.msg, NULL);
    return 0;
}

static int cp_add(X *x, uint32_t pc, conv_cpe_t *ent)
{
    cl_error_t e;
    int i = conv_pkg_cp_add(x->p, ent, &e);
    if (i < 0) return xl_fail_at(x, pc, e.msg, NULL);
    return i;
}

int xl_cp_classref(X *x, uint32_t pc, const char *name)
{
    conv_cpe_t ent = { .tag = CAP_CP_CLASSREF, .field = -1, .method = -1 };
    if (cref(x, pc, name, &ent.cls)) return -1;
    return cp_add(x, pc, &ent);
}

/* Field: the declaring class is searched from owner upwards. */
int xl_cp_field(X *x, uint32_t pc, const char *owner, const char *name, const char *desc, int is_static)
{
    conv_cref_t r;
    if (cref(x, pc, owner, &r)) return -1;
    for (int depth = 0; depth < 64; depth++) {
        conv_cpe_t ent = { .tag = is_static ? CAP_CP_STATIC_FIELDREF : CAP_CP_INSTANCE_FIELDREF, .field = -1, .method = -1 };
        ent.cls = r;
        ent.type_desc = (char *)desc;
        if (r.internal) {
            conv_class_t *c = &x->p->classes[r.index];
            for (int i = 0; i < c->field_count; i++) {
                conv_field_t *f = &c->fields[i];
                if (f->is_static != is_static || strcmp(f->cf->name, name) || strcmp(f->cf->desc, desc)) continue;
                if (f->is_const) return xl_fail_at(x, pc, "reference to a compile-time constant field ", name);
                if (is_static) ent.field = i; else ent.token = f->token;
                return cp_add(x, pc, &ent);
            }
        } else {
            const conv_exp_member_t *f = conv_export_field(r.ext, name);
            if (f && !!(f->access & EXP_ACC_STATIC) == is_static) {
                if (f->has_const) return xl_fail_at(x, pc, "reference to a compile-time constant field ", name);
                ent.token = f->token;
                return cp_add(x, pc, &ent);
            }
        }
        int up = xl_super(x, pc, &r);
        if (up < 0) return -1;
        if (!up) break;
    }
    return xl_fail_at(x, pc, "field not found: ", name);
}

/* Virtual or interface method: token in the scope of the declaring class/interface.
 * *priv is set to the method index when it is a private method of one of our classes. */
static int find_virtual(X *x, uint32_t pc, conv_cref_t r, const char *name, const char *desc, conv_cref_t *decl,
                        int *token, int *priv, int depth)
{
    if (depth > 32) return xl_fail_at(x, pc, "class hierarchy too deep", NULL);
    *priv = -1;
    if (r.internal) {
        conv_class_t *c = &x->p->classes[r.index];
        for (int i = 0; i < c->method_count; i++) {
            conv_method_t *m = &c->methods[i];
            if (m->is_static || m->is_ctor || strcmp(m->cf->name, name) || strcmp(m->cf->desc, desc)) continue;
            *decl = r;
            if (m->is_private) { *priv = i; return 0; }
            *token = m->token;
            return 0;
        }
        if (c->is_interface) {
            for (int k = 0; k < c->cf.interface_count; k++) {
                conv_cref_t s;
                if (cref(x, pc, c->cf.interfaces[k], &s)) return -1;
                if (find_virtual(x, pc, s, name, desc, decl, token, priv, depth + 1) == 0) return 0;
                if (x->failed) return -1;
            }
        }
    } else {
        const conv_exp_member_t *m = conv_export_method(r.ext, name, desc);
        if (m && !(m->access & EXP_ACC_STATIC) && strcmp(name, "<init>")) { *decl = r; *token = m->token; return 0; }
        if (r.ext->access & EXP_ACC_INTERFACE) {
            for (int k = 0; k < r.ext->iface_count; k++) {
                conv_cref_t s;
                if (cref(x, pc, r.ext->ifaces[k], &s)) return -1;
                if (find_virtual(x, pc, s, name, desc, decl, token, priv, depth + 1) == 0) return 0;
                if (x->failed) return -1;
            }
        }
    }
    if (xl_super(x, pc, &r) <= 0) return -1;
    return find_virtual(x, pc, r, name, desc, decl, token, priv, depth + 1);
}

/* An abstract class may leave an interface method undeclared (Java's "miranda" methods): a call
 * through the class then names a method only its interfaces declare. Found there, it is called with
 * invokeinterface, which any implementing object accepts. */
static int find_in_interfaces(X *x, uint32_t pc, conv_cref_t r, const char *name, const char *desc, conv_cref_t *decl,
                              int *token, int depth)
{
    for (; depth < 32; depth++) {
        int n = r.internal ? x->p->classes[r.index].cf.interface_count : r.ext->iface_count;
        for (int k = 0; k < n; k++) {
            const char *in = r.internal ? x->p->classes[r.index].cf.interfaces[k] : r.ext->ifaces[k];
            conv_cref_t s;
            int priv;
            if (cref(x, pc, in, &s)) return -1;
            if (find_virtual(x, pc, s, name, desc, decl, token, &priv, 0) == 0 && priv < 0) return 0;
            if (x->failed) return -1;
        }
        conv_cref_t sup;
        cl_error_t e;
        if (conv_pkg_super(x->p, &r, &sup, &e) < 0) return -1;
        r = sup;
    }
    return -1;
}

/* Static method or constructor. */
static int cp_static_method(X *x, uint32_t pc, const char *owner, const char *name, const char *desc)
{
    conv_cref_t r;
    if (cref(x, pc, owner, &r)) return -1;
    int ctor = !strcmp(name, "<init>");
    for (int depth = 0; depth < 64; depth++) {
        conv_cpe_t ent = { .tag = CAP_CP_STATIC_METHODREF, .field = -1, .method = -1, .cls = r, .type_desc = (char *)desc };
        if (r.internal) {
            conv_class_t *c = &x->p->classes[r.index];
            for (int i = 0; i < c->method_count; i++) {
                conv_method_t *m = &c->methods[i];
                if (strcmp(m->cf->name, name) || strcmp(m->cf->desc, desc)) continue;
                if (!m->is_static && !m->is_ctor && !m->is_private) continue;
                ent.method = i;
                return cp_add(x, pc, &ent);
            }
        } else {
            const conv_exp_member_t *m = conv_export_method(r.ext, name, desc);
            if (m && (ctor || (m->access & EXP_ACC_STATIC))) {
                ent.token = m->token;
                return cp_add(x, pc, &ent);
            }
        }
        if (ctor) break;
        int up = xl_super(x, pc, &r);
        if (up < 0) return -1;
        if (!up) break;
    }
    char what[300];
    snprintf(what, sizeof what, "%s.%s%s", owner, name, desc);
    return xl_fail_at(x, pc, "method not found in the class or its export file: ", what);
}

static int field_op(int base, const char *desc)
{
    /* a, b, s, i order in every typed field family */
    switch (desc[0]) {
    case 'L': case '[': return base;
    case 'B': case 'Z': return base + 1;
    case 'S': return base + 2;
    default: return base + 3;
    }
}

/* ---- one JVM instruction ---- */

static int conv_operand(X *x, int i, int k)
{
    /* A conversion at the consumer (the operand's uses disagree on its width, so it could not be
     * converted right after its producer): on top of the stack directly; one below the top by
     * swapping it up, converting and swapping back. */
    jins_t *in = &x->ins[i];
    int w, ex;
    xl_req(x, i, k, &w, &ex);
    if (w < 0) return 0;
    int n = in->pops[k];
    int have = xl_srep(x, n);
    if (have == w) return 0;
    if (k == in->npops - 1) return emit_conv_use(x, have, w, ex);
    if (k == in->npops - 2) {
        int top = xl_words(x, in->pops[k + 1]), wa = have == R_I ? 2 : 1, wb = w == R_I ? 2 : 1;
        if (top < 1 || top > 2) return xl_fail_at(x, in->pc, "internal: operand conversion below the top of the stack", NULL);
        if (emit1(x, JC_swap_x, 0, (top << 4) | wa) || emit_conv_use(x, have, w, ex)) return -1;
        return emit1(x, JC_swap_x, 0, (wb << 4) | top);
    }
    return xl_fail_at(x, in->pc, "unsupported: a value used as both short and int deep in the stack", NULL);
}

static const int BR_S[6] = { JC_ifeq, JC_ifne, JC_iflt, JC_ifge, JC_ifgt, JC_ifle };
static const int BR_SCMP[6] = { JC_if_scmpeq, JC_if_scmpne, JC_if_scmplt, JC_if_scmpge, JC_if_scmpgt, JC_if_scmple };

static int emit_branch(X *x, int op, int delta, int target)
{
    jc_t *j = xl_emit(x, op, delta);
    if (!j) return -1;
    j->target = target;
    return 0;
}

int xl_xlate_ins(X *x, int i)
{
    jins_t *in = &x->ins[i];
    const uint8_t *c = x->code + in->pc;
    uint8_t op = in->op;
    uint32_t pc = in->pc;
    /* entry depth in xl_words */
    x->depth = 0;
    for (int k = 0; k < in->depth; k++) x->depth += xl_words(x, in->in_stack[k]);
    if (in->elide) return 0;
    for (int k = 0; k < in->npops; k++)
        if (conv_operand(x, i, k)) return -1;
    int outn = in->out;
    int orep = outn >= 0 ? x->nodes[outn].rep : R_S;
    int popw = 0;
    for (int k = 0; k < in->npops; k++) {
        int w, ex;
        xl_req(x, i, k, &w, &ex);
        popw += w >= 0 ? (w == R_I ? 2 : 1) : xl_words(x, in->pops[k]);
    }
    int pushw = outn >= 0 ? (x->nodes[outn].kind == K_REF ? 1 : orep == R_I ? 2 : 1) : 0;
    int delta = pushw - popw;
    int st, isref;
    int slot = xl_ins_slot(x, in, &st, &isref);
    switch (op) {
    case 0x00: break;
    case 0x01: if (!xl_emit(x, JC_aconst_null, 1)) return -1; break;
    case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: case 0x10: case 0x11: case 0x12: case 0x13:
        if (emit_const(x, x->nodes[outn].cval, xl_srep(x, outn))) return -1;
        return 0; /* emitted in its final form: no conversion after */
    case 0x15: case 0x1a: case 0x1b: case 0x1c: case 0x1d:
        if (x->slot_int[slot]) { if (emit_local(x, JC_iload, JC_iload_0, slot, 2)) return -1; }
        else if (emit_local(x, JC_sload, JC_sload_0, slot, 1)) return -1;
        break;
    case 0x19: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
        if (emit_local(x, JC_aload, JC_aload_0, slot, 1)) return -1;
        break;
    case 0x2e: if (!xl_emit(x, JC_iaload, delta)) return -1; break;
    case 0x32: if (!xl_emit(x, JC_aaload, delta)) return -1; break;
    case 0x33: if (!xl_emit(x, JC_baload, delta)) return -1; break;
    case 0x35: if (!xl_emit(x, JC_saload, delta)) return -1; break;
    case 0x36: case 0x3b: case 0x3c: case 0x3d: case 0x3e:
        if (x->slot_int[slot]) { if (emit_local(x, JC_istore, JC_istore_0, slot, -2)) return -1; }
        else if (emit_local(x, JC_sstore, JC_sstore_0, slot, -1)) return -1;
        break;
    case 0x3a: case 0x4b: case 0x4c: case 0x4d: case 0x4e:
        if (emit_local(x, JC_astore, JC_astore_0, slot, -1)) return -1;
        break;
    case 0x4f: if (!xl_emit(x, JC_iastore, delta)) return -1; break;
    case 0x53: if (!xl_emit(x, JC_aastore, delta)) return -1; break;
    case 0x54: if (!xl_emit(x, JC_bastore, delta)) return -1; break;
    case 0x56: if (!xl_emit(x, JC_sastore, delta)) return -1; break;
    case 0x57: if (!xl_emit(x, popw == 2 ? JC_pop2 : JC_pop, -popw)) return -1; break;
    case 0x58:
        if (popw == 2) { if (!xl_emit(x, JC_pop2, -2)) return -1; }
        else if (popw == 3) { if (!xl_emit(x, JC_pop2, -2) || !xl_emit(x, JC_pop, -1)) return -1; }
        else if (!xl_emit(x, JC_pop2, -2) || !xl_emit(x, JC_pop2, -2)) return -1;
        break;
    case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
        int d = in->depth;
        int *s = in->in_stack;
        int w1 = d >= 1 ? xl_words(x, s[d - 1]) : 0, w2 = d >= 2 ? xl_words(x, s[d - 2]) : 0;
        int w3 = d >= 3 ? xl_words(x, s[d - 3]) : 0, w4 = d >= 4 ? xl_words(x, s[d - 4]) : 0;
        int m = 0, n = 0;
        switch (op) {
        case 0x59: m = w1; n = 0; break;
        case 0x5a: m = w1; n = w1 + w2; break;
        case 0x5b: m = w1; n = w1 + w2 + w3; break;
        case 0x5c: m = w1 + w2; n = 0; break;
        case 0x5d: m = w1 + w2; n = m + w3; break;
        case 0x5e: m = w1 + w2; n = m + w3 + w4; break;
        case 0x5f: if (emit1(x, JC_swap_x, 0, (w1 << 4) | w2)) return -1; return 0;
        }
        if (m < 1 || m > 4 || (n && (n < m || n > m + 4))) return xl_fail_at(x, pc, "unsupported stack duplication", NULL);
        if (n == 0 && m == 1) { if (!xl_emit(x, JC_dup, 1)) return -1; }
        else if (n == 0 && m == 2) { if (!xl_emit(x, JC_dup2, 2)) return -1; }
        else if (emit1(x, JC_dup_x, m, (m << 4) | n)) return -1;
        return 0;
    }
    case 0x60: case 0x64: case 0x68: case 0x6c: case 0x70: case 0x74: case 0x78: case 0x7a: case 0x7c: case 0x7e:
    case 0x80: case 0x82: {
        int sop, iop;
        switch (op) {
        case 0x60: sop = JC_sadd; iop = JC_iadd; break;
        case 0x64: sop = JC_ssub; iop = JC_isub; break;
        case 0x68: sop = JC_smul; iop = JC_imul; break;
        case 0x6c: sop = JC_sdiv; iop = JC_idiv; break;
        case 0x70: sop = JC_srem; iop = JC_irem; break;
        case 0x74: sop = JC_sneg; iop = JC_ineg; break;
        case 0x78: sop = JC_sshl; iop = JC_ishl; break;
        case 0x7a: sop = JC_sshr; iop = JC_ishr; break;
        case 0x7c: sop = JC_sushr; iop = JC_iushr; break;
        case 0x7e: sop = JC_sand; iop = JC_iand; break;
        case 0x80: sop = JC_sor; iop = JC_ior; break;
        default: sop = JC_sxor; iop = JC_ixor; break;
        }
        if (!xl_emit(x, orep == R_I ? iop : sop, delta)) return -1;
        break;
    }
    case 0x84: case 0xc4: {
        if (op == 0xc4 && c[1] != 0x84) {
            uint8_t wop = c[1];
            if (wop == 0x15) { if (x->slot_int[slot] ? emit_local(x, JC_iload, JC_iload_0, slot, 2) : emit_local(x, JC_sload, JC_sload_0, slot, 1)) return -1; }
            else if (wop == 0x19) { if (emit_local(x, JC_aload, JC_aload_0, slot, 1)) return -1; }
            else if (wop == 0x36) { if (x->slot_int[slot] ? emit_local(x, JC_istore, JC_istore_0, slot, -2) : emit_local(x, JC_sstore, JC_sstore_0, slot, -1)) return -1; }
            else if (emit_local(x, JC_astore, JC_astore_0, slot, -1)) return -1;
            break;
        }
        int32_t v = op == 0x84 ? (int8_t)c[2] : (int16_t)cl_get16(c + 4);
        int idx = x->slot_map[slot];
        if (idx > 255) return xl_fail_at(x, pc, "more than 255 local variable xl_words", NULL);
        int isint = x->slot_int[slot];
        jc_t *j;
        if (v >= -128 && v <= 127) {
            if (!(j = xl_emit(x, isint ? JC_iinc : JC_sinc, 0))) return -1;
            j->b[0] = (uint8_t)idx; j->b[1] = (uint8_t)v; j->n = 2;
        } else {
            if (!(j = xl_emit(x, isint ? JC_iinc_w : JC_sinc_w, 0))) return -1;
            j->b[0] = (uint8_t)idx; cl_put16(j->b + 1, (uint16_t)v); j->n = 3;
        }
        break;
    }
    case 0x91: {
        int from = xl_srep(x, in->pops[0]);
        if (!xl_emit(x, from == R_I ? JC_i2b : JC_s2b, from == R_I ? -1 : 0)) return -1;
        break;
    }
    case 0x93:
        if (xl_srep(x, in->pops[0]) == R_I && !xl_emit(x, JC_i2s, -1)) return -1;
        break;
    case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e:
        if (xl_srep(x, in->pops[0]) == R_I) {
            if (!xl_emit(x, JC_iconst_0, 2) || !xl_emit(x, JC_icmp, -3)) return -1;
            if (emit_branch(x, BR_S[op - 0x99], -1, in->target)) return -1;
        } else if (emit_branch(x, BR_S[op - 0x99], -1, in->target)) return -1;
        break;
    case 0x9f: case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {
        int w, ex;
        xl_req(x, i, 0, &w, &ex);
        if (w == R_I) {
            if (!xl_emit(x, JC_icmp, -3)) return -1;
            if (emit_branch(x, BR_S[op - 0x9f], -1, in->target)) return -1;
        } else if (emit_branch(x, BR_SCMP[op - 0x9f], -2, in->target)) return -1;
        break;
    }
    case 0xa5: if (emit_branch(x, JC_if_acmpeq, -2, in->target)) return -1; break;
    case 0xa6: if (emit_branch(x, JC_if_acmpne, -2, in->target)) return -1; break;
    case 0xc6: if (emit_branch(x, JC_ifnull, -1, in->target)) return -1; break;
    case 0xc7: if (emit_branch(x, JC_ifnonnull, -1, in->target)) return -1; break;
    case 0xa7: case 0xc8: if (emit_branch(x, JC_goto, 0, in->target)) return -1; break;
    case 0xaa: case 0xab: {
        int isint = xl_srep(x, in->pops[0]) == R_I;
        if (op == 0xaa && !isint && (!xl_fits_s(in->swlow) || !xl_fits_s(in->swhigh)))
            return xl_fail_at(x, pc, "switch case out of short range", NULL);
        int sop = op == 0xaa ? (isint ? JC_itableswitch : JC_stableswitch) : (isint ? JC_ilookupswitch : JC_slookupswitch);
        jc_t *j = xl_emit(x, sop, isint ? -2 : -1);
        if (!j) return -1;
        j->sw = i;
        break;
    }
    case 0xac: if (!xl_emit(x, xl_ret_vt(x) == VT_INT ? JC_ireturn : JC_sreturn, delta)) return -1; break;
    case 0xb0: if (!xl_emit(x, JC_areturn, -1)) return -1; break;
    case 0xb1: if (!xl_emit(x, JC_return, 0)) return -1; break;
    case 0xb2: case 0xb3: case 0xb4: case 0xb5: {
        const char *cls, *nm, *ds;
        conv_cf_member_ref(&x->c->cf, cl_get16(c + 1), &cls, &nm, &ds);
        int isstatic = op == 0xb2 || op == 0xb3;
        int idx = xl_cp_field(x, pc, cls, nm, ds, isstatic);
        if (idx < 0) return -1;
        if (isstatic) { if (emit_cp(x, field_op(op == 0xb2 ? JC_getstatic_a : JC_putstatic_a, ds), delta, idx, 1)) return -1; }
        else if (op == 0xb4) {
            if (in->this_form) { if (emit_cp(x, field_op(JC_getfield_a_this, ds), delta, idx, 0)) return -1; }
            else if (idx < 256) { if (emit_cp(x, field_op(JC_getfield_a, ds), delta, idx, 0)) return -1; }
            else if (emit_cp(x, field_op(JC_getfield_a_w, ds), delta, idx, 1)) return -1;
        } else {
            if (in->this_form) { if (emit_cp(x, field_op(JC_putfield_a_this, ds), delta, idx, 0)) return -1; }
            else if (idx < 256) { if (emit_cp(x, field_op(JC_putfield_a, ds), delta, idx, 0)) return -1; }
            else if (emit_cp(x, field_op(JC_putfield_a_w, ds), delta, idx, 1)) return -1;
        }
        break;
    }
    case 0xb6: case 0xb7: case 0xb8: case 0xb9: {
        const char *cls, *nm, *ds;
        conv_cf_member_ref(&x->c->cf, cl_get16(c + 1), &cls, &nm, &ds);
        if (op == 0xb8 || (op == 0xb7 && !strcmp(nm, "<init>"))) {
            int idx = cp_static_method(x, pc, cls, nm, ds);
            if (idx < 0 || emit_cp(x, op == 0xb8 ? JC_invokestatic : JC_invokespecial, delta, idx, 1)) return -1;
            break;
        }
        conv_cref_t owner, decl;
        int token = 0, priv = -1;
        if (cref(x, pc, cls, &owner)) return -1;
        if (find_virtual(x, pc, owner, nm, ds, &decl, &token, &priv, 0) &&
            (x->failed || find_in_interfaces(x, pc, owner, nm, ds, &decl, &token, 0))) {
            if (x->failed) return -1;
            char what[300];
            snprintf(what, sizeof what, "%s.%s%s", cls, nm, ds);
            return xl_fail_at(x, pc, "method not found in the class or its export file: ", what);
        }
        conv_cpe_t ent = { .field = -1, .method = -1, .type_desc = (char *)ds };
        int eop;
        if (priv >= 0) {
            ent.tag = CAP_CP_STATIC_METHODREF; ent.cls = decl; ent.method = priv; eop = JC_invokespecial;
        } else if (op == 0xb7) {
            /* super.m(): the reference names the class making the call */
            ent.tag = CAP_CP_SUPER_METHODREF; ent.cls.internal = 1; ent.cls.index = (int)(x->c - x->p->classes);
            ent.token = token; eop = JC_invokespecial;
        } else if (op == 0xb9 || conv_pkg_is_interface(x->p, &decl)) {
            ent.tag = CAP_CP_CLASSREF; ent.cls = decl;
            int idx = cp_add(x, pc, &ent);
            if (idx < 0) return -1;
            int nargs = 0;
            for (int k = 0; k < in->npops; k++) {
                int w, ex;
                xl_req(x, i, k, &w, &ex);
                nargs += w >= 0 ? (w == R_I ? 2 : 1) : xl_words(x, in->pops[k]);
            }
            jc_t *j = xl_emit(x, JC_invokeinterface, delta);
            if (!j) return -1;
            j->b[0] = (uint8_t)nargs; cl_put16(j->b + 1, (uint16_t)idx); j->b[3] = (uint8_t)token; j->n = 4;
            j->cpw = 2; j->cpo = 2;
            break;
        } else {
            ent.tag = CAP_CP_VIRTUAL_METHODREF; ent.cls = owner; ent.token = token; eop = JC_invokevirtual;
        }
        int idx = cp_add(x, pc, &ent);
        if (idx < 0 || emit_cp(x, eop, delta, idx, 1)) return -1;
        break;
    }
    case 0xbb: {
        const char *cn = conv_cf_class_name(&x->c->cf, cl_get16(c + 1));
        int idx = cn ? xl_cp_classref(x, pc, cn) : -1;
        if (idx < 0 || emit_cp(x, JC_new, 1, idx, 1)) return idx < 0 && !x->failed ? xl_fail_at(x, pc, "bad class", NULL) : -1;
        break;
    }
    case 0xbc: {
        int t = c[1];
        int at = t == 4 ? JC_ATYPE_BOOLEAN : t == 8 ? JC_ATYPE_BYTE : t == 9 ? JC_ATYPE_SHORT : t == 10 ? JC_ATYPE_INT : -1;
        if (at < 0) return xl_fail_at(x, pc, "unsupported array type (char, long, float or double)", NULL);
        if (at == JC_ATYPE_INT && !x->p->conf.int_support) return xl_fail_at(x, pc, "int arrays need `int yes`", NULL);
        if (at == JC_ATYPE_INT) x->p->uses_int = 1;
        if (emit1(x, JC_newarray, 0, at)) return -1;
        break;
    }
    case 0xbd: {
        const char *cn = conv_cf_class_name(&x->c->cf, cl_get16(c + 1));
        if (!cn) return xl_fail_at(x, pc, "bad class", NULL);
        if (cn[0] == '[') return xl_fail_at(x, pc, "multi-dimensional arrays are not supported", NULL);
        int idx = xl_cp_classref(x, pc, cn);
        if (idx < 0 || emit_cp(x, JC_anewarray, 0, idx, 1)) return -1;
        break;
    }
    case 0xbe: if (!xl_emit(x, JC_arraylength, 0)) return -1; break;
    case 0xbf: if (!xl_emit(x, JC_athrow, -1)) return -1; break;
    case 0xc0: case 0xc1: {
        const char *cn = conv_cf_class_name(&x->c->cf, cl_get16(c + 1));
        if (!cn) return xl_fail_at(x, pc, "bad class", NULL);
        int at = 0, idx = 0;
        if (cn[0] == '[') {
            switch (cn[1]) {
            case 'Z': at = JC_ATYPE_BOOLEAN; break;
            case 'B': at = JC_ATYPE_BYTE; break;
            case 'S': at = JC_ATYPE_SHORT; break;
            case 'I': at = JC_ATYPE_INT; break;
            case 'L': {
                at = JC_ATYPE_REFERENCE;
                char name[512];
                size_t l = strlen(cn);
                if (l < 4 || l - 3 >= sizeof name || cn[l - 1] != ';') return xl_fail_at(x, pc, "bad array type", NULL);
                memcpy(name, cn + 2, l - 3);
                name[l - 3] = 0;
                if ((idx = xl_cp_classref(x, pc, name)) < 0) return -1;
                break;
            }
            case '[': return xl_fail_at(x, pc, "multi-dimensional arrays are not supported", NULL);
            default: return xl_fail_at(x, pc, "unsupported array type", NULL);
            }
        } else if ((idx = xl_cp_classref(x, pc, cn)) < 0) return -1;
        jc_t *j = xl_emit(x, op == 0xc0 ? JC_checkcast : JC_instanceof, 0);
        if (!j) return -1;
        j->b[0] = (uint8_t)at; cl_put16(j->b + 1, (uint16_t)idx); j->n = 3;
        if (at == JC_ATYPE_CLASS || at == JC_ATYPE_REFERENCE) { j->cpw = 2; j->cpo = 2; }
        break;
    }
    default:
        return xl_fail_at(x, pc, "unsupported instruction", NULL);
    }
    /* conversion right after the producer when every consumer wants the other width */
    if (outn >= 0 && x->nodes[outn].kind != K_REF && xl_srep(x, outn) != orep) return emit_conv(x, orep, xl_srep(x, outn));
    return 0;
}

/* ---- xl_layout ---- */

static int sw_len(X *x, const jc_t *j)
{
    jins_t *in = &x->ins[j->sw];
    int np = in->swn - 1;
    switch (j->op) {
    case JC_stableswitch: return 1 + 6 + 2 * np;
    case JC_itableswitch: return 1 + 10 + 2 * np;
    case JC_slookupswitch: return 1 + 4 + 4 * np;
    default: return 1 + 4 + 6 * np;
    }
}

int xl_label_off(X *x, int jpc)
{
    int i = x->at[jpc];
    int k = x->ins[i].label;
    return k < x->nout ? x->out[k].off : (x->nout ? x->out[x->nout - 1].off + x->out[x->nout - 1].len : 0);
}

int xl_layout(X *x)
{
    for (int k = 0; k < x->nout; k++) x->out[k].is_long = 0;
    for (int round = 0; round < 64; round++) {
        int off = 0;
        for (int k = 0; k < x->nout; k++) {
            jc_t *j = &x->out[k];
            j->off = off;
            if (j->sw >= 0) j->len = sw_len(x, j);
            else if (j->target >= 0) j->len = j->is_long ? 3 : 2;
            else j->len = 1 + j->n;
            off += j->len;
        }
        if (off > 32767) return xl_fail_at(x, 0, "method too large (bytecode over 32 KiB)", NULL);
        int changed = 0;
        for (int k = 0; k < x->nout; k++) {
            jc_t *j = &x->out[k];
            if (j->target < 0 || j->is_long) continue;
            int d = xl_label_off(x, j->target) - j->off;
            if (d < -128 || d > 127) { j->is_long = 1; changed = 1; }
        }
        if (!changed) return off;
    }
    return xl_fail_at(x, 0, "branch xl_layout does not converge", NULL);
}

int xl_serialize(X *x, int total)
{
    conv_method_t *m = x->m;
    m->code = malloc((size_t)total + 1);
    m->ref1 = malloc(sizeof(int) * (size_t)(x->nout + 1));
    m->ref2 = malloc(sizeof(int) * (size_t)(x->nout + 1));
    if (!m->code || !m->ref1 || !m->ref2) { cl_seterr(x->e, "out of memory"); return -1; }
    uint8_t *o = m->code;
    for (int k = 0; k < x->nout; k++) {
        jc_t *j = &x->out[k];
        uint8_t *p = o + j->off;
        if (j->sw >= 0) {
            jins_t *in = &x->ins[j->sw];
            int np = in->swn - 1;
            p[0] = j->op;
            int q = 1;
            cl_put16(p + q, (uint16_t)(xl_label_off(x, in->sw[0]) - j->off)); q += 2;
            if (j->op == JC_stableswitch || j->op == JC_itableswitch) {
                if (j->op == JC_stableswitch) { cl_put16(p + q, (uint16_t)in->swlow); cl_put16(p + q + 2, (uint16_t)in->swhigh); q += 4; }
                else { cl_put32(p + q, (uint32_t)in->swlow); cl_put32(p + q + 4, (uint32_t)in->swhigh); q += 8; }
                for (int t = 0; t < np; t++) { cl_put16(p + q, (uint16_t)(xl_label_off(x, in->sw[1 + t]) - j->off)); q += 2; }
            } else {
                cl_put16(p + q, (uint16_t)np); q += 2;
                for (int t = 0; t < np; t++) {
                    int32_t match = in->sw[in->swn + t];
                    if (j->op == JC_slookupswitch) { cl_put16(p + q, (uint16_t)match); q += 2; }
                    else { cl_put32(p + q, (uint32_t)match); q += 4; }
                    cl_put16(p + q, (uint16_t)(xl_label_off(x, in->sw[1 + t]) - j->off)); q += 2;
                }
            }
            if (q != j->len) return xl_fail_at(x, 0, "internal: switch length", NULL);
            continue;
        }
        if (j->target >= 0) {
            int d = xl_label_off(x, j->target) - j->off;
            if (j->is_long) { p[0] = (uint8_t)(j->op + 0x38); cl_put16(p + 1, (uint16_t)d); }
            else { p[0] = j->op; p[1] = (uint8_t)(int8_t)d; }
            continue;
        }
        p[0] = j->op;
        memcpy(p + 1, j->b, (size_t)j->n);
        if (j->cpw == 1) m->ref1[m->nref1++] = j->off + j->cpo;
        if (j->cpw == 2) m->ref2[m->nref2++] = j->off + j->cpo;
    }
    m->code_len = total;
    return 0;
}

/* Drops switch cases whose match cannot be a short when the key is a short (they never match). */
void xl_trim_lookup(X *x, int i)
{
    jins_t *in = &x->ins[i];
    int np = in->swn - 1, w = 0;
    int32_t *matches = in->sw + in->swn;
    for (int k = 0; k < np; k++) {
        if (!xl_fits_s(matches[k])) continue;
        in->sw[1 + w] = in->sw[1 + k];
        matches[w] = matches[k];
        w++;
    }
    /* matches live after the targets: move them to stay right after the new count */
    memmove(in->sw + 1 + w, matches, sizeof(int32_t) * (size_t)w);
    in->swn = w + 1;
}

int xl_fits_b(int32_t v) { return v >= -128 && v <= 127; }

/* JVM `iload s; const c; iadd|isub; i2s; istore s` on a short local, nothing jumping in between and
 * every value used once: the official converter's sinc (sinc_w for constants beyond a byte).
 * Returns the slot and sets *inc, or -1. */
int xl_sinc_pattern(X *x, int i, const char *target, int32_t *inc)
{
    if (i + 4 >= x->nins) return -1;
    jins_t *ld = &x->ins[i], *k = &x->ins[i + 1], *op = &x->ins[i + 2], *cast = &x->ins[i + 3], *st = &x->ins[i + 4];
    int store, isref;
    int slot = xl_ins_slot(x, ld, &store, &isref);
    if (slot < 0 || store || isref || x->slot_int[slot] || ld->op == 0x84 || x->slot_map[slot] > 255) return -1;
    if (k->out < 0 || x->nodes[k->out].kind != K_CONST || (op->op != 0x60 && op->op != 0x64) || cast->op != 0x93) return -1;
    if (xl_ins_slot(x, st, &store, &isref) != slot || store != 1 || isref) return -1;
    for (int q = 1; q <= 4; q++)
        if (!x->ins[i + q].in_stack || target[x->ins[i + q].pc]) return -1;
    if (ld->out < 0 || op->npops != 2 || op->pops[0] != ld->out || op->pops[1] != k->out || cast->pops[0] != op->out ||
        st->pops[0] != cast->out)
        return -1;
    if (x->nodes[ld->out].uses != 1 || x->nodes[k->out].uses != 1 || x->nodes[op->out].uses != 1 || x->nodes[cast->out].uses != 1)
        return -1;
    int64_t c = x->nodes[k->out].cval;
    if (op->op == 0x64) c = -c;
    /* the sum is narrowed to short, so only the increment's low 16 bits count: javac's
     * `v -= (short) 0x8000` is `ldc 32768; iadd`, which is sinc_w v -32768 */
    c &= 0xFFFF;
    if (c > 32767) c -= 65536;
    *inc = (int32_t)c;
    return slot;
}

