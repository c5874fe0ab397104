/* vm_verify: per-instruction checks of every method at load time (see vm_verify.h). */
#include "vm/vm_verify.h"
#include "cap/jc_opcodes.h"
#include "vm/vm_native.h"

#include <stdio.h>
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

/* ---- Type-checking data flow (when the Descriptor types the method and its constant pool) ----
 *
 * Every operand stack word and local variable slot holds one abstract value. An int takes two
 * words, high word then low word, in that order on the stack and in consecutive locals. Values
 * that differ where paths join become VT_TOP, which no instruction accepts (except pop, dup and
 * swap, which move words without looking at them). The state is stored only at block leaders
 * (method start, branch targets, handler starts, the instruction after a branch or a jsr) and the
 * worklist runs until no leader's state changes; every slot can only go down once (x -> top),
 * so it terminates. */
enum { VT_TOP, VT_SHORT, VT_IHI, VT_ILO, VT_REF, VT_RET, VT_CLASS0 };
static const char *const vt_name[] = { "an unusable value", "a short", "an int high word", "an int low word",
                                       "a reference", "a return address" };

/* A reference whose class is known is VT_CLASS0 + k: null or an instance of the method's class k
 * (vf_t.cls) or of a subclass. Known from `new`, from `this`, from a checkcast or a parameter typed
 * with a class of this package; where two such values differ at a join they become VT_REF (class
 * unknown), never unusable. Used only to refuse a field access the object's class cannot have. */
#define VF_MAX_CLASSES (256 - VT_CLASS0)

static bool is_ref(unsigned x) { return x == VT_REF || x >= VT_CLASS0; }
static const char *vt_label(unsigned x) { return vt_name[x >= VT_CLASS0 ? VT_REF : x]; }

/* An imported applet package's stored CAP, parsed once per verification for its Descriptor. */
typedef struct {
    bool tried, ok;
    cap_file_t cap;
} vf_import_t;

typedef struct {
    const vm_t *vm;
    const vm_pkg_t *p;
    vf_import_t *imps;          /* per import token (NULL: none looked at) */
    const cap_file_t *cap;
    const cap_method_t *m;
    uint16_t mi;
    unsigned nl, ms, ssz;       /* locals, stack words, bytes per state (locals, stack, depth) */
    uint8_t ret;                /* the method's return type nibble */
    int32_t *leader;            /* per pc: leader index or -1 */
    unsigned nlead;
    uint16_t *lpc;              /* leader index -> pc */
    uint8_t *st, *seen, *queued;
    uint16_t *work;
    unsigned nw;
    uint16_t *jret;             /* pcs after each jsr: where ret may go */
    unsigned njret;
    int32_t *tg;                /* branch target scratch */
    bool untyped;               /* a call whose type only another package knows: depth checks only */
    uint16_t cls[VF_MAX_CLASSES]; /* class_refs of the class-typed references (VT_CLASS0 + index) */
    unsigned ncls;
    bool final;                 /* the states are the fixpoint's: class checks may refuse */
    char why[160];
    uint16_t where;
} vf_t;

static int vf_fail(vf_t *v, uint16_t pc, const char *fmt, const char *a, const char *b)
{
    snprintf(v->why, sizeof v->why, fmt, a, b);
    v->where = pc;
    return -1;
}

/* Type nibbles of descriptor types at offset t of type_descriptor_info (class reference nibbles
 * skipped). Count, or -1 if malformed. */
static int type_nibbles(const cap_file_t *cap, uint16_t t, uint8_t *out, int max)
{
    if (t >= cap->desc.types_len) return -1;
    const uint8_t *p = cap->desc.types + t;
    unsigned n = p[0];
    if ((size_t)t + 1 + (n + 1) / 2 > cap->desc.types_len) return -1;
    int k = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned nib = (p[1 + i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        if (k >= max) return -1;
        out[k++] = (uint8_t)nib;
        if (nib == CAP_TN_REFERENCE || nib == CAP_TN_ARRAY_REFERENCE) {
            if (i + 4 >= n) return -1;
            i += 4;
        }
    }
    return k;
}

/* Abstract value of a (non-void) type nibble: short, int (its high word) or reference. */
static int nib_vt(unsigned nib)
{
    switch (nib) {
    case CAP_TN_BOOLEAN: case CAP_TN_BYTE: case CAP_TN_SHORT: return VT_SHORT;
    case CAP_TN_INT: return VT_IHI;
    case CAP_TN_REFERENCE: case CAP_TN_ARRAY_BOOLEAN: case CAP_TN_ARRAY_BYTE: case CAP_TN_ARRAY_SHORT:
    case CAP_TN_ARRAY_INT: case CAP_TN_ARRAY_REFERENCE: return VT_REF;
    default: return -1;
    }
}

/* Pops one value of type vt (VT_SHORT, VT_IHI meaning an int, VT_REF) for instruction op. */
static int vf_pop(vf_t *v, uint16_t pc, uint8_t *s, unsigned *sp, int vt, int op)
{
    const char *on = jc_opcode_name(op);
    unsigned w = vt == VT_IHI ? 2 : 1;
    if (*sp < w) return vf_fail(v, pc, "%s: operand stack underflow%s", on, "");
    if (vt == VT_IHI) {
        if (s[*sp - 1] != VT_ILO || s[*sp - 2] != VT_IHI)
            return vf_fail(v, pc, "%s: an int is needed, the stack holds %s", on,
                           vt_label(s[*sp - 1] != VT_ILO ? s[*sp - 1] : s[*sp - 2]));
    } else if (vt == VT_REF ? !is_ref(s[*sp - 1]) : s[*sp - 1] != vt) {
        char need[32];
        snprintf(need, sizeof need, "%s", vt_name[vt]);
        char msg[64];
        snprintf(msg, sizeof msg, "%%s: %s is needed, found %%s", need);
        return vf_fail(v, pc, msg, on, vt_label(s[*sp - 1]));
    }
    *sp -= w;
    return 0;
}

static int vf_push(vf_t *v, uint16_t pc, uint8_t *s, unsigned *sp, int vt, int op)
{
    unsigned w = vt == VT_IHI ? 2 : 1;
    if (*sp + w > v->ms) return vf_fail(v, pc, "%s: operand stack deeper than max_stack%s", jc_opcode_name(op), "");
    s[(*sp)++] = (uint8_t)vt;
    if (vt == VT_IHI) s[(*sp)++] = VT_ILO;
    return 0;
}

/* Local slot n (words of type vt) read by a load. */
static int vf_load(vf_t *v, uint16_t pc, const uint8_t *l, unsigned n, int vt, int op)
{
    const char *on = jc_opcode_name(op);
    if (n + (vt == VT_IHI ? 2u : 1u) > v->nl) return vf_fail(v, pc, "%s: local outside the method's locals%s", on, "");
    bool ok = vt == VT_IHI ? (l[n] == VT_IHI && l[n + 1] == VT_ILO) : vt == VT_REF ? is_ref(l[n]) : l[n] == vt;
    if (!ok) {
        char msg[96];
        snprintf(msg, sizeof msg, "%%s: local %u holds %%s, %s is needed", n, vt == VT_IHI ? "an int" : vt_name[vt]);
        return vf_fail(v, pc, msg, on, vt_label(l[n] == VT_IHI && vt == VT_IHI ? l[n + 1] : l[n]));
    }
    return 0;
}

/* Writes words to local n, invalidating the other half of any int it overwrites partly. */
static void vf_store(vf_t *v, uint8_t *l, unsigned n, int vt)
{
    unsigned w = vt == VT_IHI ? 2 : 1;
    if (n > 0 && l[n] == VT_ILO) l[n - 1] = VT_TOP;
    if (n + w < v->nl && l[n + w - 1] == VT_IHI) l[n + w] = VT_TOP;
    l[n] = (uint8_t)vt;
    if (vt == VT_IHI) l[n + 1] = VT_ILO;
}

/* Type nibbles of the constant pool entry cpi from the Descriptor; -1 if it has none. */
static int cp_type(const vf_t *v, uint16_t cpi, uint8_t *out, int max)
{
    const cap_file_t *cap = v->cap;
    if (cpi >= cap->desc.cp_count) return -1;
    uint16_t t = cl_get16(cap->desc.cp_types + 2 * cpi);
    if (t == 0xFFFF) return -1;
    return type_nibbles(cap, t, out, max);
}

/* Field access: the opcode's type letter must match the field's declared type. Value type in *vt. */
static int field_type(vf_t *v, uint16_t pc, const cap_insn_t *in, char letter, int *vt)
{
    uint8_t nb[2];
    uint16_t cpi = jc_opcode_cp_index_width(in->op) == 1 ? in->bytes[1] : cl_get16(in->bytes + 1);
    *vt = letter == 'a' ? VT_REF : letter == 'i' ? VT_IHI : VT_SHORT;
    if (cp_type(v, cpi, nb, 2) != 1)
        return vf_fail(v, pc, "%s: the Descriptor gives the field no type%s", jc_opcode_name(in->op), "");
    char want = nib_vt(nb[0]) == VT_REF ? 'a' : nb[0] == CAP_TN_INT ? 'i' : nb[0] == CAP_TN_SHORT ? 's'
              : (nb[0] == CAP_TN_BYTE || nb[0] == CAP_TN_BOOLEAN) ? 'b' : '?';
    if (want != letter) {
        static const char *const fname[] = { ['a'] = "reference", ['b'] = "byte/boolean", ['s'] = "short",
                                             ['i'] = "int", ['?'] = "void" };
        return vf_fail(v, pc, "%s on a field of type %s", jc_opcode_name(in->op), fname[(unsigned char)want]);
    }
    return 0;
}

/* Type nibbles of a JVM method descriptor "name(args)ret" of the native API tables. */
static int sig_nibbles(const char *sig, uint8_t *out, int max)
{
    const char *q = sig ? strchr(sig, '(') : NULL;
    if (!q) return -1;
    int k = 0;
    bool in_args = true;
    for (q++; *q; q++) {
        if (*q == ')') { in_args = false; continue; }
        if (k >= max) return -1;
        bool arr = false;
        while (*q == '[') { arr = true; q++; }
        uint8_t nib;
        switch (*q) {
        case 'Z': case 'B': case 'S': nib = CAP_TN_SHORT; break;
        case 'I': nib = CAP_TN_INT; break;
        case 'V': nib = CAP_TN_VOID; break;
        case 'L': nib = CAP_TN_REFERENCE; q = strchr(q, ';'); if (!q) return -1; break;
        default: return -1;
        }
        if (arr) nib = CAP_TN_ARRAY_REFERENCE;
        if (nib == CAP_TN_VOID && (arr || in_args)) return -1;
        out[k++] = nib;
        if (!in_args) return q[1] ? -1 : k;
    }
    return -1;
}

/* Type of interface method token of an interface of another applet package (a Shareable
 * interface): from that package's own Descriptor, kept in its stored component stream (the blob
 * in the image; the package's RAM copy may be laid out otherwise, e.g. a JAR's extraction). -2 if
 * it has none. */
static int pkg_iface_method_type(const vf_t *v, cap_classref_t cls, uint8_t token, uint8_t *out, int max)
{
    const vm_pkg_t *q = v->vm->pkgs[v->p->imports[cls.pkg_token]];
    vf_import_t *im = v->imps ? &v->imps[cls.pkg_token] : NULL;
    if (!im) return -2;
    if (!im->tried) {
        im->tried = true;
        vm_obj_t o;
        cl_error_t pe = { { 0 } };
        const uint8_t *stream = q->blob && vm_heap_get(v->vm->heap, q->blob, &o) && o.kind == VM_KIND_BLOB
                              ? vm_heap_data(v->vm->heap, &o) : NULL;
        if (stream && cap_parse(&im->cap, stream, o.len, CAP_PARSE_NO_COPY, &pe) == 0) im->ok = true;
    }
    if (!im->ok || !im->cap.has_descriptor) return -2;
    const cap_file_t *qc = &im->cap;
    for (unsigned c = 0; c < qc->desc.class_count; c++) {
        const cap_desc_class_t *dc = &qc->desc.classes[c];
        if (dc->token != cls.class_token || !(dc->access_flags & CAP_DESC_CLASS_INTERFACE)) continue;
        for (unsigned k = 0; k < dc->method_count; k++)
            if (dc->methods[k].token == token && !(dc->methods[k].access_flags & CAP_ACC_STATIC))
                return type_nibbles(qc, dc->methods[k].type_offset, out, max);
    }
    return -2;
}

/* Type of interface method token of an API (native) interface: the signature of the virtual
 * method an API class implementing that interface maps it to. -2 when the interface is not an
 * API one (another applet package's: its types are not here) or no API class implements it. */
static int api_iface_method_type(const vf_t *v, cap_classref_t cls, uint8_t token, uint8_t *out, int max)
{
    if (!v->vm || !v->p || cls.pkg_token >= v->p->nimports) return -2;
    uint8_t slot = v->p->imports[cls.pkg_token];
    if (!v->vm->pkgs[slot]) return -2;
    if (!v->vm->pkgs[slot]->native) return pkg_iface_method_type(v, cls, token, out, max);
    for (unsigned s = 0; s < VM_PKG_FIRST_USER; s++) {
        const vm_pkg_t *q = v->vm->pkgs[s];
        if (!q || !q->native) continue;
        for (unsigned c = 0; c < q->nclasses; c++) {
            const vm_native_class_t *nc = q->classes[c].nat;
            for (size_t i = 0; nc && i < nc->nifaces; i++) {
                const vm_native_iface_t *fi = &nc->ifaces[i];
                if (fi->pkg != slot || fi->token != cls.class_token || token >= fi->count) continue;
                /* the implementing method may be declared by an API superclass */
                for (const vm_native_class_t *k = nc; k;
                     k = k->super_pkg < 0 ? NULL : vm_native_class((uint8_t)k->super_pkg, (uint8_t)k->super_token)) {
                    const vm_native_method_t *nm = vm_native_method(k, VM_NAT_VIRTUAL, fi->map[token]);
                    if (nm) return sig_nibbles(nm->sig, out, max);
                }
            }
        }
    }
    return -2;
}

/* Type of interface method token of the interface named by Classref cpi: from the Descriptor when
 * the interface is in this package; -2 when it is another package's (its types are not here). */
static int iface_method_type(const vf_t *v, uint16_t cpi, uint8_t token, uint8_t *out, int max)
{
    const cap_file_t *cap = v->cap;
    if (cpi >= cap->cp_count || cap->cp[cpi].tag != CAP_CP_CLASSREF) return -1;
    if (cap->cp[cpi].cls.external) return api_iface_method_type(v, cap->cp[cpi].cls, token, out, max);
    for (unsigned c = 0; c < cap->desc.class_count; c++) {
        const cap_desc_class_t *dc = &cap->desc.classes[c];
        if (dc->this_class.raw != cap->cp[cpi].cls.raw) continue;
        for (unsigned k = 0; k < dc->method_count; k++)
            if (dc->methods[k].token == token && !(dc->methods[k].access_flags & CAP_ACC_STATIC))
                return type_nibbles(cap, dc->methods[k].type_offset, out, max);
    }
    return -1;
}

/* Arguments and result of an invoke. */
static int vf_invoke(vf_t *v, uint16_t pc, const cap_insn_t *in, uint8_t *s, unsigned *sp)
{
    uint8_t nb[256];
    int op = in->op;
    uint16_t cpi = cl_get16(in->bytes + jc_opcode_cp_index_offset(op));
    int n = op == JC_invokeinterface ? iface_method_type(v, cpi, in->bytes[4], nb, 256) : cp_type(v, cpi, nb, 256);
    if (n == -2) { v->untyped = true; return -1; }
    if (n < 1) return vf_fail(v, pc, "%s: the Descriptor gives the method no type%s", jc_opcode_name(op), "");
    unsigned words = op == JC_invokestatic ? 0 : 1;
    for (int i = 0; i < n - 1; i++) {
        if (nib_vt(nb[i]) < 0) return vf_fail(v, pc, "%s: malformed method type%s", jc_opcode_name(op), "");
        words += nib_vt(nb[i]) == VT_IHI ? 2 : 1;
    }
    if (op == JC_invokeinterface && in->bytes[1] != words)
        return vf_fail(v, pc, "invokeinterface: nargs differs from the method type%s", "", "");
    for (int i = n - 2; i >= 0; i--) {
        if (vf_pop(v, pc, s, sp, nib_vt(nb[i]), op)) {
            size_t k = strlen(v->why);
            if (k < sizeof v->why) snprintf(v->why + k, sizeof v->why - k, " (argument %d)", i + 1);
            return -1;
        }
    }
    if (op != JC_invokestatic && vf_pop(v, pc, s, sp, VT_REF, op)) return -1;
    if (nb[n - 1] == CAP_TN_VOID) return 0;
    if (nib_vt(nb[n - 1]) < 0) return vf_fail(v, pc, "%s: malformed method type%s", jc_opcode_name(op), "");
    return vf_push(v, pc, s, sp, nib_vt(nb[n - 1]), op);
}

/* Moves words for pop/dup/swap (any types: they only move words). */
static int vf_words(vf_t *v, uint16_t pc, const cap_insn_t *in, uint8_t *s, unsigned *sp)
{
    int op = in->op;
    unsigned m = in->bytes[1] >> 4, n = in->bytes[1] & 0xF;
    uint8_t tmp[16];
    switch (op) {
    case JC_pop: case JC_pop2: {
        unsigned w = op == JC_pop ? 1 : 2;
        if (*sp < w) return vf_fail(v, pc, "%s: operand stack underflow%s", jc_opcode_name(op), "");
        *sp -= w;
        return 0;
    }
    case JC_dup: case JC_dup2: m = op == JC_dup ? 1 : 2; n = 0; /* fall through */
    case JC_dup_x: {
        unsigned need = n > m ? n : m;
        if (m < 1 || m > 4 || (n && n < m) || n > 8) return vf_fail(v, pc, "dup_x: bad m/n%s", "", "");
        if (*sp < need) return vf_fail(v, pc, "%s: operand stack underflow%s", jc_opcode_name(op), "");
        if (*sp + m > v->ms) return vf_fail(v, pc, "%s: operand stack deeper than max_stack%s", jc_opcode_name(op), "");
        /* the top m words, copied and inserted n words down (n = 0: on top) */
        memcpy(tmp, s + *sp - m, m);
        unsigned below = n ? n : m;
        memmove(s + *sp - below + m, s + *sp - below, below);
        memcpy(s + *sp - below, tmp, m);
        *sp += m;
        return 0;
    }
    case JC_swap_x:
        if (m < 1 || m > 2 || n < 1 || n > 2) return vf_fail(v, pc, "swap_x: bad m/n%s", "", "");
        if (*sp < m + n) return vf_fail(v, pc, "swap_x: operand stack underflow%s", "", "");
        memcpy(tmp, s + *sp - m, m);                      /* top m words */
        memmove(s + *sp - n, s + *sp - m - n, n);         /* the n below move up */
        memcpy(s + *sp - m - n, tmp, m);
        return 0;
    default: return -1;
    }
}

/* The abstract value of a reference to class r or a subclass: VT_CLASS0 + its index, VT_REF when
 * the table is full. */
static uint8_t vf_class_ref(vf_t *v, uint16_t raw)
{
    for (unsigned k = 0; k < v->ncls; k++)
        if (v->cls[k] == raw) return (uint8_t)(VT_CLASS0 + k);
    if (v->ncls >= VF_MAX_CLASSES) return VT_REF;
    v->cls[v->ncls] = raw;
    return (uint8_t)(VT_CLASS0 + v->ncls++);
}

/* A class (not an interface) of this package, or NULL. */
static const cap_class_t *internal_class(const cap_file_t *cap, cap_classref_t r)
{
    if (r.external) return NULL;
    const cap_class_t *c = cap_class_at(cap, r.offset);
    return c && !c->is_interface ? c : NULL;
}

/* The value a reference of declared class r gets: class-typed for a class of this package (an
 * interface or another package's type says nothing about the class). */
static uint8_t vf_declared_ref(vf_t *v, cap_classref_t r)
{
    return internal_class(v->cap, r) ? vf_class_ref(v, r.raw) : VT_REF;
}

/* Is it proven that no instance of class c or of a subclass has the fields of class f? Decided only
 * when f is of this package: c's superclass chain must reach f before it leaves the package (a class
 * of an imported package never extends one of this package). Unknown is "no". */
static bool provably_unrelated(const cap_file_t *cap, cap_classref_t c, cap_classref_t f)
{
    if (f.external) return false;
    for (int depth = 0; depth < 64; depth++) {
        if (c.raw == f.raw) return false;
        if (c.external) return true;
        const cap_class_t *k = internal_class(cap, c);
        if (!k) return false;
        if (!k->has_super) return true;
        c = k->super;
    }
    return false;
}

/* getfield/putfield through field reference cpi on a reference of abstract value obj. Only on the
 * final pass: a class known on the first path to a join may become unknown when a later path
 * arrives, so a refusal before the fixpoint could be wrong (the other checks only get stricter). */
static int vf_field_object(vf_t *v, uint16_t pc, const cap_insn_t *in, uint8_t obj)
{
    if (!v->final) return 0;
    uint16_t cpi = jc_opcode_cp_index_width(in->op) == 1 ? in->bytes[1] : cl_get16(in->bytes + 1);
    if (obj < VT_CLASS0 || cpi >= v->cap->cp_count || v->cap->cp[cpi].tag != CAP_CP_INSTANCE_FIELDREF) return 0;
    if (!provably_unrelated(v->cap, cap_classref_decode(v->cls[obj - VT_CLASS0]), v->cap->cp[cpi].cls)) return 0;
    return vf_fail(v, pc, "%s: the object's class is neither the field's class nor a subclass of it%s",
                   jc_opcode_name(in->op), "");
}

/* Applies instruction in to the state (l: locals, s: stack, *sp: depth). 0, or -1 with v->why. */
static int vf_step(vf_t *v, const cap_insn_t *in, uint8_t *l, uint8_t *s, unsigned *sp)
{
    int op = in->op;
    uint16_t pc = in->pc;
    const char *on = jc_opcode_name(op);
    const char *n = on;
    unsigned idx, words;
#define POP(t) do { if (vf_pop(v, pc, s, sp, (t), op)) return -1; } while (0)
#define PUSH(t) do { if (vf_push(v, pc, s, sp, (t), op)) return -1; } while (0)
    switch (op) {
    case JC_nop: case JC_goto: case JC_goto_w: case JC_return:
        if (op == JC_return && v->ret != CAP_TN_VOID) return vf_fail(v, pc, "return in a method returning a value%s%s", "", "");
        return 0;
    case JC_aconst_null: PUSH(VT_REF); return 0;
    case JC_new: {
        uint16_t cpi = cl_get16(in->bytes + 1);
        const cap_cp_entry_t *ce = cpi < v->cap->cp_count ? &v->cap->cp[cpi] : NULL;
        PUSH(ce && ce->tag == CAP_CP_CLASSREF ? vf_class_ref(v, ce->cls.raw) : VT_REF); /* new makes exactly that class */
        return 0;
    }
    case JC_bspush: case JC_sspush: PUSH(VT_SHORT); return 0;
    case JC_bipush: case JC_sipush: case JC_iipush: PUSH(VT_IHI); return 0;
    case JC_aaload: case JC_baload: case JC_saload: case JC_iaload:
        POP(VT_SHORT); POP(VT_REF);
        PUSH(op == JC_aaload ? VT_REF : op == JC_iaload ? VT_IHI : VT_SHORT);
        return 0;
    case JC_aastore: case JC_bastore: case JC_sastore: case JC_iastore:
        POP(op == JC_aastore ? VT_REF : op == JC_iastore ? VT_IHI : VT_SHORT); POP(VT_SHORT); POP(VT_REF);
        return 0;
    case JC_pop: case JC_pop2: case JC_dup: case JC_dup2: case JC_dup_x: case JC_swap_x:
        return vf_words(v, pc, in, s, sp);
    case JC_sneg: case JC_s2b: POP(VT_SHORT); PUSH(VT_SHORT); return 0;
    case JC_ineg: POP(VT_IHI); PUSH(VT_IHI); return 0;
    case JC_s2i: POP(VT_SHORT); PUSH(VT_IHI); return 0;
    case JC_i2b: case JC_i2s: POP(VT_IHI); PUSH(VT_SHORT); return 0;
    case JC_icmp: POP(VT_IHI); POP(VT_IHI); PUSH(VT_SHORT); return 0;
    case JC_sinc: case JC_sinc_w: return vf_load(v, pc, l, in->bytes[1], VT_SHORT, op);
    case JC_iinc: case JC_iinc_w: return vf_load(v, pc, l, in->bytes[1], VT_IHI, op);
    case JC_stableswitch: case JC_slookupswitch: POP(VT_SHORT); return 0;
    case JC_itableswitch: case JC_ilookupswitch: POP(VT_IHI); return 0;
    case JC_areturn: case JC_sreturn: case JC_ireturn: {
        int want = op == JC_areturn ? VT_REF : op == JC_ireturn ? VT_IHI : VT_SHORT;
        if (v->ret == CAP_TN_VOID || nib_vt(v->ret) != want)
            return vf_fail(v, pc, "%s in a method returning %s", on,
                           v->ret == CAP_TN_VOID ? "void" : vt_name[nib_vt(v->ret) < 0 ? 0 : nib_vt(v->ret)]);
        POP(want);
        return 0;
    }
    case JC_athrow: POP(VT_REF); return 0;
    case JC_jsr: PUSH(VT_RET); return 0;
    case JC_ret:
        if (in->bytes[1] >= v->nl || l[in->bytes[1]] != VT_RET)
            return vf_fail(v, pc, "ret: local holds %s, not a return address%s",
                           in->bytes[1] < v->nl ? vt_label(l[in->bytes[1]]) : "nothing", "");
        return 0;
    case JC_newarray: case JC_anewarray: POP(VT_SHORT); PUSH(VT_REF); return 0;
    case JC_arraylength: POP(VT_REF); PUSH(VT_SHORT); return 0;
    case JC_checkcast: {
        uint16_t cpi = cl_get16(in->bytes + 2);
        const cap_cp_entry_t *ce = in->bytes[1] == 0 && cpi < v->cap->cp_count ? &v->cap->cp[cpi] : NULL;
        POP(VT_REF);
        PUSH(ce && ce->tag == CAP_CP_CLASSREF ? vf_declared_ref(v, ce->cls) : VT_REF);
        return 0;
    }
    case JC_instanceof: POP(VT_REF); PUSH(VT_SHORT); return 0;
    case JC_invokevirtual: case JC_invokespecial: case JC_invokestatic: case JC_invokeinterface:
        return vf_invoke(v, pc, in, s, sp);
    default: break;
    }
    if ((op >= JC_sconst_m1 && op <= JC_sconst_5)) { PUSH(VT_SHORT); return 0; }
    if ((op >= JC_iconst_m1 && op <= JC_iconst_5)) { PUSH(VT_IHI); return 0; }
    if (local_use(in, &idx, &words) && ((op >= JC_aload && op <= JC_iload) || (op >= JC_aload_0 && op <= JC_iload_3))) {
        int t = n[0] == 'a' ? VT_REF : n[0] == 's' ? VT_SHORT : VT_IHI;
        if (vf_load(v, pc, l, idx, t, op)) return -1;
        PUSH(t == VT_REF ? l[idx] : t); /* a reference keeps its class */
        return 0;
    }
    if (local_use(in, &idx, &words) && ((op >= JC_astore && op <= JC_istore) || (op >= JC_astore_0 && op <= JC_istore_3))) {
        int t = n[0] == 'a' ? VT_REF : n[0] == 's' ? VT_SHORT : VT_IHI;
        if (idx + words > v->nl) return vf_fail(v, pc, "%s: local outside the method's locals%s", on, "");
        if (t == VT_REF && *sp && s[*sp - 1] == VT_RET) t = VT_RET; /* astore keeps a jsr's return address */
        uint8_t stored = t == VT_REF && *sp ? s[*sp - 1] : (uint8_t)t; /* ... and a reference its class */
        POP(t);
        vf_store(v, l, idx, stored);
        return 0;
    }
    if (op >= JC_sadd && op <= JC_ixor) {
        int t = n[0] == 'i' ? VT_IHI : VT_SHORT;
        POP(t); POP(t); PUSH(t);
        return 0;
    }
    if ((op >= JC_ifeq && op <= JC_ifle) || (op >= JC_ifeq_w && op <= JC_ifle_w)) { POP(VT_SHORT); return 0; }
    if (op == JC_ifnull || op == JC_ifnonnull || op == JC_ifnull_w || op == JC_ifnonnull_w) { POP(VT_REF); return 0; }
    if (op == JC_if_acmpeq || op == JC_if_acmpne || op == JC_if_acmpeq_w || op == JC_if_acmpne_w) {
        POP(VT_REF); POP(VT_REF); return 0;
    }
    if ((op >= JC_if_scmpeq && op <= JC_if_scmple) || (op >= JC_if_scmpeq_w && op <= JC_if_scmple_w)) {
        POP(VT_SHORT); POP(VT_SHORT); return 0;
    }
    if (!strncmp(n, "getstatic", 9) || !strncmp(n, "putstatic", 9) || !strncmp(n, "getfield", 8) ||
        !strncmp(n, "putfield", 8)) {
        bool put = n[0] == 'p', stat = n[3] == 's', this_form = strstr(n, "_this") != NULL;
        char letter = stat ? n[10] : n[9];
        int t;
        if (field_type(v, pc, in, letter, &t)) return -1;
        if (put) POP(t);
        if (!stat) {
            if (this_form) { if (vf_load(v, pc, l, 0, VT_REF, op)) return -1; }
            if (vf_field_object(v, pc, in, this_form ? l[0] : *sp ? s[*sp - 1] : VT_TOP)) return -1;
            if (!this_form) POP(VT_REF);
        }
        if (!put) PUSH(t);
        return 0;
    }
#undef POP
#undef PUSH
    return vf_fail(v, pc, "%s: not verifiable%s", on ? on : "undefined opcode", "");
}

/* Merges state (l, s, sp) into leader pc's stored state; queues it when it changed. */
static int vf_merge(vf_t *v, uint16_t from, uint32_t pc, const uint8_t *l, const uint8_t *s, unsigned sp)
{
    if (pc >= v->m->code_len || v->leader[pc] < 0)
        return vf_fail(v, from, "branch outside the method's instructions%s%s", "", "");
    unsigned li = (unsigned)v->leader[pc];
    uint8_t *st = v->st + (size_t)li * v->ssz;
    bool changed = false;
    if (!v->seen[li]) {
        memcpy(st, l, v->nl);
        memcpy(st + v->nl, s, sp);
        st[v->ssz - 1] = (uint8_t)sp;
        v->seen[li] = 1;
        changed = true;
    } else {
        if (st[v->ssz - 1] != sp)
            return vf_fail(v, (uint16_t)pc, "operand stack depth differs where paths join%s%s", "", "");
        for (unsigned i = 0; i < v->nl + sp; i++) {
            uint8_t nv = i < v->nl ? l[i] : s[i - v->nl];
            if (st[i] == nv || st[i] == VT_TOP || (st[i] == VT_REF && is_ref(nv))) continue;
            st[i] = is_ref(st[i]) && is_ref(nv) ? VT_REF : VT_TOP; /* two classes: a reference of unknown class */
            changed = true;
        }
    }
    if (changed && !v->queued[li]) { v->queued[li] = 1; v->work[v->nw++] = (uint16_t)li; }
    return 0;
}

/* Handlers protecting pc get the locals as they are before the instruction, stack [reference]. */
static int vf_handlers(vf_t *v, uint16_t pc, const uint8_t *l)
{
    uint32_t at = (uint32_t)v->m->code_offset + pc;
    uint8_t ref = VT_REF;
    for (unsigned h = 0; h < v->cap->handler_count; h++) {
        const cap_handler_t *hd = &v->cap->handlers[h];
        if (hd->method != v->mi || at < hd->start || at >= hd->end) continue;
        if (vf_merge(v, pc, (uint32_t)hd->handler - v->m->code_offset, l, &ref, 1)) return -1;
    }
    return 0;
}

/* Walks from leader li to the end of its block, merging into the successors. */
static int vf_block(vf_t *v, unsigned li, uint8_t *cur)
{
    uint8_t *l = cur, *s = cur + v->nl;
    const uint8_t *st = v->st + (size_t)li * v->ssz;
    memcpy(cur, st, v->ssz);
    unsigned sp = st[v->ssz - 1];
    uint32_t pc = v->lpc[li];
    const cap_method_t *m = v->m;
    for (;;) {
        int len = jc_insn_len(m->code + pc, m->code_len - pc);
        if (len <= 0) return vf_fail(v, (uint16_t)pc, "undecodable instruction%s%s", "", "");
        cap_insn_t in = {.pc = (uint16_t)pc, .info_offset = (uint16_t)(m->code_offset + pc), .op = m->code[pc],
                         .len = (uint16_t)len, .bytes = m->code + pc};
        if (vf_handlers(v, (uint16_t)pc, l)) return -1;
        if (vf_step(v, &in, l, s, &sp)) return -1;
        if (jc_opcode_is_branch(in.op)) {
            int nt = cap_insn_targets(&in, v->tg, m->code_len + 1);
            if (nt < 0 || nt > m->code_len + 1) return vf_fail(v, (uint16_t)pc, "bad branch targets%s%s", "", "");
            for (int k = 0; k < nt; k++) {
                if (v->tg[k] < 0) return vf_fail(v, (uint16_t)pc, "branch outside the method%s%s", "", "");
                if (vf_merge(v, (uint16_t)pc, (uint32_t)v->tg[k], l, s, sp)) return -1;
            }
        }
        if (in.op == JC_ret)
            for (unsigned k = 0; k < v->njret; k++)
                if (vf_merge(v, (uint16_t)pc, v->jret[k], l, s, sp)) return -1;
        if (jc_opcode_ends_flow(in.op) || in.op == JC_jsr) return 0;
        pc += (uint32_t)len;
        if (pc >= m->code_len) return vf_fail(v, in.pc, "execution falls off the end of the method%s%s", "", "");
        if (v->leader[pc] >= 0) return vf_merge(v, in.pc, pc, l, s, sp);
    }
}

/* The method's Descriptor entry (its type and whether it is static) and its class, or NULL. */
static const cap_desc_method_t *desc_method(const cap_file_t *cap, uint16_t offset, const cap_desc_class_t **cls)
{
    for (unsigned c = 0; c < cap->desc.class_count; c++)
        for (unsigned k = 0; k < cap->desc.classes[c].method_count; k++)
            if (cap->desc.classes[c].methods[k].method_offset == offset) {
                *cls = &cap->desc.classes[c];
                return &cap->desc.classes[c].methods[k];
            }
    return NULL;
}

/* The class_refs of the reference parameters of method type t (after type_nibbles' order: entry i
 * for type nibble i; 0xFFFF for a non-class type). Count, or -1. */
static int type_classes(const cap_file_t *cap, uint16_t t, uint16_t *out, int max)
{
    const uint8_t *p = cap->desc.types + t;
    unsigned n = p[0];
    int k = 0;
    for (unsigned i = 0; i < n && k < max; i++) {
        unsigned nib = (p[1 + i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        out[k] = 0xFFFF;
        if (nib == CAP_TN_REFERENCE && i + 4 < n) {
            uint16_t raw = 0;
            for (unsigned q = 1; q <= 4; q++) raw = (uint16_t)(raw << 4 | ((p[1 + (i + q) / 2] >> ((i + q) % 2 ? 0 : 4)) & 0xF));
            out[k] = raw;
        }
        if (nib == CAP_TN_REFERENCE || nib == CAP_TN_ARRAY_REFERENCE) i += 4;
        k++;
    }
    return k;
}

/* Marks block leaders; returns their count or -1. */
static int vf_leaders(vf_t *v)
{
    const cap_method_t *m = v->m;
    for (unsigned i = 0; i < m->code_len; i++) v->leader[i] = -1;
    unsigned n = 0;
#define LEAD(p) do { if ((p) < m->code_len && v->leader[p] < 0) { v->leader[p] = 0; n++; } } while (0)
    LEAD(0u);
    for (unsigned h = 0; h < v->cap->handler_count; h++) {
        const cap_handler_t *hd = &v->cap->handlers[h];
        if (hd->method == v->mi && hd->handler >= m->code_offset) LEAD((unsigned)(hd->handler - m->code_offset));
    }
    for (uint32_t pc = 0; pc < m->code_len;) {
        int len = jc_insn_len(m->code + pc, m->code_len - pc);
        if (len <= 0) return vf_fail(v, (uint16_t)pc, "undecodable instruction%s%s", "", "");
        cap_insn_t in = {.pc = (uint16_t)pc, .op = m->code[pc], .len = (uint16_t)len, .bytes = m->code + pc};
        if (jc_opcode_is_branch(in.op)) {
            int nt = cap_insn_targets(&in, v->tg, m->code_len + 1);
            for (int k = 0; k < nt && k <= m->code_len; k++)
                if (v->tg[k] >= 0) LEAD((uint32_t)v->tg[k]);
        }
        if (jc_opcode_is_branch(in.op) || jc_opcode_ends_flow(in.op) || in.op == JC_jsr) LEAD(pc + (uint32_t)len);
        if (in.op == JC_jsr && pc + (uint32_t)len < m->code_len) v->jret[v->njret++] = (uint16_t)(pc + (uint32_t)len);
        pc += (uint32_t)len;
    }
#undef LEAD
    unsigned k = 0;
    for (unsigned pc = 0; pc < m->code_len; pc++)
        if (v->leader[pc] >= 0) { v->leader[pc] = (int32_t)k; v->lpc[k++] = (uint16_t)pc; }
    return (int)n;
}

#define VF_MAX_STATE_BYTES (16u * 1024 * 1024) /* bounds what one hostile method can make us allocate */

/* Type-checks method mi. 1: the Descriptor does not type it (caller falls back), 0: fine, -1: e set. */
static int verify_types(const vm_t *vm, const vm_pkg_t *p, vf_import_t *imps, const cap_file_t *cap, uint16_t mi,
                        cl_error_t *e)
{
    const cap_method_t *m = &cap->methods[mi];
    const cap_desc_class_t *dcl = NULL;
    const cap_desc_method_t *dm = cap->has_descriptor ? desc_method(cap, m->offset, &dcl) : NULL;
    if (!dm) return 1;
    vf_t v = {.vm = vm, .p = p, .imps = imps, .cap = cap, .m = m, .mi = mi, .nl = (unsigned)m->nargs + m->max_locals, .ms = m->max_stack};
    uint8_t nb[256];
    uint16_t pcls[256];
    int n = type_nibbles(cap, dm->type_offset, nb, 256);
    if (n > 0 && type_classes(cap, dm->type_offset, pcls, 256) != n) n = -1;
    int rc = -1;
    uint8_t *cur = NULL;
    v.ssz = v.nl + (v.ms ? v.ms : 1) + 1;
    if (n < 1) { snprintf(v.why, sizeof v.why, "the Descriptor's method type is malformed"); goto out; }
    v.ret = nb[n - 1];
    v.leader = malloc(sizeof *v.leader * m->code_len);
    v.lpc = malloc(sizeof *v.lpc * m->code_len);
    v.jret = malloc(sizeof *v.jret * m->code_len);
    v.tg = malloc(sizeof *v.tg * (m->code_len + 1u));
    cur = malloc(v.ssz);
    if (!v.leader || !v.lpc || !v.jret || !v.tg || !cur) { snprintf(v.why, sizeof v.why, "out of memory"); goto out; }
    int nlead = vf_leaders(&v);
    if (nlead < 0) goto out;
    v.nlead = (unsigned)nlead;
    if ((size_t)v.nlead * v.ssz > VF_MAX_STATE_BYTES) { snprintf(v.why, sizeof v.why, "method too complex to verify"); goto out; }
    v.st = calloc(v.nlead, v.ssz);
    v.seen = calloc(v.nlead, 1);
    v.queued = calloc(v.nlead, 1);
    v.work = malloc(sizeof *v.work * v.nlead);
    if (!v.st || !v.seen || !v.queued || !v.work) { snprintf(v.why, sizeof v.why, "out of memory"); goto out; }
    /* entry state: this (unless static), then the parameters; other locals unusable until stored */
    memset(cur, VT_TOP, v.ssz);
    unsigned w = 0;
    if (!(dm->access_flags & CAP_ACC_STATIC)) {
        if (!v.nl) { snprintf(v.why, sizeof v.why, "parameters do not fit nargs"); goto out; }
        cur[w++] = vf_declared_ref(&v, dcl->this_class); /* this: an instance of the method's class */
    }
    for (int i = 0; i < n - 1; i++) {
        int t = nib_vt(nb[i]);
        if (t < 0 || w + (t == VT_IHI ? 2u : 1u) > v.nl) { snprintf(v.why, sizeof v.why, "parameters do not fit nargs"); goto out; }
        if (nb[i] == CAP_TN_REFERENCE && pcls[i] != 0xFFFF) t = vf_declared_ref(&v, cap_classref_decode(pcls[i]));
        vf_store(&v, cur, w, t);
        w += t == VT_IHI ? 2 : 1;
    }
    if (w != m->nargs) {
        snprintf(v.why, sizeof v.why, "nargs %u differs from the %u words of the Descriptor's method type", m->nargs, w);
        goto out;
    }
    if (vf_merge(&v, 0, 0, cur, cur + v.nl, 0)) goto out;
    while (v.nw) {
        unsigned li = v.work[--v.nw];
        v.queued[li] = 0;
        if (vf_block(&v, li, cur)) {
            if (v.untyped) rc = 1;
            goto out;
        }
    }
    /* the fixpoint: every reached block once more, now with the class checks (no state changes) */
    v.final = true;
    for (unsigned li = 0; li < v.nlead; li++)
        if (v.seen[li] && vf_block(&v, li, cur)) goto out;
    rc = 0;
out:
    if (rc < 0) cl_seterr(e, "Method component: offset 0x%x (method at 0x%x, pc %u): %s", m->code_offset + v.where, m->offset,
                      v.where, v.why);
    free(v.leader); free(v.lpc); free(v.jret); free(v.tg); free(cur);
    free(v.st); free(v.seen); free(v.queued); free(v.work);
    return rc;
}

/* The per-instruction checks of method mt (no flow): ACC_INT, local indices, invokeinterface nargs. */
static int check_insns(const vm_pkg_t *p, const cap_method_t *mt, cl_error_t *e)
{
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
    return 0;
}

int vm_verify_pkg(vm_t *vm, const vm_pkg_t *p, const cap_file_t *cap, cl_error_t *e)
{
    if (!cap->has_descriptor)
        cl_info("package without a Descriptor component: bytecode types not verified at load (stack depth only; "
                "run-time checks apply)");
    vf_import_t *imps = calloc(p->nimports ? p->nimports : 1u, sizeof *imps);
    if (!imps) { cl_seterr(e, "out of memory"); return -1; }
    int rc = 0;
    for (uint16_t m = 0; m < cap->method_count && !rc; m++) {
        const cap_method_t *mt = &cap->methods[m];
        if (mt->flags & CAP_METHOD_ACC_ABSTRACT) continue;
        if (check_insns(p, mt, e)) { rc = -1; break; }
        int t = verify_types(vm, p, imps, cap, m, e);
        if (t < 0 || (t > 0 && verify_stack(cap, m, e))) rc = -1;
    }
    for (unsigned i = 0; i < p->nimports; i++)
        if (imps[i].ok) cap_free(&imps[i].cap);
    free(imps);
    if (rc) return rc;
    for (unsigned h = 0; h < cap->handler_count; h++) {
        uint16_t ct = cap->handlers[h].catch_type;
        if (ct && (ct >= p->ncp || p->cp[ct].tag != CAP_CP_CLASSREF)) {
            cl_seterr(e, "Method component: offset 0x%x: handler catch type is not a class", 1 + 8 * h);
            return -1;
        }
    }
    return 0;
}
