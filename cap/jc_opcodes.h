/* jc_opcodes: THE table of Java Card VM instructions (JCVM spec 3.0.5 classic, chapter 7).
 *
 * One line per instruction, in opcode order. Everything that knows about bytecode is generated
 * from this one table: the converter's emitter, the disassembler (cap_dump), the verifier's
 * decoder and the interpreter's dispatch. To add or check an instruction, edit only this table.
 *
 * Encoding notes (all operands big-endian, no alignment padding anywhere, unlike the JVM):
 *   - branch offsets are signed and relative to the opcode byte of the branching instruction;
 *   - constant pool indices are unsigned (byte or short) into the ConstantPool component;
 *   - local variable indices are unsigned bytes; an int local takes two consecutive slots.
 * 0xB9..0xFD are undefined; 0xFE impdep1 and 0xFF impdep2 are reserved for the implementation
 * and never appear in a CAP file (the parser rejects them like undefined opcodes). */
#ifndef JC_OPCODES_H
#define JC_OPCODES_H

#include <stddef.h>
#include <stdint.h>

/* Operand formats. The comment gives the bytes after the opcode. */
enum jc_opf {
    JC_OPF_UNDEFINED = 0, /* not a JCVM instruction */
    JC_OPF_NONE,          /* -                                             */
    JC_OPF_BYTE,          /* s1 value            (bspush, bipush)         */
    JC_OPF_SHORT,         /* s2 value            (sspush, sipush)         */
    JC_OPF_INT,           /* s4 value            (iipush)                 */
    JC_OPF_LOCAL,         /* u1 local index      (aload, sstore, ret...)  */
    JC_OPF_LOCAL_INC,     /* u1 index, s1 const  (sinc, iinc)             */
    JC_OPF_LOCAL_INC_W,   /* u1 index, s2 const  (sinc_w, iinc_w)         */
    JC_OPF_MN,            /* u1 mn: m high nibble, n low nibble (dup_x, swap_x) */
    JC_OPF_BRANCH,        /* s1 offset           (ifeq, goto...)          */
    JC_OPF_BRANCH_W,      /* s2 offset           (ifeq_w, goto_w, jsr)    */
    JC_OPF_CP_BYTE,       /* u1 cp index         (getfield_s, putfield_a_this...) */
    JC_OPF_CP,            /* u2 cp index         (getstatic_s, invokevirtual, new, getfield_s_w...) */
    JC_OPF_ATYPE,         /* u1 atype            (newarray)               */
    JC_OPF_ATYPE_CP,      /* u1 atype, u2 cp index (checkcast, instanceof; index 0 for primitive arrays) */
    JC_OPF_INVOKEINTERFACE, /* u1 nargs, u2 cp index (class), u1 method token */
    JC_OPF_STABLESWITCH,  /* s2 default, s2 low, s2 high, (high-low+1) x s2 offset */
    JC_OPF_ITABLESWITCH,  /* s2 default, s4 low, s4 high, (high-low+1) x s2 offset */
    JC_OPF_SLOOKUPSWITCH, /* s2 default, u2 npairs, npairs x (s2 match, s2 offset), matches ascending */
    JC_OPF_ILOOKUPSWITCH, /* s2 default, u2 npairs, npairs x (s4 match, s2 offset), matches ascending */
    JC_OPF_COUNT
};

/* X(mnemonic, opcode, operand format) — one line per instruction, in opcode order */
#define JC_OPCODES(X) \
    X(nop,              0x00, JC_OPF_NONE) \
    X(aconst_null,      0x01, JC_OPF_NONE) \
    X(sconst_m1,        0x02, JC_OPF_NONE) \
    X(sconst_0,         0x03, JC_OPF_NONE) \
    X(sconst_1,         0x04, JC_OPF_NONE) \
    X(sconst_2,         0x05, JC_OPF_NONE) \
    X(sconst_3,         0x06, JC_OPF_NONE) \
    X(sconst_4,         0x07, JC_OPF_NONE) \
    X(sconst_5,         0x08, JC_OPF_NONE) \
    X(iconst_m1,        0x09, JC_OPF_NONE) \
    X(iconst_0,         0x0A, JC_OPF_NONE) \
    X(iconst_1,         0x0B, JC_OPF_NONE) \
    X(iconst_2,         0x0C, JC_OPF_NONE) \
    X(iconst_3,         0x0D, JC_OPF_NONE) \
    X(iconst_4,         0x0E, JC_OPF_NONE) \
    X(iconst_5,         0x0F, JC_OPF_NONE) \
    X(bspush,           0x10, JC_OPF_BYTE) \
    X(sspush,           0x11, JC_OPF_SHORT) \
    X(bipush,           0x12, JC_OPF_BYTE) \
    X(sipush,           0x13, JC_OPF_SHORT) \
    X(iipush,           0x14, JC_OPF_INT) \
    X(aload,            0x15, JC_OPF_LOCAL) \
    X(sload,            0x16, JC_OPF_LOCAL) \
    X(iload,            0x17, JC_OPF_LOCAL) \
    X(aload_0,          0x18, JC_OPF_NONE) \
    X(aload_1,          0x19, JC_OPF_NONE) \
    X(aload_2,          0x1A, JC_OPF_NONE) \
    X(aload_3,          0x1B, JC_OPF_NONE) \
    X(sload_0,          0x1C, JC_OPF_NONE) \
    X(sload_1,          0x1D, JC_OPF_NONE) \
    X(sload_2,          0x1E, JC_OPF_NONE) \
    X(sload_3,          0x1F, JC_OPF_NONE) \
    X(iload_0,          0x20, JC_OPF_NONE) \
    X(iload_1,          0x21, JC_OPF_NONE) \
    X(iload_2,          0x22, JC_OPF_NONE) \
    X(iload_3,          0x23, JC_OPF_NONE) \
    X(aaload,           0x24, JC_OPF_NONE) \
    X(baload,           0x25, JC_OPF_NONE) \
    X(saload,           0x26, JC_OPF_NONE) \
    X(iaload,           0x27, JC_OPF_NONE) \
    X(astore,           0x28, JC_OPF_LOCAL) \
    X(sstore,           0x29, JC_OPF_LOCAL) \
    X(istore,           0x2A, JC_OPF_LOCAL) \
    X(astore_0,         0x2B, JC_OPF_NONE) \
    X(astore_1,         0x2C, JC_OPF_NONE) \
    X(astore_2,         0x2D, JC_OPF_NONE) \
    X(astore_3,         0x2E, JC_OPF_NONE) \
    X(sstore_0,         0x2F, JC_OPF_NONE) \
    X(sstore_1,         0x30, JC_OPF_NONE) \
    X(sstore_2,         0x31, JC_OPF_NONE) \
    X(sstore_3,         0x32, JC_OPF_NONE) \
    X(istore_0,         0x33, JC_OPF_NONE) \
    X(istore_1,         0x34, JC_OPF_NONE) \
    X(istore_2,         0x35, JC_OPF_NONE) \
    X(istore_3,         0x36, JC_OPF_NONE) \
    X(aastore,          0x37, JC_OPF_NONE) \
    X(bastore,          0x38, JC_OPF_NONE) \
    X(sastore,          0x39, JC_OPF_NONE) \
    X(iastore,          0x3A, JC_OPF_NONE) \
    X(pop,              0x3B, JC_OPF_NONE) \
    X(pop2,             0x3C, JC_OPF_NONE) \
    X(dup,              0x3D, JC_OPF_NONE) \
    X(dup2,             0x3E, JC_OPF_NONE) \
    X(dup_x,            0x3F, JC_OPF_MN) \
    X(swap_x,           0x40, JC_OPF_MN) \
    X(sadd,             0x41, JC_OPF_NONE) \
    X(iadd,             0x42, JC_OPF_NONE) \
    X(ssub,             0x43, JC_OPF_NONE) \
    X(isub,             0x44, JC_OPF_NONE) \
    X(smul,             0x45, JC_OPF_NONE) \
    X(imul,             0x46, JC_OPF_NONE) \
    X(sdiv,             0x47, JC_OPF_NONE) \
    X(idiv,             0x48, JC_OPF_NONE) \
    X(srem,             0x49, JC_OPF_NONE) \
    X(irem,             0x4A, JC_OPF_NONE) \
    X(sneg,             0x4B, JC_OPF_NONE) \
    X(ineg,             0x4C, JC_OPF_NONE) \
    X(sshl,             0x4D, JC_OPF_NONE) \
    X(ishl,             0x4E, JC_OPF_NONE) \
    X(sshr,             0x4F, JC_OPF_NONE) \
    X(ishr,             0x50, JC_OPF_NONE) \
    X(sushr,            0x51, JC_OPF_NONE) \
    X(iushr,            0x52, JC_OPF_NONE) \
    X(sand,             0x53, JC_OPF_NONE) \
    X(iand,             0x54, JC_OPF_NONE) \
    X(sor,              0x55, JC_OPF_NONE) \
    X(ior,              0x56, JC_OPF_NONE) \
    X(sxor,             0x57, JC_OPF_NONE) \
    X(ixor,             0x58, JC_OPF_NONE) \
    X(sinc,             0x59, JC_OPF_LOCAL_INC) \
    X(iinc,             0x5A, JC_OPF_LOCAL_INC) \
    X(s2b,              0x5B, JC_OPF_NONE) \
    X(s2i,              0x5C, JC_OPF_NONE) \
    X(i2b,              0x5D, JC_OPF_NONE) \
    X(i2s,              0x5E, JC_OPF_NONE) \
    X(icmp,             0x5F, JC_OPF_NONE) \
    X(ifeq,             0x60, JC_OPF_BRANCH) \
    X(ifne,             0x61, JC_OPF_BRANCH) \
    X(iflt,             0x62, JC_OPF_BRANCH) \
    X(ifge,             0x63, JC_OPF_BRANCH) \
    X(ifgt,             0x64, JC_OPF_BRANCH) \
    X(ifle,             0x65, JC_OPF_BRANCH) \
    X(ifnull,           0x66, JC_OPF_BRANCH) \
    X(ifnonnull,        0x67, JC_OPF_BRANCH) \
    X(if_acmpeq,        0x68, JC_OPF_BRANCH) \
    X(if_acmpne,        0x69, JC_OPF_BRANCH) \
    X(if_scmpeq,        0x6A, JC_OPF_BRANCH) \
    X(if_scmpne,        0x6B, JC_OPF_BRANCH) \
    X(if_scmplt,        0x6C, JC_OPF_BRANCH) \
    X(if_scmpge,        0x6D, JC_OPF_BRANCH) \
    X(if_scmpgt,        0x6E, JC_OPF_BRANCH) \
    X(if_scmple,        0x6F, JC_OPF_BRANCH) \
    X(goto,             0x70, JC_OPF_BRANCH) \
    X(jsr,              0x71, JC_OPF_BRANCH_W) \
    X(ret,              0x72, JC_OPF_LOCAL) \
    X(stableswitch,     0x73, JC_OPF_STABLESWITCH) \
    X(itableswitch,     0x74, JC_OPF_ITABLESWITCH) \
    X(slookupswitch,    0x75, JC_OPF_SLOOKUPSWITCH) \
    X(ilookupswitch,    0x76, JC_OPF_ILOOKUPSWITCH) \
    X(areturn,          0x77, JC_OPF_NONE) \
    X(sreturn,          0x78, JC_OPF_NONE) \
    X(ireturn,          0x79, JC_OPF_NONE) \
    X(return,           0x7A, JC_OPF_NONE) \
    X(getstatic_a,      0x7B, JC_OPF_CP) \
    X(getstatic_b,      0x7C, JC_OPF_CP) \
    X(getstatic_s,      0x7D, JC_OPF_CP) \
    X(getstatic_i,      0x7E, JC_OPF_CP) \
    X(putstatic_a,      0x7F, JC_OPF_CP) \
    X(putstatic_b,      0x80, JC_OPF_CP) \
    X(putstatic_s,      0x81, JC_OPF_CP) \
    X(putstatic_i,      0x82, JC_OPF_CP) \
    X(getfield_a,       0x83, JC_OPF_CP_BYTE) \
    X(getfield_b,       0x84, JC_OPF_CP_BYTE) \
    X(getfield_s,       0x85, JC_OPF_CP_BYTE) \
    X(getfield_i,       0x86, JC_OPF_CP_BYTE) \
    X(putfield_a,       0x87, JC_OPF_CP_BYTE) \
    X(putfield_b,       0x88, JC_OPF_CP_BYTE) \
    X(putfield_s,       0x89, JC_OPF_CP_BYTE) \
    X(putfield_i,       0x8A, JC_OPF_CP_BYTE) \
    X(invokevirtual,    0x8B, JC_OPF_CP) \
    X(invokespecial,    0x8C, JC_OPF_CP) \
    X(invokestatic,     0x8D, JC_OPF_CP) \
    X(invokeinterface,  0x8E, JC_OPF_INVOKEINTERFACE) \
    X(new,              0x8F, JC_OPF_CP) \
    X(newarray,         0x90, JC_OPF_ATYPE) \
    X(anewarray,        0x91, JC_OPF_CP) \
    X(arraylength,      0x92, JC_OPF_NONE) \
    X(athrow,           0x93, JC_OPF_NONE) \
    X(checkcast,        0x94, JC_OPF_ATYPE_CP) \
    X(instanceof,       0x95, JC_OPF_ATYPE_CP) \
    X(sinc_w,           0x96, JC_OPF_LOCAL_INC_W) \
    X(iinc_w,           0x97, JC_OPF_LOCAL_INC_W) \
    X(ifeq_w,           0x98, JC_OPF_BRANCH_W) \
    X(ifne_w,           0x99, JC_OPF_BRANCH_W) \
    X(iflt_w,           0x9A, JC_OPF_BRANCH_W) \
    X(ifge_w,           0x9B, JC_OPF_BRANCH_W) \
    X(ifgt_w,           0x9C, JC_OPF_BRANCH_W) \
    X(ifle_w,           0x9D, JC_OPF_BRANCH_W) \
    X(ifnull_w,         0x9E, JC_OPF_BRANCH_W) \
    X(ifnonnull_w,      0x9F, JC_OPF_BRANCH_W) \
    X(if_acmpeq_w,      0xA0, JC_OPF_BRANCH_W) \
    X(if_acmpne_w,      0xA1, JC_OPF_BRANCH_W) \
    X(if_scmpeq_w,      0xA2, JC_OPF_BRANCH_W) \
    X(if_scmpne_w,      0xA3, JC_OPF_BRANCH_W) \
    X(if_scmplt_w,      0xA4, JC_OPF_BRANCH_W) \
    X(if_scmpge_w,      0xA5, JC_OPF_BRANCH_W) \
    X(if_scmpgt_w,      0xA6, JC_OPF_BRANCH_W) \
    X(if_scmple_w,      0xA7, JC_OPF_BRANCH_W) \
    X(goto_w,           0xA8, JC_OPF_BRANCH_W) \
    X(getfield_a_w,     0xA9, JC_OPF_CP) \
    X(getfield_b_w,     0xAA, JC_OPF_CP) \
    X(getfield_s_w,     0xAB, JC_OPF_CP) \
    X(getfield_i_w,     0xAC, JC_OPF_CP) \
    X(getfield_a_this,  0xAD, JC_OPF_CP_BYTE) \
    X(getfield_b_this,  0xAE, JC_OPF_CP_BYTE) \
    X(getfield_s_this,  0xAF, JC_OPF_CP_BYTE) \
    X(getfield_i_this,  0xB0, JC_OPF_CP_BYTE) \
    X(putfield_a_w,     0xB1, JC_OPF_CP) \
    X(putfield_b_w,     0xB2, JC_OPF_CP) \
    X(putfield_s_w,     0xB3, JC_OPF_CP) \
    X(putfield_i_w,     0xB4, JC_OPF_CP) \
    X(putfield_a_this,  0xB5, JC_OPF_CP_BYTE) \
    X(putfield_b_this,  0xB6, JC_OPF_CP_BYTE) \
    X(putfield_s_this,  0xB7, JC_OPF_CP_BYTE) \
    X(putfield_i_this,  0xB8, JC_OPF_CP_BYTE)

enum jc_opcode {
#define X(name, code, fmt) JC_##name = code,
    JC_OPCODES(X)
#undef X
};

#define JC_OPCODE_COUNT 185   /* defined instructions, 0x00..0xB8 */
#define JC_OPCODE_LAST  0xB8
#define JC_impdep1      0xFE  /* reserved for the implementation; never valid in a CAP file */
#define JC_impdep2      0xFF

/* Mnemonic of op, NULL for undefined opcodes (including impdep1/impdep2). */
const char *jc_opcode_name(int op);
/* Operand format of op (enum jc_opf), JC_OPF_UNDEFINED for undefined opcodes. */
int jc_opcode_format(int op);
/* Total length including the opcode byte; -1 for the variable-length switches; 0 undefined. */
int jc_opcode_fixed_len(int op);
/* Operand bytes after the opcode of a fixed-length format; -1 for switches, 0 for NONE/UNDEFINED. */
int jc_opf_operand_len(int fmt);
/* Opcode with this mnemonic, or -1. */
int jc_opcode_by_name(const char *name);
/* Length of the instruction at code, reading at most avail bytes (switch tables included).
 * -1 if the opcode is undefined, the instruction does not fit in avail, or a switch table is
 * malformed (tableswitch low > high, lookupswitch with more pairs than fit). */
int jc_insn_len(const uint8_t *code, size_t avail);

/* True for instructions that transfer control (any branch, switch, return, athrow, ret):
 * the instruction after them is not reached by falling through (except conditional branches). */
int jc_opcode_is_branch(int op);      /* JC_OPF_BRANCH / _W or a switch */
int jc_opcode_ends_flow(int op);      /* goto, goto_w, switches, returns, athrow, ret */

/* Width in bytes (1 or 2) of the constant pool index operand of op, 0 if op has none.
 * RefLocation lists byte-wide indices and short-wide indices separately. */
int jc_opcode_cp_index_width(int op);
/* Offset of that constant pool index from the opcode byte (1 for most, 2 for checkcast/
 * instanceof/invokeinterface), 0 if op has none. */
int jc_opcode_cp_index_offset(int op);

#include "cap/cap_consts.h"

#endif
