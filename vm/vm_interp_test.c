/* Interpreter tests on hand-assembled methods: every instruction family with checked results,
 * exceptions across frames, and hostile code stopped with a status word. */
#include "vm/vm_test_asm.h"

START_TEST(short_arith)
{
    static const uint8_t code[] = {
        JC_sspush, H(1000), JC_sspush, H(234), JC_sadd,           /* 1234 */
        JC_sconst_3, JC_smul,                                     /* 3702 */
        JC_bspush, 7, JC_srem,                                    /* 3702 % 7 = 6 */
        JC_sconst_m1, JC_sxor,                                    /* ~6 = -7 */
        JC_sneg,                                                  /* 7 */
        JC_sconst_4, JC_sshl,                                     /* 112 */
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 0, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq((int16_t)r[0], 112);
}
END_TEST

START_TEST(short_wrap_and_shifts)
{
    static const uint8_t code[] = {
        JC_sspush, H(0x7FFF), JC_sconst_1, JC_sadd,               /* wraps to -32768 */
        JC_sconst_m1, JC_sdiv,                                    /* -32768 / -1 wraps to -32768 */
        JC_sconst_1, JC_sshr,                                     /* -16384 */
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 2, 0, 0, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq((int16_t)r[0], -16384);
}
END_TEST

START_TEST(args_locals_loop)
{
    /* short sum(short n) { short s = 0; for (short i = 1; i <= n; i++) s += i; return s; } */
    static const uint8_t code[] = {
        JC_sconst_0, JC_sstore_1,            /* 0: s = 0 */
        JC_sconst_1, JC_sstore_2,            /* 2: i = 1 */
        JC_sload_2, JC_sload_0,              /* 4 */
        JC_if_scmpgt, 11,                    /* 6: if i > n goto 17 */
        JC_sload_1, JC_sload_2, JC_sadd, JC_sstore_1, /* 8 */
        JC_sinc, 2, 1,                       /* 12 */
        JC_goto, (uint8_t)-11,               /* 15: back to 4 */
        JC_sload_1, JC_sreturn };            /* 17 */
    uint32_t m = vt_method(P, &at, 2, 1, 2, code, sizeof code);
    uint16_t r[2], a[1] = { 100 };
    ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
    ck_assert_int_eq(r[0], 5050);
    a[0] = 0;
    ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
    ck_assert_int_eq(r[0], 0);
}
END_TEST

START_TEST(int_ops)
{
    static const uint8_t code[] = {
        JC_iipush, 0x00, 0x01, 0x86, 0xA0,   /* 100000 */
        JC_iconst_3, JC_imul,                /* 300000 */
        JC_bipush, 7, JC_irem,               /* 300000 % 7 = 1 */
        JC_sipush, H(-100), JC_iadd,         /* -99 */
        JC_istore_0,
        JC_iinc, 0, 10,                      /* -89 */
        JC_iload_0, JC_ireturn };
    uint32_t m = vt_method(P, &at, 4, 0, 2, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq((int32_t)((uint32_t)r[0] << 16 | r[1]), -89);
}
END_TEST

START_TEST(int_compare_convert)
{
    static const uint8_t code[] = {
        JC_iipush, 0x12, 0x34, 0x56, 0x78, JC_i2s,   /* 0x5678 */
        JC_sconst_m1, JC_s2i, JC_iconst_0, JC_icmp,  /* -1 compared to 0 -> -1 */
        JC_sadd,                                     /* 0x5677 */
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 5, 0, 0, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 0x5677);
}
END_TEST

START_TEST(stack_ops)
{
    /* a=1 b=2: dup_x 0x12 (dup top 1 word, 2 down): 2 1 2; swap_x 0x11: 2 2 1; then a*100+b*10+c */
    static const uint8_t code[] = {
        JC_sconst_1, JC_sconst_2, JC_dup_x, 0x12, JC_swap_x, 0x11,
        JC_sstore_2, JC_sstore_1, JC_sstore_0,
        JC_sload_0, JC_bspush, 100, JC_smul, JC_sload_1, JC_bspush, 10, JC_smul, JC_sadd, JC_sload_2, JC_sadd,
        JC_dup, JC_dup2, JC_pop2, JC_pop,
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 4, 0, 3, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 221);
}
END_TEST

START_TEST(switches)
{
    /* stableswitch over 1..3 -> 10,20,30, default 99 */
    static const uint8_t code[] = {
        JC_sload_0,                                  /* 0 */
        JC_stableswitch, H(19), H(1), H(3), H(13), H(15), H(17), /* 1 .. 14 */
        JC_nop,                                      /* 13? placeholder */
        JC_bspush, 10, JC_sreturn,
    };
    (void)code;
    /* Build with computed offsets: switch at 1, table ends at 1+7+6 = 14. */
    uint8_t c[40];
    size_t n = 0;
    c[n++] = JC_sload_0;
    size_t sw = n;
    c[n++] = JC_stableswitch;
    n += 12; /* default, low, high, 3 offsets */
    size_t t1 = n; c[n++] = JC_bspush; c[n++] = 10; c[n++] = JC_sreturn;
    size_t t2 = n; c[n++] = JC_bspush; c[n++] = 20; c[n++] = JC_sreturn;
    size_t t3 = n; c[n++] = JC_bspush; c[n++] = 30; c[n++] = JC_sreturn;
    size_t td = n; c[n++] = JC_bspush; c[n++] = 99; c[n++] = JC_sreturn;
    cl_put16(c + sw + 1, (uint16_t)(td - sw));
    cl_put16(c + sw + 3, 1);
    cl_put16(c + sw + 5, 3);
    cl_put16(c + sw + 7, (uint16_t)(t1 - sw));
    cl_put16(c + sw + 9, (uint16_t)(t2 - sw));
    cl_put16(c + sw + 11, (uint16_t)(t3 - sw));
    uint32_t m = vt_method(P, &at, 1, 1, 0, c, n);
    int expect[] = { 99, 10, 20, 30, 99 };
    for (int k = 0; k < 5; k++) {
        uint16_t r[2], a[1] = { (uint16_t)k };
        ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
        ck_assert_int_eq(r[0], expect[k]);
    }
    /* slookupswitch: 5 -> 1, 1000 -> 2, else 0 */
    n = 0;
    c[n++] = JC_sload_0;
    sw = n;
    c[n++] = JC_slookupswitch;
    n += 2 + 2 + 8;
    size_t l1 = n; c[n++] = JC_sconst_1; c[n++] = JC_sreturn;
    size_t l2 = n; c[n++] = JC_sconst_2; c[n++] = JC_sreturn;
    size_t ld = n; c[n++] = JC_sconst_0; c[n++] = JC_sreturn;
    cl_put16(c + sw + 1, (uint16_t)(ld - sw));
    cl_put16(c + sw + 3, 2);
    cl_put16(c + sw + 5, 5); cl_put16(c + sw + 7, (uint16_t)(l1 - sw));
    cl_put16(c + sw + 9, 1000); cl_put16(c + sw + 11, (uint16_t)(l2 - sw));
    m = vt_method(P, &at, 1, 1, 0, c, n);
    uint16_t keys[] = { 5, 1000, 6 }, want[] = { 1, 2, 0 };
    for (int k = 0; k < 3; k++) {
        uint16_t r[2], a[1] = { keys[k] };
        ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
        ck_assert_int_eq(r[0], want[k]);
    }
}
END_TEST

START_TEST(arrays)
{
    static const uint8_t code[] = {
        JC_bspush, 10, JC_newarray, 11, JC_astore_0,            /* byte[10] */
        JC_aload_0, JC_bspush, 9, JC_bspush, -5, JC_bastore,    /* a[9] = -5 */
        JC_bspush, 3, JC_newarray, 12, JC_astore_1,             /* short[3] */
        JC_aload_1, JC_sconst_2, JC_sspush, H(30000), JC_sastore,
        JC_aload_0, JC_bspush, 9, JC_baload,                    /* -5 */
        JC_aload_1, JC_sconst_2, JC_saload, JC_sadd,            /* 29995 */
        JC_aload_0, JC_arraylength, JC_sadd,                    /* 30005 */
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 4, 0, 2, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 30005);
}
END_TEST

START_TEST(array_bounds_and_types)
{
    static const uint8_t oob[] = { JC_sconst_2, JC_newarray, 11, JC_sconst_2, JC_baload, JC_sreturn };
    static const uint8_t neg[] = { JC_sconst_m1, JC_newarray, 11, JC_areturn };
    static const uint8_t wrongtype[] = { JC_sconst_2, JC_newarray, 11, JC_sconst_0, JC_saload, JC_sreturn };
    uint32_t m1 = vt_method(P, &at, 2, 0, 0, oob, sizeof oob);
    uint32_t m2 = vt_method(P, &at, 1, 0, 0, neg, sizeof neg);
    uint32_t m3 = vt_method(P, &at, 2, 0, 0, wrongtype, sizeof wrongtype);
    ck_assert_int_eq(vt_run(&T, P, m1, NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, m2, NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, m3, NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "type"));
}
END_TEST

START_TEST(iso_exception_sw)
{
    vt_cp_native(P, 1, VM_PKG_FRAMEWORK, 7, VM_NAT_STATIC, 1); /* ISOException.throwIt */
    static const uint8_t code[] = { JC_sspush, H(0x6A82), JC_invokestatic, H(1), JC_return };
    uint32_t m = vt_method(P, &at, 1, 0, 0, code, sizeof code);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, NULL), 0x6A82);
    /* The card keeps running: the same method again, and a normal one. */
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, NULL), 0x6A82);
    static const uint8_t ok[] = { JC_sconst_5, JC_sreturn };
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, ok, sizeof ok), NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 5);
}
END_TEST

START_TEST(arith_exception_caught)
{
    /* try { return 7 / n; } catch (ArithmeticException) { return -1; } */
    vt_cp_class(P, 2, VM_CLASS_ID(VM_PKG_JAVA_LANG, 9));
    static const uint8_t code[] = { JC_bspush, 7, JC_sload_0, JC_sdiv, JC_sreturn, /* 0..4 */
                                    JC_pop, JC_sconst_m1, JC_sreturn };            /* 5: handler */
    P->methods[0] = 1; /* one handler */
    at = 9;
    uint32_t m = vt_method(P, &at, 2, 1, 0, code, sizeof code);
    uint8_t *h = P->methods + 1;
    cl_put16(h, (uint16_t)(m + 2));            /* start */
    cl_put16(h + 2, 0x8000 | 5);                /* stop bit, active length */
    cl_put16(h + 4, (uint16_t)(m + 2 + 5));    /* handler */
    cl_put16(h + 6, 2);                         /* catch ArithmeticException */
    P->pkg.nhandlers = 1;
    uint16_t r[2], a[1] = { 2 };
    ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
    ck_assert_int_eq(r[0], 3);
    a[0] = 0;
    ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
    ck_assert_int_eq((int16_t)r[0], -1);
}
END_TEST

START_TEST(exception_across_frames)
{
    /* inner(): ISOException.throwIt(0x6985). outer(): try { inner(); return 0; } catch (ISOException e) { return e.getReason(); } */
    vt_cp_native(P, 1, VM_PKG_FRAMEWORK, 7, VM_NAT_STATIC, 1);
    vt_cp_class(P, 2, VM_CLASS_ID(VM_PKG_FRAMEWORK, 7));
    P->cp[4].tag = 3; P->cp[4].cls = VM_CLASS_ID(VM_PKG_FRAMEWORK, 7); P->cp[4].a = 1; /* getReason */
    P->methods[0] = 1;
    at = 9;
    static const uint8_t inner[] = { JC_sspush, H(0x6985), JC_invokestatic, H(1), JC_return };
    uint32_t mi = vt_method(P, &at, 1, 0, 0, inner, sizeof inner);
    P->cp[3].tag = 6; P->cp[3].pkg = 16; P->cp[3].a = (uint16_t)mi;
    static const uint8_t outer[] = { JC_invokestatic, H(3), JC_sconst_0, JC_sreturn, /* 0..4 */
                                     JC_invokevirtual, H(4), JC_sreturn };           /* 5: handler, exc on stack */
    uint32_t mo = vt_method(P, &at, 1, 0, 0, outer, sizeof outer);
    uint8_t *h = P->methods + 1;
    cl_put16(h, (uint16_t)(mo + 2));
    cl_put16(h + 2, 0x8000 | 5);
    cl_put16(h + 4, (uint16_t)(mo + 2 + 5));
    cl_put16(h + 6, 2);
    P->pkg.nhandlers = 1;
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, mo, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 0x6985);
}
END_TEST

/* Two classes: A (fields x, y; get() token 0 returns x) and B extends A (get() returns y). */
static void make_classes(void)
{
    static uint8_t pubA[2], pubB[2];
    static const uint8_t getA[] = { JC_getfield_s_this, 5, JC_sreturn };
    static const uint8_t getB[] = { JC_getfield_s_this, 6, JC_sreturn };
    uint32_t ma = vt_method(P, &at, 1, 1, 0, getA, sizeof getA);
    uint32_t mb = vt_method(P, &at, 1, 1, 0, getB, sizeof getB);
    cl_put16(pubA, (uint16_t)ma);
    cl_put16(pubB, (uint16_t)mb);
    vm_class_t *A = &P->classes[0], *B = &P->classes[1];
    A->id = VM_CLASS_ID(16, 0); A->super = VM_CLASS_ID(VM_PKG_JAVA_LANG, 0); A->inst_size = 2;
    A->pub_base = 0; A->pub_count = 1; A->pub_tab = pubA;
    B->id = VM_CLASS_ID(16, 1); B->super = A->id; B->inst_base = 2; B->inst_size = 2;
    B->pub_base = 0; B->pub_count = 1; B->pub_tab = pubB;
    P->pkg.nclasses = 2;
    vt_cp_class(P, 7, A->id);
    vt_cp_class(P, 8, B->id);
    P->cp[5].tag = 2; P->cp[5].cls = A->id; P->cp[5].a = 0; /* A.x -> cell 0 */
    P->cp[6].tag = 2; P->cp[6].cls = A->id; P->cp[6].a = 1; /* A.y -> cell 1 */
    P->cp[9].tag = 3; P->cp[9].cls = A->id; P->cp[9].a = 0; /* A.get() */
}

START_TEST(objects_virtual_dispatch)
{
    make_classes();
    /* A a = new A; a.x = 11; a.y = 22; B b = new B; b.x = 33; b.y = 44; return a.get()*100 + b.get() */
    static const uint8_t code[] = {
        JC_new, H(7), JC_astore_0, JC_new, H(8), JC_astore_1,
        JC_aload_0, JC_bspush, 11, JC_putfield_s, 5, JC_aload_0, JC_bspush, 22, JC_putfield_s, 6,
        JC_aload_1, JC_bspush, 33, JC_putfield_s, 5, JC_aload_1, JC_bspush, 44, JC_putfield_s, 6,
        JC_aload_0, JC_invokevirtual, H(9), JC_bspush, 100, JC_smul,
        JC_aload_1, JC_invokevirtual, H(9), JC_sadd,
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 2, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 11 * 100 + 44);
}
END_TEST

START_TEST(checkcast_instanceof)
{
    make_classes();
    /* new A instanceof B -> 0; new B instanceof A -> 1; byte[] instanceof Object (class 0 of java.lang) -> 1; (B) new A -> ClassCast */
    vt_cp_class(P, 10, VM_CLASS_ID(VM_PKG_JAVA_LANG, 0));
    static const uint8_t code[] = {
        JC_new, H(7), JC_instanceof, 0, H(8),
        JC_new, H(8), JC_instanceof, 0, H(7), JC_sconst_2, JC_smul, JC_sadd,
        JC_sconst_1, JC_newarray, 11, JC_instanceof, 0, H(10), JC_sconst_4, JC_smul, JC_sadd,
        JC_sconst_1, JC_newarray, 11, JC_instanceof, 12, H(0), JC_bspush, 8, JC_smul, JC_sadd,
        JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 0, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 0 + 2 + 4 + 0); /* byte[] is not a short[] */
    static const uint8_t bad[] = { JC_new, H(7), JC_checkcast, 0, H(8), JC_areturn };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, bad, sizeof bad), NULL, 0, r), 0x6F00);
}
END_TEST

START_TEST(statics_all_types)
{
    P->cp[11].tag = 5; P->cp[11].pkg = 16; P->cp[11].a = 0;  /* short at 0 */
    P->cp[12].tag = 5; P->cp[12].pkg = 16; P->cp[12].a = 2;  /* byte at 2 */
    P->cp[13].tag = 5; P->cp[13].pkg = 16; P->cp[13].a = 4;  /* int at 4 */
    P->cp[14].tag = 5; P->cp[14].pkg = 16; P->cp[14].a = 31; /* short at 31: crosses the end */
    static const uint8_t put[] = { JC_sspush, H(-2), JC_putstatic_s, H(11), JC_bspush, -3, JC_putstatic_b, H(12),
                                   JC_iipush, 0x01, 0x02, 0x03, 0x04, JC_putstatic_i, H(13), JC_return };
    static const uint8_t get[] = { JC_getstatic_s, H(11), JC_getstatic_b, H(12), JC_sadd,
                                   JC_getstatic_i, H(13), JC_i2s, JC_sadd, JC_sreturn };
    static const uint8_t over[] = { JC_getstatic_s, H(14), JC_sreturn };
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 0, 0, put, sizeof put), NULL, 0, r), 0x9000);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 3, 0, 0, get, sizeof get), NULL, 0, r), 0x9000);
    ck_assert_int_eq((int16_t)r[0], -2 - 3 + 0x0304);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, over, sizeof over), NULL, 0, r), 0x6F00);
}
END_TEST

/* Hostile code: every case ends with 6F 00 and the card keeps working. */
START_TEST(hostile_jump_out)
{
    static const uint8_t code[] = { JC_goto_w, H(0x7000) };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, code, sizeof code), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "branch"));
    static const uint8_t back[] = { JC_goto, (uint8_t)-100 };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, back, sizeof back), NULL, 0, NULL), 0x6F00);
}
END_TEST

/* Every pc of a frame stays inside its own method: ret to a forged address, a branch or a switch
 * into the next method, and falling off the end are stopped, although the target is valid code
 * of the same package (which the Method component bound alone would let run). */
START_TEST(hostile_leave_method)
{
    /* The victim comes right after each attacker: "return 0x1234" would answer 9000. */
    static const uint8_t victim[] = { JC_sspush, H(0x1234), JC_sreturn };
    static const uint8_t ok[] = { JC_sconst_2, JC_sreturn };
    /* ret to the victim's first bytecode (forged return address in local 0) */
    uint32_t m = at;
    uint32_t vcode = m + 2 + 7 + 2; /* after this method's header and its 7 bytes, the victim's header */
    const uint8_t ret_out[] = { JC_sspush, H(vcode), JC_sstore_0, JC_ret, 0, JC_nop };
    ck_assert_uint_eq(vt_method(P, &at, 1, 0, 1, ret_out, sizeof ret_out), m);
    uint32_t v = vt_method(P, &at, 1, 0, 0, victim, sizeof victim);
    ck_assert_uint_eq(v + 2, vcode);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, v, NULL, 0, r), 0x9000); /* the victim itself runs */
    ck_assert_int_eq(r[0], 0x1234);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "ret outside"));
    /* ret to its own code is fine: back to the nop, then off to sconst_2 */
    const uint8_t ret_in[] = { JC_sspush, H(at + 2 + 6), JC_sstore_0, JC_ret, 0, JC_nop, JC_sconst_2, JC_sreturn };
    m = vt_method(P, &at, 1, 0, 1, ret_in, sizeof ret_in);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 2);
    /* goto over its own end to the next method's first bytecode */
    const uint8_t goto_out[] = { JC_goto, 5, JC_nop };
    m = vt_method(P, &at, 1, 0, 0, goto_out, sizeof goto_out);
    vt_method(P, &at, 1, 0, 0, victim, sizeof victim);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "branch outside"));
    /* stableswitch whose default goes to the next method's first bytecode */
    const uint8_t switch_out[] = { JC_sconst_0, JC_stableswitch, H(11), H(1), H(1), H(11) };
    m = vt_method(P, &at, 1, 0, 0, switch_out, sizeof switch_out);
    vt_method(P, &at, 1, 0, 0, victim, sizeof victim);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "branch outside"));
    /* falling off the end into the next method */
    const uint8_t fall[] = { JC_nop };
    m = vt_method(P, &at, 1, 0, 0, fall, sizeof fall);
    vt_method(P, &at, 1, 0, 0, victim, sizeof victim);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "pc outside"));
    /* a call to an offset that starts no method (the victim's bytecode) */
    P->cp[20].tag = 6; P->cp[20].pkg = 16; P->cp[20].a = (uint16_t)vcode;
    const uint8_t call_mid[] = { JC_invokestatic, H(20), JC_sreturn };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, call_mid, sizeof call_mid), NULL, 0, r), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "starts no method"));
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, ok, sizeof ok), NULL, 0, r), 0x9000);
}
END_TEST

START_TEST(hostile_stack)
{
    static const uint8_t under[] = { JC_pop, JC_return };
    static const uint8_t over[] = { JC_sconst_1, JC_sconst_1, JC_sconst_1, JC_return };
    static const uint8_t local[] = { JC_sload, 9, JC_sreturn };
    static const uint8_t fall[] = { JC_sconst_1, JC_pop }; /* runs off the end of the method area */
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, under, sizeof under), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "underflow"));
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 2, 0, 0, over, sizeof over), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "overflow"));
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 1, local, sizeof local), NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, fall, sizeof fall), NULL, 0, NULL), 0x6F00);
}
END_TEST

START_TEST(hostile_forged_reference)
{
    static const uint8_t code[] = { JC_sspush, H(0x1234), JC_arraylength, JC_sreturn };
    static const uint8_t null_[] = { JC_aconst_null, JC_arraylength, JC_sreturn };
    static const uint8_t cp[] = { JC_getstatic_s, H(60), JC_sreturn }; /* empty constant pool entry */
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, code, sizeof code), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "reference"));
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, null_, sizeof null_), NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, cp, sizeof cp), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "constant pool"));
}
END_TEST

START_TEST(hostile_recursion)
{
    /* m(): m(); */
    uint32_t m = at;
    P->cp[20].tag = 6; P->cp[20].pkg = 16; P->cp[20].a = (uint16_t)m;
    static const uint8_t code[] = { JC_invokestatic, H(20), JC_return };
    vt_method(P, &at, 1, 0, 0, code, sizeof code);
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "overflow"));
    ck_assert_int_eq(T.vm->nframes, 0);
}
END_TEST

START_TEST(hostile_endless_loop)
{
    static const uint8_t code[] = { JC_nop, JC_goto, (uint8_t)-1 };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, code, sizeof code), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "budget"));
}
END_TEST

START_TEST(hostile_undefined_opcode)
{
    static const uint8_t code[] = { 0xC0, JC_return };
    static const uint8_t imp[] = { JC_impdep1, JC_return };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, code, sizeof code), NULL, 0, NULL), 0x6F00);
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, imp, sizeof imp), NULL, 0, NULL), 0x6F00);
}
END_TEST

START_TEST(unbound_api_method)
{
    P->cp[21].tag = 6; P->cp[21].cls = VM_CLASS_ID(VM_PKG_CRYPTO, 1); P->cp[21].pkg = 0; P->cp[21].a = 0;
    static const uint8_t code[] = { JC_invokestatic, H(21), JC_return };
    ck_assert_int_eq(vt_run(&T, P, vt_method(P, &at, 1, 0, 0, code, sizeof code), NULL, 0, NULL), 0x6F00);
    ck_assert_ptr_nonnull(strstr(T.vm->last_error, "unbound"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_interp");
    TCase *tc = tcase_create("interp");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, short_arith);
    tcase_add_test(tc, short_wrap_and_shifts);
    tcase_add_test(tc, args_locals_loop);
    tcase_add_test(tc, int_ops);
    tcase_add_test(tc, int_compare_convert);
    tcase_add_test(tc, stack_ops);
    tcase_add_test(tc, switches);
    tcase_add_test(tc, arrays);
    tcase_add_test(tc, array_bounds_and_types);
    tcase_add_test(tc, iso_exception_sw);
    tcase_add_test(tc, arith_exception_caught);
    tcase_add_test(tc, exception_across_frames);
    tcase_add_test(tc, objects_virtual_dispatch);
    tcase_add_test(tc, checkcast_instanceof);
    tcase_add_test(tc, statics_all_types);
    tcase_add_test(tc, hostile_jump_out);
    tcase_add_test(tc, hostile_leave_method);
    tcase_add_test(tc, hostile_stack);
    tcase_add_test(tc, hostile_forged_reference);
    tcase_add_test(tc, hostile_recursion);
    tcase_add_test(tc, hostile_endless_loop);
    tcase_add_test(tc, hostile_undefined_opcode);
    tcase_add_test(tc, unbound_api_method);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
