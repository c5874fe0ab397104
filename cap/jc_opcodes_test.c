/* Tests of the JCVM opcode table: completeness, spot values from the JCVM spec, instruction lengths. */
#include <check.h>
#include <string.h>

#include "cap/jc_opcodes.h"

START_TEST(test_table_complete)
{
    int defined = 0;
    for (int op = 0; op < 256; op++) {
        const char *n = jc_opcode_name(op);
        if (op <= JC_OPCODE_LAST) {
            ck_assert_msg(n != NULL, "opcode 0x%02x undefined", op);
            defined++;
            ck_assert_int_eq(jc_opcode_by_name(n), op); /* names are unique */
            ck_assert_int_ne(jc_opcode_format(op), JC_OPF_UNDEFINED);
            ck_assert_int_ne(jc_opcode_fixed_len(op), 0);
        } else {
            ck_assert_ptr_null(n);
            ck_assert_int_eq(jc_opcode_fixed_len(op), 0);
        }
    }
    ck_assert_int_eq(defined, JC_OPCODE_COUNT);
    ck_assert_ptr_null(jc_opcode_name(JC_impdep1));
    ck_assert_ptr_null(jc_opcode_name(JC_impdep2));
    ck_assert_ptr_null(jc_opcode_name(-1));
    ck_assert_ptr_null(jc_opcode_name(256));
    ck_assert_int_eq(jc_opcode_by_name("ldc"), -1);
}
END_TEST

START_TEST(test_spot_values)
{
    /* values from the JCVM specification's "opcode mnemonics by opcode" list */
    ck_assert_int_eq(JC_sadd, 0x41);
    ck_assert_int_eq(JC_iipush, 0x14);
    ck_assert_int_eq(JC_dup_x, 0x3F);
    ck_assert_int_eq(JC_icmp, 0x5F);
    ck_assert_int_eq(JC_stableswitch, 0x73);
    ck_assert_int_eq(JC_return, 0x7A);
    ck_assert_int_eq(JC_invokeinterface, 0x8E);
    ck_assert_int_eq(JC_checkcast, 0x94);
    ck_assert_int_eq(JC_goto_w, 0xA8);
    ck_assert_int_eq(JC_getfield_a_this, 0xAD);
    ck_assert_int_eq(JC_putfield_i_this, 0xB8);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_nop), 1);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_iipush), 5);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_sinc_w), 4);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_invokeinterface), 5);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_checkcast), 4);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_getfield_s_w), 3);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_getfield_s), 2);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_jsr), 3);
    ck_assert_int_eq(jc_opcode_fixed_len(JC_ilookupswitch), -1);
    ck_assert_int_eq(jc_opcode_cp_index_width(JC_getfield_b_this), 1);
    ck_assert_int_eq(jc_opcode_cp_index_width(JC_invokestatic), 2);
    ck_assert_int_eq(jc_opcode_cp_index_offset(JC_instanceof), 2);
    ck_assert_int_eq(jc_opcode_cp_index_width(JC_sadd), 0);
    ck_assert(jc_opcode_ends_flow(JC_athrow));
    ck_assert(!jc_opcode_ends_flow(JC_ifeq));
    ck_assert(jc_opcode_is_branch(JC_ifeq));
    ck_assert_str_eq(jc_opcode_name(0xB0), "getfield_i_this");
}
END_TEST

START_TEST(test_insn_len)
{
    const uint8_t sadd[] = {JC_sadd};
    ck_assert_int_eq(jc_insn_len(sadd, 1), 1);
    ck_assert_int_eq(jc_insn_len(sadd, 0), -1);
    const uint8_t sspush[] = {JC_sspush, 0x12, 0x34};
    ck_assert_int_eq(jc_insn_len(sspush, 3), 3);
    ck_assert_int_eq(jc_insn_len(sspush, 2), -1);
    const uint8_t undef[] = {0xB9};
    ck_assert_int_eq(jc_insn_len(undef, 1), -1);
    /* stableswitch default 0x10, low -1, high 1: three offsets */
    const uint8_t ts[] = {JC_stableswitch, 0, 0x10, 0xFF, 0xFF, 0, 1, 0, 1, 0, 2, 0, 3};
    ck_assert_int_eq(jc_insn_len(ts, sizeof(ts)), 13);
    for (size_t n = 0; n < sizeof(ts); n++) ck_assert_int_eq(jc_insn_len(ts, n), -1);
    const uint8_t ts_bad[] = {JC_stableswitch, 0, 0x10, 0, 2, 0, 1};
    ck_assert_int_eq(jc_insn_len(ts_bad, sizeof(ts_bad)), -1); /* low > high */
    /* itableswitch low 0x7FFFFFFF high 0x7FFFFFFF: one offset */
    const uint8_t its[] = {JC_itableswitch, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0, 9};
    ck_assert_int_eq(jc_insn_len(its, sizeof(its)), 13);
    /* a huge itableswitch range is refused, not overflowed */
    const uint8_t its_big[] = {JC_itableswitch, 0, 0, 0x80, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0, 9};
    ck_assert_int_eq(jc_insn_len(its_big, sizeof(its_big)), -1);
    const uint8_t ls[] = {JC_slookupswitch, 0, 4, 0, 2, 0, 1, 0, 8, 0, 5, 0, 9};
    ck_assert_int_eq(jc_insn_len(ls, sizeof(ls)), 13);
    ck_assert_int_eq(jc_insn_len(ls, 12), -1);
    const uint8_t ils[] = {JC_ilookupswitch, 0, 4, 0, 1, 0, 0, 0, 1, 0, 8};
    ck_assert_int_eq(jc_insn_len(ils, sizeof(ils)), 11);
    ck_assert_int_eq(jc_insn_len(ils, 10), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jc_opcodes");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_table_complete);
    tcase_add_test(tc, test_spot_values);
    tcase_add_test(tc, test_insn_len);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
