/* OwnerPIN's JCRE arrays record the PIN object they belong to (api_fw_pin.c): an applet that
 * rewrites its own PIN's cells (what a hostile putfield would do) to name another applet's PIN
 * value or validated flag gets a SecurityException, and the other PIN is left as it was. The
 * natives are called directly, as the interpreter calls them, so no loader or verifier check
 * stands in front of them here. */
#include "vm/vm_test_util.h"

enum { CTX_A = 16, CTX_B = 17 };
/* OwnerPIN virtual tokens, its cells (api_fw_pin.c). */
enum { T_CHECK = 1, T_TRIES = 2, T_IS_VALIDATED = 4, T_RESET = 5, T_SET_FLAG = 7, T_UPDATE = 8 };
enum { CELL_TRIES = 2, CELL_VALUE = 4, CELL_FLAG = 5 };
#define SECURITY_EXCEPTION VM_CLASS_ID(VM_PKG_JAVA_LANG, 10)

static vt_env_t T;

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
}

static void teardown(void) { vt_cleanup(&T); }

/* Calls OwnerPIN's native (kind, token) as context ctx; clears any exception it left, and
 * returns VM_NAT_OK, or VM_NAT_THROW after checking the exception was a SecurityException. */
static int pin_call(uint8_t ctx, uint8_t kind, uint8_t tok, uint16_t *args, uint16_t *ret)
{
    const vm_native_method_t *m = vm_native_method(vm_native_class(VM_PKG_FRAMEWORK, 9), kind, tok);
    ck_assert_ptr_nonnull(m);
    T.vm->cur_ctx = ctx;
    T.vm->exc = 0;
    int r = m->fn(T.vm, args, ret);
    if (r == VM_NAT_THROW) {
        vm_obj_t e;
        ck_assert(vm_heap_get(T.vm->heap, T.vm->exc, &e));
        ck_assert_uint_eq(e.cls, SECURITY_EXCEPTION);
        T.vm->exc = 0;
    }
    return r;
}

static uint16_t byte_array(uint8_t owner, const char *bytes)
{
    uint16_t h;
    vm_obj_t o;
    uint32_t n = (uint32_t)strlen(bytes);
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, owner, VM_T_BYTE, 0, n, &h), 0);
    ck_assert(vm_heap_get(T.vm->heap, h, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 0, bytes, n, false), 0);
    return h;
}

/* A PIN of context ctx with try limit 3, holding the 4 digits pin. */
static uint16_t new_pin(uint8_t ctx, uint16_t buf)
{
    uint16_t pin, r[2];
    ck_assert_int_eq(vm_obj_new_instance(T.vm, VM_CLASS_ID(VM_PKG_FRAMEWORK, 9), ctx, &pin), 0);
    uint16_t init[3] = { pin, 3, 8 }, upd[4] = { pin, buf, 0, 4 };
    ck_assert_int_eq(pin_call(ctx, VM_NAT_CTOR, 0, init, r), VM_NAT_OK);
    ck_assert_int_eq(pin_call(ctx, VM_NAT_VIRTUAL, T_UPDATE, upd, r), VM_NAT_OK);
    return pin;
}

static uint16_t cell(uint16_t obj, uint32_t i)
{
    vm_obj_t o;
    uint16_t v = 0;
    ck_assert(vm_heap_get(T.vm->heap, obj, &o));
    ck_assert(vm_obj_cell(T.vm, &o, i, &v));
    return v;
}

/* What a hostile putfield on the applet's own object does: a store of its own cell. */
static void forge_cell(uint16_t obj, uint32_t i, uint16_t v)
{
    vm_obj_t o;
    uint8_t b[2];
    cl_put16(b, v);
    ck_assert(vm_heap_get(T.vm->heap, obj, &o));
    ck_assert_int_eq(vm_heap_write(T.vm->heap, &o, 2 * i, b, 2, false), 0);
}

static uint16_t tries(uint8_t ctx, uint16_t pin)
{
    uint16_t self[1] = { pin }, r[2] = { 0xFFFF, 0 };
    ck_assert_int_eq(pin_call(ctx, VM_NAT_VIRTUAL, T_TRIES, self, r), VM_NAT_OK);
    return r[0];
}

START_TEST(forged_value_cell_cannot_reach_another_applets_pin)
{
    uint16_t buf_a = byte_array(CTX_A, "1111"), buf_b = byte_array(CTX_B, "2222"), r[2];
    uint16_t pin_a = new_pin(CTX_A, buf_a), pin_b = new_pin(CTX_B, buf_b);
    /* A names B's PIN value and flag in its own PIN's cells. */
    forge_cell(pin_a, CELL_VALUE, cell(pin_b, CELL_VALUE));
    forge_cell(pin_a, CELL_FLAG, cell(pin_b, CELL_FLAG));
    /* Guessing B's PIN through A's object, and overwriting it, are refused. */
    uint16_t guess[4] = { pin_a, buf_b, 0, 4 }, set[4] = { pin_a, buf_a, 0, 4 }, self_a[1] = { pin_a };
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, guess, r), VM_NAT_THROW);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_UPDATE, set, r), VM_NAT_THROW);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_SET_FLAG, (uint16_t[]){ pin_a, 1 }, r), VM_NAT_THROW);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_IS_VALIDATED, self_a, r), VM_NAT_THROW);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_RESET, self_a, r), VM_NAT_THROW);
    /* B's PIN is untouched: all tries left, not validated, and its own PIN still "2222". */
    uint16_t self_b[1] = { pin_b }, good_b[4] = { pin_b, buf_b, 0, 4 };
    ck_assert_uint_eq(tries(CTX_B, pin_b), 3);
    ck_assert_int_eq(pin_call(CTX_B, VM_NAT_VIRTUAL, T_IS_VALIDATED, self_b, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 0);
    ck_assert_int_eq(pin_call(CTX_B, VM_NAT_VIRTUAL, T_CHECK, good_b, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
}
END_TEST

START_TEST(forged_flag_cell_alone_is_refused)
{
    uint16_t buf_a = byte_array(CTX_A, "1111"), buf_b = byte_array(CTX_B, "2222"), r[2];
    uint16_t pin_a = new_pin(CTX_A, buf_a), pin_b = new_pin(CTX_B, buf_b);
    /* B validated: A must not be able to read or clear that flag through its own PIN. */
    uint16_t good_b[4] = { pin_b, buf_b, 0, 4 }, self_a[1] = { pin_a }, self_b[1] = { pin_b };
    ck_assert_int_eq(pin_call(CTX_B, VM_NAT_VIRTUAL, T_CHECK, good_b, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
    forge_cell(pin_a, CELL_FLAG, cell(pin_b, CELL_FLAG));
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_IS_VALIDATED, self_a, r), VM_NAT_THROW);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, (uint16_t[]){ pin_a, buf_a, 0, 3 }, r), VM_NAT_THROW);
    ck_assert_int_eq(pin_call(CTX_B, VM_NAT_VIRTUAL, T_IS_VALIDATED, self_b, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
}
END_TEST

START_TEST(other_jcre_arrays_are_not_pin_values)
{
    uint16_t buf_a = byte_array(CTX_A, "1111"), r[2];
    uint16_t pin_a = new_pin(CTX_A, buf_a), self_a[1] = { pin_a };
    uint16_t keep_value = cell(pin_a, CELL_VALUE);
    /* A JCRE-owned array of the right size that was not made for this PIN. */
    uint16_t stray;
    ck_assert_int_eq(vm_heap_alloc(T.vm->heap, VM_KIND_ARRAY, 0, VM_CTX_JCRE, VM_T_BYTE, 0, 4 + 8, &stray), 0);
    forge_cell(pin_a, CELL_VALUE, stray);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_TRIES, self_a, r), VM_NAT_THROW);
    /* The applet's own array, and a handle that names nothing. */
    forge_cell(pin_a, CELL_VALUE, buf_a);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_TRIES, self_a, r), VM_NAT_THROW);
    forge_cell(pin_a, CELL_VALUE, 0x7FFF);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_TRIES, self_a, r), VM_NAT_THROW);
    /* Put back, the PIN works again (the checks refuse forgeries, not the real binding). */
    forge_cell(pin_a, CELL_VALUE, keep_value);
    ck_assert_uint_eq(tries(CTX_A, pin_a), 3);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, (uint16_t[]){ pin_a, buf_a, 0, 4 }, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
}
END_TEST

/* The binding survives a reset (only the flag array is cleared) and a reopened card. */
START_TEST(binding_survives_reset_and_reopen)
{
    uint16_t buf_a = byte_array(CTX_A, "1111"), r[2];
    uint16_t pin_a = new_pin(CTX_A, buf_a);
    uint16_t good[4] = { pin_a, buf_a, 0, 4 }, self_a[1] = { pin_a };
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, good, r), VM_NAT_OK);
    vt_close(&T);
    vt_open(&T, false);
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_IS_VALIDATED, self_a, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 0); /* CLEAR_ON_RESET */
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, good, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
    ck_assert_uint_eq(tries(CTX_A, pin_a), 3);
    ck_assert_uint_eq(cell(pin_a, CELL_TRIES), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_fw_pin");
    TCase *tc = tcase_create("OwnerPIN binding");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, forged_value_cell_cannot_reach_another_applets_pin);
    tcase_add_test(tc, forged_flag_cell_alone_is_refused);
    tcase_add_test(tc, other_jcre_arrays_are_not_pin_values);
    tcase_add_test(tc, binding_survives_reset_and_reopen);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
