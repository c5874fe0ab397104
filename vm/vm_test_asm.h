/* The fixture of the tests on hand-assembled methods (vm/vm_interp_test.c,
 * vm/vm_interp_cache_test.c, tests/vm/vm_handasm_test.c): a fresh VM, one package in slot 16
 * with 32 bytes of statics, and `at`, where the next method of its Method component is written.
 * Defines statics and setup/teardown: include it once, in the test program's only file. */
#ifndef VM_TEST_ASM_H
#define VM_TEST_ASM_H

#include "vm/vm_test_util.h"

#define H(x) ((uint8_t)((x) >> 8)), ((uint8_t)(x))

static vt_env_t T;
static vt_pkg_t *P;
static uint32_t at;

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
    P = vt_pkg(&T, 16, 32);
    at = 1; /* Method info: handler_count (0) first */
    P->pkg.methods_len = 1;
}

static void teardown(void)
{
    if (T.vm->tx_depth) vm_tx_abort(T.vm); /* a test that stopped inside a transaction */
    vt_unlink(&T, P);
    vt_cleanup(&T);
}

#endif
