/* jc_opcodes: lookup functions generated from the JC_OPCODES table. */
#include "cap/jc_opcodes.h"

#include <string.h>

#include "common/cl_util.h"

static const char *const jc_names[256] = {
#define X(name, code, fmt) [code] = #name,
    JC_OPCODES(X)
#undef X
};

static const unsigned char jc_formats[256] = {
#define X(name, code, fmt) [code] = fmt,
    JC_OPCODES(X)
#undef X
};

/* The table must hold exactly the spec's instruction count, each opcode once, in order:
 * a duplicate designated initializer would silently overwrite, so count entries here. */
enum {
#define X(name, code, fmt) JC_COUNT_##name,
    JC_OPCODES(X)
#undef X
    JC_COUNTED
};
_Static_assert(JC_COUNTED == JC_OPCODE_COUNT, "JC_OPCODES must list 185 instructions");

const char *jc_opcode_name(int op)
{
    if (op < 0 || op > 0xFF) return NULL;
    return jc_names[op];
}

int jc_opcode_format(int op)
{
    if (op < 0 || op > 0xFF) return JC_OPF_UNDEFINED;
    return jc_formats[op];
}

int jc_opf_operand_len(int fmt)
{
    switch (fmt) {
    case JC_OPF_NONE: return 0;
    case JC_OPF_BYTE: case JC_OPF_LOCAL: case JC_OPF_MN: case JC_OPF_BRANCH:
    case JC_OPF_CP_BYTE: case JC_OPF_ATYPE:
        return 1;
    case JC_OPF_SHORT: case JC_OPF_LOCAL_INC: case JC_OPF_BRANCH_W: case JC_OPF_CP:
        return 2;
    case JC_OPF_LOCAL_INC_W: case JC_OPF_ATYPE_CP:
        return 3;
    case JC_OPF_INT: case JC_OPF_INVOKEINTERFACE:
        return 4;
    case JC_OPF_STABLESWITCH: case JC_OPF_ITABLESWITCH:
    case JC_OPF_SLOOKUPSWITCH: case JC_OPF_ILOOKUPSWITCH:
        return -1;
    default:
        return 0;
    }
}

int jc_opcode_fixed_len(int op)
{
    int fmt = jc_opcode_format(op);
    if (fmt == JC_OPF_UNDEFINED) return 0;
    int n = jc_opf_operand_len(fmt);
    return n < 0 ? -1 : 1 + n;
}

int jc_opcode_by_name(const char *name)
{
    if (!name) return -1;
    for (int op = 0; op <= JC_OPCODE_LAST; op++)
        if (jc_names[op] && strcmp(jc_names[op], name) == 0) return op;
    return -1;
}

int jc_insn_len(const uint8_t *code, size_t avail)
{
    if (!code || avail < 1) return -1;
    int op = code[0];
    int fmt = jc_opcode_format(op);
    if (fmt == JC_OPF_UNDEFINED) return -1;
    int fixed = jc_opcode_fixed_len(op);
    if (fixed > 0) return (size_t)fixed <= avail ? fixed : -1;

    /* Switches: header sizes first, then the table; every count is checked against avail
     * before it is multiplied, so a hostile count cannot overflow or over-read. */
    size_t need;
    switch (fmt) {
    case JC_OPF_STABLESWITCH: {
        if (avail < 7) return -1;
        int16_t low = (int16_t)cl_get16(code + 3), high = (int16_t)cl_get16(code + 5);
        if (low > high) return -1;
        need = 7 + 2 * (size_t)((int32_t)high - low + 1);
        break;
    }
    case JC_OPF_ITABLESWITCH: {
        if (avail < 11) return -1;
        int32_t low = (int32_t)cl_get32(code + 3), high = (int32_t)cl_get32(code + 7);
        if (low > high) return -1;
        uint64_t entries = (uint64_t)((int64_t)high - low + 1);
        if (entries > avail) return -1;
        need = 11 + 2 * (size_t)entries;
        break;
    }
    case JC_OPF_SLOOKUPSWITCH:
        if (avail < 5) return -1;
        need = 5 + 4 * (size_t)cl_get16(code + 3);
        break;
    case JC_OPF_ILOOKUPSWITCH:
        if (avail < 5) return -1;
        need = 5 + 6 * (size_t)cl_get16(code + 3);
        break;
    default:
        return -1;
    }
    if (need > avail || need > 0x7FFFFFFF) return -1;
    return (int)need;
}

int jc_opcode_is_branch(int op)
{
    switch (jc_opcode_format(op)) {
    case JC_OPF_BRANCH: case JC_OPF_BRANCH_W:
    case JC_OPF_STABLESWITCH: case JC_OPF_ITABLESWITCH:
    case JC_OPF_SLOOKUPSWITCH: case JC_OPF_ILOOKUPSWITCH:
        return 1;
    default:
        return 0;
    }
}

int jc_opcode_ends_flow(int op)
{
    switch (op) {
    case JC_goto: case JC_goto_w: case JC_stableswitch: case JC_itableswitch:
    case JC_slookupswitch: case JC_ilookupswitch: case JC_areturn: case JC_sreturn:
    case JC_ireturn: case JC_return: case JC_athrow: case JC_ret:
        return 1;
    default:
        return 0;
    }
}

int jc_opcode_cp_index_width(int op)
{
    switch (jc_opcode_format(op)) {
    case JC_OPF_CP_BYTE: return 1;
    case JC_OPF_CP: case JC_OPF_ATYPE_CP: case JC_OPF_INVOKEINTERFACE: return 2;
    default: return 0;
    }
}

int jc_opcode_cp_index_offset(int op)
{
    switch (jc_opcode_format(op)) {
    case JC_OPF_CP_BYTE: case JC_OPF_CP: return 1;
    case JC_OPF_ATYPE_CP: case JC_OPF_INVOKEINTERFACE: return 2;
    default: return 0;
    }
}
