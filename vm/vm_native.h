/* vm_native: the Java Card API implemented in C, bound to CAP files by the official tokens.
 *
 * An API class is a vm_native_class_t: its package slot (VM_PKG_*), its class token, its
 * superclass, the 16-bit instance cells its state needs (a subclass's own fields come after
 * them), the interfaces it implements, and its methods keyed by (kind, token):
 *
 *     static int owner_pin_check(vm_t *vm, uint16_t *args, uint16_t *ret) { ... }
 *     static const vm_native_method_t owner_pin_methods[] = {
 *         { VM_NAT_CTOR,    0, "<init>(BB)V",     owner_pin_init },
 *         { VM_NAT_VIRTUAL, 1, "check([BSB)Z",    owner_pin_check },
 *     };
 *
 * A native function receives the argument words (for virtual methods args[0] is `this`;
 * int arguments take two words, high word first) and writes its result words (a short,
 * byte, boolean or reference in ret[0]; an int in ret[0..1], high first). It returns
 * VM_NAT_OK, or VM_NAT_THROW after vm_throw_api()/vm_throw_security() made an exception pending.
 * The argument and result word counts come from the descriptor, so a table entry is all the
 * interpreter needs.
 *
 * Adding API classes = one new file vm/api_<area>.c that defines
 *     const vm_native_area_t vm_api_<area> = { "area", classes, CL_ARRAY_LEN(classes) };
 * and registers it with VM_NATIVE_AREA(vm_api_<area>) (a constructor). Because libcl_vm.a is a
 * static archive, an object file nothing references is not linked at all (a weak reference
 * does not pull it in either), so vm_native.c names every area it knows (java.lang, the
 * framework files, vm_api_security, vm_api_crypto): a new area adds its name there, unless
 * the archive is linked with --whole-archive.
 *
 * Persistent native state (keys, PIN try counters) lives in the object's cells or in heap
 * arrays the object references, so it survives power loss like any field; transient state
 * (PIN validated flag) in transient arrays. Use vm_obj_cell / vm_obj_set_cell and the heap. */
#ifndef VM_NATIVE_H
#define VM_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm_rt.h"

enum { VM_NAT_OK = 0, VM_NAT_THROW = 1 };
enum vm_nat_kind { VM_NAT_STATIC = 1, VM_NAT_VIRTUAL = 2, VM_NAT_CTOR = 3 };

typedef int (*vm_native_fn)(vm_t *vm, uint16_t *args, uint16_t *ret);

typedef struct vm_native_method {
    uint8_t kind;             /* enum vm_nat_kind; constructors share the static token space */
    uint8_t token;
    const char *sig;          /* name and JVM descriptor, e.g. "check([BSB)Z" */
    vm_native_fn fn;
} vm_native_method_t;

typedef struct vm_native_iface {
    uint8_t pkg, token;       /* the interface */
    uint8_t count;
    const uint8_t *map;       /* interface method token -> virtual method token of this class */
} vm_native_iface_t;

typedef struct vm_native_class {
    uint8_t pkg, token;
    const char *name;
    int16_t super_pkg, super_token; /* -1: none (java.lang.Object) */
    uint8_t flags;            /* CAP_ACC_INTERFACE, CAP_ACC_SHAREABLE */
    uint8_t cells;            /* instance cells this class declares (native state) */
    const vm_native_method_t *methods;
    size_t nmethods;
    const vm_native_iface_t *ifaces;
    size_t nifaces;
} vm_native_class_t;

typedef struct vm_native_area {
    const char *name;
    const vm_native_class_t *classes;
    size_t nclasses;
} vm_native_area_t;

typedef struct vm_native_pkg_def {
    uint8_t slot;
    const char *name;
    uint8_t aid_len, aid[16];
    uint8_t major, minor;
} vm_native_pkg_def_t;

/* Registration of an area from its own file (see above). */
void vm_native_register(const vm_native_area_t *area);
#define VM_NATIVE_AREA(var) \
    __attribute__((constructor)) static void vm_native_register_##var(void) { vm_native_register(&var); }

const vm_native_class_t *vm_native_class(uint8_t pkg, uint8_t token);
/* A method of an API class by kind and token (NULL: unbound). */
const vm_native_method_t *vm_native_method(const vm_native_class_t *c, uint8_t kind, uint8_t token);
/* Argument and result words of a descriptor (0 for void; -1 on a malformed descriptor). */
int vm_native_arg_words(const char *sig);
int vm_native_ret_words(const char *sig);
/* The same for native method m, without parsing at call time: every registered method's counts
 * are computed once, when the API is first linked (vm_native_link_api). *args excludes `this`.
 * false (counts -1) for a malformed descriptor. */
bool vm_native_words(const vm_native_method_t *m, int *args, int *ret);
/* Builds the RAM package structures for the API packages into vm->pkgs. */
int vm_native_link_api(vm_t *vm, cl_error_t *e);
void vm_native_free_api(vm_t *vm);

/* Helpers for natives: typed argument access and array access with the firewall applied. */
static inline int16_t vm_arg_s(const uint16_t *args, int i) { return (int16_t)args[i]; }
static inline int8_t vm_arg_b(const uint16_t *args, int i) { return (int8_t)args[i]; }
/* Resolves a byte array argument, checks [off, off+len) is inside it; throws and returns NULL otherwise. */
const uint8_t *vm_nat_bytes(vm_t *vm, uint16_t ref, int32_t off, int32_t len, vm_obj_t *o);

#endif
