/* Semantic check of the translation: every static method of t.sem (conv/tests/java/sem) runs on a
 * small model of the JVM (its original bytecode) and on a small model of the JCVM (the converted
 * bytecode, JCVM spec chapter 7: 16-bit stack words, ints in two words, short arithmetic wrapping
 * at 16 bits); for thousands of inputs, edge values included, the results must be equal. This is
 * what makes the int/short width analysis trustworthy beyond the shapes the other tests check. */
#include "conv/conv_testlib.h"

static conv_pkg_t sem;
static cl_error_t sem_err;
static int sem_rc = -1;

static conv_pkg_t ok;
static cl_error_t ok_err;
static int ok_rc = -1;

static int prepare(void)
{
    /* CONV_SEM_INT=0: t.sem without `int yes` (conv/tests/sem-random.sh short exploration) */
    const char *sem_int = getenv("CONV_SEM_INT");
    sem_rc = ct_convert(&sem, "sem", "t.sem", !sem_int || strcmp(sem_int, "0"), &sem_err);
    ok_rc = ct_convert(&ok, "ok", "t.ok", 0, &ok_err);
    return 0;
}

#define STEPS 20000   /* longer runs are skipped (-7): the models check arithmetic, not long loops */

/* ---- the heap both models share: arrays, objects of our classes, caught exceptions ----
 * A reference is the object's index + 1 (0 is null). Fields live in the slot of their position in
 * the class file, found by name on the JVM side and by token on the JCVM side. */
enum { EX_ARITH = 1, EX_INDEX, EX_NULL, EX_NEGSIZE };
typedef struct { int kind; int cls; int len; int32_t v[64]; } hobj_t;   /* kind: 1 array, 2 object, 3 exception */
static hobj_t heap[512];
static int nheap;

static int32_t halloc(int kind, int cls, int len)
{
    if (nheap >= 512 || len < 0 || len > 64) return 0;
    hobj_t *o = &heap[nheap++];
    memset(o, 0, sizeof *o);
    o->kind = kind; o->cls = cls; o->len = len;
    return nheap;
}
static hobj_t *deref(int32_t r) { return r >= 1 && r <= nheap ? &heap[r - 1] : NULL; }

/* Does a handler for class `name` (NULL: any) catch exception type t? */
static int catches(const char *name, int t)
{
    if (!name) return 1;
    static const char *const chains[][5] = {
        [EX_ARITH] = { "java/lang/ArithmeticException", "java/lang/RuntimeException", "java/lang/Exception", "java/lang/Throwable", NULL },
        [EX_INDEX] = { "java/lang/ArrayIndexOutOfBoundsException", "java/lang/IndexOutOfBoundsException", "java/lang/RuntimeException", "java/lang/Exception", "java/lang/Throwable" },
        [EX_NULL] = { "java/lang/NullPointerException", "java/lang/RuntimeException", "java/lang/Exception", "java/lang/Throwable", NULL },
        [EX_NEGSIZE] = { "java/lang/NegativeArraySizeException", "java/lang/RuntimeException", "java/lang/Exception", "java/lang/Throwable", NULL },
    };
    for (int i = 0; i < 5 && chains[t][i]; i++) if (!strcmp(chains[t][i], name)) return 1;
    return 0;
}

/* Field slot of an instance field of one of our classes: by name (JVM) or by token (JCVM). */
static int slot_by_name(const conv_pkg_t *p, const char *cls, const char *name, int *ci)
{
    *ci = conv_pkg_find_internal(p, cls);
    if (*ci < 0) return -1;
    const conv_class_t *c = &p->classes[*ci];
    for (int i = 0; i < c->field_count; i++) if (!c->fields[i].is_static && !strcmp(c->fields[i].cf->name, name)) return i;
    return -1;
}
static int slot_by_token(const conv_pkg_t *p, int ci, int token)
{
    const conv_class_t *c = &p->classes[ci];
    for (int i = 0; i < c->field_count; i++) if (!c->fields[i].is_static && c->fields[i].token == token) return i;
    return -1;
}
static const conv_pkg_t *model_pkg;   /* the package whose methods are being run */

/* ---- JVM model: int stack and locals (-6: ArithmeticException) ---- */
static int jvm_run(const conv_cf_method_t *m, const conv_classfile_t *cf, const int32_t *args, int nargs, int32_t *res)
{
    int32_t st[64], loc[64];
    int sp = 0;
    memset(loc, 0, sizeof loc);
    for (int i = 0; i < nargs; i++) loc[i] = args[i];
    const uint8_t *c = m->code;
    int32_t pc = 0;
    int exc = 0;
    int32_t exref = 0;
#define PUSH(v) (st[sp++] = (int32_t)(v))
#define POP() (st[--sp])
#define THROW(t) do { exc = (t); goto thrown; } while (0)
    for (int steps = 0; steps < STEPS; steps++) {
        if (pc < 0 || (uint32_t)pc >= m->code_len || sp < 0 || sp > 60) return -1;
        uint8_t op = c[pc];
        int32_t a, b;
        switch (op) {
        case 0x01: PUSH(0); pc++; break;                                            /* aconst_null */
        case 0x19: PUSH(loc[c[pc + 1]]); pc += 2; break;                            /* aload */
        case 0x2a: case 0x2b: case 0x2c: case 0x2d: PUSH(loc[op - 0x2a]); pc++; break;
        case 0x3a: loc[c[pc + 1]] = POP(); pc += 2; break;                          /* astore */
        case 0x4b: case 0x4c: case 0x4d: case 0x4e: loc[op - 0x4b] = POP(); pc++; break;
        case 0x33: case 0x35: case 0x2e: {                                          /* baload saload iaload */
            b = POP(); a = POP();
            hobj_t *o = deref(a);
            if (!o) THROW(EX_NULL);
            if (b < 0 || b >= o->len) THROW(EX_INDEX);
            PUSH(o->v[b]); pc++; break;
        }
        case 0x54: case 0x56: case 0x4f: {                                          /* bastore sastore iastore */
            int32_t val = POP(); b = POP(); a = POP();
            hobj_t *o = deref(a);
            if (!o) THROW(EX_NULL);
            if (b < 0 || b >= o->len) THROW(EX_INDEX);
            o->v[b] = op == 0x54 ? (int8_t)val : op == 0x56 ? (int16_t)val : val;   /* the JVM narrows on store */
            pc++; break;
        }
        case 0xbc: a = POP(); if (a < 0) THROW(EX_NEGSIZE); if (!(b = halloc(1, 0, a))) return -2; PUSH(b); pc += 2; break;
        case 0xbe: a = POP(); if (!deref(a)) THROW(EX_NULL); PUSH(deref(a)->len); pc++; break;
        case 0xbb: {                                                                /* new */
            const char *cn = conv_cf_class_name(cf, cl_get16(c + pc + 1));
            int ci = cn ? conv_pkg_find_internal(model_pkg, cn) : -1;
            if (ci < 0 || !(a = halloc(2, ci, 64))) return -2;
            PUSH(a); pc += 3; break;
        }
        case 0xb7: {                                                                /* invokespecial: only <init>()V */
            const char *cls, *nm, *ds;
            if (conv_cf_member_ref(cf, cl_get16(c + pc + 1), &cls, &nm, &ds) || strcmp(nm, "<init>") || strcmp(ds, "()V")) return -2;
            (void)POP(); pc += 3; break;
        }
        case 0xb4: case 0xb5: {                                                     /* getfield putfield */
            const char *cls, *nm, *ds;
            int ci;
            if (conv_cf_member_ref(cf, cl_get16(c + pc + 1), &cls, &nm, &ds)) return -2;
            int slot = slot_by_name(model_pkg, cls, nm, &ci);
            if (slot < 0) return -2;
            int32_t val = op == 0xb5 ? POP() : 0;
            hobj_t *o = deref(POP());
            if (!o) THROW(EX_NULL);
            if (op == 0xb4) PUSH(o->v[slot]);
            else o->v[slot] = ds[0] == 'B' ? (int8_t)val : ds[0] == 'S' ? (int16_t)val : ds[0] == 'Z' ? (val & 1) : val;
            pc += 3; break;
        }
        case 0xbf:                                                                  /* athrow (of a caught exception) */
            a = POP();
            if (!deref(a)) THROW(EX_NULL);
            if (deref(a)->kind != 3) return -2;
            exref = a; exc = deref(a)->cls; goto thrown;
        case 0xc6: case 0xc7: a = POP(); pc += ((op == 0xc6) == (a == 0)) ? (int16_t)cl_get16(c + pc + 1) : 3; break;
        case 0xa5: case 0xa6: b = POP(); a = POP(); pc += ((op == 0xa5) == (a == b)) ? (int16_t)cl_get16(c + pc + 1) : 3; break;
        case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: PUSH(op - 3); pc++; break;
        case 0x10: PUSH((int8_t)c[pc + 1]); pc += 2; break;
        case 0x11: PUSH((int16_t)cl_get16(c + pc + 1)); pc += 3; break;
        case 0x12: PUSH(cf->cp[c[pc + 1]].ival); pc += 2; break;
        case 0x13: PUSH(cf->cp[cl_get16(c + pc + 1)].ival); pc += 3; break;
        case 0x15: PUSH(loc[c[pc + 1]]); pc += 2; break;
        case 0x1a: case 0x1b: case 0x1c: case 0x1d: PUSH(loc[op - 0x1a]); pc++; break;
        case 0x36: loc[c[pc + 1]] = POP(); pc += 2; break;
        case 0x3b: case 0x3c: case 0x3d: case 0x3e: loc[op - 0x3b] = POP(); pc++; break;
        case 0x57: sp--; pc++; break;
        case 0x59: st[sp] = st[sp - 1]; sp++; pc++; break;
        case 0x5c: if (sp < 2) return -1; st[sp] = st[sp - 2]; st[sp + 1] = st[sp - 1]; sp += 2; pc++; break;   /* dup2: b[i] += v */
        case 0x5a: st[sp] = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = st[sp]; sp++; pc++; break;
        case 0x5f: a = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = a; pc++; break;
        case 0x60: b = POP(); a = POP(); PUSH((uint32_t)a + (uint32_t)b); pc++; break;
        case 0x64: b = POP(); a = POP(); PUSH((uint32_t)a - (uint32_t)b); pc++; break;
        case 0x68: b = POP(); a = POP(); PUSH((uint32_t)a * (uint32_t)b); pc++; break;
        case 0x6c: b = POP(); a = POP(); if (!b) THROW(EX_ARITH); PUSH(a == INT32_MIN && b == -1 ? a : a / b); pc++; break;
        case 0x70: b = POP(); a = POP(); if (!b) THROW(EX_ARITH); PUSH(a == INT32_MIN && b == -1 ? 0 : a % b); pc++; break;
        case 0x74: a = POP(); PUSH(0u - (uint32_t)a); pc++; break;
        case 0x78: b = POP(); a = POP(); PUSH((uint32_t)a << (b & 31)); pc++; break;
        case 0x7a: b = POP(); a = POP(); PUSH(a >> (b & 31)); pc++; break;
        case 0x7c: b = POP(); a = POP(); PUSH((uint32_t)a >> (b & 31)); pc++; break;
        case 0x7e: b = POP(); a = POP(); PUSH(a & b); pc++; break;
        case 0x80: b = POP(); a = POP(); PUSH(a | b); pc++; break;
        case 0x82: b = POP(); a = POP(); PUSH(a ^ b); pc++; break;
        case 0x84: loc[c[pc + 1]] = (int32_t)((uint32_t)loc[c[pc + 1]] + (uint32_t)(int8_t)c[pc + 2]); pc += 3; break;
        case 0xc4: {                                                                /* wide iinc (iv += 300) */
            unsigned slot = cl_get16(c + pc + 2);
            if (c[pc + 1] != 0x84 || slot >= 64) return -2;
            loc[slot] = (int32_t)((uint32_t)loc[slot] + (uint32_t)(int16_t)cl_get16(c + pc + 4)); pc += 6; break;
        }
        case 0x91: a = POP(); PUSH((int8_t)a); pc++; break;
        case 0x93: a = POP(); PUSH((int16_t)a); pc++; break;
        case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: {
            a = POP();
            int t = op == 0x99 ? a == 0 : op == 0x9a ? a != 0 : op == 0x9b ? a < 0 : op == 0x9c ? a >= 0 : op == 0x9d ? a > 0 : a <= 0;
            pc += t ? (int16_t)cl_get16(c + pc + 1) : 3;
            break;
        }
        case 0x9f: case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {
            b = POP(); a = POP();
            int t = op == 0x9f ? a == b : op == 0xa0 ? a != b : op == 0xa1 ? a < b : op == 0xa2 ? a >= b : op == 0xa3 ? a > b : a <= b;
            pc += t ? (int16_t)cl_get16(c + pc + 1) : 3;
            break;
        }
        case 0xa7: pc += (int16_t)cl_get16(c + pc + 1); break;
        case 0xaa: {
            int32_t p = (pc + 4) & ~3, key = POP();
            int32_t lo = (int32_t)cl_get32(c + p + 4), hi = (int32_t)cl_get32(c + p + 8);
            pc += key < lo || key > hi ? (int32_t)cl_get32(c + p) : (int32_t)cl_get32(c + p + 12 + 4 * (key - lo));
            break;
        }
        case 0xab: {
            int32_t p = (pc + 4) & ~3, key = POP(), n = (int32_t)cl_get32(c + p + 4), off = (int32_t)cl_get32(c + p);
            for (int32_t k = 0; k < n; k++)
                if ((int32_t)cl_get32(c + p + 8 + 8 * k) == key) { off = (int32_t)cl_get32(c + p + 12 + 8 * k); break; }
            pc += off;
            break;
        }
        case 0xac: *res = POP(); return 0;
        default: return -2;   /* not modelled */
        }
        continue;
    thrown:
        /* the first handler whose range holds pc and whose class matches; else the method throws */
        {
            int found = 0;
            for (int h = 0; h < m->handler_count && !found; h++) {
                const conv_cf_handler_t *hd = &m->handlers[h];
                if ((uint32_t)pc < hd->start_pc || (uint32_t)pc >= hd->end_pc) continue;
                if (!catches(hd->catch_type ? conv_cf_class_name(cf, hd->catch_type) : NULL, exc)) continue;
                if (!exref && !(exref = halloc(3, exc, 0))) return -2;
                sp = 0;
                PUSH(exref);
                exref = 0;
                pc = hd->handler_pc;
                found = 1;
            }
            if (!found) return -100 - exc;
        }
    }
    return -7;
#undef PUSH
#undef POP
#undef THROW
}

/* ---- JCVM model: 16-bit words; an int is two words, high word first ---- */
typedef struct { int16_t st[128]; int sp; int16_t loc[128]; } jc_t_;

static void pushs(jc_t_ *v, int32_t x) { v->st[v->sp++] = (int16_t)x; }
static int16_t pops(jc_t_ *v) { return v->st[--v->sp]; }
static void pushi(jc_t_ *v, int32_t x) { v->st[v->sp++] = (int16_t)((uint32_t)x >> 16); v->st[v->sp++] = (int16_t)x; }
static int32_t popi(jc_t_ *v)
{
    uint16_t lo = (uint16_t)v->st[--v->sp], hi = (uint16_t)v->st[--v->sp];
    return (int32_t)(((uint32_t)hi << 16) | lo);
}
static int32_t geti(const int16_t *w) { return (int32_t)(((uint32_t)(uint16_t)w[0] << 16) | (uint16_t)w[1]); }
static void seti(int16_t *w, int32_t x) { w[0] = (int16_t)((uint32_t)x >> 16); w[1] = (int16_t)x; }

static int cond(int op, int32_t a)
{
    switch (op) { case 0: return a == 0; case 1: return a != 0; case 2: return a < 0; case 3: return a >= 0; case 4: return a > 0; default: return a <= 0; }
}

/* Instance field slot of the InstanceFieldref at constant pool index idx. */
static int jc_field_slot(const conv_pkg_t *p, unsigned idx, char *type)
{
    if (idx >= (unsigned)p->cp_count || p->cp[idx].tag != 2 || !p->cp[idx].cls.internal) return -1;
    const conv_cpe_t *e = &p->cp[idx];
    int slot = slot_by_token(p, e->cls.index, e->token);
    if (slot >= 0) *type = p->classes[e->cls.index].fields[slot].cf->desc[0];
    return slot;
}

static int jcvm_run(const conv_method_t *m, const int16_t *argw, int nwords, int ret_int, int32_t *res)
{
    jc_t_ v;
    memset(&v, 0, sizeof v);
    memcpy(v.loc, argw, sizeof(int16_t) * (size_t)nwords);
    const uint8_t *c = m->code;
    const conv_pkg_t *p = model_pkg;
    int32_t pc = 0, a, b;
    int exc = 0;
    int32_t exref = 0;
#define JTHROW(t) do { exc = (t); goto thrown; } while (0)
    for (int steps = 0; steps < STEPS; steps++) {
        if (pc < 0 || pc >= m->code_len || v.sp < 0 || v.sp > 120) return -1;
        int op = c[pc], len = jc_insn_len(c + pc, (size_t)(m->code_len - pc));
        if (len <= 0) return -1;
        int32_t npc = pc + len;
        char ft = 0;
        int slot;
        hobj_t *o;
        switch (op) {
        case JC_aconst_null: pushs(&v, 0); break;
        case JC_aload: pushs(&v, v.loc[c[pc + 1]]); break;
        case JC_aload_0: case JC_aload_1: case JC_aload_2: case JC_aload_3: pushs(&v, v.loc[op - JC_aload_0]); break;
        case JC_astore: v.loc[c[pc + 1]] = pops(&v); break;
        case JC_astore_0: case JC_astore_1: case JC_astore_2: case JC_astore_3: v.loc[op - JC_astore_0] = pops(&v); break;
        case JC_baload: case JC_saload:
            b = pops(&v); a = pops(&v);
            if (!(o = deref(a))) JTHROW(EX_NULL);
            if (b < 0 || b >= o->len) JTHROW(EX_INDEX);
            pushs(&v, o->v[b]);
            break;
        case JC_bastore: case JC_sastore: {
            int32_t val = pops(&v);
            b = pops(&v); a = pops(&v);
            if (!(o = deref(a))) JTHROW(EX_NULL);
            if (b < 0 || b >= o->len) JTHROW(EX_INDEX);
            o->v[b] = op == JC_bastore ? (int8_t)val : (int16_t)val;
            break;
        }
        case JC_newarray: a = pops(&v); if (a < 0) JTHROW(EX_NEGSIZE); if (!(b = halloc(1, 0, a))) return -2; pushs(&v, b); break;
        case JC_arraylength: a = pops(&v); if (!(o = deref(a))) JTHROW(EX_NULL); pushs(&v, o->len); break;
        case JC_new: {
            unsigned idx = cl_get16(c + pc + 1);
            if (idx >= (unsigned)p->cp_count || !p->cp[idx].cls.internal || !(a = halloc(2, p->cp[idx].cls.index, 64))) return -2;
            pushs(&v, a);
            break;
        }
        case JC_invokespecial: {   /* constructors without arguments only */
            unsigned idx = cl_get16(c + pc + 1);
            if (idx >= (unsigned)p->cp_count || !p->cp[idx].type_desc || strcmp(p->cp[idx].type_desc, "()V")) return -2;
            (void)pops(&v);
            break;
        }
        case JC_getfield_a: case JC_getfield_b: case JC_getfield_s: case JC_getfield_a_w: case JC_getfield_b_w: case JC_getfield_s_w:
        case JC_getfield_a_this: case JC_getfield_b_this: case JC_getfield_s_this: {
            int wide = op >= JC_getfield_a_w && op <= JC_getfield_i_w, self = op >= JC_getfield_a_this && op <= JC_getfield_i_this;
            slot = jc_field_slot(p, wide ? cl_get16(c + pc + 1) : c[pc + 1], &ft);
            if (slot < 0) return -2;
            a = self ? v.loc[0] : pops(&v);
            if (!(o = deref(a))) JTHROW(EX_NULL);
            pushs(&v, o->v[slot]);
            break;
        }
        case JC_putfield_a: case JC_putfield_b: case JC_putfield_s: case JC_putfield_a_w: case JC_putfield_b_w: case JC_putfield_s_w:
        case JC_putfield_a_this: case JC_putfield_b_this: case JC_putfield_s_this: {
            int wide = op >= JC_putfield_a_w && op <= JC_putfield_i_w, self = op >= JC_putfield_a_this && op <= JC_putfield_i_this;
            slot = jc_field_slot(p, wide ? cl_get16(c + pc + 1) : c[pc + 1], &ft);
            if (slot < 0) return -2;
            int32_t val = pops(&v);
            a = self ? v.loc[0] : pops(&v);
            if (!(o = deref(a))) JTHROW(EX_NULL);
            o->v[slot] = op == JC_putfield_b || op == JC_putfield_b_w || op == JC_putfield_b_this ? (ft == 'Z' ? (val & 1) : (int8_t)val) : (int16_t)val;
            if (ft == 'L' || ft == '[') o->v[slot] = (uint16_t)val;
            break;
        }
        case JC_athrow:
            a = pops(&v);
            if (!(o = deref(a))) JTHROW(EX_NULL);
            if (o->kind != 3) return -2;
            exref = a; exc = o->cls; goto thrown;
        case JC_ifnull: case JC_ifnonnull:
            a = pops(&v);
            if ((op == JC_ifnull) == (a == 0)) npc = pc + (int8_t)c[pc + 1];
            break;
        case JC_ifnull_w: case JC_ifnonnull_w:
            a = pops(&v);
            if ((op == JC_ifnull_w) == (a == 0)) npc = pc + (int16_t)cl_get16(c + pc + 1);
            break;
        case JC_if_acmpeq: case JC_if_acmpne:
            b = pops(&v); a = pops(&v);
            if ((op == JC_if_acmpeq) == (a == b)) npc = pc + (int8_t)c[pc + 1];
            break;
        case JC_sconst_m1: case JC_sconst_0: case JC_sconst_1: case JC_sconst_2: case JC_sconst_3: case JC_sconst_4: case JC_sconst_5:
            pushs(&v, op - JC_sconst_0); break;
        case JC_iconst_m1: case JC_iconst_0: case JC_iconst_1: case JC_iconst_2: case JC_iconst_3: case JC_iconst_4: case JC_iconst_5:
            pushi(&v, op - JC_iconst_0); break;
        case JC_bspush: pushs(&v, (int8_t)c[pc + 1]); break;
        case JC_sspush: pushs(&v, (int16_t)cl_get16(c + pc + 1)); break;
        case JC_bipush: pushi(&v, (int8_t)c[pc + 1]); break;
        case JC_sipush: pushi(&v, (int16_t)cl_get16(c + pc + 1)); break;
        case JC_iipush: pushi(&v, (int32_t)cl_get32(c + pc + 1)); break;
        case JC_sload: pushs(&v, v.loc[c[pc + 1]]); break;
        case JC_iload: pushi(&v, geti(&v.loc[c[pc + 1]])); break;
        case JC_sload_0: case JC_sload_1: case JC_sload_2: case JC_sload_3: pushs(&v, v.loc[op - JC_sload_0]); break;
        case JC_iload_0: case JC_iload_1: case JC_iload_2: case JC_iload_3: pushi(&v, geti(&v.loc[op - JC_iload_0])); break;
        case JC_sstore: v.loc[c[pc + 1]] = pops(&v); break;
        case JC_istore: seti(&v.loc[c[pc + 1]], popi(&v)); break;
        case JC_sstore_0: case JC_sstore_1: case JC_sstore_2: case JC_sstore_3: v.loc[op - JC_sstore_0] = pops(&v); break;
        case JC_istore_0: case JC_istore_1: case JC_istore_2: case JC_istore_3: seti(&v.loc[op - JC_istore_0], popi(&v)); break;
        case JC_pop: v.sp--; break;
        case JC_pop2: v.sp -= 2; break;
        case JC_dup: v.st[v.sp] = v.st[v.sp - 1]; v.sp++; break;
        case JC_dup2: v.st[v.sp] = v.st[v.sp - 2]; v.st[v.sp + 1] = v.st[v.sp - 1]; v.sp += 2; break;
        case JC_swap_x: {   /* m words on top trade places with the n words below */
            int m = c[pc + 1] >> 4, n = c[pc + 1] & 15;
            if (m < 1 || m > 2 || n < 1 || n > 2 || v.sp < m + n) return -1;
            int16_t tmp[4];
            memcpy(tmp, &v.st[v.sp - m], sizeof(int16_t) * (size_t)m);
            memmove(&v.st[v.sp - n], &v.st[v.sp - m - n], sizeof(int16_t) * (size_t)n);
            memcpy(&v.st[v.sp - m - n], tmp, sizeof(int16_t) * (size_t)m);
            break;
        }
        case JC_dup_x: {    /* copy the top m words, n words down (n == 0: on top) */
            int m = c[pc + 1] >> 4, n = c[pc + 1] & 15;
            if (m < 1 || m > 4 || (n && (n < m || n > m + 4)) || v.sp < (n ? n : m)) return -1;
            int16_t tmp[4];
            memcpy(tmp, &v.st[v.sp - m], sizeof(int16_t) * (size_t)m);
            if (n == 0) { memcpy(&v.st[v.sp], tmp, sizeof(int16_t) * (size_t)m); v.sp += m; break; }
            memmove(&v.st[v.sp - n + m], &v.st[v.sp - n], sizeof(int16_t) * (size_t)n);
            memcpy(&v.st[v.sp - n], tmp, sizeof(int16_t) * (size_t)m);
            v.sp += m;
            break;
        }
        case JC_sadd: b = pops(&v); a = pops(&v); pushs(&v, a + b); break;
        case JC_ssub: b = pops(&v); a = pops(&v); pushs(&v, a - b); break;
        case JC_smul: b = pops(&v); a = pops(&v); pushs(&v, a * b); break;
        case JC_sdiv: b = pops(&v); a = pops(&v); if (!b) JTHROW(EX_ARITH); pushs(&v, a / b); break;
        case JC_srem: b = pops(&v); a = pops(&v); if (!b) JTHROW(EX_ARITH); pushs(&v, a % b); break;
        case JC_sneg: a = pops(&v); pushs(&v, -a); break;
        case JC_sshl: b = pops(&v); a = pops(&v); pushs(&v, (int32_t)((uint32_t)a << (b & 31))); break;
        case JC_sshr: b = pops(&v); a = pops(&v); pushs(&v, a >> (b & 31)); break;
        case JC_sushr: b = pops(&v); a = pops(&v); pushs(&v, (int32_t)((uint32_t)a >> (b & 31))); break;
        case JC_sand: b = pops(&v); a = pops(&v); pushs(&v, a & b); break;
        case JC_sor: b = pops(&v); a = pops(&v); pushs(&v, a | b); break;
        case JC_sxor: b = pops(&v); a = pops(&v); pushs(&v, a ^ b); break;
        case JC_iadd: b = popi(&v); a = popi(&v); pushi(&v, (int32_t)((uint32_t)a + (uint32_t)b)); break;
        case JC_isub: b = popi(&v); a = popi(&v); pushi(&v, (int32_t)((uint32_t)a - (uint32_t)b)); break;
        case JC_imul: b = popi(&v); a = popi(&v); pushi(&v, (int32_t)((uint32_t)a * (uint32_t)b)); break;
        case JC_idiv: b = popi(&v); a = popi(&v); if (!b) JTHROW(EX_ARITH); pushi(&v, a == INT32_MIN && b == -1 ? a : a / b); break;
        case JC_irem: b = popi(&v); a = popi(&v); if (!b) JTHROW(EX_ARITH); pushi(&v, a == INT32_MIN && b == -1 ? 0 : a % b); break;
        case JC_ineg: a = popi(&v); pushi(&v, (int32_t)(0u - (uint32_t)a)); break;
        case JC_ishl: b = popi(&v); a = popi(&v); pushi(&v, (int32_t)((uint32_t)a << (b & 31))); break;
        case JC_ishr: b = popi(&v); a = popi(&v); pushi(&v, a >> (b & 31)); break;
        case JC_iushr: b = popi(&v); a = popi(&v); pushi(&v, (int32_t)((uint32_t)a >> (b & 31))); break;
        case JC_iand: b = popi(&v); a = popi(&v); pushi(&v, a & b); break;
        case JC_ior: b = popi(&v); a = popi(&v); pushi(&v, a | b); break;
        case JC_ixor: b = popi(&v); a = popi(&v); pushi(&v, a ^ b); break;
        case JC_sinc: v.loc[c[pc + 1]] = (int16_t)(v.loc[c[pc + 1]] + (int8_t)c[pc + 2]); break;
        case JC_sinc_w: v.loc[c[pc + 1]] = (int16_t)(v.loc[c[pc + 1]] + (int16_t)cl_get16(c + pc + 2)); break;
        case JC_iinc: seti(&v.loc[c[pc + 1]], (int32_t)((uint32_t)geti(&v.loc[c[pc + 1]]) + (uint32_t)(int8_t)c[pc + 2])); break;
        case JC_iinc_w: seti(&v.loc[c[pc + 1]], (int32_t)((uint32_t)geti(&v.loc[c[pc + 1]]) + (uint32_t)(int16_t)cl_get16(c + pc + 2))); break;
        case JC_s2b: pushs(&v, (int8_t)pops(&v)); break;
        case JC_s2i: pushi(&v, pops(&v)); break;
        case JC_i2b: pushs(&v, (int8_t)popi(&v)); break;
        case JC_i2s: pushs(&v, (int16_t)popi(&v)); break;
        case JC_icmp: b = popi(&v); a = popi(&v); pushs(&v, a < b ? -1 : a > b ? 1 : 0); break;
        case JC_ifeq: case JC_ifne: case JC_iflt: case JC_ifge: case JC_ifgt: case JC_ifle:
            if (cond(op - JC_ifeq, pops(&v))) npc = pc + (int8_t)c[pc + 1];
            break;
        case JC_ifeq_w: case JC_ifne_w: case JC_iflt_w: case JC_ifge_w: case JC_ifgt_w: case JC_ifle_w:
            if (cond(op - JC_ifeq_w, pops(&v))) npc = pc + (int16_t)cl_get16(c + pc + 1);
            break;
        case JC_if_scmpeq: case JC_if_scmpne: case JC_if_scmplt: case JC_if_scmpge: case JC_if_scmpgt: case JC_if_scmple:
            b = pops(&v); a = pops(&v);
            if (cond(op - JC_if_scmpeq, a < b ? -1 : a > b ? 1 : 0)) npc = pc + (int8_t)c[pc + 1];
            break;
        case JC_if_scmpeq_w: case JC_if_scmpne_w: case JC_if_scmplt_w: case JC_if_scmpge_w: case JC_if_scmpgt_w: case JC_if_scmple_w:
            b = pops(&v); a = pops(&v);
            if (cond(op - JC_if_scmpeq_w, a < b ? -1 : a > b ? 1 : 0)) npc = pc + (int16_t)cl_get16(c + pc + 1);
            break;
        case JC_goto: npc = pc + (int8_t)c[pc + 1]; break;
        case JC_goto_w: npc = pc + (int16_t)cl_get16(c + pc + 1); break;
        case JC_stableswitch: {
            int32_t key = pops(&v), lo = (int16_t)cl_get16(c + pc + 3), hi = (int16_t)cl_get16(c + pc + 5);
            npc = pc + (key < lo || key > hi ? (int16_t)cl_get16(c + pc + 1) : (int16_t)cl_get16(c + pc + 7 + 2 * (key - lo)));
            break;
        }
        case JC_itableswitch: {
            int32_t key = popi(&v), lo = (int32_t)cl_get32(c + pc + 3), hi = (int32_t)cl_get32(c + pc + 7);
            npc = pc + (key < lo || key > hi ? (int16_t)cl_get16(c + pc + 1) : (int16_t)cl_get16(c + pc + 11 + 2 * (key - lo)));
            break;
        }
        case JC_slookupswitch: {
            int32_t key = pops(&v), n = cl_get16(c + pc + 3), off = (int16_t)cl_get16(c + pc + 1);
            for (int32_t k = 0; k < n; k++)
                if ((int16_t)cl_get16(c + pc + 5 + 4 * k) == key) { off = (int16_t)cl_get16(c + pc + 7 + 4 * k); break; }
            npc = pc + off;
            break;
        }
        case JC_ilookupswitch: {
            int32_t key = popi(&v), n = cl_get16(c + pc + 3), off = (int16_t)cl_get16(c + pc + 1);
            for (int32_t k = 0; k < n; k++)
                if ((int32_t)cl_get32(c + pc + 5 + 6 * k) == key) { off = (int16_t)cl_get16(c + pc + 9 + 6 * k); break; }
            npc = pc + off;
            break;
        }
        case JC_sreturn: if (ret_int) return -3; *res = pops(&v); return v.sp == 0 ? 0 : -4;
        case JC_ireturn: if (!ret_int) return -3; *res = popi(&v); return v.sp == 0 ? 0 : -4;
        default: return -2;
        }
        if (v.sp > m->max_stack) return -5;   /* the header's max_stack must hold */
        pc = npc;
        continue;
    thrown:
        {
            int found = 0;
            for (int h = m->handler_first; h < m->handler_first + m->handler_count && !found; h++) {
                const conv_handler_t *hd = &p->handlers[h];
                if (pc < hd->start || pc >= hd->end) continue;
                const char *name = NULL;
                if (!hd->any) {
                    const conv_cpe_t *e = &p->cp[hd->catch_cp];
                    name = e->cls.internal ? p->classes[e->cls.index].name : e->cls.ext->name;
                }
                if (!catches(name, exc)) continue;
                if (!exref && !(exref = halloc(3, exc, 0))) return -2;
                v.sp = 0;
                pushs(&v, exref);
                exref = 0;
                pc = hd->handler;
                found = 1;
            }
            if (!found) return -100 - exc;
        }
    }
    return -1;
#undef JTHROW
}

static uint32_t rng = 2463534242u;
static uint32_t next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static int32_t pick(char t, int round)
{
    static const int32_t edge_s[] = { 0, 1, -1, 2, 7, 100, 127, -128, 255, 32767, -32768, 16384, -3 };
    static const int32_t edge_i[] = { 0, 1, -1, 5, 70000, -100000, INT32_MAX, INT32_MIN, 65536, -65537, 1000000 };
    uint32_t r = next();
    int edge = round % 3 == 0;
    switch (t) {
    case 'B': return edge ? (int8_t)edge_s[r % CL_ARRAY_LEN(edge_s)] : (int8_t)r;
    case 'Z': return (int32_t)(r & 1);
    case 'S': return edge ? edge_s[r % CL_ARRAY_LEN(edge_s)] : (int16_t)r;
    default: return edge ? edge_i[r % CL_ARRAY_LEN(edge_i)] : (int32_t)r;
    }
}

/* Runs every static method of class cls whose arguments and result are primitive; returns how many. */
static int compare_class(conv_pkg_t *p, const char *cls)
{
    conv_class_t *c = ct_class(p, cls);
    ck_assert_ptr_nonnull(c);
    int methods = 0;
    for (int mi = 0; mi < c->method_count; mi++) {
        conv_method_t *m = &c->methods[mi];
        if (!m->is_static || m->cf->name[0] == '<') continue;
        const char *d = m->cf->desc;
        char types[16];
        int n = 0, prim = 1;
        for (const char *q = d + 1; *q != ')' && n < 16; q++) { types[n++] = *q; if (!strchr("BSZI", *q)) prim = 0; }
        char rt = strchr(d, ')')[1];
        if (!prim || !strchr("BSZI", rt)) continue;
        methods++;
        for (int round = 0; round < 3000; round++) {
            int32_t args[16];
            int16_t words[32];
            int nw = 0;
            for (int k = 0; k < n; k++) {
                args[k] = pick(types[k], round);
                if (types[k] == 'I') { seti(&words[nw], args[k]); nw += 2; }
                else words[nw++] = (int16_t)args[k];
            }
            int32_t rj = 0, rc_ = 0;
            model_pkg = p;
            nheap = 0;
            int a = jvm_run(m->cf, &c->cf, args, n, &rj);
            nheap = 0;   /* the same allocation order on both sides gives the same references */
            int b = jcvm_run(m, words, nw, rt == 'I', &rc_);
            if (a == -7) continue;   /* too long for the model */
            if (a <= -100) {   /* an uncaught exception must be the same on both */
                ck_assert_msg(b == a, "%s: JVM throws %d, JCVM gives %d", m->cf->name, -100 - a, b);
                continue;
            }
            ck_assert_msg(a == 0, "%s: JVM model failed (%d)", m->cf->name, a);
            ck_assert_msg(b == 0, "%s: JCVM model failed (%d) on %s", m->cf->name, b, ct_disasm(p, m));
            int32_t expect = rt == 'I' ? rj : (int16_t)rj;
            ck_assert_msg(expect == rc_, "%s(%d, %d, %d): JVM %d, JCVM %d\n  %s", m->cf->name, args[0], n > 1 ? args[1] : 0,
                          n > 2 ? args[2] : 0, expect, rc_, ct_disasm(p, m));
        }
    }
    return methods;
}

START_TEST(t_same_results)
{
    ck_assert_msg(sem_rc == 0, "t.sem: %s", sem_err.msg);
    ck_assert_int_ge(compare_class(&sem, "Sem"), 25);
}
END_TEST

/* The short-only package (no int): arithmetic, comparisons, switches, the long-branch method. */
START_TEST(t_same_results_short_only)
{
    ck_assert_msg(ok_rc == 0, "t.ok: %s", ok_err.msg);
    int n = compare_class(&ok, "Arith") + compare_class(&ok, "Compare") + compare_class(&ok, "Switch");
    ck_assert_int_ge(n, 30);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_semantics");
    TCase *tc = tcase_create("semantics");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_same_results);
    tcase_add_test(tc, t_same_results_short_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ct_main(suite(), prepare); }
