/* OwnerPIN's JCRE arrays record the PIN object they belong to (api_fw_pin.c): an applet that
 * rewrites its own PIN's cells (what a hostile putfield would do) to name another applet's PIN
 * value or validated flag gets a SecurityException, and the other PIN is left as it was. The
 * natives are called directly, as the interpreter calls them, so no loader or verifier check
 * stands in front of them here. Also the OwnerPINx rules of the 3.0.5 API (below). */
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

/* OwnerPINx / OwnerPINxWithPredecrement (3.0.5 API): setTryLimit and setTriesRemaining reset the
 * validated flag; decrementTriesRemaining resets it too; the predecrement PIN's check throws
 * PINException.ILLEGAL_STATE unless decrementTriesRemaining came first, and every check (or other
 * change of the flag or counter) uses that up. */
enum { TOK_PINX = 40, TOK_PINX_PRE = 41, T_SET_LIMIT = 10, T_SET_TRIES = 11, T_DECREMENT = 12 };
#define PIN_EXCEPTION VM_CLASS_ID(VM_PKG_FRAMEWORK, 11)

static int pinx_call(uint8_t cls, uint8_t tok, uint16_t *args, uint16_t *ret)
{
    const vm_native_method_t *m = NULL;
    for (const vm_native_class_t *c = vm_native_class(VM_PKG_FRAMEWORK, cls); c && !m;
         c = c->super_pkg < 0 ? NULL : vm_native_class((uint8_t)c->super_pkg, (uint8_t)c->super_token))
        m = vm_native_method(c, VM_NAT_VIRTUAL, tok);
    ck_assert_ptr_nonnull(m);
    T.vm->cur_ctx = CTX_A;
    T.vm->exc = 0;
    return m->fn(T.vm, args, ret);
}

static uint16_t exc_reason(uint16_t cls)
{
    vm_obj_t e;
    ck_assert(vm_heap_get(T.vm->heap, T.vm->exc, &e));
    ck_assert_uint_eq(e.cls, cls);
    uint16_t reason = cl_get16(vm_heap_data(T.vm->heap, &e));
    T.vm->exc = 0;
    return reason;
}

/* An OwnerPINx of the builder's type (2: OwnerPINx, 3: with predecrement), PIN "1111", limit 3. */
static uint16_t built_pin(uint8_t type, uint16_t buf)
{
    uint16_t r[2], args[3] = { 3, 8, type };
    const vm_native_method_t *b = vm_native_method(vm_native_class(VM_PKG_FRAMEWORK, 21), VM_NAT_STATIC, 0);
    ck_assert_ptr_nonnull(b);
    T.vm->cur_ctx = CTX_A;
    ck_assert_int_eq(b->fn(T.vm, args, r), VM_NAT_OK);
    uint16_t pin = r[0], upd[4] = { pin, buf, 0, 4 };
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_UPDATE, upd, r), VM_NAT_OK);
    return pin;
}

static bool validated(uint16_t pin)
{
    uint16_t self[1] = { pin }, r[2] = { 0xFF, 0 };
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_IS_VALIDATED, self, r), VM_NAT_OK);
    return r[0] != 0;
}

START_TEST(pinx_setters_reset_validated)
{
    uint16_t buf = byte_array(CTX_A, "1111"), r[2];
    uint16_t pin = built_pin(2, buf), good[4] = { pin, buf, 0, 4 };
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, good, r), VM_NAT_OK);
    ck_assert(validated(pin));
    ck_assert_int_eq(pinx_call(TOK_PINX, T_SET_LIMIT, (uint16_t[]){ pin, 5 }, r), VM_NAT_OK);
    ck_assert(!validated(pin));
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_CHECK, good, r), VM_NAT_OK);
    ck_assert(validated(pin));
    ck_assert_int_eq(pinx_call(TOK_PINX, T_SET_TRIES, (uint16_t[]){ pin, 4 }, r), VM_NAT_OK);
    ck_assert(!validated(pin));
    ck_assert_uint_eq(tries(CTX_A, pin), 4);
    /* A refused value changes nothing. */
    ck_assert_int_eq(pinx_call(TOK_PINX, T_SET_TRIES, (uint16_t[]){ pin, 6 }, r), VM_NAT_THROW);
    ck_assert_uint_eq(exc_reason(PIN_EXCEPTION), 1);
    ck_assert_uint_eq(tries(CTX_A, pin), 4);
}
END_TEST

START_TEST(predecrement_is_required_and_used_up)
{
    uint16_t buf = byte_array(CTX_A, "1111"), r[2];
    uint16_t pin = built_pin(3, buf), good[4] = { pin, buf, 0, 4 }, self[1] = { pin };
    /* No decrement: ILLEGAL_STATE, the PIN untouched. */
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_CHECK, good, r), VM_NAT_THROW);
    ck_assert_uint_eq(exc_reason(PIN_EXCEPTION), 2);
    ck_assert_uint_eq(tries(CTX_A, pin), 3);
    ck_assert(!validated(pin));
    /* Decrement, then check: validated, tries back to the limit. */
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_DECREMENT, self, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 2);
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_CHECK, good, r), VM_NAT_OK);
    ck_assert_uint_eq(r[0], 1);
    ck_assert(validated(pin));
    ck_assert_uint_eq(tries(CTX_A, pin), 3);
    /* The check used the decrement up; a second check needs another one. */
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_CHECK, good, r), VM_NAT_THROW);
    ck_assert_uint_eq(exc_reason(PIN_EXCEPTION), 2);
    /* decrementTriesRemaining resets the validated flag. */
    ck_assert(validated(pin));
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_DECREMENT, self, r), VM_NAT_OK);
    ck_assert(!validated(pin));
    /* Any other change of the flag or the counter uses a pending decrement up too. */
    ck_assert_int_eq(pin_call(CTX_A, VM_NAT_VIRTUAL, T_RESET, self, r), VM_NAT_OK);
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_CHECK, good, r), VM_NAT_THROW);
    ck_assert_uint_eq(exc_reason(PIN_EXCEPTION), 2);
    /* The state is CLEAR_ON_RESET: a decrement before a card reset does not carry over. */
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_DECREMENT, self, r), VM_NAT_OK);
    vm_power_on(T.vm);
    ck_assert_int_eq(pinx_call(TOK_PINX_PRE, T_CHECK, good, r), VM_NAT_THROW);
    ck_assert_uint_eq(exc_reason(PIN_EXCEPTION), 2);
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
    tcase_add_test(tc, pinx_setters_reset_validated);
    tcase_add_test(tc, predecrement_is_required_and_used_up);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
