/* vm_verify: load-time checks of a package's bytecode beyond what cap_parse proves (cap_parse
 * already checks instruction boundaries, branch targets, handler ranges and constant pool tags).
 * Here: int instructions only in ACC_INT packages, local variable indices within
 * nargs + max_locals, operand stack depth within max_stack on every path, handler catch types.
 * Whatever is not proven here is checked by the interpreter at run time. */
#ifndef VM_VERIFY_H
#define VM_VERIFY_H

#include "cap/cap_parse.h"
#include "vm/vm_rt.h"

int vm_verify_pkg(vm_t *vm, const vm_pkg_t *p, const cap_file_t *cap, cl_error_t *e);

#endif
