/* vm_verify: per-instruction checks of every method at load time (see vm_verify.h). */
#include "vm/vm_verify.h"
#include "cap/jc_opcodes.h"

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
