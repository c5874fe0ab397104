/* vm_firewall: the decisions of the applet firewall (JCRE 3.0.5 section 6.2.8) that need more than
 * the object: the type a cast names, the interface a call goes through, which applets are active on
 * which channel. The object-only rules (fields, array elements, invokevirtual, storing references)
 * are declared in vm/vm_rt.h. Every function answers for the current context (vm->cur_ctx); a
 * refusal is the caller's SecurityException. docs/firewall.md lists every rule and its test. */
#ifndef VM_FIREWALL_H
#define VM_FIREWALL_H

#include "vm/vm_rt.h"

/* checkcast / instanceof of o against (atype, cls) as the interpreter decodes them (atype 0: class
 * or interface cls; VM_T_REF: array of cls; else a primitive array type). 6.2.8.2 (arrays: own or
 * global), 6.2.8.8 / 6.2.8.9 (class and standard interface types: own or JCRE entry point), 6.2.8.10
 * (an interface that is or extends Shareable: also any object whose class implements Shareable; the
 * cast itself then decides, false / ClassCastException when o does not implement that interface).
 * true: the cast may be evaluated; false: SecurityException. */
bool vm_fw_can_cast(vm_t *vm, const vm_obj_t *o, uint8_t atype, uint16_t cls);

/* invokeinterface of interface iface on o (6.2.8.5 standard interfaces, 6.2.8.6 Shareable ones).
 * Allowed: the object is the current context's; else (Shareable interface only) not while the
 * owner is a non-multiselectable applet active on another logical channel outside the current
 * applet's context; a Shareable interface on an object whose class implements it; a JCRE entry point;
 * the JCRE context. Returns the context the callee runs in (the owner's when it is switched), or -1
 * when denied, with *why set to the reason for the SecurityException. */
int vm_fw_interface_ctx(vm_t *vm, const vm_obj_t *o, uint16_t iface, const char **why);

/* athrow of o (6.2.8.7): the current context's own object, a JCRE entry point (the JCRE's exception
 * instances), or anything when the JCRE is the current context. */
bool vm_fw_can_throw(vm_t *vm, const vm_obj_t *o);

#endif
