/* cap_testgen: hand-assembles a small but complete CAP file for the cap/ tests and the fuzz seed
 * corpus. Header-only (static functions) so it never lands in the library.
 *
 * The sample package has every component (Header, Directory, Applet, Import, ConstantPool, Class,
 * Method, StaticField, RefLocation, Export, Descriptor, plus one custom component), an interface,
 * a class implementing it, a subclass, all six constant pool entry kinds, internal and external
 * references, an exception handler, a standard, an extended and an abstract method header, and one
 * method using every operand format of jc_opcodes.h. Offsets are computed while assembling and
 * recorded in tg_cap_t so tests compare decoded values against what was written, not against
 * numbers copied from the parser. */
#ifndef CAP_TESTGEN_H
#define CAP_TESTGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap_consts.h"
#include "cap/cap_zip.h"
#include "cap/jc_opcodes.h"

typedef struct {
    uint8_t p[8192];
    size_t n;
} tg_buf_t;

static inline void tg_u1(tg_buf_t *b, unsigned v) { b->p[b->n++] = (uint8_t)v; }
static inline void tg_u2(tg_buf_t *b, unsigned v) { tg_u1(b, v >> 8); tg_u1(b, v & 0xFF); }
static inline void tg_u4(tg_buf_t *b, uint32_t v) { tg_u2(b, v >> 16); tg_u2(b, v & 0xFFFF); }
static inline void tg_bytes(tg_buf_t *b, const void *d, size_t n) { memcpy(b->p + b->n, d, n); b->n += n; }
static inline void tg_patch2(tg_buf_t *b, size_t at, unsigned v) { b->p[at] = (uint8_t)(v >> 8); b->p[at + 1] = (uint8_t)v; }

#define TG_MAX_LOCS 64
/* tg_build_v flags: an unreferenced static method (no cp entry, table or export names it), which
 * only a Descriptor would locate; after the helper method or after the abstract one. */
#define TG_ORPHAN_MID 0x1u
#define TG_ORPHAN_END 0x2u
typedef struct {
    tg_buf_t comp[CAP_COMP_DEBUG + 1];   /* info of each component, by tag */
    tg_buf_t custom;                      /* info of the custom component (tag 0x80) */
    bool with_desc;
    /* what was written, for the tests */
    uint16_t off_install, off_process, off_helper, off_abstract, off_orphan;
    unsigned flags;
    uint16_t process_code_off, process_code_len;
    uint16_t class_i, class_a, class_b;
    uint16_t loc1[TG_MAX_LOCS], loc2[TG_MAX_LOCS];
    unsigned nloc1, nloc2;
    uint16_t try_start, try_end, handler_pc;
    int opcodes_used[256];
} tg_cap_t;

static const uint8_t tg_pkg_aid[] = {0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01};
static const uint8_t tg_applet_aid[] = {0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01};
static const uint8_t tg_lang_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x62, 0x00, 0x01};
static const uint8_t tg_fw_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01};
#define TG_PKG_NAME "com/cardlet/test"

/* Method-component assembler: records constant pool operand locations for RefLocation. */
typedef struct {
    tg_cap_t *t;
    tg_buf_t *m;
} tg_asm_t;

static inline size_t tg_op(tg_asm_t *a, int op)
{
    size_t at = a->m->n;
    tg_u1(a->m, (unsigned)op);
    a->t->opcodes_used[op] = 1;
    return at;
}
static inline void tg_cp1(tg_asm_t *a, int op, unsigned idx)
{
    tg_op(a, op);
    a->t->loc1[a->t->nloc1++] = (uint16_t)a->m->n;
    tg_u1(a->m, idx);
}
static inline void tg_cp2(tg_asm_t *a, int op, unsigned idx)
{
    tg_op(a, op);
    a->t->loc2[a->t->nloc2++] = (uint16_t)a->m->n;
    tg_u2(a->m, idx);
}

/* Encodes RefLocation deltas: 255 means "skip 255, no location". */
static inline void tg_reflist(tg_buf_t *out, const uint16_t *locs, unsigned n)
{
    tg_buf_t tmp = {.n = 0};
    unsigned prev = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned d = locs[i] - prev;
        while (d > 255) { tg_u1(&tmp, 255); d -= 255; }
        tg_u1(&tmp, d);
        prev = locs[i];
    }
    tg_u2(out, (unsigned)tmp.n);
    tg_bytes(out, tmp.p, tmp.n);
}

/* static short orphan() { return helper(); } with an extended header, whose first byte (0x80)
 * would decode as putstatic_b if it were read as part of the method before it */
static inline void tg_orphan(tg_asm_t *a)
{
    a->t->off_orphan = (uint16_t)a->m->n;
    tg_u1(a->m, 0x80); tg_u1(a->m, 2); tg_u1(a->m, 0); tg_u1(a->m, 0);
    tg_cp2(a, JC_invokestatic, 6);
    tg_op(a, JC_sreturn);
}

static inline void tg_build_method(tg_cap_t *t, tg_buf_t *m)
{
    tg_asm_t a = {t, m};
    size_t handler_at;
    tg_u1(m, 1); /* handler_count */
    handler_at = m->n;
    m->n += 8;   /* filled in below */
    /* a handler's catch_type_index is a constant pool index inside the Method component: listed too */
    t->loc2[t->nloc2++] = (uint16_t)(handler_at + 6);

    /* install(byte[], short, byte): new A; dup; invokespecial; invokevirtual register; return */
    t->off_install = (uint16_t)m->n;
    tg_u1(m, 0x03); tg_u1(m, 0x31);
    tg_cp2(&a, JC_new, 1);
    tg_op(&a, JC_dup);
    tg_cp2(&a, JC_invokespecial, 6);
    tg_cp2(&a, JC_invokevirtual, 3);
    tg_op(&a, JC_return);

    /* process: extended header, every operand format */
    t->off_process = (uint16_t)m->n;
    tg_u1(m, 0x80); tg_u1(m, 8); tg_u1(m, 2); tg_u1(m, 4);
    size_t c0 = m->n;
    t->process_code_off = (uint16_t)c0;
    t->try_start = (uint16_t)m->n;
    tg_op(&a, JC_sconst_1); tg_op(&a, JC_pop);
    t->try_end = (uint16_t)m->n;
    for (int i = 0; i < 300; i++) tg_op(&a, JC_nop); /* pushes later locations past a 255 delta */
    tg_op(&a, JC_bspush); tg_u1(m, 0x7F); tg_op(&a, JC_pop);
    tg_op(&a, JC_sspush); tg_u2(m, 0x1234); tg_op(&a, JC_pop);
    tg_op(&a, JC_iipush); tg_u4(m, 0x12345678); tg_op(&a, JC_pop2);
    tg_op(&a, JC_sconst_2); tg_op(&a, JC_sstore); tg_u1(m, 1);
    tg_op(&a, JC_sload); tg_u1(m, 1); tg_op(&a, JC_pop);
    tg_op(&a, JC_sinc); tg_u1(m, 1); tg_u1(m, 0xFF);
    tg_op(&a, JC_sinc_w); tg_u1(m, 1); tg_u2(m, 0x0100);
    tg_op(&a, JC_sconst_0); tg_op(&a, JC_dup_x); tg_u1(m, 0x11); tg_op(&a, JC_pop); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_cp1(&a, JC_getfield_s_this, 2); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_cp1(&a, JC_getfield_s, 2); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_cp2(&a, JC_getfield_s_w, 2); tg_op(&a, JC_pop);
    tg_cp2(&a, JC_getstatic_s, 5); tg_cp2(&a, JC_putstatic_s, 5);
    tg_cp2(&a, JC_getstatic_b, 8); tg_op(&a, JC_pop);
    tg_cp2(&a, JC_invokestatic, 6); tg_op(&a, JC_pop);
    tg_op(&a, JC_sconst_0); tg_cp2(&a, JC_invokestatic, 7);
    tg_cp2(&a, JC_new, 1); tg_op(&a, JC_pop);
    tg_op(&a, JC_sconst_1); tg_cp2(&a, JC_anewarray, 0); tg_op(&a, JC_pop);
    tg_op(&a, JC_sconst_1); tg_op(&a, JC_newarray); tg_u1(m, JC_ATYPE_BYTE); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_op(&a, JC_checkcast); tg_u1(m, JC_ATYPE_CLASS);
    t->loc2[t->nloc2++] = (uint16_t)m->n; tg_u2(m, 1); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_op(&a, JC_instanceof); tg_u1(m, JC_ATYPE_BYTE); tg_u2(m, 0); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_op(&a, JC_checkcast); tg_u1(m, JC_ATYPE_REFERENCE);
    t->loc2[t->nloc2++] = (uint16_t)m->n; tg_u2(m, 9); tg_op(&a, JC_pop);
    tg_op(&a, JC_aload_0); tg_op(&a, JC_invokeinterface); tg_u1(m, 1);
    t->loc2[t->nloc2++] = (uint16_t)m->n; tg_u2(m, 9); tg_u1(m, 0);
    tg_op(&a, JC_aload_0); tg_cp2(&a, JC_invokevirtual, 3);
    tg_op(&a, JC_aload_0); tg_cp2(&a, JC_invokespecial, 4);
    /* branches: each jumps to the next block; offsets patched once the target is known */
    tg_op(&a, JC_sconst_0);
    size_t br = tg_op(&a, JC_ifeq); tg_u1(m, 0);
    size_t la = m->n; m->p[br + 1] = (uint8_t)(la - br);
    size_t gw = tg_op(&a, JC_goto_w); tg_u2(m, 0);
    size_t lb = m->n; tg_patch2(m, gw + 1, (unsigned)(lb - gw));
    tg_op(&a, JC_sconst_0);
    size_t st = tg_op(&a, JC_stableswitch); tg_u2(m, 0); tg_u2(m, 0); tg_u2(m, 1); tg_u2(m, 0); tg_u2(m, 0);
    size_t lc = m->n;
    for (int i = 0; i < 3; i++) tg_patch2(m, st + 1 + (i == 0 ? 0 : 4 + 2 * i), (unsigned)(lc - st));
    tg_op(&a, JC_iconst_0);
    size_t it = tg_op(&a, JC_itableswitch); tg_u2(m, 0); tg_u4(m, 0xFFFFFFFFu); tg_u4(m, 0); tg_u2(m, 0); tg_u2(m, 0);
    size_t ld = m->n;
    tg_patch2(m, it + 1, (unsigned)(ld - it)); tg_patch2(m, it + 11, (unsigned)(ld - it)); tg_patch2(m, it + 13, (unsigned)(ld - it));
    tg_op(&a, JC_sconst_0);
    size_t sl = tg_op(&a, JC_slookupswitch); tg_u2(m, 0); tg_u2(m, 2); tg_u2(m, 1); tg_u2(m, 0); tg_u2(m, 5); tg_u2(m, 0);
    size_t le = m->n;
    tg_patch2(m, sl + 1, (unsigned)(le - sl)); tg_patch2(m, sl + 7, (unsigned)(le - sl)); tg_patch2(m, sl + 11, (unsigned)(le - sl));
    tg_op(&a, JC_iconst_0);
    size_t il = tg_op(&a, JC_ilookupswitch); tg_u2(m, 0); tg_u2(m, 1); tg_u4(m, 7); tg_u2(m, 0);
    size_t lf = m->n;
    tg_patch2(m, il + 1, (unsigned)(lf - il)); tg_patch2(m, il + 9, (unsigned)(lf - il));
    tg_op(&a, JC_return);
    t->handler_pc = (uint16_t)m->n;
    tg_op(&a, JC_astore_3); tg_op(&a, JC_return);
    t->process_code_len = (uint16_t)(m->n - c0);

    /* helper: static short helper() { return 1; } */
    t->off_helper = (uint16_t)m->n;
    tg_u1(m, 0x01); tg_u1(m, 0x00);
    tg_op(&a, JC_sconst_1); tg_op(&a, JC_sreturn);
    if (t->flags & TG_ORPHAN_MID) tg_orphan(&a);

    /* abstract method: header only */
    t->off_abstract = (uint16_t)m->n;
    tg_u1(m, 0x40); tg_u1(m, 0x10);
    if (t->flags & TG_ORPHAN_END) tg_orphan(&a);

    /* the handler: try [try_start, try_end) -> handler_pc, catch Classref 1 */
    tg_patch2(m, handler_at, t->try_start);
    tg_patch2(m, handler_at + 2, 0x8000u | (unsigned)(t->try_end - t->try_start));
    tg_patch2(m, handler_at + 4, t->handler_pc);
    tg_patch2(m, handler_at + 6, 1);
}

/* Type descriptors in the Descriptor's type_descriptor_info (offsets from its start). */
enum { TG_T_VOID = 22, TG_T_SHORT = 24, TG_T_BARR = 26, TG_T_PROC = 28, TG_T_THROW = 32 };

/* minor: CAP format 2.minor; 2.1 has no package name, no signature pool, 11 Directory sizes. */
static inline void tg_build_v(tg_cap_t *t, bool with_desc, unsigned minor, unsigned flags)
{
    memset(t, 0, sizeof(*t));
    t->with_desc = with_desc;
    t->flags = flags;
    tg_buf_t *b;

    b = &t->comp[CAP_COMP_HEADER];
    tg_u4(b, CAP_MAGIC); tg_u1(b, minor); tg_u1(b, 2);
    tg_u1(b, CAP_HDR_ACC_INT | CAP_HDR_ACC_EXPORT | CAP_HDR_ACC_APPLET);
    tg_u1(b, 0); tg_u1(b, 1); tg_u1(b, sizeof(tg_pkg_aid)); tg_bytes(b, tg_pkg_aid, sizeof(tg_pkg_aid));
    if (minor >= 2) { tg_u1(b, strlen(TG_PKG_NAME)); tg_bytes(b, TG_PKG_NAME, strlen(TG_PKG_NAME)); }

    b = &t->comp[CAP_COMP_IMPORT];
    tg_u1(b, 2);
    tg_u1(b, 0); tg_u1(b, 1); tg_u1(b, 7); tg_bytes(b, tg_lang_aid, 7);
    tg_u1(b, 6); tg_u1(b, 1); tg_u1(b, 7); tg_bytes(b, tg_fw_aid, 7);

    tg_build_method(t, &t->comp[CAP_COMP_METHOD]);

    b = &t->comp[CAP_COMP_CLASS];
    if (minor >= 2) tg_u2(b, 0); /* signature pool */
    t->class_i = (uint16_t)b->n;
    tg_u1(b, (CAP_ACC_INTERFACE | CAP_ACC_SHAREABLE) << 4);
    t->class_a = (uint16_t)b->n;
    tg_u1(b, 0x01); tg_u2(b, 0x8103);         /* extends javacard.framework.Applet (pkg 1, class 3) */
    tg_u1(b, 2); tg_u1(b, 0); tg_u1(b, 1);    /* instance size, first ref token, ref count */
    tg_u1(b, 0); tg_u1(b, 2); tg_u1(b, 0); tg_u1(b, 0);
    tg_u2(b, t->off_process); tg_u2(b, t->off_abstract);
    tg_u2(b, t->class_i); tg_u1(b, 1); tg_u1(b, 0);
    t->class_b = (uint16_t)b->n;
    tg_u1(b, 0x00); tg_u2(b, t->class_a);
    tg_u1(b, 2); tg_u1(b, 0xFF); tg_u1(b, 0);
    tg_u1(b, 0); tg_u1(b, 1); tg_u1(b, 0); tg_u1(b, 0);
    tg_u2(b, 0xFFFF);                          /* public method inherited: no body here */

    b = &t->comp[CAP_COMP_CONSTANTPOOL];
    tg_u2(b, 10);
    tg_u1(b, CAP_CP_CLASSREF); tg_u2(b, 0x8103); tg_u1(b, 0);
    tg_u1(b, CAP_CP_CLASSREF); tg_u2(b, t->class_a); tg_u1(b, 0);
    tg_u1(b, CAP_CP_INSTANCE_FIELDREF); tg_u2(b, t->class_a); tg_u1(b, 0);
    tg_u1(b, CAP_CP_VIRTUAL_METHODREF); tg_u2(b, 0x8103); tg_u1(b, 1);
    tg_u1(b, CAP_CP_SUPER_METHODREF); tg_u2(b, t->class_a); tg_u1(b, 0);
    tg_u1(b, CAP_CP_STATIC_FIELDREF); tg_u1(b, 0); tg_u2(b, 0);
    tg_u1(b, CAP_CP_STATIC_METHODREF); tg_u1(b, 0); tg_u2(b, t->off_helper);
    tg_u1(b, CAP_CP_STATIC_METHODREF); tg_u1(b, 0x81); tg_u1(b, 7); tg_u1(b, 1);
    tg_u1(b, CAP_CP_STATIC_FIELDREF); tg_u1(b, 0x81); tg_u1(b, 2); tg_u1(b, 0);
    tg_u1(b, CAP_CP_CLASSREF); tg_u2(b, t->class_i); tg_u1(b, 0);

    b = &t->comp[CAP_COMP_STATICFIELD];
    tg_u2(b, 6); tg_u2(b, 1); tg_u2(b, 1);
    tg_u1(b, CAP_TN_BYTE); tg_u2(b, 3); tg_u1(b, 1); tg_u1(b, 2); tg_u1(b, 3);
    tg_u2(b, 2); tg_u2(b, 2); tg_u1(b, 0x12); tg_u1(b, 0x34);

    b = &t->comp[CAP_COMP_REFLOCATION];
    /* locations must ascend: the assembler recorded them in emission order */
    for (unsigned i = 1; i < t->nloc2; i++)
        for (unsigned k = i; k > 0 && t->loc2[k - 1] > t->loc2[k]; k--) {
            uint16_t x = t->loc2[k]; t->loc2[k] = t->loc2[k - 1]; t->loc2[k - 1] = x;
        }
    tg_reflist(b, t->loc1, t->nloc1);
    tg_reflist(b, t->loc2, t->nloc2);

    b = &t->comp[CAP_COMP_EXPORT];
    tg_u1(b, 1); tg_u2(b, t->class_a); tg_u1(b, 1); tg_u1(b, 1); tg_u2(b, 0); tg_u2(b, t->off_helper);

    b = &t->comp[CAP_COMP_APPLET];
    tg_u1(b, 1); tg_u1(b, sizeof(tg_applet_aid)); tg_bytes(b, tg_applet_aid, sizeof(tg_applet_aid));
    tg_u2(b, t->off_install);

    b = &t->comp[CAP_COMP_DESCRIPTOR];
    tg_u1(b, 3);
    /* interface I */
    tg_u1(b, 0); tg_u1(b, CAP_DESC_CLASS_PUBLIC | CAP_DESC_CLASS_INTERFACE | CAP_DESC_CLASS_ABSTRACT);
    tg_u2(b, t->class_i); tg_u1(b, 0); tg_u2(b, 0); tg_u2(b, 1);
    tg_u1(b, 0); tg_u1(b, CAP_ACC_PUBLIC | CAP_ACC_ABSTRACT); tg_u2(b, 0); tg_u2(b, TG_T_VOID); tg_u2(b, 0); tg_u2(b, 0); tg_u2(b, 0);
    /* class A */
    tg_u1(b, 1); tg_u1(b, CAP_DESC_CLASS_PUBLIC | CAP_DESC_CLASS_ABSTRACT);
    tg_u2(b, t->class_a); tg_u1(b, 1); tg_u2(b, 2); tg_u2(b, 4);
    tg_u2(b, t->class_i);
    tg_u1(b, 0); tg_u1(b, CAP_ACC_PUBLIC); tg_u2(b, t->class_a); tg_u1(b, 0); tg_u2(b, CAP_TYPE_PRIMITIVE | CAP_TYPE_SHORT);
    tg_u1(b, 0); tg_u1(b, CAP_ACC_PUBLIC | CAP_ACC_STATIC); tg_u1(b, 0); tg_u2(b, 0); tg_u2(b, TG_T_BARR);
    tg_u1(b, 0); tg_u1(b, CAP_ACC_PUBLIC | CAP_ACC_STATIC); tg_u2(b, t->off_install); tg_u2(b, TG_T_VOID);
    tg_u2(b, t->off_process - t->off_install - 2); tg_u2(b, 0); tg_u2(b, 0);
    tg_u1(b, 1); tg_u1(b, CAP_ACC_PUBLIC); tg_u2(b, t->off_process); tg_u2(b, TG_T_PROC);
    tg_u2(b, t->process_code_len); tg_u2(b, 1); tg_u2(b, 0);
    tg_u1(b, 1); tg_u1(b, CAP_ACC_PUBLIC | CAP_ACC_STATIC); tg_u2(b, t->off_helper); tg_u2(b, TG_T_SHORT);
    tg_u2(b, 2); tg_u2(b, 0); tg_u2(b, 0);
    tg_u1(b, 2); tg_u1(b, CAP_ACC_PUBLIC | CAP_ACC_ABSTRACT); tg_u2(b, t->off_abstract); tg_u2(b, TG_T_VOID);
    tg_u2(b, 0); tg_u2(b, 0); tg_u2(b, 0);
    /* class B */
    tg_u1(b, 2); tg_u1(b, CAP_DESC_CLASS_PUBLIC); tg_u2(b, t->class_b); tg_u1(b, 0); tg_u2(b, 0); tg_u2(b, 0);
    /* type_descriptor_info */
    size_t ts = b->n;
    tg_u2(b, 10);
    const unsigned cpt[10] = {0xFFFF, 0xFFFF, TG_T_SHORT, TG_T_VOID, TG_T_VOID, TG_T_BARR, TG_T_SHORT, TG_T_THROW, TG_T_SHORT, 0xFFFF};
    for (int i = 0; i < 10; i++) tg_u2(b, cpt[i]);
    if (b->n - ts != TG_T_VOID) abort();
    tg_u1(b, 1); tg_u1(b, 0x10);                  /* ()V */
    tg_u1(b, 1); tg_u1(b, 0x40);                  /* short / ()S */
    tg_u1(b, 1); tg_u1(b, 0xB0);                  /* byte[] */
    /* (A)V: reference nibble 6, the class_ref's four nibbles, then void */
    tg_u1(b, 6); tg_u1(b, 0x60 | ((t->class_a >> 12) & 0xF)); tg_u1(b, (t->class_a >> 4) & 0xFF);
    tg_u1(b, ((t->class_a & 0xF) << 4) | 0x1);
    tg_u1(b, 2); tg_u1(b, 0x41);                  /* (S)V */
    (void)ts;

    t->custom.n = 0;
    tg_u4(&t->custom, 0xCAFE0001);

    b = &t->comp[CAP_COMP_DIRECTORY];
    for (int tag = 1; tag <= (minor >= 2 ? 12 : 11); tag++)
        tg_u2(b, tag == CAP_COMP_DIRECTORY ? 0 : (unsigned)t->comp[tag].n);
    tg_u2(b, 6); tg_u2(b, 1); tg_u2(b, 3);
    tg_u1(b, 2); tg_u1(b, 1); tg_u1(b, 1);
    tg_u1(b, 0x80); tg_u2(b, (unsigned)t->custom.n); tg_u1(b, 5); tg_bytes(b, tg_pkg_aid, 5);
    tg_patch2(b, 2, (unsigned)b->n); /* the Directory's own size */
}

static inline void tg_build(tg_cap_t *t, bool with_desc) { tg_build_v(t, with_desc, 2, 0); }

/* The standard load order (GlobalPlatform / JCVM 6.2). */
static const int tg_load_order[] = {CAP_COMP_HEADER, CAP_COMP_DIRECTORY, CAP_COMP_IMPORT, CAP_COMP_APPLET,
                                    CAP_COMP_CLASS, CAP_COMP_METHOD, CAP_COMP_STATICFIELD, CAP_COMP_EXPORT,
                                    CAP_COMP_CONSTANTPOOL, CAP_COMP_REFLOCATION, CAP_COMP_DESCRIPTOR};

/* Component stream in the given order (n tags); tag 0x80 writes the custom component. Malloc'd. */
static inline uint8_t *tg_stream(const tg_cap_t *t, const int *order, size_t n, size_t *len)
{
    uint8_t *out = malloc(16 * 8192);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        int tag = order[i];
        if (tag == CAP_COMP_DESCRIPTOR && !t->with_desc) continue;
        const tg_buf_t *b = tag == 0x80 ? &t->custom : &t->comp[tag];
        out[pos++] = (uint8_t)tag;
        out[pos++] = (uint8_t)(b->n >> 8);
        out[pos++] = (uint8_t)b->n;
        memcpy(out + pos, b->p, b->n);
        pos += b->n;
    }
    *len = pos;
    return out;
}

static inline uint8_t *tg_stream_std(const tg_cap_t *t, size_t *len)
{
    return tg_stream(t, tg_load_order, sizeof(tg_load_order) / sizeof(tg_load_order[0]), len);
}

/* A JAR with com/cardlet/test/javacard/<Name>.cap entries (stored) plus a manifest. */
static inline uint8_t *tg_jar(const tg_cap_t *t, size_t *len)
{
    static const char *const names[] = {NULL, "Header", "Directory", "Applet", "Import", "ConstantPool", "Class",
                                        "Method", "StaticField", "RefLocation", "Export", "Descriptor"};
    cap_zip_writer_t w = {0};
    cl_error_t e;
    cap_zip_writer_add(&w, "META-INF/MANIFEST.MF", (const uint8_t *)"Manifest-Version: 1.0\r\n", 23, &e);
    /* reverse order on purpose: entries may come in any order in the zip */
    for (int tag = CAP_COMP_DESCRIPTOR; tag >= CAP_COMP_HEADER; tag--) {
        if (tag == CAP_COMP_DESCRIPTOR && !t->with_desc) continue;
        uint8_t comp[8192 + 3];
        const tg_buf_t *b = &t->comp[tag];
        comp[0] = (uint8_t)tag; comp[1] = (uint8_t)(b->n >> 8); comp[2] = (uint8_t)b->n;
        memcpy(comp + 3, b->p, b->n);
        char name[128];
        snprintf(name, sizeof(name), TG_PKG_NAME "/javacard/%s.cap", names[tag]);
        cap_zip_writer_add(&w, name, comp, b->n + 3, &e);
    }
    uint8_t *out = NULL;
    if (cap_zip_writer_finish(&w, &out, len, &e) != 0) abort();
    return out;
}

/* The same JAR with every entry raw-deflated by zlib, as jar tools write it (the writer in
 * cap_zip only stores). Entries carry a data descriptor flag like `jar` output does. */
#include <zlib.h>
static inline void tg_le16(tg_buf_t *b, unsigned v) { tg_u1(b, v & 0xFF); tg_u1(b, (v >> 8) & 0xFF); }
static inline void tg_le32(tg_buf_t *b, uint32_t v) { tg_le16(b, v & 0xFFFF); tg_le16(b, v >> 16); }

static inline uint8_t *tg_jar_deflated(const tg_cap_t *t, size_t *len)
{
    static const char *const names[] = {NULL, "Header", "Directory", "Applet", "Import", "ConstantPool", "Class",
                                        "Method", "StaticField", "RefLocation", "Export", "Descriptor"};
    static tg_buf_t z, cd; /* large: keep them off the stack */
    z.n = cd.n = 0;
    unsigned count = 0;
    for (int tag = CAP_COMP_HEADER; tag <= CAP_COMP_DESCRIPTOR; tag++) {
        if (tag == CAP_COMP_DESCRIPTOR && !t->with_desc) continue;
        uint8_t comp[8192 + 3], defl[9000];
        const tg_buf_t *b = &t->comp[tag];
        comp[0] = (uint8_t)tag; comp[1] = (uint8_t)(b->n >> 8); comp[2] = (uint8_t)b->n;
        memcpy(comp + 3, b->p, b->n);
        size_t clen = b->n + 3;
        z_stream s;
        memset(&s, 0, sizeof(s));
        if (deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
        s.next_in = comp; s.avail_in = (uInt)clen; s.next_out = defl; s.avail_out = sizeof(defl);
        if (deflate(&s, Z_FINISH) != Z_STREAM_END) abort();
        size_t dlen = s.total_out;
        deflateEnd(&s);
        uint32_t crc = (uint32_t)crc32(0, comp, (uInt)clen);
        char name[128];
        int nl = snprintf(name, sizeof(name), TG_PKG_NAME "/javacard/%s.cap", names[tag]);
        size_t local = z.n;
        tg_le32(&z, 0x04034b50); tg_le16(&z, 20); tg_le16(&z, 0x0008); tg_le16(&z, 8); tg_le32(&z, 0);
        tg_le32(&z, 0); tg_le32(&z, 0); tg_le32(&z, 0); /* sizes and CRC follow in the data descriptor */
        tg_le16(&z, (unsigned)nl); tg_le16(&z, 0); tg_bytes(&z, name, (size_t)nl);
        tg_bytes(&z, defl, dlen);
        tg_le32(&z, 0x08074b50); tg_le32(&z, crc); tg_le32(&z, (uint32_t)dlen); tg_le32(&z, (uint32_t)clen);
        tg_le32(&cd, 0x02014b50); tg_le16(&cd, 20); tg_le16(&cd, 20); tg_le16(&cd, 0x0008); tg_le16(&cd, 8);
        tg_le32(&cd, 0); tg_le32(&cd, crc); tg_le32(&cd, (uint32_t)dlen); tg_le32(&cd, (uint32_t)clen);
        tg_le16(&cd, (unsigned)nl); tg_le16(&cd, 0); tg_le16(&cd, 0); tg_le16(&cd, 0); tg_le16(&cd, 0);
        tg_le32(&cd, 0); tg_le32(&cd, (uint32_t)local); tg_bytes(&cd, name, (size_t)nl);
        count++;
    }
    size_t cd_off = z.n;
    tg_bytes(&z, cd.p, cd.n);
    tg_le32(&z, 0x06054b50); tg_le16(&z, 0); tg_le16(&z, 0); tg_le16(&z, count); tg_le16(&z, count);
    tg_le32(&z, (uint32_t)cd.n); tg_le32(&z, (uint32_t)cd_off); tg_le16(&z, 0);
    uint8_t *out = malloc(z.n);
    memcpy(out, z.p, z.n);
    *len = z.n;
    return out;
}

#endif
