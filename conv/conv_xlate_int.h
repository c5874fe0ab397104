/* conv_xlate_int: what the two halves of the JVM -> JCVM translation share: the analysis
 * (conv_xlate.c: decoding, stack walk, int/short widths, the per-method driver) and the emission
 * (conv_xlate_emit.c: JCVM instructions, constant pool references, branch layout). Private to conv/. */
#ifndef CONV_XLATE_INT_H
#define CONV_XLATE_INT_H

#include <stdint.h>

#include "conv/conv_pkg.h"

enum { K_REF, K_SHORT, K_FULL, K_INT, K_CONST };
enum { R_S = 0, R_I = 1 };

typedef struct {
    int kind;
    int rep;
    int32_t cval;
    int ins;            /* producing instruction, -1 for a phi */
    int in[2];          /* operands of arithmetic, -1 none */
    int exact;
    int want;           /* -1 no use seen, R_S / R_I, 2 conflicting */
    int uses;
    int truncating_arith; /* add/sub/mul/shl/neg/and/or/xor: low 16 bits depend only on operands' low bits */
    int elided;         /* an aload_0 folded into a getfield/putfield_<t>_this: takes no stack room */
} node_t;

typedef struct { int phi, input; } phin_t;

typedef struct {
    uint32_t pc;
    uint8_t op;
    int len;
    int target;         /* branch target pc */
    int32_t *sw;        /* switches: default, then (match, target) pairs or targets */
    int swn;
    int32_t swlow, swhigh;
    int *in_stack;      /* entry stack (node ids), NULL when unreached */
    int depth;
    int pops[64], npops; /* operand nodes consumed (top last) */
    int out;            /* node produced, -1 none */
    int elide;          /* aload_0 folded into a getfield/putfield_<t>_this */
    int this_form;      /* getfield/putfield whose object is the folded `this` */
    int node;           /* the node this instruction produces (kept across fixpoint rounds), -1 */
    int label;          /* index of the first emitted JCVM instruction */
} jins_t;

/* One emitted JCVM instruction (before layout). */
typedef struct {
    uint8_t op;
    uint8_t b[8];
    int n;              /* operand bytes in b */
    int target;         /* JVM pc of a branch target, -1 none */
    int sw;             /* index of the JVM switch instruction, -1 none */
    int cpw;            /* 1/2: constant pool index at operand offset cpo */
    int cpo;
    int label;          /* JVM pc whose label is this instruction, -1 none */
    int len, off;
    int is_long;
} jc_t;

typedef struct {
    conv_pkg_t *p;
    conv_class_t *c;
    conv_method_t *m;
    const uint8_t *code;
    uint32_t len;
    jins_t *ins;
    int nins;
    int *at;            /* pc -> instruction index or -1 */
    node_t *nodes;
    int nnodes, capnodes;
    phin_t *phis;
    int nphis, capphis;
    int nslots;         /* JVM max_locals */
    int *slot_int;      /* JVM slot is an int local */
    int *slot_map;      /* JVM slot -> JCVM local index */
    int nargs_words;
    jc_t *out;
    int nout, capout;
    int depth, max_depth;
    cl_error_t *e;
    int failed;
} X;

/* analysis (conv_xlate.c) */
extern const char xl_MUST_CAST[];
int xl_fail_at(X *x, uint32_t pc, const char *fmt, const char *what);
int xl_fits_s(int32_t v);
int xl_is_cond_branch(uint8_t op);
int xl_desc_args(const char *d, int *types, int max);
int xl_desc_ret(const char *d);
int xl_ins_slot(X *x, const jins_t *in, int *store, int *isref);
int xl_ret_vt(X *x);
/* Width wanted (R_S/R_I, -1 none) and exactness of operand k of instruction i. */
void xl_req(X *x, int i, int k, int *want, int *exact);
/* Width of a node on the stack, and its size in words (0 for a folded `this`). */
int xl_srep(X *x, int n);
int xl_words(X *x, int n);

/* emission (conv_xlate_emit.c) */
jc_t *xl_emit(X *x, int op, int delta);
int xl_cp_field(X *x, uint32_t pc, const char *owner, const char *name, const char *desc, int is_static);
int xl_cp_classref(X *x, uint32_t pc, const char *name);
int xl_xlate_ins(X *x, int i);
int xl_fits_b(int32_t v);
int xl_sinc_pattern(X *x, int i, const char *target, int32_t *inc);
void xl_trim_lookup(X *x, int i);
int xl_layout(X *x);
int xl_serialize(X *x, int total);
int xl_label_off(X *x, int jpc);

#endif
