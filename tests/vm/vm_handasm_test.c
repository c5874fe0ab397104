/* The instructions javac + our converter never emit (see vm_coverage_test.c): sinc_w, jsr and
 * ret, nop, swap_x, on hand-assembled methods run by the interpreter (the vm engineer's
 * vm/vm_test_util.h fixture), each with its result checked against what the JCVM spec says. */
#include "vm/vm_test_asm.h"

START_TEST(sinc_w_wraps_like_sadd)
{
    /* short f(short v) { v += 30000; v += -1; return v; } with sinc_w, and a nop in between */
    static const uint8_t code[] = {
        JC_sinc_w, 0, H(30000),
        JC_nop,
        JC_sinc_w, 0, H(-1),
        JC_sload_0, JC_sreturn };
    uint32_t m = vt_method(P, &at, 1, 1, 0, code, sizeof code);
    uint16_t r[2];
    const int16_t in[] = { 0, 1, 2767, 2768, -32768, 32767, -30000 };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        uint16_t a[1] = { (uint16_t)in[i] };
        ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
        ck_assert_int_eq((int16_t)r[0], (int16_t)(in[i] + 30000 - 1));
    }
}
END_TEST

START_TEST(jsr_ret_subroutine)
{
    /* short f(short v): a subroutine (finally block, old style) called twice:
     *   0: jsr +9 (to 9)           ; v = v*2 + 1
     *   3: jsr +6 (to 9)           ; again
     *   6: sload_0, sreturn
     *   8: nop (unreached)
     *   9: astore_1 (return address, a returnAddress word)
     *  10: sload_0 sconst_2 smul sconst_1 sadd sstore_0
     *  16: ret 1 */
    static const uint8_t code[] = {
        JC_jsr, H(9),
        JC_jsr, H(6),
        JC_sload_0, JC_sreturn,
        JC_nop,
        JC_astore_1,
        JC_sload_0, JC_sconst_2, JC_smul, JC_sconst_1, JC_sadd, JC_sstore_0,
        JC_ret, 1 };
    uint32_t m = vt_method(P, &at, 2, 1, 1, code, sizeof code);
    uint16_t r[2];
    const int16_t in[] = { 0, 1, -1, 100, 0x3FFF };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        uint16_t a[1] = { (uint16_t)in[i] };
        ck_assert_int_eq(vt_run(&T, P, m, a, 1, r), 0x9000);
        int16_t once = (int16_t)(in[i] * 2 + 1);
        ck_assert_int_eq((int16_t)r[0], (int16_t)(once * 2 + 1));
    }
}
END_TEST

START_TEST(swap_x_int_under_short)
{
    /* short f(): push int 0x00010002 and short 7, swap_x 0x21 (1 word over 2): short below the
     * int; i2s of the int on top (0x0002), then sadd with 7 -> 9. */
    static const uint8_t code[] = {
        JC_iipush, 0x00, 0x01, 0x00, 0x02,
        JC_bspush, 7,
        JC_swap_x, 0x12,
        JC_i2s, JC_sadd, JC_sreturn };
    uint32_t m = vt_method(P, &at, 3, 0, 0, code, sizeof code);
    uint16_t r[2];
    ck_assert_int_eq(vt_run(&T, P, m, NULL, 0, r), 0x9000);
    ck_assert_int_eq(r[0], 9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_handasm");
    TCase *tc = tcase_create("unemitted");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sinc_w_wraps_like_sadd);
    tcase_add_test(tc, jsr_ret_subroutine);
    tcase_add_test(tc, swap_x_int_under_short);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
