/* Verifier tests on hand-assembled methods: a cap_file_t is filled in directly (Method bytes,
 * handlers, constant pool tags and the Descriptor's method and constant pool types), as cap_parse
 * would leave it, and given to vm_verify_pkg. Each rejection the type-checking data flow makes is
 * shown with its message; valid code of the same shapes passes. */
#include "vm/vm_verify.h"
#include "cap/jc_opcodes.h"
#include "vm/vm_test_util.h"

#define H(x) ((uint8_t)((x) >> 8)), ((uint8_t)(x))
#define MAXM 6
/* Classes of the package (Class component offsets) for the class-typed reference tests: A and B extend
 * Object (another package's class), C extends B. */
#define CLS_A 0x10
#define CLS_B 0x20
#define CLS_C 0x30

/* One package under test: up to MAXM methods in one class of the Descriptor. */
typedef struct {
    cap_file_t cap;
    cap_method_t meth[MAXM];
    cap_desc_class_t dclass;
    cap_desc_method_t dm[MAXM];
    cap_cp_entry_t cp[16];
    uint8_t cp_types[32];
    uint8_t types[256];
    cap_handler_t handlers[4];
    uint8_t code[MAXM][600];
    vm_pkg_t p;
    vm_cpe_t vcp[16];
} vv_t;

static vv_t V;

static void setup(void)
{
    memset(&V, 0, sizeof V);
    V.cap.methods = V.meth;
    V.cap.cp = V.cp;
    V.cap.cp_count = 16;
    V.cap.handlers = V.handlers;
    V.cap.has_descriptor = true;
    V.cap.desc.class_count = 1;
    V.cap.desc.classes = &V.dclass;
    V.dclass.methods = V.dm;
    V.cap.desc.cp_count = 16;
    V.cap.desc.cp_types = V.cp_types;
    V.cap.desc.types = V.types;
    V.cap.desc.types_len = 1; /* offset 0 unused: a type at 0 would look like "no type" nowhere, but keeps offsets non-zero */
    memset(V.cp_types, 0xFF, sizeof V.cp_types);
    V.p.has_int = true;
    V.p.cp = V.vcp;
    V.p.ncp = 16;
}

/* Adds a type descriptor written as letters, the return type last: S short, B byte, Z boolean,
 * I int, A a class reference, a / b a reference to class A / B, [ a byte array, V void. Returns its
 * offset. */
static uint16_t vv_type(const char *sig)
{
    uint8_t nib[64];
    unsigned n = 0;
    for (const char *c = sig; *c; c++) {
        switch (*c) {
        case 'S': nib[n++] = CAP_TN_SHORT; break;
        case 'B': nib[n++] = CAP_TN_BYTE; break;
        case 'Z': nib[n++] = CAP_TN_BOOLEAN; break;
        case 'I': nib[n++] = CAP_TN_INT; break;
        case 'V': nib[n++] = CAP_TN_VOID; break;
        case '[': nib[n++] = CAP_TN_ARRAY_BYTE; break;
        case 'A': nib[n++] = CAP_TN_REFERENCE; for (int k = 0; k < 4; k++) nib[n++] = 0; break;
        case 'a': case 'b': { /* a reference to class A / B of this package */
            uint16_t raw = *c == 'a' ? CLS_A : CLS_B;
            nib[n++] = CAP_TN_REFERENCE;
            for (int k = 3; k >= 0; k--) nib[n++] = (uint8_t)((raw >> (4 * k)) & 0xF);
            break;
        }
        default: ck_abort_msg("bad type letter %c", *c);
        }
    }
    uint16_t at = V.cap.desc.types_len;
    V.types[at] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) V.types[at + 1 + i / 2] |= (uint8_t)(nib[i] << (i % 2 ? 0 : 4));
    V.cap.desc.types_len = (uint16_t)(at + 1 + (n + 1) / 2);
    return at;
}

/* Constant pool entry i of kind tag typed sig (NULL: untyped, as a Classref). */
static void vv_cp(unsigned i, uint8_t tag, const char *sig)
{
    V.cp[i].tag = tag;
    V.vcp[i].tag = tag;
    uint16_t t = sig ? vv_type(sig) : 0xFFFF;
    V.cp_types[2 * i] = (uint8_t)(t >> 8);
    V.cp_types[2 * i + 1] = (uint8_t)t;
}

/* Adds a method with Descriptor type sig; returns its index. Method info offsets are made up
 * (0x100 apart), bytecode 3 bytes after the header start. */
static unsigned vv_method(const char *sig, bool is_static, unsigned nargs, unsigned max_locals, unsigned max_stack,
                          const uint8_t *code, size_t len)
{
    unsigned i = V.cap.method_count++;
    ck_assert_uint_lt(i, MAXM);
    memcpy(V.code[i], code, len);
    cap_method_t *m = &V.meth[i];
    m->offset = (uint16_t)(0x100 * (i + 1));
    m->code_offset = (uint16_t)(m->offset + 3);
    m->code_len = (uint16_t)len;
    m->code = V.code[i];
    m->nargs = (uint8_t)nargs;
    m->max_locals = (uint8_t)max_locals;
    m->max_stack = (uint8_t)max_stack;
    cap_desc_method_t *d = &V.dm[V.dclass.method_count++];
    d->method_offset = m->offset;
    d->type_offset = vv_type(sig);
    d->access_flags = is_static ? CAP_ACC_STATIC : 0;
    return i;
}

/* A handler of method mi: bytecode range [start, end), handler pc, catch any. */
static void vv_handler(unsigned mi, uint16_t start, uint16_t end, uint16_t handler)
{
    cap_handler_t *h = &V.handlers[V.cap.handler_count++];
    uint16_t base = V.meth[mi].code_offset;
    h->start = (uint16_t)(base + start);
    h->end = (uint16_t)(base + end);
    h->handler = (uint16_t)(base + handler);
    h->method = (uint16_t)mi;
}

static cl_error_t E;
static int verify(void)
{
    memset(&E, 0, sizeof E);
    return vm_verify_pkg(NULL, &V.p, &V.cap, &E);
}

/* Rejected, with a message naming the component, the method, the pc and containing want. */
static void expect_refused(const char *want, unsigned mi, unsigned pc)
{
    ck_assert_int_eq(verify(), -1);
    ck_assert_msg(strstr(E.msg, want) != NULL, "message \"%s\" lacks \"%s\"", E.msg, want);
    char where[96];
    snprintf(where, sizeof where, "Method component: offset 0x%x (method at 0x%x, pc %u)", V.meth[mi].code_offset + pc,
             V.meth[mi].offset, pc);
    ck_assert_msg(strstr(E.msg, where) == E.msg, "message \"%s\" does not start with \"%s\"", E.msg, where);
}

static void expect_ok(void)
{
    int rc = verify();
    ck_assert_msg(rc == 0, "refused: %s", E.msg);
}

/* ---- valid code passes ---- */

START_TEST(valid_short_loop)
{
    /* static short sum(short n) { short s = 0; for (short i = 1; i <= n; i++) s += i; return s; } */
    static const uint8_t code[] = {
        JC_sconst_0, JC_sstore_1, JC_sconst_1, JC_sstore_2,
        JC_goto, 9,
        JC_sload_1, JC_sload_2, JC_sadd, JC_sstore_1, JC_sinc, 2, 1,   /* pc 6 */
        JC_sload_2, JC_sload_0, JC_if_scmple, (uint8_t)-9,             /* pc 13 */
        JC_sload_1, JC_sreturn };
    vv_method("SS", true, 1, 2, 2, code, sizeof code);
    expect_ok();
}
END_TEST

START_TEST(valid_ints_refs_and_calls)
{
    /* static int twice(int x) { return x + x; } */
    static const uint8_t m0[] = { JC_iload_0, JC_iload_0, JC_iadd, JC_ireturn };
    /* short f(byte[] a, short i) { this.fs = a[i]; this.fa = a; return twice(s2i(a.length)) as short via
     * invokestatic; an int swapped under a short; a reference compared with null } */
    static const uint8_t m1[] = {
        JC_aload_0, JC_aload_1, JC_sload_2, JC_baload, JC_putfield_s, 1,       /* this.fs = a[i] */
        JC_aload_1, JC_putfield_a_this, 2,                                      /* this.fa = a */
        JC_aload_1, JC_arraylength, JC_s2i, JC_invokestatic, H(3),              /* twice(a.length) */
        JC_sconst_1, JC_swap_x, 0x12,                                           /* short under the int */
        JC_pop, JC_pop, JC_pop,                                                 /* pc 18 */
        JC_aload_1, JC_ifnonnull, 4, JC_sconst_m1, JC_sreturn,                  /* pc 21 */
        JC_getfield_a_this, 2, JC_arraylength,                                  /* pc 26 */
        JC_iipush, 0, 1, 0, 0, JC_dup2, JC_icmp, JC_sadd, JC_sreturn };
    vv_method("II", true, 2, 0, 4, m0, sizeof m0);
    vv_method("[SS", false, 3, 0, 7, m1, sizeof m1);
    vv_cp(1, CAP_CP_INSTANCE_FIELDREF, "S");
    vv_cp(2, CAP_CP_INSTANCE_FIELDREF, "[");
    vv_cp(3, CAP_CP_STATIC_METHODREF, "II");
    expect_ok();
}
END_TEST

START_TEST(valid_handler_and_subroutine)
{
    /* try { s = a.length } catch (any e) { s = -1 }; a finally-style jsr subroutine */
    static const uint8_t code[] = {
        JC_aload_0, JC_arraylength, JC_sstore_1,      /* 0..2: protected */
        JC_goto, 5,                                   /* 3 */
        JC_astore_2, JC_sconst_m1, JC_sstore_1,       /* 5: handler */
        JC_jsr, H(5),                                 /* 8: to 13 */
        JC_sload_1, JC_sreturn,                       /* 11 */
        JC_astore_3, JC_ret, 3 };                     /* 13: subroutine */
    vv_method("[S", true, 1, 3, 1, code, sizeof code);
    vv_handler(0, 0, 3, 5);
    expect_ok();
}
END_TEST

/* ---- each rejection ---- */

START_TEST(areturn_in_short_method)
{
    static const uint8_t code[] = { JC_sload_0, JC_areturn };
    vv_method("SS", true, 1, 0, 1, code, sizeof code);
    expect_refused("areturn in a method returning a short", 0, 1);
}
END_TEST

START_TEST(wrong_return_kinds)
{
    static const uint8_t c1[] = { JC_sconst_0, JC_sreturn };
    vv_method("V", true, 0, 0, 1, c1, sizeof c1);
    expect_refused("sreturn in a method returning void", 0, 1);
    setup();
    static const uint8_t c2[] = { JC_return };
    vv_method("S", true, 0, 0, 0, c2, sizeof c2);
    expect_refused("return in a method returning a value", 0, 0);
    setup();
    static const uint8_t c3[] = { JC_sconst_0, JC_s2i, JC_ireturn };
    vv_method("A", true, 0, 0, 2, c3, sizeof c3);
    expect_refused("ireturn in a method returning a reference", 0, 2);
}
END_TEST

START_TEST(short_used_as_reference)
{
    static const uint8_t code[] = { JC_sload_0, JC_sconst_0, JC_baload, JC_sreturn };
    vv_method("SS", true, 1, 0, 2, code, sizeof code);
    expect_refused("baload: a reference is needed, found a short", 0, 2);
    setup();
    static const uint8_t c2[] = { JC_sconst_1, JC_astore_0, JC_return };  /* short stored as a reference */
    vv_method("V", true, 0, 1, 1, c2, sizeof c2);
    expect_refused("astore_0: a reference is needed, found a short", 0, 1);
    setup();
    static const uint8_t c3[] = { JC_aload_0, JC_sreturn };  /* local 0 is a short */
    vv_method("SS", true, 1, 0, 1, c3, sizeof c3);
    expect_refused("aload_0: local 0 holds a short, a reference is needed", 0, 0);
}
END_TEST

START_TEST(reference_in_arithmetic)
{
    static const uint8_t code[] = { JC_aload_0, JC_sconst_1, JC_sadd, JC_sreturn };
    vv_method("[S", true, 1, 0, 2, code, sizeof code);
    expect_refused("sadd: a short is needed, found a reference", 0, 2);
    setup();
    static const uint8_t c2[] = { JC_aload_0, JC_sconst_0, JC_if_scmpeq, 3, JC_return, JC_return };
    vv_method("[V", true, 1, 0, 2, c2, sizeof c2);
    expect_refused("if_scmpeq: a short is needed, found a reference", 0, 2);
}
END_TEST

START_TEST(int_half_alone)
{
    static const uint8_t code[] = { JC_iload_0, JC_pop, JC_sreturn };   /* the high word as a short */
    vv_method("IS", true, 2, 0, 2, code, sizeof code);
    expect_refused("sreturn: a short is needed, found an int high word", 0, 2);
    setup();
    static const uint8_t c2[] = { JC_sload_1, JC_sreturn };  /* the low word of an int argument */
    vv_method("IS", true, 2, 0, 1, c2, sizeof c2);
    expect_refused("sload_1: local 1 holds an int low word, a short is needed", 0, 0);
    setup();
    static const uint8_t c3[] = { JC_sconst_0, JC_sconst_0, JC_iadd, JC_pop2, JC_return };  /* two shorts as an int */
    vv_method("V", true, 0, 0, 4, c3, sizeof c3);
    expect_refused("iadd: an int is needed", 0, 2);
    setup();
    /* an int local half-overwritten: its high word is no longer an int */
    static const uint8_t c4[] = { JC_sconst_0, JC_sstore_1, JC_iload_0, JC_ireturn };
    vv_method("II", true, 2, 0, 2, c4, sizeof c4);
    expect_refused("iload_0: local 0 holds an unusable value, an int is needed", 0, 2);
}
END_TEST

START_TEST(call_with_wrong_arguments)
{
    static const uint8_t callee[] = { JC_return };
    static const uint8_t caller[] = { JC_sconst_0, JC_sconst_0, JC_invokestatic, H(1), JC_return };
    vv_method("[SV", true, 2, 0, 0, callee, sizeof callee);
    vv_method("V", true, 0, 0, 2, caller, sizeof caller);
    vv_cp(1, CAP_CP_STATIC_METHODREF, "[SV");
    expect_refused("invokestatic: a reference is needed, found a short (argument 1)", 1, 2);
    /* the right arguments pass */
    setup();
    static const uint8_t good[] = { JC_aconst_null, JC_sconst_0, JC_invokestatic, H(1), JC_return };
    vv_method("[SV", true, 2, 0, 0, callee, sizeof callee);
    vv_method("V", true, 0, 0, 2, good, sizeof good);
    vv_cp(1, CAP_CP_STATIC_METHODREF, "[SV");
    expect_ok();
    /* a virtual call on a short as its object, and a result used as the wrong type */
    setup();
    static const uint8_t virt[] = { JC_sconst_0, JC_invokevirtual, H(2), JC_sreturn };
    vv_method("S", true, 0, 0, 1, virt, sizeof virt);
    vv_cp(2, CAP_CP_VIRTUAL_METHODREF, "S");
    expect_refused("invokevirtual: a reference is needed, found a short", 0, 1);
    setup();
    static const uint8_t res[] = { JC_aload_0, JC_invokevirtual, H(2), JC_areturn };
    vv_method("A", false, 1, 0, 1, res, sizeof res);
    vv_cp(2, CAP_CP_VIRTUAL_METHODREF, "S");
    expect_refused("areturn: a reference is needed, found a short", 0, 4);
}
END_TEST

START_TEST(putfield_of_wrong_type)
{
    /* putfield_s on a field the Descriptor declares as a reference */
    static const uint8_t c1[] = { JC_aload_0, JC_sconst_1, JC_putfield_s, 1, JC_return };
    vv_method("V", false, 1, 0, 2, c1, sizeof c1);
    vv_cp(1, CAP_CP_INSTANCE_FIELDREF, "A");
    expect_refused("putfield_s on a field of type reference", 0, 2);
    /* putfield_a with a short as the value */
    setup();
    static const uint8_t c2[] = { JC_aload_0, JC_sconst_1, JC_putfield_a, 1, JC_return };
    vv_method("V", false, 1, 0, 2, c2, sizeof c2);
    vv_cp(1, CAP_CP_INSTANCE_FIELDREF, "A");
    expect_refused("putfield_a: a reference is needed, found a short", 0, 2);
    /* putstatic_b on a short static */
    setup();
    static const uint8_t c3[] = { JC_sconst_1, JC_putstatic_b, H(1), JC_return };
    vv_method("V", true, 0, 0, 1, c3, sizeof c3);
    vv_cp(1, CAP_CP_STATIC_FIELDREF, "S");
    expect_refused("putstatic_b on a field of type short", 0, 1);
    /* getfield on a short object */
    setup();
    static const uint8_t c4[] = { JC_sconst_0, JC_getfield_s_w, H(1), JC_sreturn };
    vv_method("S", true, 0, 0, 1, c4, sizeof c4);
    vv_cp(1, CAP_CP_INSTANCE_FIELDREF, "S");
    expect_refused("getfield_s_w: a reference is needed, found a short", 0, 1);
}
END_TEST

START_TEST(join_makes_values_unusable)
{
    /* local 1 is a short on one path and a reference on the other; using it after the join fails */
    static const uint8_t code[] = {
        JC_sload_0, JC_ifeq, 4,
        JC_sconst_1, JC_sstore_1,                   /* 3 */
        JC_aload_1, JC_areturn };                   /* 5 */
    vv_method("S[A", true, 2, 0, 1, code, sizeof code);
    expect_refused("aload_1: local 1 holds an unusable value, a reference is needed", 0, 5);
    /* different stack depths where paths join */
    setup();
    static const uint8_t c2[] = { JC_sload_0, JC_ifeq, 3, JC_sconst_0, JC_return };
    vv_method("SV", true, 1, 0, 1, c2, sizeof c2);
    expect_refused("operand stack depth differs where paths join", 0, 4);
}
END_TEST

START_TEST(handler_state)
{
    /* the handler gets [reference]: returning it as a short is refused */
    static const uint8_t c1[] = { JC_aload_0, JC_arraylength, JC_sreturn, JC_sreturn };
    vv_method("[S", true, 1, 0, 1, c1, sizeof c1);
    vv_handler(0, 0, 2, 3);
    expect_refused("sreturn: a short is needed, found a reference", 0, 3);
    /* the handler sees the locals as they may be inside the range: local 1 a short or a reference */
    setup();
    static const uint8_t c2[] = {
        JC_sconst_0, JC_sstore_1,
        JC_aload_0, JC_astore_1, JC_aload_1, JC_arraylength, JC_sreturn,   /* 2..6 protected */
        JC_pop, JC_sload_1, JC_sreturn };                                 /* 7: handler */
    vv_method("[S", true, 1, 1, 1, c2, sizeof c2);
    vv_handler(0, 2, 7, 7);
    expect_refused("sload_1: local 1 holds an unusable value, a short is needed", 0, 8);
}
END_TEST

START_TEST(return_address_only_for_ret)
{
    /* ret on a short argument (a forged return address) */
    static const uint8_t c1[] = { JC_ret, 0 };
    vv_method("SV", true, 1, 0, 0, c1, sizeof c1);
    expect_refused("ret: local holds a short, not a return address", 0, 0);
    /* a return address used as a short */
    setup();
    static const uint8_t c2[] = { JC_jsr, H(4), JC_return, JC_sreturn };
    vv_method("S", true, 0, 0, 1, c2, sizeof c2);
    expect_refused("sreturn: a short is needed, found a return address", 0, 4);
    /* a return address used as a reference */
    setup();
    static const uint8_t c3[] = { JC_jsr, H(4), JC_return, JC_athrow };
    vv_method("V", true, 0, 0, 1, c3, sizeof c3);
    expect_refused("athrow: a reference is needed, found a return address", 0, 4);
}
END_TEST

START_TEST(nargs_must_match_descriptor)
{
    static const uint8_t code[] = { JC_return };
    vv_method("SV", false, 1, 1, 0, code, sizeof code);   /* this + short = 2 words, header says 1 */
    ck_assert_int_eq(verify(), -1);
    ck_assert_msg(strstr(E.msg, "nargs 1 differs from the 2 words") != NULL, "%s", E.msg);
}
END_TEST

START_TEST(without_descriptor_depth_only)
{
    /* no Descriptor: types cannot be known, the depth checks still run */
    static const uint8_t c1[] = { JC_sconst_0, JC_areturn };
    vv_method("S", true, 0, 0, 1, c1, sizeof c1);
    V.cap.has_descriptor = false;
    expect_ok();
    setup();
    static const uint8_t c2[] = { JC_sadd, JC_sreturn };
    vv_method("S", true, 0, 0, 1, c2, sizeof c2);
    V.cap.has_descriptor = false;
    ck_assert_int_eq(verify(), -1);
    ck_assert_msg(strstr(E.msg, "operand stack underflow") != NULL, "%s", E.msg);
}
END_TEST

START_TEST(stack_limits)
{
    static const uint8_t c1[] = { JC_sconst_0, JC_sconst_0, JC_pop, JC_sreturn };
    vv_method("S", true, 0, 0, 1, c1, sizeof c1);
    expect_refused("sconst_0: operand stack deeper than max_stack", 0, 1);
    setup();
    static const uint8_t c2[] = { JC_sconst_0, JC_dup_x, 0x21, JC_return };  /* n < m */
    vv_method("V", true, 0, 0, 4, c2, sizeof c2);
    expect_refused("dup_x: bad m/n", 0, 1);
    setup();
    static const uint8_t c3[] = { JC_sconst_0, JC_goto, (uint8_t)-1 };  /* a loop with a growing stack */
    vv_method("V", true, 0, 0, 4, c3, sizeof c3);
    expect_refused("operand stack depth differs where paths join", 0, 0);
}
END_TEST

/* invokeinterface on an API interface (javacard.security.Key, token 0; getSize()S is interface
 * method 1): typed from the API's own signature, so its short result cannot be returned as a
 * reference. Without a VM to ask, the method falls back to the depth checks and loads. */
START_TEST(api_interface_call_typed)
{
    static const uint8_t code[] = { JC_aload_0, JC_invokeinterface, 1, H(1), 1, JC_areturn };
    static const uint8_t good[] = { JC_aload_0, JC_invokeinterface, 1, H(1), 1, JC_sreturn };
    vt_env_t env;
    memset(&env, 0, sizeof env);
    vt_open(&env, true);
    for (int k = 0; k < 3; k++) {
        setup();
        vv_method(k == 2 ? "AS" : "AA", true, 1, 0, 1, k == 2 ? good : code, sizeof code);
        V.cp[1].tag = CAP_CP_CLASSREF;
        V.cp[1].cls = (cap_classref_t){ .raw = 0x8000, .external = true, .pkg_token = 0, .class_token = 0 };
        V.vcp[1].tag = CAP_CP_CLASSREF;
        V.p.nimports = 1;
        V.p.imports[0] = VM_PKG_SECURITY;
        memset(&E, 0, sizeof E);
        int rc = vm_verify_pkg(k == 1 ? NULL : env.vm, &V.p, &V.cap, &E);
        if (k == 0) {
            ck_assert_int_eq(rc, -1);
            ck_assert_msg(strstr(E.msg, "(method at 0x100, pc 6): areturn: a reference is needed, found a short"), "%s", E.msg);
        } else {
            ck_assert_msg(rc == 0, "case %d refused: %s", k, E.msg);
        }
    }
    vt_cleanup(&env);
}
END_TEST

/* Random bytecode: whatever it holds, the verifier answers (accepts or refuses with a message)
 * without reading outside the method (run under ASan by make SAN=1 unit). */
/* ---- class-typed references: a field access the object's class cannot have ---- */

static cap_class_t VC[3];

static void vv_classes(void)
{
    memset(VC, 0, sizeof VC);
    const uint16_t offs[3] = { CLS_A, CLS_B, CLS_C };
    for (int i = 0; i < 3; i++) {
        VC[i].offset = offs[i];
        VC[i].end = (uint16_t)(offs[i] + 0x10);
        VC[i].has_super = true;
        VC[i].super = cap_classref_decode(i == 2 ? CLS_B : 0x8000); /* C extends B; A, B: Object */
    }
    V.cap.classes = VC;
    V.cap.class_count = 3;
}

/* Constant pool entry i naming class cls (a Classref, or an InstanceFieldref of that class). */
static void vv_classref(unsigned i, uint8_t tag, uint16_t cls, const char *sig)
{
    vv_cp(i, tag, sig);
    V.cp[i].cls = cap_classref_decode(cls);
}

/* A fresh package with classes A, B, C and one method: type sig (static unless this_cls names the
 * class it belongs to), nargs words, one local beyond them, max_stack 2; Classrefs 1 and 3 name
 * classes c1 and c3 (0: unused); field reference 2 is a field of class fcls typed fsig. */
static void field_case(const char *sig, uint16_t this_cls, unsigned nargs, const uint8_t *code, size_t len,
                       uint16_t c1, uint16_t c3, uint16_t fcls, const char *fsig)
{
    setup();
    vv_classes();
    if (this_cls) V.dclass.this_class = cap_classref_decode(this_cls);
    vv_method(sig, !this_cls, nargs, 1, 2, code, len);
    if (c1) vv_classref(1, CAP_CP_CLASSREF, c1, NULL);
    if (c3) vv_classref(3, CAP_CP_CLASSREF, c3, NULL);
    vv_classref(2, CAP_CP_INSTANCE_FIELDREF, fcls, fsig);
}

#define UNRELATED "the object's class is neither the field's class nor a subclass of it"

START_TEST(field_of_unrelated_class)
{
    /* static Object f() { return new A().ref; } with ref a field of B */
    static const uint8_t code[] = { JC_new, H(1), JC_getfield_a, 2, JC_areturn };
    field_case("A", 0, 0, code, sizeof code, CLS_A, 0, CLS_B, "A");
    expect_refused("getfield_a: " UNRELATED, 0, 3);
    /* a new C (a subclass of B) has B's fields */
    field_case("A", 0, 0, code, sizeof code, CLS_C, 0, CLS_B, "A");
    expect_ok();
    /* putfield_s of B's short field into a new A */
    static const uint8_t put[] = { JC_new, H(1), JC_sconst_1, JC_putfield_s, 2, JC_return };
    field_case("V", 0, 0, put, sizeof put, CLS_A, 0, CLS_B, "S");
    expect_refused("putfield_s: " UNRELATED, 0, 4);
    /* stored in a local and loaded again, the reference keeps its class */
    static const uint8_t local[] = { JC_new, H(1), JC_astore_0, JC_aload_0, JC_getfield_a, 2, JC_areturn };
    field_case("A", 0, 0, local, sizeof local, CLS_A, 0, CLS_B, "A");
    expect_refused("getfield_a: " UNRELATED, 0, 5);
}
END_TEST

START_TEST(field_of_this_and_parameters)
{
    /* a method of class A reading B's field of this; its own field is fine */
    static const uint8_t this_get[] = { JC_getfield_s_this, 2, JC_sreturn };
    field_case("S", CLS_A, 1, this_get, sizeof this_get, 0, 0, CLS_B, "S");
    expect_refused("getfield_s_this: " UNRELATED, 0, 0);
    field_case("S", CLS_A, 1, this_get, sizeof this_get, 0, 0, CLS_A, "S");
    expect_ok();
    /* a parameter declared as an A, B's field read from it; declared as a B: fine */
    static const uint8_t param[] = { JC_aload_0, JC_getfield_s, 2, JC_sreturn };
    field_case("aS", 0, 1, param, sizeof param, 0, 0, CLS_B, "S");
    expect_refused("getfield_s: " UNRELATED, 0, 1);
    field_case("bS", 0, 1, param, sizeof param, 0, 0, CLS_B, "S");
    expect_ok();
}
END_TEST

START_TEST(field_after_cast_and_join)
{
    /* static short f(Object o) { return ((A) o).s; } with s a field of B */
    static const uint8_t cast[] = { JC_aload_0, JC_checkcast, 0, H(1), JC_getfield_s, 2, JC_sreturn };
    field_case("AS", 0, 1, cast, sizeof cast, CLS_A, 0, CLS_B, "S");
    expect_refused("getfield_s: " UNRELATED, 0, 5);
    /* a cast to another package's class says nothing this package can check: left to run time */
    field_case("AS", 0, 1, cast, sizeof cast, 0x8101, 0, CLS_B, "S");
    expect_ok();
    /* an A on one path, a B on the other: where they join the class is unknown (run time decides);
     * an A on both stays an A */
    static const uint8_t join[] = {
        JC_sload_0, JC_ifeq, 7,             /* 0 */
        JC_new, H(1), JC_goto, 5,           /* 3: new (Classref 1) */
        JC_new, H(3),                       /* 8: new (Classref 3) */
        JC_getfield_s, 2, JC_sreturn };     /* 11 */
    field_case("SS", 0, 1, join, sizeof join, CLS_A, CLS_B, CLS_B, "S");
    expect_ok();
    field_case("SS", 0, 1, join, sizeof join, CLS_A, CLS_A, CLS_B, "S");
    expect_refused("getfield_s: " UNRELATED, 0, 11);
}
END_TEST

START_TEST(random_code_never_crashes)
{
    srand(12345);
    unsigned refused = 0, total = 2000;
    for (unsigned n = 0; n < total; n++) {
        setup();
        /* whole instructions (switches left out) with random operands: most decode, so the
         * type checks run rather than stopping at the first undecodable byte */
        uint8_t code[80];
        size_t len = 0, want = 1 + (size_t)rand() % 60;
        while (len < want) {
            int op = rand() % (JC_OPCODE_LAST + 1), l = jc_opcode_fixed_len(op);
            if (l <= 0) continue;
            code[len] = (uint8_t)op;
            for (int k = 1; k < l; k++) code[len + (size_t)k] = (uint8_t)(k == 1 && rand() % 2 ? rand() % 4 : rand());
            len += (size_t)l;
        }
        vv_method(n % 2 ? "S[S" : "IV", n % 3 == 0, n % 3 == 0 ? 2 : 3, (unsigned)(rand() % 4), (unsigned)(rand() % 6),
                  code, len);
        vv_cp(1, CAP_CP_STATIC_METHODREF, "SS");
        vv_cp(2, CAP_CP_INSTANCE_FIELDREF, "A");
        vv_handler(0, 0, (uint16_t)len, (uint16_t)(rand() % (int)len));
        if (verify() != 0) {
            ck_assert_msg(E.msg[0] != 0, "refused without a message");
            refused++;
        }
    }
    /* random bytes are almost never well typed */
    ck_assert_uint_gt(refused, total * 9 / 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_verify");
    TCase *tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, valid_short_loop);
    tcase_add_test(tc, valid_ints_refs_and_calls);
    tcase_add_test(tc, valid_handler_and_subroutine);
    tcase_add_test(tc, areturn_in_short_method);
    tcase_add_test(tc, wrong_return_kinds);
    tcase_add_test(tc, short_used_as_reference);
    tcase_add_test(tc, reference_in_arithmetic);
    tcase_add_test(tc, int_half_alone);
    tcase_add_test(tc, call_with_wrong_arguments);
    tcase_add_test(tc, putfield_of_wrong_type);
    tcase_add_test(tc, join_makes_values_unusable);
    tcase_add_test(tc, handler_state);
    tcase_add_test(tc, return_address_only_for_ret);
    tcase_add_test(tc, nargs_must_match_descriptor);
    tcase_add_test(tc, without_descriptor_depth_only);
    tcase_add_test(tc, stack_limits);
    tcase_add_test(tc, api_interface_call_typed);
    tcase_add_test(tc, field_of_unrelated_class);
    tcase_add_test(tc, field_of_this_and_parameters);
    tcase_add_test(tc, field_after_cast_and_join);
    tcase_add_test(tc, random_code_never_crashes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
