/* vm_verify: per-instruction checks of every method at load time (see vm_verify.h). */
#include "vm/vm_verify.h"
#include "cap/jc_opcodes.h"

#include <stdlib.h>
#include <string.h>

/* Does op use the int type (needs ACC_INT in the package header)? */
static bool is_int_op(int op)
{
    const char *n = jc_opcode_name(op);
    if (!n) return false;
    if (!strcmp(n, "s2i")) return true;
    size_t l = strlen(n);
    if (l >= 2 && !strcmp(n + l - 2, "_i")) return true;  /* getstatic_i, putfield_i ... */
    if (strstr(n, "_i_")) return true;                     /* getfield_i_this, getfield_i_w */
    return n[0] == 'i' && strncmp(n, "if", 2) && strncmp(n, "invoke", 6) && strcmp(n, "instanceof");
}

/* Local variable slot (and words) an instruction touches; false if it touches none. */
static bool local_use(const cap_insn_t *in, unsigned *idx, unsigned *words)
{
    int op = in->op;
    switch (op) {
    case JC_aload: case JC_sload: case JC_astore: case JC_sstore: case JC_sinc: case JC_sinc_w: case JC_ret:
        *idx = in->bytes[1]; *words = 1; return true;
    case JC_iload: case JC_istore: case JC_iinc: case JC_iinc_w:
        *idx = in->bytes[1]; *words = 2; return true;
    default: break;
    }
    if (op >= JC_aload_0 && op <= JC_sload_3) { *idx = (unsigned)(op - JC_aload_0) % 4; *words = 1; return true; }
    if (op >= JC_iload_0 && op <= JC_iload_3) { *idx = (unsigned)(op - JC_iload_0); *words = 2; return true; }
    if (op >= JC_astore_0 && op <= JC_sstore_3) { *idx = (unsigned)(op - JC_astore_0) % 4; *words = 1; return true; }
    if (op >= JC_istore_0 && op <= JC_istore_3) { *idx = (unsigned)(op - JC_istore_0); *words = 2; return true; }
    if (op >= JC_getfield_a_this && op <= JC_getfield_i_this) { *idx = 0; *words = 1; return true; }
    if (op >= JC_putfield_a_this && op <= JC_putfield_i_this) { *idx = 0; *words = 1; return true; }
    return false;
}

/* Words of the parameters and of the return type of a method type descriptor (Descriptor
 * component: nibble count, then nibbles; class references take 4 more nibbles). */
static bool method_words(const cap_file_t *cap, uint16_t cpi, int *args, int *ret)
{
    if (!cap->has_descriptor || cpi >= cap->desc.cp_count) return false;
    uint16_t t = cl_get16(cap->desc.cp_types + 2 * cpi);
    if (t >= cap->desc.types_len) return false;
    const uint8_t *p = cap->desc.types + t;
    unsigned n = p[0];
    if ((size_t)t + 1 + (n + 1) / 2 > cap->desc.types_len) return false;
    int words = 0, last = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned nib = (p[1 + i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        int w = nib == CAP_TN_VOID ? 0 : nib == CAP_TN_INT ? 2 : 1;
        words += w;
        last = w;
        if (nib == CAP_TN_REFERENCE || nib == CAP_TN_ARRAY_REFERENCE) i += 4;
    }
    *args = words - last;
    *ret = last;
    return true;
}

/* Operand stack effect of one instruction: words it needs (pops) and words it leaves (pushes).
 * false if it cannot be known here (then the method is left to the run-time checks). */
static bool stack_effect(const cap_file_t *cap, const cap_insn_t *in, int *pop, int *push)
{
    int op = in->op;
    const char *n = jc_opcode_name(op);
    *pop = 0; *push = 0;
    if (!n) return false;
    switch (op) {
    case JC_nop: case JC_goto: case JC_goto_w: case JC_sinc: case JC_sinc_w: case JC_iinc: case JC_iinc_w:
    case JC_ret: case JC_return:
        return true;
    case JC_aconst_null: case JC_bspush: case JC_sspush: case JC_jsr: *push = 1; return true;
    case JC_bipush: case JC_sipush: case JC_iipush: *push = 2; return true;
    case JC_aaload: case JC_baload: case JC_saload: *pop = 2; *push = 1; return true;
    case JC_iaload: *pop = 2; *push = 2; return true;
    case JC_aastore: case JC_bastore: case JC_sastore: *pop = 3; return true;
    case JC_iastore: *pop = 4; return true;
    case JC_pop: *pop = 1; return true;
    case JC_pop2: *pop = 2; return true;
    case JC_dup: *pop = 1; *push = 2; return true;
    case JC_dup2: *pop = 2; *push = 4; return true;
    case JC_dup_x: {
        int m = in->bytes[1] >> 4, k = in->bytes[1] & 0xF;
        int need = k > m ? k : m;
        *pop = need; *push = need + m;
        return true;
    }
    case JC_swap_x: *pop = *push = (in->bytes[1] >> 4) + (in->bytes[1] & 0xF); return true;
    case JC_sneg: case JC_s2b: *pop = 1; *push = 1; return true;
    case JC_ineg: *pop = 2; *push = 2; return true;
    case JC_s2i: *pop = 1; *push = 2; return true;
    case JC_i2b: case JC_i2s: *pop = 2; *push = 1; return true;
    case JC_icmp: *pop = 4; *push = 1; return true;
    case JC_stableswitch: case JC_slookupswitch: *pop = 1; return true;
    case JC_itableswitch: case JC_ilookupswitch: *pop = 2; return true;
    case JC_areturn: case JC_sreturn: case JC_athrow: *pop = 1; return true;
    case JC_ireturn: *pop = 2; return true;
    case JC_getstatic_a: case JC_getstatic_b: case JC_getstatic_s: *push = 1; return true;
    case JC_getstatic_i: *push = 2; return true;
    case JC_putstatic_a: case JC_putstatic_b: case JC_putstatic_s: *pop = 1; return true;
    case JC_putstatic_i: *pop = 2; return true;
    case JC_new: *push = 1; return true;
    case JC_newarray: case JC_anewarray: case JC_arraylength: case JC_checkcast: case JC_instanceof:
        *pop = 1; *push = 1; return true;
    case JC_invokevirtual: case JC_invokespecial: case JC_invokestatic: case JC_invokeinterface: {
        int a, r;
        if (!method_words(cap, cl_get16(in->bytes + jc_opcode_cp_index_offset(op)), &a, &r)) return false;
        *pop = a + (op == JC_invokestatic ? 0 : 1);
        if (op == JC_invokeinterface && in->bytes[1] != *pop) return false;
        *push = r;
        return true;
    }
    default: break;
    }
    size_t l = strlen(n);
    if (op >= JC_sconst_m1 && op <= JC_sconst_5) { *push = 1; return true; }
    if (op >= JC_iconst_m1 && op <= JC_iconst_5) { *push = 2; return true; }
    if ((op >= JC_aload && op <= JC_sload) || (op >= JC_aload_0 && op <= JC_sload_3)) { *push = 1; return true; }
    if (op == JC_iload || (op >= JC_iload_0 && op <= JC_iload_3)) { *push = 2; return true; }
    if ((op >= JC_astore && op <= JC_sstore) || (op >= JC_astore_0 && op <= JC_sstore_3)) { *pop = 1; return true; }
    if (op == JC_istore || (op >= JC_istore_0 && op <= JC_istore_3)) { *pop = 2; return true; }
    if (op >= JC_sadd && op <= JC_ixor && op != JC_sneg && op != JC_ineg) {
        bool i = n[0] == 'i';
        *pop = i ? 4 : 2; *push = i ? 2 : 1;
        return true;
    }
    if (op >= JC_ifeq && op <= JC_ifnonnull) { *pop = 1; return true; }
    if (op >= JC_if_acmpeq && op <= JC_if_scmple) { *pop = 2; return true; }
    if (op >= JC_ifeq_w && op <= JC_ifnonnull_w) { *pop = 1; return true; }
    if (op >= JC_if_acmpeq_w && op <= JC_if_scmple_w) { *pop = 2; return true; }
    if (!strncmp(n, "getfield", 8)) {
        bool this_form = strstr(n, "_this") != NULL, isint = n[9] == 'i';
        *pop = this_form ? 0 : 1; *push = isint ? 2 : 1;
        return true;
    }
    if (!strncmp(n, "putfield", 8)) {
        bool this_form = strstr(n, "_this") != NULL, isint = n[9] == 'i';
        *pop = (this_form ? 0 : 1) + (isint ? 2 : 1);
        return true;
    }
    (void)l;
    return false;
}

/* Operand stack depth on every path of method m: never below what an instruction needs, never
 * above max_stack, the same at every join. Methods with a call the Descriptor does not type are
 * left to the run-time checks (which apply anyway). */
static int verify_stack(const cap_file_t *cap, uint16_t mi, cl_error_t *e)
{
    const cap_method_t *m = &cap->methods[mi];
    if (!m->code_len) return 0;
    int16_t *depth = malloc(sizeof *depth * m->code_len);
    uint16_t *work = malloc(sizeof *work * (m->code_len + 1u + cap->handler_count));
    if (!depth || !work) { free(depth); free(work); cl_seterr(e, "out of memory"); return -1; }
    for (unsigned i = 0; i < m->code_len; i++) depth[i] = -1;
    unsigned nw = 0;
    depth[0] = 0;
    work[nw++] = 0;
    for (unsigned h = 0; h < cap->handler_count; h++) {
        const cap_handler_t *hd = &cap->handlers[h];
        if (hd->method != mi || hd->handler < m->code_offset || hd->handler - m->code_offset >= m->code_len) continue;
        uint16_t at = (uint16_t)(hd->handler - m->code_offset);
        if (depth[at] < 0) { depth[at] = 1; work[nw++] = at; }
    }
    int rc = 0;
    const char *why = NULL;
    uint16_t where = 0;
    while (nw && !why) {
        uint16_t pc = work[--nw];
        cap_insn_t in;
        int len = jc_insn_len(m->code + pc, m->code_len - pc);
        if (len <= 0) { why = "undecodable instruction"; where = pc; break; }
        in.pc = pc; in.info_offset = (uint16_t)(m->code_offset + pc); in.op = m->code[pc]; in.len = (uint16_t)len;
        in.bytes = m->code + pc;
        int pop, push;
        if (!stack_effect(cap, &in, &pop, &push)) { rc = 0; goto done; } /* untyped call: run-time checks only */
        int d = depth[pc];
        if (d < pop) { why = "operand stack underflow"; where = pc; break; }
        int nd = d - pop + push;
        if (nd > m->max_stack) { why = "operand stack deeper than max_stack"; where = pc; break; }
        int32_t targets[260];
        int nt = jc_opcode_is_branch(in.op) ? cap_insn_targets(&in, targets, 256) : 0;
        if (nt > 256) { why = "switch too large"; where = pc; break; }
        if (!jc_opcode_ends_flow(in.op) && in.op != JC_jsr) targets[nt++] = pc + len;
        if (in.op == JC_jsr) targets[nt++] = pc + len; /* assumed to return with the same depth */
        for (int k = 0; k < nt; k++) {
            int32_t t = targets[k];
            int td = (in.op == JC_jsr && k == 0) ? nd : (in.op == JC_jsr ? d : nd);
            if (t < 0 || t >= m->code_len) {
                if (t == m->code_len && !jc_opcode_ends_flow(in.op)) { why = "execution falls off the end of the method"; where = pc; }
                else if (t != m->code_len) { why = "branch outside the method"; where = pc; }
                break;
            }
            if (depth[t] < 0) { depth[t] = (int16_t)td; work[nw++] = (uint16_t)t; }
            else if (depth[t] != td) { why = "operand stack depth differs where paths join"; where = (uint16_t)t; break; }
        }
    }
    if (why) {
        cl_seterr(e, "Method component: offset 0x%x: %s", m->code_offset + where, why);
        rc = -1;
    }
done:
    free(depth);
    free(work);
    return rc;
}

int vm_verify_pkg(vm_t *vm, const vm_pkg_t *p, const cap_file_t *cap, cl_error_t *e)
{
    (void)vm;
    for (uint16_t m = 0; m < cap->method_count; m++) {
        const cap_method_t *mt = &cap->methods[m];
        if (mt->flags & CAP_METHOD_ACC_ABSTRACT) continue;
        cap_insn_iter_t it;
        cap_insn_t in;
        cap_insn_iter_init(&it, mt);
        int r;
        while ((r = cap_insn_next(&it, &in)) == 1) {
            if (!p->has_int && (is_int_op(in.op) || (in.op == JC_newarray && in.bytes[1] == JC_ATYPE_INT))) {
                cl_seterr(e, "Method component: offset 0x%x: %s in a package without ACC_INT", in.info_offset,
                          jc_opcode_name(in.op));
                return -1;
            }
            unsigned idx, words;
            if (local_use(&in, &idx, &words) && idx + words > (unsigned)mt->nargs + mt->max_locals) {
                cl_seterr(e, "Method component: offset 0x%x: local %u outside the method's %u locals", in.info_offset, idx,
                          mt->nargs + mt->max_locals);
                return -1;
            }
            if (in.op == JC_invokeinterface && in.bytes[1] == 0) {
                cl_seterr(e, "Method component: offset 0x%x: invokeinterface with no arguments", in.info_offset);
                return -1;
            }
        }
        if (r < 0) {
            cl_seterr(e, "Method component: offset 0x%x: undecodable instruction", mt->code_offset);
            return -1;
        }
        if (verify_stack(cap, m, e)) return -1;
    }
    for (unsigned h = 0; h < cap->handler_count; h++) {
        uint16_t ct = cap->handlers[h].catch_type;
        if (ct && (ct >= p->ncp || p->cp[ct].tag != CAP_CP_CLASSREF)) {
            cl_seterr(e, "Method component: offset 0x%x: handler catch type is not a class", 1 + 8 * h);
            return -1;
        }
    }
    return 0;
}
