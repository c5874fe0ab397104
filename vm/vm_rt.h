/* vm_rt: the VM's run-time structures, shared by the interpreter, the linker, the firewall and
 * the native API. Internal to vm/ (other modules use vm_card.h and vm_native.h).
 *
 * A package in RAM (vm_pkg_t) is the linked form of an installed CAP (or a C API package):
 * its Method component bytes, its constant pool resolved to class ids / cells / offsets /
 * native bindings, its classes with their method tables. Objects name their class by id
 * (package slot << 8 | class index); API classes use their class token as index. */
#ifndef VM_RT_H
#define VM_RT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cl_util.h"
#include "image/img.h"
#include "vm/vm_heap.h"

#define VM_MAX_PKGS 256
#define VM_PKG_JAVA_LANG 1
#define VM_PKG_FRAMEWORK 2
#define VM_PKG_SECURITY 3
#define VM_PKG_CRYPTO 4
#define VM_PKG_APDUX 5 /* javacardx.apdu (ExtendedLength) */
#define VM_PKG_FIRST_USER 16
#define VM_CTX_JCRE 0

#define VM_NO_CLASS 0xFFFFu
#define VM_CLASS_ID(pkg, idx) ((uint16_t)(((pkg) << 8) | (idx)))
#define VM_CLASS_PKG(id) ((uint8_t)((id) >> 8))

#define VM_STACK_WORDS 2048 /* all frames' locals and operand stacks */
#define VM_MAX_FRAMES 64    /* call depth: deeper recursion throws (6F 00), never a host crash */

/* Root slots of the heap (vm_heap_root). */
enum { VM_ROOT_PACKAGES = 0, VM_ROOT_SYSTEM = 1, VM_ROOT_APPLETS = 2 };
/* Entries of the system table (a reference array, root VM_ROOT_SYSTEM). */
enum { VM_SYS_APDU = 0, VM_SYS_APDU_BUF = 1, VM_SYS_EXC_FIRST = 8, VM_SYS_LEN = 8 + 5 * 32 };

typedef struct vm vm_t;
struct vm_native_method;
struct vm_native_class;

typedef struct vm_iface_impl {
    uint16_t iface;       /* class id of the interface */
    uint8_t count;
    const uint8_t *map;   /* interface method token -> virtual method token of the class */
} vm_iface_impl_t;

typedef struct vm_class {
    uint16_t id;
    uint16_t super;              /* VM_NO_CLASS for java.lang.Object */
    uint8_t flags;               /* CAP_ACC_INTERFACE / CAP_ACC_SHAREABLE (high nibble values) */
    uint16_t inst_base;          /* cells of all superclasses */
    uint16_t inst_size;          /* total cells */
    uint8_t pub_base, pub_count, pkg_base, pkg_count;
    const uint8_t *pub_tab;      /* u2 method offsets (0xFFFF: inherited from another package) */
    const uint8_t *pkg_tab;
    uint8_t nifaces;
    vm_iface_impl_t *ifaces;     /* classes: implemented interfaces (all, including super-interfaces) */
    uint16_t *supers;            /* interfaces: super-interface ids (nifaces of them) */
    uint16_t cap_off;            /* offset in the Class component (internal class refs) */
    const struct vm_native_class *nat; /* API classes */
} vm_class_t;

/* A constant pool entry after linking. */
typedef struct vm_cpe {
    uint8_t tag;        /* CAP_CP_* */
    uint8_t pkg;        /* static refs: package slot holding the method / field */
    uint16_t cls;       /* class id (class, field, virtual/super method refs) */
    uint16_t a;         /* field cell / method token / static method offset / static field offset */
    const struct vm_native_method *nat; /* static method bound to C */
    const struct vm_method_ext *ext;    /* static method in bytecode: its extent, found at the first call */
    bool nat_known;                     /* static method bound to C: nat_args/nat_ret counted (first call) */
    int8_t nat_args, nat_ret;           /* its argument words (with `this` for a constructor) and result words */
} vm_cpe_t;

typedef struct vm_applet_def {
    uint8_t aid_len, aid[16];
    uint16_t install;   /* install() method offset */
} vm_applet_def_t;

/* One method of a loaded package: where its header and bytecode lie in the Method component.
 * The interpreter bounds pc, branches, switches, ret and handlers of a frame by [code, end). */
typedef struct vm_method_ext {
    uint16_t off;        /* method_info offset (what method refs and vtables name) */
    uint16_t code, end;  /* bytecode [code, end) */
    uint8_t max_stack, nargs, max_locals; /* its header, decoded once */
} vm_method_ext_t;

typedef struct vm_pkg {
    uint8_t slot;
    bool native;
    bool has_int;
    uint8_t aid_len, aid[16];
    uint8_t major, minor;
    const char *name;              /* API packages */
    /* Method component info: handler_count, handlers, then methods; offsets are relative to it. */
    const uint8_t *methods;
    uint32_t methods_len;
    uint8_t nhandlers;
    vm_method_ext_t *mext;         /* every method with code, sorted by off (NULL: hand-made test package) */
    uint16_t nmext;
    vm_cpe_t *cp;
    uint16_t ncp;
    vm_class_t *classes;
    uint16_t nclasses;
    uint8_t nimports;
    uint8_t imports[128];          /* package token -> slot */
    uint16_t statics;              /* handle of the static field image blob (0: none) */
    uint8_t napplets;
    vm_applet_def_t applets[16];
    /* Export component: class token -> class index, static method/field tokens -> offsets. */
    uint8_t nexports;
    struct vm_export_class {
        uint16_t cls_idx;
        uint8_t nsf, nsm;
        const uint8_t *sf;  /* u2 static field offsets */
        const uint8_t *sm;  /* u2 static method offsets */
    } *exports;
    uint16_t blob;                 /* handle of the stored CAP component stream */
    uint8_t *owned;                /* RAM copy the pointers above point into */
} vm_pkg_t;

typedef struct vm_frame {
    vm_pkg_t *pkg;
    uint32_t pc;         /* offset into pkg->methods */
    uint32_t code;       /* first bytecode of the method */
    uint32_t code_end;   /* one past its last bytecode: no pc of this frame leaves [code, code_end) */
    uint16_t *locals;
    uint16_t *stack;     /* operand stack base */
    uint16_t nlocals, max_stack, sp;
    uint8_t ctx;         /* firewall context the method runs in */
    uint8_t prev_ctx;    /* context of the caller (getPreviousContextAID) */
} vm_frame_t;

/* Outcome of running a method to completion. */
enum vm_run {
    VM_RUN_OK = 0,        /* returned normally; ret holds the result words */
    VM_RUN_EXCEPTION = 1, /* an exception left the outermost frame; vm->sw says the status word */
};

/* An applet instance on the card. */
typedef struct vm_applet {
    uint8_t aid_len, aid[16];
    uint16_t obj;        /* the applet object's handle */
    uint16_t aid_obj;    /* the JCRE-owned AID object naming it (JCSystem.getAID) */
    uint8_t pkg;         /* its package slot = its context */
    bool selected;       /* selected on some channel (isAppletActive, CLEAR_ON_DESELECT) */
    uint8_t channels;    /* on how many channels it is selected (MultiSelectable) */
    uint8_t flags;       /* VM_APPLET_DEFAULT */
} vm_applet_t;

#define VM_APPLET_DEFAULT 0x01 /* selected on channel 0 at power-on */
#define VM_MAX_APPLETS 64

/* What the registry hands back to the VM's applet callbacks. */
typedef struct vm_app_ctx {
    vm_t *vm;
    bool used;
    uint8_t aid[16], aid_len; /* the instance it stands for (its index in vm->applets may change) */
} vm_app_ctx_t;

/* APDU state seen by the javacard.framework.APDU natives. */
typedef struct vm_apdu_state {
    bool active;
    uint8_t cla, ins, p1, p2;
    uint8_t channel;        /* logical channel of the command (JCSystem.getAssignedChannel) */
    uint32_t nc, ne;
    bool extended;
    uint32_t hdr_len;       /* bytes before the data in the buffer (5 short, 7 extended) */
    const uint8_t *cmd_data;/* the command's data (not yet received part comes from here) */
    uint32_t received;      /* data bytes already in the buffer */
    int state;              /* APDU.STATE_* */
    uint32_t out_len;       /* setOutgoingLength */
    uint32_t sent;
    bool no_chaining;       /* setOutgoingNoChaining was called: waitExtension throws ILLEGAL_USE (JCRE 9.4.2.1) */
    uint8_t *resp;          /* response data being built */
    uint32_t resp_cap, resp_len;
    bool overflow;
} vm_apdu_state_t;

struct vm {
    img_t *img;
    vm_heap_t *heap;
    vm_pkg_t *pkgs[VM_MAX_PKGS];
    uint16_t stack_words[VM_STACK_WORDS];
    vm_frame_t frames[VM_MAX_FRAMES];
    int nframes;
    uint16_t exc;           /* pending exception (handle), 0 = none */
    bool fatal;             /* the run must end with 6F 00 (no exception object could be made) */
    int sw;                 /* status word of an uncaught exception */
    int tx_depth;           /* JCSystem transaction depth (0 or 1) */
    uint8_t cur_ctx;        /* context of the running frame (for natives) */
    uint8_t prev_ctx;
    vm_applet_t *applets;
    int napplets;
    int cur_applet;         /* index into applets of the applet being run, -1 none */
    int selecting;          /* the current command is the SELECT of this applet */
    vm_apdu_state_t apdu;
    /* Applet.install in progress: register() records the instance here. */
    bool installing;
    uint8_t inst_aid[16], inst_aid_len;
    uint16_t registered_obj;
    uint8_t registered_aid[16], registered_aid_len;
    bool reselecting;
    bool gc_requested;       /* JCSystem.requestObjectDeletion: collect after this command */
    bool tx_in_install;      /* JCSystem transaction opened inside Applet.install(): part of the install group */
    bool install_tx_aborted; /* ... and aborted: the install cannot honour that and fails */
    bool out_of_memory;      /* an allocation found the heap (or transient RAM) full since it was cleared */
    struct apdu_reg *reg;   /* the card's application registry (vm_card.c) */
    vm_app_ctx_t app_ctx[VM_MAX_APPLETS];
    uint32_t steps;         /* bytecodes executed (bench) */
    uint32_t budget;        /* bytecodes the current command may still execute */
    char last_error[160];   /* why the last run ended abnormally (logged, tests look at it) */
};

/* --- objects (vm_obj.c) --- */
/* Resolves a reference for an access by ctx: false + pending exception (NullPointer/Security). */
bool vm_obj_get(vm_t *vm, uint16_t ref, vm_obj_t *o);
int vm_obj_new_instance(vm_t *vm, uint16_t cls, uint8_t owner, uint16_t *ref);
int vm_obj_new_array(vm_t *vm, uint8_t etype, uint16_t elem_cls, int32_t len, uint8_t owner, uint8_t flags,
                     uint16_t *ref);
/* Cells of an instance: read/write (bounds checked; write honours transactions). */
bool vm_obj_cell(vm_t *vm, const vm_obj_t *o, uint32_t cell, uint16_t *v);
bool vm_obj_set_cell(vm_t *vm, const vm_obj_t *o, uint32_t cell, uint16_t v);
/* Throws for a failed store (out of commit capacity -> TransactionException.BUFFER_FULL). */
void vm_throw_store_error(vm_t *vm, int err);

/* --- classes (vm_class.c) --- */
vm_class_t *vm_class(vm_t *vm, uint16_t id);
bool vm_class_is_subclass(vm_t *vm, uint16_t cls, uint16_t super);
bool vm_class_implements(vm_t *vm, uint16_t cls, uint16_t iface);
/* Is object o assignable to type (atype: JC_ATYPE_*, cls: class/interface id for class types). */
bool vm_instance_of(vm_t *vm, const vm_obj_t *o, uint8_t atype, uint16_t cls);

/* --- exceptions (vm_exc.c) --- */
/* Throws the API exception (package slot, class token) with reason (ignored for java.lang). */
void vm_throw_api(vm_t *vm, uint8_t pkg, uint8_t cls_token, int16_t reason);
void vm_throw_security(vm_t *vm, const char *why);
void vm_throw_npe(vm_t *vm);

/* --- firewall (vm_firewall.c) --- */
bool vm_fw_can_access(vm_t *vm, const vm_obj_t *o);       /* fields and array elements */
bool vm_fw_can_invoke(vm_t *vm, const vm_obj_t *o);       /* invokevirtual */
bool vm_fw_can_store_ref(vm_t *vm, const vm_obj_t *value); /* temporary entry points are not storable */

/* --- interpreter (vm_interp.c) --- */
/* Runs method (package, method offset) in context ctx with args words; up to 2 result words in ret. */
enum vm_run vm_run_method(vm_t *vm, vm_pkg_t *pkg, uint32_t method, uint8_t ctx, const uint16_t *args,
                          int nargs, uint16_t ret[2]);
/* Virtual method lookup: from class cls, public (token < 128) or package token; returns pkg + offset,
 * or a native binding. */
bool vm_find_virtual(vm_t *vm, uint16_t cls, uint8_t token, uint8_t from_pkg, vm_pkg_t **mpkg, uint32_t *moff,
                     const struct vm_native_method **nat);

/* Interface method (iface, token) as implemented by class cls. */
bool vm_find_interface(vm_t *vm, uint16_t cls, uint16_t iface, uint8_t token, vm_pkg_t **mpkg, uint32_t *moff,
                       const struct vm_native_method **nat);

/* Transaction control used by JCSystem and the card runtime. */
int vm_tx_begin(vm_t *vm);
int vm_tx_commit(vm_t *vm);
void vm_tx_abort(vm_t *vm);

/* AID objects (javacard.framework.AID): 9 cells, cell 0 = length, cells 1..8 = the bytes. */
#define VM_AID_CLASS VM_CLASS_ID(VM_PKG_FRAMEWORK, 6)
int vm_aid_new(vm_t *vm, const uint8_t *aid, uint8_t len, uint8_t owner, uint8_t flags, uint16_t *ref);
bool vm_aid_read(vm_t *vm, uint16_t ref, uint8_t aid[16], uint8_t *len); /* no throw */
/* The JCRE-owned AID object of applet i (made on first use). 0 if none could be made. */
uint16_t vm_applet_aid_object(vm_t *vm, int i);
/* The applet of context ctx that is running or first installed, -1 if none. */
int vm_applet_of_ctx(vm_t *vm, uint8_t ctx);
int vm_applet_find(vm_t *vm, const uint8_t *aid, uint8_t len);

/* The system table (JCRE objects). */
uint16_t vm_sys_get(vm_t *vm, unsigned idx);
int vm_sys_set(vm_t *vm, unsigned idx, uint16_t ref);

#endif
