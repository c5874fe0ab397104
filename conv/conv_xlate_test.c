/* Translation tests: one Java construct per method (conv/tests/java/ok, okint), the JCVM bytecode
 * written by hand from the JCVM specification (chapter 7) and compared with the converter's. */
#include "conv/conv_testlib.h"

static conv_pkg_t ok, okint, big;
static cl_error_t ok_err, okint_err, big_err;
static int ok_rc = -1, okint_rc = -1, big_rc = -1;

static int prepare(void)
{
    big_rc = ct_convert(&big, "big", "t.big", 0, &big_err);
    ok_rc = ct_convert(&ok, "ok", "t.ok", 0, &ok_err);
    okint_rc = ct_convert(&okint, "okint", "t.okint", 1, &okint_err);
    return 0;
}

typedef struct { const char *cls, *name, *desc, *expect; } expect_t;

static const expect_t OK[] = {
    /* arithmetic: int expressions truncated to short become short instructions */
    { "Arith", "add", NULL, "sload_0 sload_1 sadd sreturn" },
    { "Arith", "sub", NULL, "sload_0 sload_1 ssub sreturn" },
    { "Arith", "mul", NULL, "sload_0 sload_1 smul sreturn" },
    { "Arith", "div", NULL, "sload_0 sload_1 sdiv sreturn" },
    { "Arith", "rem", NULL, "sload_0 sload_1 srem sreturn" },
    { "Arith", "neg", NULL, "sload_0 sneg sreturn" },
    { "Arith", "shl", NULL, "sload_0 sload_1 sshl sreturn" },
    { "Arith", "shr", NULL, "sload_0 sload_1 sshr sreturn" },
    { "Arith", "ushr", NULL, "sload_0 sload_1 sushr sreturn" },
    { "Arith", "and", NULL, "sload_0 sload_1 sand sreturn" },
    { "Arith", "or", NULL, "sload_0 sload_1 sor sreturn" },
    { "Arith", "xor", NULL, "sload_0 sload_1 sxor sreturn" },
    { "Arith", "tob", NULL, "sload_0 s2b sreturn" },
    { "Arith", "addb", NULL, "sload_0 sload_1 sadd s2b sreturn" },
    { "Arith", "chain", NULL, "sload_0 sload_1 smul sload_2 sadd sreturn" },
    { "Arith", "k5", NULL, "sconst_5 sreturn" },
    { "Arith", "k100", NULL, "bspush 100 sreturn" },
    { "Arith", "k1000", NULL, "sspush 1000 sreturn" },
    { "Arith", "km1", NULL, "sconst_m1 sreturn" },
    { "Arith", "inc", NULL, "sinc 0 1 sload_0 sreturn" },
    { "Arith", "incw", NULL, "sinc_w 0 1000 sinc 0 -3 sload_0 sreturn" },
    /* constants beyond the short range meeting only truncating uses keep their low 16 bits */
    { "Arith", "addmin", NULL, "sinc_w 0 -32768 sload_0 sreturn" },
    { "Arith", "submin", NULL, "sinc_w 0 -32768 sload_0 sreturn" },
    { "Arith", "addminb", NULL, "sload_0 sspush -32768 ssub s2b sstore_0 sload_0 sreturn" },
    /* a byte local wraps at 8 bits: no sinc */
    { "Arith", "incb", NULL, "sload_0 sconst_1 sadd s2b sstore_0 sload_0 sreturn" },
    { "Arith", "masked", NULL, "sload_0 sspush 255 sand sreturn" },
    { "Arith", "not", NULL, "sload_0 ifne +5 sconst_1 goto +3 sconst_0 sreturn" },
    /* comparisons and branches */
    { "Compare", "lt", NULL, "sload_0 sload_1 if_scmpge +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "le", NULL, "sload_0 sload_1 if_scmpgt +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "eq", NULL, "sload_0 sload_1 if_scmpne +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "eqz", NULL, "sload_0 ifne +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "gtz", NULL, "sload_0 ifle +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "isnull", NULL, "aload_0 ifnonnull +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "nonnull", NULL, "aload_0 ifnull +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "same", NULL, "aload_0 aload_1 if_acmpne +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "loop", NULL,
      "sconst_0 sstore_1 sconst_0 sstore_2 sload_2 sload_0 if_scmpge +11 sload_1 sload_2 sadd sstore_1 "
      "sinc 2 1 goto -11 sload_1 sreturn" },
    { "Compare", "cond", NULL, "sload_0 ifeq +5 sload_1 goto +3 sload_2 sreturn" },
    /* for-each over an array: javac's synthetic index (no LocalVariableTable entry) is bounded by
     * the array length, so it stays a short and its iinc becomes sinc */
    { "Compare", "sum", NULL,
      "sconst_0 sstore_1 aload_0 astore_2 aload_2 arraylength sstore_3 sconst_0 sstore 4 sload 4 sload_3 if_scmpge +18 "
      "aload_2 sload 4 baload sstore 5 sload_1 sload 5 sadd sstore_1 sinc 4 1 goto -19 sload_1 sreturn" },
    /* a join of short constants is short; x & 0xFF is short-range: no cast needed before comparing */
    { "Compare", "tern", NULL, "sload_0 ifeq +5 sconst_1 goto +3 sconst_0 sload_1 if_scmpne +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Compare", "ub", NULL, "aload_0 sconst_0 baload sspush 255 sand bspush 127 if_scmple +4 sconst_1 sreturn sconst_0 sreturn" },
    /* switches */
    { "Switch", "tab", NULL,
      "sload_0 stableswitch 22 1 3 13 16 19 bspush 10 sreturn bspush 20 sreturn bspush 30 sreturn sconst_0 sreturn" },
    { "Switch", "look", NULL,
      "sload_0 slookupswitch 19 2 1:13 1000:16 bspush 10 sreturn bspush 20 sreturn sconst_0 sreturn" },
    /* arrays of each type */
    { "Arrays", "gb", NULL, "aload_0 sload_1 baload sreturn" },
    { "Arrays", "gs", NULL, "aload_0 sload_1 saload sreturn" },
    { "Arrays", "gz", NULL, "aload_0 sload_1 baload sreturn" },
    { "Arrays", "go", NULL, "aload_0 sload_1 aaload areturn" },
    { "Arrays", "sb", NULL, "aload_0 sload_1 sload_2 bastore return" },
    { "Arrays", "ss", NULL, "aload_0 sload_1 sload_2 sastore return" },
    { "Arrays", "sz", NULL, "aload_0 sload_1 sload_2 bastore return" },
    { "Arrays", "so", NULL, "aload_0 sload_1 aload_2 aastore return" },
    { "Arrays", "len", NULL, "aload_0 arraylength sreturn" },
    { "Arrays", "nb", NULL, "sload_0 newarray 11 areturn" },
    { "Arrays", "ns", NULL, "sconst_4 newarray 12 areturn" },
    { "Arrays", "nz", NULL, "sconst_2 newarray 10 areturn" },
    { "Arrays", "no", NULL, "sconst_3 anewarray #C areturn" },
    { "Arrays", "cb", NULL, "aload_0 checkcast 11 areturn" },
    { "Arrays", "co", NULL, "aload_0 checkcast 14 #C areturn" },
    { "Arrays", "io", NULL, "aload_0 instanceof 0 #C sreturn" },
    { "Arrays", "incr", NULL, "aload_0 sload_1 dup2 baload sconst_1 sadd s2b bastore return" },
    /* fields: tokens are public primitives (ps 0), then package references (o 1), package primitives (b 2, s 3, z 4) */
    { "Fields", "getS", NULL, "getfield_s_this #F3 sreturn" },
    { "Fields", "setS", NULL, "sload_1 putfield_s_this #F3 return" },
    { "Fields", "getB", NULL, "getfield_b_this #F2 sreturn" },
    { "Fields", "getZ", NULL, "getfield_b_this #F4 sreturn" },
    { "Fields", "getO", NULL, "getfield_a_this #F1 areturn" },
    { "Fields", "other", NULL, "aload_1 getfield_s #F3 sreturn" },
    { "Fields", "gss", NULL, "getstatic_s #s sreturn" },
    { "Fields", "pss", NULL, "sload_0 putstatic_s #s return" },
    { "Fields", "gsb", NULL, "getstatic_b #s sreturn" },
    { "Fields", "gso", NULL, "getstatic_a #s areturn" },
    { "Fields", "tab", NULL, "getstatic_a #s sload_0 baload sreturn" },
    { "Fields", "k", NULL, "bspush 42 sreturn" },
    { "Fields", "incS", NULL, "aload_0 dup getfield_s #F3 sconst_1 sadd putfield_s #F3 return" },
    /* calls: virtual tokens continue after Object.equals (0): v 1 (overridden), callV 2, callSuper 3, m 4 */
    { "Calls", "<init>", NULL, "aload_0 invokespecial #M return" },
    { "Calls", "callV", NULL, "aload_0 sload_1 invokevirtual #V1 sreturn" },
    { "Calls", "callSuper", NULL, "aload_0 sload_1 invokespecial #S1 sreturn" },
    { "Calls", "callSt", NULL, "sconst_3 invokestatic #M sreturn" },
    { "Calls", "callPr", NULL, "aload_0 invokespecial #M sreturn" },
    { "Calls", "callIf", NULL, "aload_1 sconst_2 invokeinterface 2 #C 0 sreturn" },
    { "Calls", "mk", NULL, "new #C dup invokespecial #M areturn" },
    { "AbsI", "call", NULL, "aload_1 sconst_1 invokeinterface 2 #C 0 sreturn" },
    /* exceptions */
    { "Exc", "caught", NULL, "sload_0 invokestatic #M goto +5 astore_1 sconst_1 sreturn sconst_0 sreturn" },
    { "Exc", "thrown", NULL, "new #C dup sconst_1 invokespecial #M athrow" },
};

static const expect_t INT[] = {
    { "Ints", "add", NULL, "iload_0 iload_2 iadd ireturn" },
    { "Ints", "cmp", NULL, "sload_0 s2i sload_1 s2i iadd bipush 10 icmp ifle +4 sconst_1 sreturn sconst_0 sreturn" },
    { "Ints", "big", NULL, "iipush 100000 ireturn" },
    { "Ints", "trunc", NULL, "iload_0 i2s sreturn" },
    { "Ints", "widen", NULL, "sload_0 s2i ireturn" },
    { "Ints", "itab", NULL, "iload_0 itableswitch 23 1 3 17 19 21 iconst_1 ireturn iconst_2 ireturn iconst_3 ireturn iconst_0 ireturn" },
    { "Ints", "local", NULL, "sload_0 s2i istore_1 iload_1 iconst_3 imul istore_1 iload_1 ireturn" },
    { "Ints", "getF", NULL, "getfield_i_this #F0 ireturn" },
    { "Ints", "chain", NULL,
      "sload_0 sload_1 sadd dup sstore 4 iload_2 swap_x 0x21 s2i swap_x 0x22 iadd istore 5 iload 5 sload 4 s2i iadd ireturn" },
    /* the full value of an int constant matters under % / >> >>>: int instructions, result narrowed */
    { "Ints", "remk", NULL, "iipush 305419896 sload_0 s2i irem i2s sreturn" },
    { "Ints", "divk", NULL, "sload_0 s2i iipush -70000 idiv i2s sreturn" },
    { "Ints", "shrk", NULL, "iipush 98304 sload_0 s2i ishr i2s sreturn" },
    { "Ints", "ushrk", NULL, "iipush 305419896 sload_0 s2i iushr i2s sreturn" },
    /* an int index: (short) i when it fits, else -1 (d = i - (int) (short) i; i | ((d | -d) >> 31)) */
    { "Ints", "idx", NULL, "aload_0 iload_1 dup2 dup2 i2s s2i isub dup2 ineg ior bipush 31 ishr ior i2s baload sreturn" },
    /* under + only its low 16 bits count */
    { "Ints", "addk", NULL, "sspush 22136 sload_0 sadd sreturn" },
};

START_TEST(t_ok_converts)
{
    ck_assert_msg(ok_rc == 0, "t.ok: %s", ok_err.msg);
    ck_assert_msg(okint_rc == 0, "t.okint: %s", okint_err.msg);
}
END_TEST

START_TEST(t_construct)
{
    const expect_t *x = &OK[_i];
    ck_assert_msg(ok_rc == 0, "t.ok: %s", ok_err.msg);
    conv_method_t *m = ct_method(&ok, x->cls, x->name, x->desc);
    ck_assert_msg(m != NULL, "%s.%s missing", x->cls, x->name);
    ck_assert_msg(!strcmp(ct_disasm(&ok, m), x->expect), "%s.%s:\n  got    %s\n  expect %s", x->cls, x->name,
                  ct_disasm(&ok, m), x->expect);
}
END_TEST

START_TEST(t_int_construct)
{
    const expect_t *x = &INT[_i];
    ck_assert_msg(okint_rc == 0, "t.okint: %s", okint_err.msg);
    conv_method_t *m = ct_method(&okint, x->cls, x->name, x->desc);
    ck_assert_msg(m != NULL, "%s.%s missing", x->cls, x->name);
    ck_assert_msg(!strcmp(ct_disasm(&okint, m), x->expect), "%s.%s:\n  got    %s\n  expect %s", x->cls, x->name,
                  ct_disasm(&okint, m), x->expect);
}
END_TEST

/* A branch over 160 bytes of code needs the 2-byte offset form. */
START_TEST(t_far_branch)
{
    ck_assert_int_eq(ok_rc, 0);
    char expect[4096] = "sload_0 ifne_w +163";
    for (int i = 0; i < 40; i++) strcat(expect, " sload_0 sconst_3 smul sstore_0");
    strcat(expect, " sload_0 sreturn");
    ck_assert_str_eq(ct_disasm(&ok, ct_method(&ok, "Compare", "far", NULL)), expect);
}
END_TEST

/* Past constant pool index 255 fields need the _w forms (2-byte index), which have no _this variant. */
START_TEST(t_wide_field_forms)
{
    ck_assert_msg(big_rc == 0, "t.big: %s", big_err.msg);
    ck_assert_int_gt(big.cp_count, 300);
    ck_assert_str_eq(ct_disasm(&big, ct_method(&big, "Z", "use", NULL)), "aload_0 getfield_s_w #F0 sreturn");
    ck_assert_str_eq(ct_disasm(&big, ct_method(&big, "Z", "set", NULL)), "aload_0 sload_1 putfield_s_w #F0 return");
    conv_method_t *calls = ct_method(&big, "Z", "calls", NULL);
    ck_assert_int_eq(calls->nref2, 300);   /* every invokestatic's index is a RefLocation entry */
    conv_method_t *use = ct_method(&big, "Z", "use", NULL);
    ck_assert_int_eq(use->nref1, 0);
    ck_assert_int_eq(use->nref2, 1);
    ck_assert_int_eq(use->ref2[0], 2);
}
END_TEST

/* Method headers count JCVM words: an int argument takes two, locals exclude the arguments. */
START_TEST(t_frame_sizes)
{
    ck_assert_int_eq(ok_rc, 0);
    ck_assert_int_eq(okint_rc, 0);
    conv_method_t *m = ct_method(&ok, "Arith", "chain", NULL);
    ck_assert_int_eq(m->nargs, 3);
    ck_assert_int_eq(m->max_locals, 0);
    ck_assert_int_eq(m->max_stack, 2);
    m = ct_method(&ok, "Compare", "loop", NULL);
    ck_assert_int_eq(m->nargs, 1);
    ck_assert_int_eq(m->max_locals, 2);
    m = ct_method(&okint, "Ints", "add", NULL);
    ck_assert_int_eq(m->nargs, 4);
    ck_assert_int_eq(m->max_stack, 4);
    m = ct_method(&okint, "Ints", "local", NULL);
    ck_assert_int_eq(m->nargs, 1);
    ck_assert_int_eq(m->max_locals, 2);
    m = ct_method(&ok, "Fields", "setS", NULL);
    ck_assert_int_eq(m->nargs, 2);
}
END_TEST

/* Virtual method tokens (JCVM 4.3.7.6): an override keeps the superclass's token, new public methods
 * continue after it, package-visible ones use the package token space (high bit). */
START_TEST(t_tokens)
{
    ck_assert_int_eq(ok_rc, 0);
    ck_assert_int_eq(ct_method(&ok, "Base", "v", NULL)->token, 1);
    ck_assert_int_eq(ct_method(&ok, "Calls", "v", NULL)->token, 1);
    ck_assert_int_eq(ct_method(&ok, "Calls", "callV", NULL)->token, 2);
    ck_assert_int_eq(ct_method(&ok, "Calls", "callSuper", NULL)->token, 3);
    ck_assert_int_eq(ct_method(&ok, "Calls", "m", NULL)->token, 4);
    ck_assert_int_eq(ct_method(&ok, "Calls", "st", NULL)->token, 0xFF);       /* static, package-visible */
    ck_assert_int_eq(ct_method(&ok, "Calls", "callSt", NULL)->token, 0x80);
    ck_assert_int_eq(ct_method(&ok, "Calls", "callPr", NULL)->token, 0x81);
    ck_assert_int_eq(ct_method(&ok, "Calls", "callIf", NULL)->token, 0x82);
    ck_assert_int_eq(ct_method(&ok, "Calls", "pr", NULL)->token, 0xFF);       /* private: not virtual */
    ck_assert_int_eq(ct_method(&ok, "Iface", "m", NULL)->token, 0);
    /* package-visible: PBase.pv 0x80; PSub overrides it (same token) and adds qq 0x81, callPv 0x82 */
    ck_assert_int_eq(ct_method(&ok, "PBase", "pv", NULL)->token, 0x80);
    ck_assert_int_eq(ct_method(&ok, "PSub", "pv", NULL)->token, 0x80);
    ck_assert_int_eq(ct_method(&ok, "PSub", "qq", NULL)->token, 0x81);
    ck_assert_int_eq(ct_method(&ok, "PSub", "callPv", NULL)->token, 0x82);
    ck_assert_str_eq(ct_disasm(&ok, ct_method(&ok, "PSub", "callPv", NULL)), "aload_0 invokevirtual #V128 sreturn");
    ck_assert_int_eq(ct_class(&ok, "PSub")->token, 0xFF);   /* package-visible class: no token */
    conv_class_t *f = ct_class(&ok, "Fields");
    ck_assert_int_eq(f->instance_size, 5);
    ck_assert_int_eq(f->first_ref_token, 1);
    ck_assert_int_eq(f->ref_count, 1);
    conv_class_t *ic = ct_class(&okint, "Ints");
    ck_assert_int_eq(ic->instance_size, 2);   /* an int field takes two cells */
}
END_TEST

/* Exception handlers: in javac's order (inner first), ranges in JCVM offsets, catch types as
 * class references, finally as catch-any. */
START_TEST(t_handlers)
{
    ck_assert_int_eq(ok_rc, 0);
    conv_method_t *m = ct_method(&ok, "Exc", "caught", NULL);
    ck_assert_int_eq(m->handler_count, 1);
    conv_handler_t *h = &ok.handlers[m->handler_first];
    ck_assert_int_eq(h->start, 0);
    ck_assert_int_eq(h->end, 4);
    ck_assert_int_eq(h->handler, 6);
    ck_assert_int_eq(h->any, 0);
    ck_assert_int_eq(ok.cp[h->catch_cp].tag, 1);
    ck_assert_str_eq(ok.cp[h->catch_cp].cls.ext->name, "javacard/framework/ISOException");
    m = ct_method(&ok, "Exc", "nested", NULL);
    ck_assert_int_eq(m->handler_count, 2);
    h = &ok.handlers[m->handler_first];
    ck_assert_str_eq(ok.cp[h[0].catch_cp].cls.ext->name, "javacard/framework/ISOException");
    ck_assert_str_eq(ok.cp[h[1].catch_cp].cls.ext->name, "javacard/framework/CardRuntimeException");
    ck_assert(h[1].start <= h[0].start && h[1].end >= h[0].end);   /* the outer range contains the inner */
    m = ct_method(&ok, "Exc", "fin", NULL);
    int any = 0;
    for (int i = 0; i < m->handler_count; i++) any += ok.handlers[m->handler_first + i].any;
    ck_assert_int_ge(any, 1);
}
END_TEST

/* Static field image (JCVM 6.10): array-initialised references, other references, default
 * primitives, then primitives with a value; compile-time constants take no room. */
START_TEST(t_static_image)
{
    ck_assert_int_eq(ok_rc, 0);
    ck_assert_int_eq(ok.static_image_size, 12);
    ck_assert_int_eq(ok.static_ref_count, 3);
    conv_class_t *c = ct_class(&ok, "Fields");
    conv_field_t *tab = NULL, *words = NULL, *init = NULL, *cst = NULL, *so = NULL;
    for (int i = 0; i < c->field_count; i++) {
        const char *n = c->fields[i].cf->name;
        if (!strcmp(n, "TABLE")) tab = &c->fields[i];
        if (!strcmp(n, "WORDS")) words = &c->fields[i];
        if (!strcmp(n, "init")) init = &c->fields[i];
        if (!strcmp(n, "CONST")) cst = &c->fields[i];
        if (!strcmp(n, "so")) so = &c->fields[i];
    }
    ck_assert_ptr_nonnull(tab);
    ck_assert_int_eq(tab->offset, 0);
    ck_assert_int_eq(tab->array_init_type, 3);
    ck_assert_int_eq(tab->array_init_len, 3);
    ck_assert_mem_eq(tab->array_init, "\x01\x02\x03", 3);
    ck_assert_int_eq(words->offset, 2);
    ck_assert_int_eq(words->array_init_type, 4);
    ck_assert_mem_eq(words->array_init, "\x12\x34\xff\xfe", 4);
    ck_assert_int_eq(so->offset, 4);
    ck_assert_int_eq(init->offset, 10);
    ck_assert_int_eq(init->init_value, 7);
    ck_assert(cst->is_const);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conv_xlate");
    TCase *tc = tcase_create("translate");
    tcase_add_test(tc, t_ok_converts);
    tcase_add_loop_test(tc, t_construct, 0, (int)CL_ARRAY_LEN(OK));
    tcase_add_loop_test(tc, t_int_construct, 0, (int)CL_ARRAY_LEN(INT));
    tcase_add_test(tc, t_far_branch);
    tcase_add_test(tc, t_wide_field_forms);
    tcase_add_test(tc, t_frame_sizes);
    tcase_add_test(tc, t_tokens);
    tcase_add_test(tc, t_handlers);
    tcase_add_test(tc, t_static_image);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ct_main(suite(), prepare); }
