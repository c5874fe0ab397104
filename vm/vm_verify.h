/* vm_verify: load-time checks of a package's bytecode beyond what cap_parse proves (cap_parse
 * already checks instruction boundaries, branch targets, handler ranges and constant pool tags).
 *
 * Every method: int instructions only in ACC_INT packages, local variable indices within
 * nargs + max_locals, handler catch types are classes. Then, when the Descriptor component types
 * the method, a type-checking data flow over it (docs/vm.md, "Verifier"): every operand stack word
 * and local is short, int high/low word, reference (of a known class where `new`, `this`, a cast or a
 * parameter of a class of this package says it), return address or unusable, merged where paths
 * join until nothing changes; each instruction must find the types it needs (from the opcode, the
 * Descriptor's field and method types, the API's signatures for API interfaces), returns must match
 * the method's type, ret needs a jsr's return address, handlers start with [reference] and the
 * locals of their protected range; at the fixpoint, getfield/putfield must not name a field of a
 * class the object's known class provably neither is nor extends (else the interpreter checks it). Interfaces of installed packages are typed from their stored
 * CAP's Descriptor. Refusals read
 *     "Method component: offset 0x1a2 (method at 0x19c, pc 6): areturn in a method returning a short"
 * Without a Descriptor (or for a method calling an interface of a package installed without one)
 * only the operand stack depth is proven on every path. Whatever is not proven here is checked
 * by the interpreter at run time.
 *
 * vm may be NULL (then API interfaces are not typed either); p supplies has_int, the constant
 * pool tags and the import slots. 0, or -1 with e set. */
#ifndef VM_VERIFY_H
#define VM_VERIFY_H

#include "cap/cap_parse.h"
#include "vm/vm_rt.h"

int vm_verify_pkg(vm_t *vm, const vm_pkg_t *p, const cap_file_t *cap, cl_error_t *e);

#endif
