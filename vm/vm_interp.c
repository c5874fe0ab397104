/* vm_interp: the JCVM bytecode interpreter. One dispatch loop over cap/jc_opcodes.h.
 *
 * Nothing the bytecode says is trusted: every instruction's length is checked against the
 * Method component before its operands are read, every push/pop against the frame's
 * max_stack, every local index against the frame, every branch target against the method area,
 * every reference against the heap and the firewall. A violation throws SecurityException
 * (the applet sees 6F 00 unless it catches it), so a hostile CAP cannot crash the card. */
#include "vm/vm_rt.h"
#include "vm/vm_firewall.h"
#include "vm/vm_native.h"
#include "cap/jc_opcodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VM_MAX_STEPS 5000000u /* one command: an endless loop ends with 6F 00, not a hung card */

#define OBJECT_CLASS VM_CLASS_ID(VM_PKG_JAVA_LANG, 0)
#define THROWABLE_CLASS VM_CLASS_ID(VM_PKG_JAVA_LANG, 1)
#define ISOEXC_CLASS VM_CLASS_ID(VM_PKG_FRAMEWORK, 7)

typedef struct {
    uint8_t max_stack, nargs, max_locals, flags;
    uint32_t code;
} mhdr_t;

static bool method_header(const vm_pkg_t *p, uint32_t m, mhdr_t *h)
{
    if (!p->methods || m >= p->methods_len || p->methods_len - m < 2) return false;
    const uint8_t *b = p->methods + m;
    h->flags = b[0] >> 4;
    if (h->flags & 0x8) { /* extended header */
        if (p->methods_len - m < 4) return false;
        h->max_stack = b[1]; h->nargs = b[2]; h->max_locals = b[3]; h->code = m + 4;
    } else {
        h->max_stack = b[0] & 0xF; h->nargs = b[1] >> 4; h->max_locals = b[1] & 0xF; h->code = m + 2;
    }
    return !(h->flags & 0x4); /* abstract methods have no code */
}

/* JCRE 7.6.3: a reference to an object created in a transaction that was later aborted behaves as
 * null. vm_obj_get throws NullPointerException for it; the instructions that look at a reference
 * without resolving it (null tests, reference compares, reference stores, checkcast/instanceof)
 * read it through live_ref. Only a non-zero reference costs the heap's bitmap lookup. */
static inline uint16_t live_ref(const vm_t *vm, uint16_t ref)
{
    return ref && vm_heap_is_void(vm->heap, ref) ? 0 : ref;
}

bool vm_find_virtual(vm_t *vm, uint16_t cls, uint8_t token, uint8_t from_pkg, vm_pkg_t **mpkg, uint32_t *moff,
                     const vm_native_method_t **nat)
{
    *nat = NULL;
    for (int depth = 0; depth < 64 && cls != VM_NO_CLASS; depth++) {
        vm_class_t *c = vm_class(vm, cls);
        if (!c) return false;
        vm_pkg_t *p = vm->pkgs[VM_CLASS_PKG(cls)];
        if (c->nat) {
            if (!(token & 0x80)) {
                const vm_native_method_t *m = vm_native_method(c->nat, VM_NAT_VIRTUAL, token);
                if (m) { *nat = m; *mpkg = p; *moff = 0; return true; }
            }
        } else if (token & 0x80) {
            uint8_t t = token & 0x7F;
            if (p->slot == from_pkg && t >= c->pkg_base && t - c->pkg_base < c->pkg_count) {
                uint16_t off = cl_get16(c->pkg_tab + 2 * (t - c->pkg_base));
                if (off != 0xFFFF) { *mpkg = p; *moff = off; return true; }
            }
        } else if (token >= c->pub_base && token - c->pub_base < c->pub_count) {
            uint16_t off = cl_get16(c->pub_tab + 2 * (token - c->pub_base));
            if (off != 0xFFFF) { *mpkg = p; *moff = off; return true; }
        }
        cls = c->super;
    }
    return false;
}

/* Finds the virtual method token implementing interface method (iface, token) in class cls. */
static bool iface_to_virtual(vm_t *vm, uint16_t cls, uint16_t iface, uint8_t token, uint8_t *vtok)
{
    for (int depth = 0; depth < 64 && cls != VM_NO_CLASS; depth++) {
        vm_class_t *c = vm_class(vm, cls);
        if (!c) return false;
        for (int i = 0; i < c->nifaces && c->ifaces; i++)
            if (c->ifaces[i].iface == iface && token < c->ifaces[i].count) {
                *vtok = c->ifaces[i].map[token];
                return true;
            }
        cls = c->super;
    }
    return false;
}

bool vm_find_interface(vm_t *vm, uint16_t cls, uint16_t iface, uint8_t token, vm_pkg_t **mpkg, uint32_t *moff,
                       const vm_native_method_t **nat)
{
    uint8_t vtok;
    return iface_to_virtual(vm, cls, iface, token, &vtok) && vm_find_virtual(vm, cls, vtok, VM_CLASS_PKG(cls), mpkg, moff, nat);
}

/* The extent of the method whose method_info starts at m: a binary search of the package's
 * sorted extent table (made by the loader from the CAP's method list, with each header decoded).
 * NULL if no method with code starts there (abstract, or an offset inside a method). */
static const vm_method_ext_t *method_ext(const vm_pkg_t *p, uint32_t m)
{
    uint32_t lo = 0, hi = p->nmext;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (p->mext[mid].off < m) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= p->nmext || p->mext[lo].off != m) return NULL;
    const vm_method_ext_t *x = &p->mext[lo];
    return x->code > m && x->end > x->code && x->end <= p->methods_len ? x : NULL;
}

/* Pushes a frame for bytecode method m of p; its arguments are the top words of the caller's
 * stack (or, for the first frame, copied in by vm_run_method). x: m's extent if the caller knows
 * it (a resolved static call), else it is looked up. Hand-made test packages without an extent
 * table decode the header and are bounded by the end of the Method component. */
static inline __attribute__((always_inline)) bool push_frame_x(vm_t *vm, vm_pkg_t *p, uint32_t m,
                                                              const vm_method_ext_t *x, uint8_t ctx, uint8_t prev_ctx,
                                                              int *nargs_out)
{
    mhdr_t h;
    uint32_t code_end;
    if (p->mext) {
        if (!x) x = method_ext(p, m);
        if (!x) { vm_throw_security(vm, "call of an offset that starts no method"); return false; }
        h.max_stack = x->max_stack; h.nargs = x->nargs; h.max_locals = x->max_locals; h.code = x->code;
        code_end = x->end;
    } else {
        if (!method_header(p, m, &h)) { vm_throw_security(vm, "call of an abstract or malformed method"); return false; }
        code_end = p->methods_len;
    }
    if (vm->nframes >= VM_MAX_FRAMES) { vm_throw_security(vm, "call depth limit (stack overflow)"); return false; }
    uint16_t *base;
    if (vm->nframes == 0) {
        base = vm->stack_words;
    } else {
        vm_frame_t *f = &vm->frames[vm->nframes - 1];
        if (f->sp < h.nargs) { vm_throw_security(vm, "operand stack underflow at call"); return false; }
        f->sp -= h.nargs;
        base = f->stack + f->sp;
    }
    uint32_t need = (uint32_t)h.nargs + h.max_locals + h.max_stack;
    if ((size_t)(base - vm->stack_words) + need > VM_STACK_WORDS) {
        if (vm->nframes) vm->frames[vm->nframes - 1].sp += h.nargs;
        vm_throw_security(vm, "VM stack exhausted (stack overflow)");
        return false;
    }
    vm_frame_t *nf = &vm->frames[vm->nframes++];
    nf->pkg = p;
    nf->code = h.code;
    nf->pc = h.code;
    nf->code_end = code_end;
    nf->locals = base;
    nf->nlocals = (uint16_t)(h.nargs + h.max_locals);
    nf->stack = base + nf->nlocals;
    nf->max_stack = h.max_stack;
    nf->sp = 0;
    nf->ctx = ctx;
    nf->prev_ctx = prev_ctx;
    /* Locals start zeroed: a callee never sees what an earlier frame left in those words. */
    if (h.max_locals) memset(base + h.nargs, 0, sizeof(uint16_t) * h.max_locals);
    if (nargs_out) *nargs_out = h.nargs;
    return true;
}

static __attribute__((noinline)) bool push_frame(vm_t *vm, vm_pkg_t *p, uint32_t m, uint8_t ctx, uint8_t prev_ctx,
                                                 int *nargs_out)
{
    return push_frame_x(vm, p, m, NULL, ctx, prev_ctx, nargs_out);
}

static int method_nargs(vm_pkg_t *p, uint32_t m)
{
    if (!p->methods || m >= p->methods_len || p->methods_len - m < 2) return -1;
    const uint8_t *b = p->methods + m;
    if ((b[0] >> 4) & 0x8) return p->methods_len - m < 4 ? -1 : b[2];
    return b[1] >> 4;
}

/* Argument words of a call of native nm (with `this` unless static) and its result words in *rw
 * (counted once at link time, vm_native_words); -1 for a malformed descriptor. */
static int native_call_words(const vm_native_method_t *nm, bool has_this, int *rw)
{
    int aw;
    if (!vm_native_words(nm, &aw, rw)) return -1;
    return aw + (has_this ? 1 : 0);
}

/* Calls a native: args are the top nargs words of frame f; it leaves rw result words. */
static bool call_native(vm_t *vm, vm_frame_t *f, const vm_native_method_t *nm, int nargs, int rw)
{
    if (nargs < 0 || rw < 0) { vm_throw_security(vm, "malformed native descriptor"); return false; }
    if (f->sp < nargs) { vm_throw_security(vm, "operand stack underflow at call"); return false; }
    uint16_t ret[2] = { 0, 0 };
    /* The arguments stay where the caller pushed them (no copy): the native reads the nargs words
     * its descriptor gives, and anything it runs itself (a nested vm_run_method) builds its
     * frames above this frame's max_stack, so they stay untouched until it returns. */
    f->sp = (uint16_t)(f->sp - nargs);
    uint16_t *args = f->stack + f->sp;
    vm->cur_ctx = f->ctx;
    vm->prev_ctx = f->prev_ctx;
    int fi = (int)(f - vm->frames);
    int r = nm->fn(vm, args, ret);
    f = &vm->frames[fi];
    vm->cur_ctx = f->ctx;
    if (r != VM_NAT_OK) {
        if (!vm->exc && !vm->fatal) vm_throw_security(vm, "native failed without an exception");
        return false;
    }
    if (f->sp + rw > f->max_stack) { vm_throw_security(vm, "operand stack overflow"); return false; }
    for (int i = 0; i < rw; i++) f->stack[f->sp++] = ret[i];
    return true;
}

static void unbound(vm_t *vm, const char *what, uint16_t cls, unsigned token)
{
    char why[96];
    snprintf(why, sizeof why, "unbound %s: class %04X token %u", what, cls, token);
    cl_err("vm: %s", why);
    vm_throw_security(vm, why);
}

/* The status word an uncaught exception turns into. */
static int uncaught_sw(vm_t *vm, uint16_t exc)
{
    vm_obj_t o;
    uint16_t reason;
    if (exc && vm_heap_get(vm->heap, exc, &o) && vm_instance_of(vm, &o, 0, ISOEXC_CLASS) &&
        vm_heap_data(vm->heap, &o) && o.len >= 1) {
        reason = cl_get16(vm_heap_data(vm->heap, &o));
        return reason;
    }
    return 0x6F00;
}

/* The last array an array instruction resolved (and, in a second entry, the last object a field
 * instruction resolved), so that a loop over one array or one object's fields decodes its header,
 * checks the firewall and finds its data once instead of at every access (element type, bounds,
 * object kind and field cell are still checked at every access, against the cached header).
 *
 * Why it stays right: a header never changes while its object lives, a persistent array's data
 * pointer is the image memory (stores show there at once) and a transient array's RAM buffer
 * stays put until its object goes. What can make an object go, move or lose its RAM -- an
 * allocation, a transaction abort, a collection, a deselect -- happens only in natives, in
 * new/newarray/anewarray or outside the interpreter, and the cache is dropped around all of them
 * (before every native call and allocation, on every exception, at entry). The firewall check
 * holds for one context: a frame change into another context drops it as well. */
#define AC_EMPTY 0x10000u /* no 16-bit reference equals it */
typedef struct {
    uint32_t ref;         /* the object's handle, or AC_EMPTY */
    uint8_t ctx;          /* the context whose firewall check it passed */
    vm_obj_t o;           /* its decoded header */
    const uint8_t *data;  /* its data (RAM or image memory); NULL in the field entry for a non-instance */
    uint8_t *ram;         /* arrays: writable RAM of a transient array that is not integrity-sensitive
                           * (stored into in place: transient contents take no part in transactions) */
    uint16_t okcls;       /* fields: a class the object was found to be a subclass of (its own at first) */
} obj_cache_t;

/* Resolves ref as an array the running context ctx may access and caches it in c; false with an
 * exception pending (NullPointer, Security) otherwise. */
static bool array_resolve(vm_t *vm, uint16_t ref, uint8_t ctx, obj_cache_t *c)
{
    c->ref = AC_EMPTY;
    if (!vm_obj_get(vm, ref, &c->o)) return false;
    if (c->o.kind != VM_KIND_ARRAY) { vm_throw_security(vm, "array instruction on a non-array"); return false; }
    if (!vm_fw_can_access(vm, &c->o)) { vm_throw_security(vm, "firewall: array of another context"); return false; }
    c->data = vm_heap_data(vm->heap, &c->o);
    if (!c->data) { vm_throw_store_error(vm, VM_ERR_NOMEM); return false; }
    /* An integrity-sensitive array (SensitiveArrays) never takes the in-place store: its stores go
     * through vm_heap_write, which checks and updates its control element. */
    c->ram = (c->o.flags & (VM_OF_TRANSIENT | VM_OF_INTEGRITY)) == VM_OF_TRANSIENT ? vm_heap_ram_data(vm->heap, &c->o)
                                                                                 : NULL;
    c->ref = ref;
    c->ctx = ctx;
    return true;
}

/* Resolves ref as an object whose fields the running context ctx may access and caches it in c;
 * false with an exception pending otherwise. Kind and cell are checked by each access. */
static bool field_resolve(vm_t *vm, uint16_t ref, uint8_t ctx, obj_cache_t *c)
{
    c->ref = AC_EMPTY;
    if (!vm_obj_get(vm, ref, &c->o)) return false;
    if (!vm_fw_can_access(vm, &c->o)) { vm_throw_security(vm, "firewall: field of another context"); return false; }
    c->data = NULL;
    if (c->o.kind == VM_KIND_INSTANCE) {
        c->data = vm_heap_data(vm->heap, &c->o);
        if (!c->data) { vm_throw_store_error(vm, VM_ERR_NOMEM); return false; }
    }
    c->ram = NULL;
    c->okcls = c->o.cls;
    c->ref = ref;
    c->ctx = ctx;
    return true;
}

/* Resolves the static field image (a heap blob) of package slot pkg into c, keyed by the slot (kept
 * in c->ctx: statics have no firewall check, their package's code reaches them through its own
 * constant pool); false with a SecurityException pending if there is none. */
static bool statics_resolve(vm_t *vm, uint8_t pkg, obj_cache_t *c)
{
    c->ref = AC_EMPTY;
    vm_pkg_t *p = vm->pkgs[pkg];
    if (!p || !vm_heap_get(vm->heap, p->statics, &c->o) || c->o.kind != VM_KIND_BLOB ||
        !(c->data = vm_heap_data(vm->heap, &c->o))) {
        vm_throw_security(vm, "static field outside the static image");
        return false;
    }
    c->ram = NULL;
    c->ref = p->statics;
    c->ctx = pkg;
    return true;
}

/* Instruction length by opcode: > 0 fixed, -1 variable (switches), 0 undefined. */
static int8_t insn_len_table[256];

/* The same lengths as compile-time constants, one per opcode (OP_LEN_<name>), from the operand
 * format of cap/jc_opcodes.h: each instruction's handler advances pc by its own constant instead
 * of by the value loaded from insn_len_table. That takes two dependent loads (opcode, then its
 * length) off the pc -> next pc chain, which otherwise bounds the interpreter at one instruction
 * per ~10 host cycles whatever the instruction does. -1: variable length (switches, which always
 * jump and never use it). */
#define FMT_LEN(fmt) \
    ((fmt) == JC_OPF_NONE ? 1 \
     : (fmt) == JC_OPF_BYTE || (fmt) == JC_OPF_LOCAL || (fmt) == JC_OPF_MN || (fmt) == JC_OPF_BRANCH || \
       (fmt) == JC_OPF_CP_BYTE || (fmt) == JC_OPF_ATYPE ? 2 \
     : (fmt) == JC_OPF_SHORT || (fmt) == JC_OPF_LOCAL_INC || (fmt) == JC_OPF_BRANCH_W || (fmt) == JC_OPF_CP ? 3 \
     : (fmt) == JC_OPF_LOCAL_INC_W || (fmt) == JC_OPF_ATYPE_CP ? 4 \
     : (fmt) == JC_OPF_INT || (fmt) == JC_OPF_INVOKEINTERFACE ? 5 : -1)
enum {
#define X(name, code_, fmt) OP_LEN_##name = FMT_LEN(fmt),
    JC_OPCODES(X)
#undef X
};
static const int8_t op_const_len[JC_OPCODE_LAST + 1] = {
#define X(name, code_, fmt) [code_] = OP_LEN_##name,
    JC_OPCODES(X)
#undef X
};

static void init_len_table(void)
{
    static bool done;
    if (done) return;
    for (int op = 0; op < 256; op++) {
        int n = jc_opcode_fixed_len(op);
        /* A constant that disagrees with cap/jc_opcodes would advance pc by a length the checks
         * did not cover: such an opcode is treated as undefined (refused), never run. */
        if (n != 0 && (op > JC_OPCODE_LAST || op_const_len[op] != n)) {
            cl_err("vm: opcode %02X: length %d in jc_opcodes, %d in the interpreter; refused", op, n,
                   op > JC_OPCODE_LAST ? 0 : op_const_len[op]);
            n = 0;
        }
        insn_len_table[op] = (int8_t)n;
    }
    insn_len_table[JC_impdep1] = insn_len_table[JC_impdep2] = 0;
    done = true;
}

enum vm_run vm_run_method(vm_t *vm, vm_pkg_t *pkg, uint32_t method, uint8_t ctx, const uint16_t *args,
                          int nargs, uint16_t ret[2])
{
    init_len_table();
    /* CARDLET_VM_TRACE=1 logs every instruction (pkg, context, pc, stack depth, mnemonic): for
     * applet writers chasing a 6F 00. Read once per call, so it costs nothing when unset. */
    const bool trace_on = getenv("CARDLET_VM_TRACE") != NULL;
    const int base = vm->nframes;
    vm_frame_t *f;
    int hn;
    /* Dispatch. With GCC/clang (labels as values) every instruction ends with its own copy of the
     * decode step and an indirect jump through op_label, so the host's branch predictor sees one
     * jump per instruction kind instead of one shared switch jump; VM_SWITCH_DISPATCH (or another
     * compiler) keeps the plain switch. Both run the same checks: pc inside the running method,
     * a defined opcode, the whole instruction inside the method. */
#if defined(__GNUC__) && !defined(VM_SWITCH_DISPATCH)
#define VM_THREADED 1
#define OPLABEL(name) L_##name:
    static const void *const op_label[JC_OPCODE_LAST + 1] = {
#define X(name, code_, fmt) [code_] = &&L_##name,
        JC_OPCODES(X)
#undef X
    };
#else
#define OPLABEL(name)
#endif
#define DECODE() do { \
        if (__builtin_expect(pc >= mlen || pc < code, 0)) { vm_throw_security(vm, "pc outside the method"); goto throw_; } \
        ip = M + pc; \
        /* Fixed lengths come from a table made once from cap/jc_opcodes.h; switches are measured. */ \
        len = insn_len_table[ip[0]]; \
        if (__builtin_expect(len < 0, 0)) len = jc_insn_len(ip, mlen - pc); \
        if (__builtin_expect(len <= 0 || (uint32_t)len > mlen - pc, 0)) { \
            vm_throw_security(vm, "undefined or truncated instruction"); goto throw_; } \
        run++; \
        if (__builtin_expect(trace_on, 0)) \
            cl_info("vm trace: pkg %u ctx %u pc %04X sp %u %s", f->pkg->slot, f->ctx, pc, sp, jc_opcode_name(ip[0])); \
    } while (0)
#ifdef VM_THREADED
/* The fast decode after an instruction that fell through or branched inside the method (so
 * code <= pc <= code_end holds: NEXT adds a length already checked to fit, JUMP checks its
 * target). One unsigned compare covers every failure: len <= 0 (undefined opcode: 0, or a switch,
 * measured in the full decode: -1) and an instruction running past the method's end; pc ==
 * code_end (a fall-through off the end, or a return to an invoke that ended the method) goes to
 * the full decode before its byte is read: the method may end its buffer. Anything else, and tracing, takes the full decode in front of the switch.
 * len >= 1 only for defined opcodes, so op_label[ip[0]] is in range. */
#define DISPATCH() do { \
        if (__builtin_expect(pc >= mlen, 0)) goto decode_full; /* never read the byte after the method */ \
        ip = M + pc; \
        len = insn_len_table[ip[0]]; \
        if (__builtin_expect((uint32_t)(len - 1) >= mlen - pc || trace_on, 0)) goto decode_full; \
        run++; \
        goto *op_label[ip[0]]; \
    } while (0)
#else
#define DISPATCH() goto dispatch
#endif
    /* The running frame's hot state (see the dispatch loop below). */
    const uint8_t *M = NULL, *ip = NULL;
    uint32_t mlen = 0, code = 0, pc = 0, run = 0;
    int len = 0;
    uint16_t *S = NULL, *L = NULL;
    uint16_t sp = 0, maxs = 0, nloc = 0; /* f->sp lives here between frame changes (synced before calls) */
    vm_cpe_t *cp = NULL;
    uint16_t ncp = 0;
    obj_cache_t ac = { .ref = AC_EMPTY }, oc = { .ref = AC_EMPTY }; /* arrays, field objects */
    obj_cache_t sc = { .ref = AC_EMPTY }; /* the static field image last used (any context) */
#define DROP_CACHES() (ac.ref = oc.ref = sc.ref = AC_EMPTY)
    vm->exc = 0;
    vm->fatal = false;
    vm->last_error[0] = 0;
    if (base == 0) vm->budget = VM_MAX_STEPS;
    ret[0] = ret[1] = 0;
    /* The first frame's arguments: put them on top of the caller's stack (or at the bottom). */
    if (base > 0) {
        f = &vm->frames[base - 1];
        if ((size_t)(f->stack + f->max_stack - vm->stack_words) + (size_t)nargs > VM_STACK_WORDS) goto e_setup;
        /* Borrow room above the caller's operand stack: place args there as if pushed. */
        uint16_t save_sp = f->sp, save_max = f->max_stack;
        f->sp = f->max_stack;
        f->max_stack = (uint16_t)(f->max_stack + nargs);
        if (nargs) memcpy(f->stack + f->sp, args, sizeof(uint16_t) * (size_t)nargs);
        f->sp = (uint16_t)(f->sp + nargs);
        bool ok = push_frame(vm, pkg, method, ctx, f->ctx, &hn);
        f = &vm->frames[base - 1];
        f->sp = save_sp;
        f->max_stack = save_max;
        if (!ok) goto uncaught_setup;
        if (hn != nargs) goto e_setup_pop;
    } else {
        if (nargs > VM_STACK_WORDS) goto e_setup;
        if (nargs) memcpy(vm->stack_words, args, sizeof(uint16_t) * (size_t)nargs);
        vm->nframes = 0;
        mhdr_t h;
        if (!method_header(pkg, method, &h) || h.nargs != nargs) goto e_setup;
        if (!push_frame(vm, pkg, method, ctx, VM_CTX_JCRE, &hn)) goto uncaught_setup;
        if (nargs) memcpy(vm->stack_words, args, sizeof(uint16_t) * (size_t)nargs);
    }

    /* The running frame's hot state lives in locals, reloaded only when the frame changes (call,
     * return, ret, exception handler: the `next` label); straight-line instructions go on at
     * `dispatch`. Budget and step counting: `run` counts instructions since the last check, which
     * happens at every frame change, every backward branch and every native call, so a loop cannot
     * escape it and the limit stays in instructions (straight code between checks is bounded by
     * the method's length). */
#define BUDGET_CHECK() do { \
        vm->steps += run; \
        if (run >= vm->budget) { vm->budget = 0; run = 0; vm_throw_security(vm, "instruction budget exhausted"); goto throw_; } \
        vm->budget -= run; run = 0; } while (0)
    /* Entering the top frame (after a call, a return, ret or an exception handler): its context
     * for the natives and the array cache, the budget check, then its hot state into locals. One
     * budget for the whole command, nested runs (Shareable lookups) included. */
#define ENTER_FRAME() do { \
        f = &vm->frames[vm->nframes - 1]; \
        vm->cur_ctx = f->ctx; \
        /* a cache whose firewall check was for another context goes (each on its own: an empty \
         * entry's ctx means nothing and must not drop the other) */ \
        if (ac.ctx != f->ctx) ac.ref = AC_EMPTY; \
        if (oc.ctx != f->ctx) oc.ref = AC_EMPTY; \
        BUDGET_CHECK(); \
        M = f->pkg->methods; \
        mlen = f->code_end; /* the running method's end, not the component's */ \
        code = f->code; \
        pc = f->pc; \
        S = f->stack; \
        sp = f->sp; \
        maxs = f->max_stack; \
        L = f->locals; \
        nloc = f->nlocals; \
        cp = f->pkg->cp; \
        ncp = f->pkg->ncp; \
    } while (0)
/* After a bytecode call (pc = the callee's first instruction) or a return (pc = just after the
 * invoke, which was checked to fit in its method): code <= pc <= code_end, which is all the fast
 * DISPATCH needs, re-checked here in one compare instead of the full decode. */
#define ENTER_FRAME_FAST() do { \
        ENTER_FRAME(); \
        if (__builtin_expect(pc - code > mlen - code || pc < code, 0)) { vm_throw_security(vm, "pc outside the method"); goto throw_; } \
        DISPATCH(); \
    } while (0)
    for (;;) {
    next:
        ENTER_FRAME();
#ifndef VM_THREADED
    dispatch:
#endif
        {
#ifdef VM_THREADED
    decode_full:
#endif
        DECODE(); /* after a frame change, a switch, an error or while tracing: full checks */
#ifdef VM_THREADED
        /* Straight to the handler: the switch's own jump would be one indirect branch shared by
         * every frame change, which the host predicts badly. DECODE refused undefined opcodes
         * (length 0), so ip[0] <= JC_OPCODE_LAST and has a label. */
        goto *op_label[ip[0]];
#endif

/* Checked stack and local access. */
#define NEED(n) do { if (sp < (n)) { vm_throw_security(vm, "operand stack underflow"); goto throw_; } } while (0)
#define ROOM(n) do { if (sp + (n) > maxs) { vm_throw_security(vm, "operand stack overflow"); goto throw_; } } while (0)
#define PUSH(v) do { ROOM(1); S[sp++] = (uint16_t)(v); } while (0)
#define PUSHI(v) do { ROOM(2); uint32_t pv_ = (uint32_t)(v); S[sp++] = (uint16_t)(pv_ >> 16); S[sp++] = (uint16_t)pv_; } while (0)
#define POP() (S[--sp])
#define POPI() (sp -= 2, (int32_t)(((uint32_t)S[sp] << 16) | S[sp + 1]))
#define LOCAL(i, w) do { if ((uint32_t)(i) + (w) > nloc) { vm_throw_security(vm, "local variable out of range"); goto throw_; } } while (0)
#define U1(k) (ip[k])
#define S1(k) ((int8_t)ip[k])
#define U2(k) cl_get16(ip + (k))
#define S2(k) ((int16_t)cl_get16(ip + (k)))
#define S4(k) ((int32_t)cl_get32(ip + (k)))
#define NEXT() do { pc += (uint32_t)len; f->pc = pc; DISPATCH(); } while (0)
/* NEXT for a handler whose opcodes all have the length of opcode `name` (a compile-time constant,
 * equal to insn_len_table's: see OP_LEN_*). Families sharing a handler are listed in the
 * _Static_asserts below. */
#define NEXT_AS(name) do { pc += (uint32_t)OP_LEN_##name; f->pc = pc; DISPATCH(); } while (0)
#define SAME_LEN(a, b) _Static_assert(OP_LEN_##a == OP_LEN_##b, "handler family " #a "/" #b " mixes lengths");
        SAME_LEN(sconst_m1, sconst_4) SAME_LEN(sconst_5, sconst_4) SAME_LEN(iconst_m1, iconst_4) SAME_LEN(iconst_5, iconst_4)
        SAME_LEN(sconst_0, sconst_4) SAME_LEN(sconst_1, sconst_4) SAME_LEN(sconst_2, sconst_4) SAME_LEN(sconst_3, sconst_4)
        SAME_LEN(iconst_0, iconst_4) SAME_LEN(iconst_1, iconst_4) SAME_LEN(iconst_2, iconst_4) SAME_LEN(iconst_3, iconst_4)
        SAME_LEN(sload, aload) SAME_LEN(aload_3, aload_0) SAME_LEN(sload_3, sload_0) SAME_LEN(iload_3, iload_0)
        SAME_LEN(sstore, astore) SAME_LEN(astore_3, astore_0) SAME_LEN(sstore_3, sstore_0) SAME_LEN(istore_3, istore_0)
        SAME_LEN(iaload, aaload) SAME_LEN(baload, aaload) SAME_LEN(saload, aaload)
        SAME_LEN(iastore, aastore) SAME_LEN(bastore, aastore) SAME_LEN(sastore, aastore)
        SAME_LEN(iadd, ixor) SAME_LEN(iushr, ixor) SAME_LEN(irem, ixor) SAME_LEN(isub, ixor) SAME_LEN(imul, ixor)
        SAME_LEN(idiv, ixor) SAME_LEN(iand, ixor) SAME_LEN(ior, ixor) SAME_LEN(ishl, ixor) SAME_LEN(ishr, ixor)
        SAME_LEN(getstatic_i, getstatic_a) SAME_LEN(getstatic_b, getstatic_a) SAME_LEN(getstatic_s, getstatic_a)
        SAME_LEN(putstatic_i, putstatic_a) SAME_LEN(putstatic_b, putstatic_a) SAME_LEN(putstatic_s, putstatic_a)
        SAME_LEN(invokestatic, invokespecial) SAME_LEN(instanceof, checkcast)
#undef SAME_LEN
#define JUMP(off) do { int64_t t_ = (int64_t)pc + (off); \
        if (t_ < (int64_t)code || t_ >= (int64_t)mlen) { vm_throw_security(vm, "branch outside the method"); goto throw_; } \
        pc = (uint32_t)t_; f->pc = pc; \
        if ((off) <= 0) BUDGET_CHECK(); \
        DISPATCH(); } while (0)
#define CPE(i, tg) ({ unsigned ci_ = (i); if (ci_ >= ncp || cp[ci_].tag != (tg)) { vm_throw_security(vm, "wrong constant pool entry"); goto throw_; } &cp[ci_]; })
#define GETOBJ(ref, o) do { if (!vm_obj_get(vm, (ref), (o))) goto throw_; } while (0)
/* A reference about to be stored in a field or a static: a stale handle is stored as null (it never
 * reaches persistent memory), anything else must be storable (JCRE 6.2.1: no temporary entry
 * points, no global arrays). */
#define STORABLE_REF(v) do { \
        (v) = live_ref(vm, (uint16_t)(v)); \
        if (v) { \
            vm_obj_t vo_; \
            GETOBJ((uint16_t)(v), &vo_); \
            if (!vm_fw_can_store_ref(vm, &vo_)) { vm_throw_security(vm, "firewall: storing a temporary entry point"); goto throw_; } \
        } \
    } while (0)
#define THROW_API(p, c, r) do { vm_throw_api(vm, (p), (c), (r)); goto throw_; } while (0)
#define ARITH() THROW_API(VM_PKG_JAVA_LANG, 9, 0)

        switch ((enum jc_opcode)ip[0]) {
        case JC_nop: OPLABEL(nop) NEXT_AS(nop);
        case JC_aconst_null: OPLABEL(aconst_null) PUSH(0); NEXT_AS(aconst_null);
        case JC_sconst_m1: OPLABEL(sconst_m1) case JC_sconst_0: OPLABEL(sconst_0) case JC_sconst_1: OPLABEL(sconst_1) case JC_sconst_2: OPLABEL(sconst_2) case JC_sconst_3: OPLABEL(sconst_3)
        case JC_sconst_4: OPLABEL(sconst_4) case JC_sconst_5: OPLABEL(sconst_5) PUSH((int16_t)(ip[0] - JC_sconst_0)); NEXT_AS(sconst_4);
        case JC_iconst_m1: OPLABEL(iconst_m1) case JC_iconst_0: OPLABEL(iconst_0) case JC_iconst_1: OPLABEL(iconst_1) case JC_iconst_2: OPLABEL(iconst_2) case JC_iconst_3: OPLABEL(iconst_3)
        case JC_iconst_4: OPLABEL(iconst_4) case JC_iconst_5: OPLABEL(iconst_5) PUSHI((int32_t)(ip[0] - JC_iconst_0)); NEXT_AS(iconst_4);
        case JC_bspush: OPLABEL(bspush) PUSH((int16_t)S1(1)); NEXT_AS(bspush);
        case JC_sspush: OPLABEL(sspush) PUSH(S2(1)); NEXT_AS(sspush);
        case JC_bipush: OPLABEL(bipush) PUSHI((int32_t)S1(1)); NEXT_AS(bipush);
        case JC_sipush: OPLABEL(sipush) PUSHI((int32_t)S2(1)); NEXT_AS(sipush);
        case JC_iipush: OPLABEL(iipush) PUSHI(S4(1)); NEXT_AS(iipush);

        case JC_aload: OPLABEL(aload) case JC_sload: OPLABEL(sload) { LOCAL(U1(1), 1); PUSH(L[U1(1)]); NEXT_AS(aload); }
        case JC_iload: OPLABEL(iload) { LOCAL(U1(1), 2); ROOM(2); S[sp++] = L[U1(1)]; S[sp++] = L[U1(1) + 1]; NEXT_AS(iload); }
        /* Locals with the index in the opcode: one handler each, the index a constant. */
#define LOAD1(opname, i) case JC_##opname: OPLABEL(opname) { LOCAL(i, 1); PUSH(L[i]); NEXT_AS(opname); }
#define LOAD2(opname, i) case JC_##opname: OPLABEL(opname) { \
            LOCAL(i, 2); ROOM(2); S[sp] = L[i]; S[sp + 1] = L[(i) + 1]; sp += 2; NEXT_AS(opname); }
#define STORE1(opname, i) case JC_##opname: OPLABEL(opname) { LOCAL(i, 1); NEED(1); L[i] = POP(); NEXT_AS(opname); }
#define STORE2(opname, i) case JC_##opname: OPLABEL(opname) { \
            LOCAL(i, 2); NEED(2); L[(i) + 1] = S[sp - 1]; L[i] = S[sp - 2]; sp -= 2; NEXT_AS(opname); }
        LOAD1(aload_0, 0) LOAD1(aload_1, 1) LOAD1(aload_2, 2) LOAD1(aload_3, 3)
        LOAD1(sload_0, 0) LOAD1(sload_1, 1) LOAD1(sload_2, 2) LOAD1(sload_3, 3)
        LOAD2(iload_0, 0) LOAD2(iload_1, 1) LOAD2(iload_2, 2) LOAD2(iload_3, 3)
        case JC_astore: OPLABEL(astore) case JC_sstore: OPLABEL(sstore) { LOCAL(U1(1), 1); NEED(1); L[U1(1)] = POP(); NEXT_AS(astore); }
        case JC_istore: OPLABEL(istore) { LOCAL(U1(1), 2); NEED(2); L[U1(1) + 1] = POP(); L[U1(1)] = POP(); NEXT_AS(istore); }
        STORE1(astore_0, 0) STORE1(astore_1, 1) STORE1(astore_2, 2) STORE1(astore_3, 3)
        STORE1(sstore_0, 0) STORE1(sstore_1, 1) STORE1(sstore_2, 2) STORE1(sstore_3, 3)
        STORE2(istore_0, 0) STORE2(istore_1, 1) STORE2(istore_2, 2) STORE2(istore_3, 3)
#undef LOAD1
#undef LOAD2
#undef STORE1
#undef STORE2

        /* Arrays: ..., arrayref, index -> value. One handler per opcode; the array comes from the
         * cache (obj_cache_t) or is resolved into it. Element type and bounds: every access. */
#define ARRAY(ref) do { \
            if (__builtin_expect((uint32_t)(ref) != ac.ref, 0) && !array_resolve(vm, (ref), f->ctx, &ac)) goto throw_; \
        } while (0)
#define ETYPE(want) do { \
            if (ac.o.etype != (want) && !((want) == VM_T_BYTE && ac.o.etype == VM_T_BOOLEAN)) { \
                vm_throw_security(vm, "array element type mismatch"); goto throw_; } \
        } while (0)
#define INDEX(idx) do { if ((uint32_t)(int32_t)(idx) >= ac.o.len) THROW_API(VM_PKG_JAVA_LANG, 5, 0); } while (0)
#define ALOAD(opname, want, push) case JC_##opname: OPLABEL(opname) { \
            NEED(2); \
            int16_t idx = (int16_t)S[sp - 1]; \
            uint16_t ref = S[sp - 2]; \
            sp -= 2; \
            ARRAY(ref); \
            ETYPE(want); \
            INDEX(idx); \
            const uint8_t *d = ac.data; \
            push; \
            NEXT_AS(opname); }
        ALOAD(aaload, VM_T_REF, PUSH(cl_get16(d + 2 * idx)))
        ALOAD(baload, VM_T_BYTE, PUSH((int16_t)(int8_t)d[idx]))
        ALOAD(saload, VM_T_SHORT, PUSH(cl_get16(d + 2 * idx)))
        ALOAD(iaload, VM_T_INT, PUSHI(cl_get32(d + 4 * idx)))
#undef ALOAD
        /* Primitive stores: a transient array's RAM in place (bounds and type checked above), any
         * other array through vm_heap_write (transactions, integrity control elements). */
#define ASTORE(opname, want, esz, put) case JC_##opname: OPLABEL(opname) { \
            NEED(2 + ((esz) == 4 ? 2 : 1)); \
            uint32_t v = (esz) == 4 ? (uint32_t)POPI() : POP(); \
            int16_t idx = (int16_t)POP(); \
            uint16_t ref = POP(); \
            ARRAY(ref); \
            ETYPE(want); \
            INDEX(idx); \
            uint8_t b[4], *r = ac.ram ? ac.ram + (uint32_t)idx * (esz) : b; \
            put; \
            if (!ac.ram) { \
                int rc_ = vm_heap_write(vm->heap, &ac.o, (uint32_t)idx * (esz), b, (esz), true); \
                if (rc_) { vm_throw_store_error(vm, rc_); goto throw_; } \
            } \
            NEXT_AS(opname); }
        ASTORE(bastore, VM_T_BYTE, 1, r[0] = (uint8_t)v)
        ASTORE(sastore, VM_T_SHORT, 2, cl_put16(r, (uint16_t)v))
        ASTORE(iastore, VM_T_INT, 4, cl_put32(r, v))
#undef ASTORE
        case JC_aastore: OPLABEL(aastore) {
            NEED(3);
            uint16_t v = live_ref(vm, POP()); /* a stale handle never reaches persistent memory */
            int16_t idx = (int16_t)POP();
            uint16_t ref = POP();
            ARRAY(ref);
            ETYPE(VM_T_REF);
            INDEX(idx);
            if (v) {
                vm_obj_t vo;
                GETOBJ(v, &vo);
                if (!vm_fw_can_store_ref(vm, &vo)) { vm_throw_security(vm, "firewall: storing a temporary entry point"); goto throw_; }
                if (ac.o.cls != VM_NO_CLASS && !vm_instance_of(vm, &vo, vo.kind == VM_KIND_ARRAY ? vo.etype : 0, ac.o.cls) &&
                    !(vo.kind == VM_KIND_ARRAY && ac.o.cls == OBJECT_CLASS))
                    THROW_API(VM_PKG_JAVA_LANG, 11, 0); /* ArrayStoreException */
            }
            uint8_t b[2];
            cl_put16(b, v);
            int r = vm_heap_write(vm->heap, &ac.o, (uint32_t)idx * 2, b, 2, true);
            if (r) { vm_throw_store_error(vm, r); goto throw_; }
            NEXT_AS(aastore);
        }
#undef INDEX
#undef ETYPE

        case JC_pop: OPLABEL(pop) NEED(1); sp--; NEXT_AS(pop);
        case JC_pop2: OPLABEL(pop2) NEED(2); sp -= 2; NEXT_AS(pop2);
        case JC_dup: OPLABEL(dup) NEED(1); ROOM(1); S[sp] = S[sp - 1]; sp++; NEXT_AS(dup);
        case JC_dup2: OPLABEL(dup2) NEED(2); ROOM(2); S[sp] = S[sp - 2]; S[sp + 1] = S[sp - 1]; sp += 2; NEXT_AS(dup2);
        case JC_dup_x: OPLABEL(dup_x) {
            unsigned m = U1(1) >> 4, n = U1(1) & 0xF;
            if (m < 1 || m > 4 || (n != 0 && (n < m || n > m + 4))) { vm_throw_security(vm, "bad dup_x operand"); goto throw_; }
            NEED(n > m ? n : m); ROOM(m);
            uint16_t tmp[4];
            memcpy(tmp, S + sp - m, m * sizeof *tmp);
            memmove(S + sp - n + m, S + sp - n, n * sizeof *S);
            memcpy(S + sp - n, tmp, m * sizeof *tmp);
            sp = (uint16_t)(sp + m);
            NEXT_AS(dup_x);
        }
        case JC_swap_x: OPLABEL(swap_x) {
            unsigned m = U1(1) >> 4, n = U1(1) & 0xF;
            if (m < 1 || m > 2 || n < 1 || n > 2) { vm_throw_security(vm, "bad swap_x operand"); goto throw_; }
            NEED(m + n);
            uint16_t tmp[4];
            memcpy(tmp, S + sp - m, m * sizeof *tmp);                 /* top m words */
            memmove(S + sp - n, S + sp - m - n, n * sizeof *S);     /* the n words below move up */
            memcpy(S + sp - m - n, tmp, m * sizeof *tmp);
            NEXT_AS(swap_x);
        }

        /* short arithmetic: results wrap to 16 bits. One handler per opcode (no inner switch):
         * a and b sign-extended, the result replaces a in place. */
#define SBINOP(opname, expr) case JC_##opname: OPLABEL(opname) { \
            NEED(2); \
            int32_t b = (int16_t)S[sp - 1], a = (int16_t)S[sp - 2], r; \
            expr; \
            S[sp - 2] = (uint16_t)r; sp--; \
            NEXT_AS(opname); }
        SBINOP(sadd, r = a + b)
        SBINOP(ssub, r = a - b)
        SBINOP(smul, r = a * b)
        SBINOP(sdiv, if (!b) ARITH(); r = a / b)
        SBINOP(srem, if (!b) ARITH(); r = a % b)
        SBINOP(sand, r = a & b)
        SBINOP(sor, r = a | b)
        SBINOP(sxor, r = a ^ b)
        SBINOP(sshl, r = (int32_t)((uint32_t)a << (b & 0x1F)))
        SBINOP(sshr, r = a >> (b & 0x1F))
        SBINOP(sushr, r = (int32_t)((uint32_t)a >> (b & 0x1F)))
#undef SBINOP
        case JC_sneg: OPLABEL(sneg) NEED(1); S[sp - 1] = (uint16_t)(-(int32_t)(int16_t)S[sp - 1]); NEXT_AS(sneg);
        case JC_iadd: OPLABEL(iadd) case JC_isub: OPLABEL(isub) case JC_imul: OPLABEL(imul) case JC_idiv: OPLABEL(idiv) case JC_irem: OPLABEL(irem) case JC_iand: OPLABEL(iand) case JC_ior: OPLABEL(ior)
        case JC_ixor: OPLABEL(ixor) case JC_ishl: OPLABEL(ishl) case JC_ishr: OPLABEL(ishr) case JC_iushr: OPLABEL(iushr) {
            NEED(4);
            int32_t b = POPI(), a = POPI();
            uint32_t ua = (uint32_t)a, ub = (uint32_t)b, r;
            switch (ip[0]) {
            case JC_iadd: r = ua + ub; break;
            case JC_isub: r = ua - ub; break;
            case JC_imul: r = ua * ub; break;
            case JC_idiv: if (!b) ARITH(); r = b == -1 ? 0u - ua : (uint32_t)(a / b); break;
            case JC_irem: if (!b) ARITH(); r = b == -1 ? 0u : (uint32_t)(a % b); break;
            case JC_iand: r = ua & ub; break;
            case JC_ior: r = ua | ub; break;
            case JC_ixor: r = ua ^ ub; break;
            case JC_ishl: r = ua << (b & 0x1F); break;
            case JC_ishr: r = (uint32_t)(a >> (b & 0x1F)); break;
            default: r = ua >> (b & 0x1F); break;
            }
            PUSHI(r);
            NEXT_AS(ixor);
        }
        case JC_ineg: OPLABEL(ineg) { NEED(2); uint32_t a = (uint32_t)POPI(); PUSHI(0u - a); NEXT_AS(ineg); }
        case JC_sinc: OPLABEL(sinc) { LOCAL(U1(1), 1); L[U1(1)] = (uint16_t)((int16_t)L[U1(1)] + S1(2)); NEXT_AS(sinc); }
        case JC_sinc_w: OPLABEL(sinc_w) { LOCAL(U1(1), 1); L[U1(1)] = (uint16_t)((int16_t)L[U1(1)] + S2(2)); NEXT_AS(sinc_w); }
        case JC_iinc: OPLABEL(iinc) case JC_iinc_w: OPLABEL(iinc_w) {
            unsigned i = U1(1);
            LOCAL(i, 2);
            uint32_t v = ((uint32_t)L[i] << 16) | L[i + 1];
            v += (uint32_t)(ip[0] == JC_iinc ? (int32_t)S1(2) : (int32_t)S2(2));
            L[i] = (uint16_t)(v >> 16); L[i + 1] = (uint16_t)v;
            NEXT();
        }
        case JC_s2b: OPLABEL(s2b) NEED(1); S[sp - 1] = (uint16_t)(int16_t)(int8_t)S[sp - 1]; NEXT_AS(s2b);
        case JC_s2i: OPLABEL(s2i) { NEED(1); int16_t v = (int16_t)POP(); PUSHI((int32_t)v); NEXT_AS(s2i); }
        case JC_i2b: OPLABEL(i2b) { NEED(2); int32_t v = POPI(); PUSH((int16_t)(int8_t)v); NEXT_AS(i2b); }
        case JC_i2s: OPLABEL(i2s) { NEED(2); int32_t v = POPI(); PUSH((uint16_t)v); NEXT_AS(i2s); }
        case JC_icmp: OPLABEL(icmp) { NEED(4); int32_t b = POPI(), a = POPI(); PUSH(a < b ? -1 : a > b ? 1 : 0); NEXT_AS(icmp); }

        /* Branches: offsets relative to the opcode. */
        /* Compares with zero and null, reference compares: one handler per opcode and width
         * (offset s1 or s2), so each advances pc by its own constant length. */
#define IFZ(opname, cond, off) case JC_##opname: OPLABEL(opname) { \
            NEED(1); \
            int16_t v = (int16_t)POP(); \
            if (cond) JUMP(off); \
            NEXT_AS(opname); }
        IFZ(ifeq, v == 0, S1(1))
        IFZ(ifne, v != 0, S1(1))
        IFZ(iflt, v < 0, S1(1))
        IFZ(ifge, v >= 0, S1(1))
        IFZ(ifgt, v > 0, S1(1))
        IFZ(ifle, v <= 0, S1(1))
        IFZ(ifeq_w, v == 0, S2(1))
        IFZ(ifne_w, v != 0, S2(1))
        IFZ(iflt_w, v < 0, S2(1))
        IFZ(ifge_w, v >= 0, S2(1))
        IFZ(ifgt_w, v > 0, S2(1))
        IFZ(ifle_w, v <= 0, S2(1))
#undef IFZ
#define IFNULL(opname, want_null, off) case JC_##opname: OPLABEL(opname) { \
            NEED(1); \
            uint16_t v = live_ref(vm, POP()); \
            if ((v == 0) == (want_null)) JUMP(off); \
            NEXT_AS(opname); }
        IFNULL(ifnull, true, S1(1))
        IFNULL(ifnonnull, false, S1(1))
        IFNULL(ifnull_w, true, S2(1))
        IFNULL(ifnonnull_w, false, S2(1))
#undef IFNULL
#define IFACMP(opname, eq, off) case JC_##opname: OPLABEL(opname) { \
            NEED(2); \
            uint16_t b = live_ref(vm, POP()), a = live_ref(vm, POP()); \
            if ((a == b) == (eq)) JUMP(off); \
            NEXT_AS(opname); }
        IFACMP(if_acmpeq, true, S1(1))
        IFACMP(if_acmpne, false, S1(1))
        IFACMP(if_acmpeq_w, true, S2(1))
        IFACMP(if_acmpne_w, false, S2(1))
#undef IFACMP
        /* Short compares: one handler per opcode and width (offset s1 or s2). */
#define SCMP(opname, cond, off) case JC_##opname: OPLABEL(opname) { \
            NEED(2); \
            int16_t b = (int16_t)S[sp - 1], a = (int16_t)S[sp - 2]; \
            sp -= 2; \
            if (cond) JUMP(off); \
            NEXT_AS(opname); }
        SCMP(if_scmpeq, a == b, S1(1))
        SCMP(if_scmpne, a != b, S1(1))
        SCMP(if_scmplt, a < b, S1(1))
        SCMP(if_scmpge, a >= b, S1(1))
        SCMP(if_scmpgt, a > b, S1(1))
        SCMP(if_scmple, a <= b, S1(1))
        SCMP(if_scmpeq_w, a == b, S2(1))
        SCMP(if_scmpne_w, a != b, S2(1))
        SCMP(if_scmplt_w, a < b, S2(1))
        SCMP(if_scmpge_w, a >= b, S2(1))
        SCMP(if_scmpgt_w, a > b, S2(1))
        SCMP(if_scmple_w, a <= b, S2(1))
#undef SCMP
        case JC_goto: OPLABEL(goto) JUMP(S1(1));
        case JC_goto_w: OPLABEL(goto_w) JUMP(S2(1));
        case JC_jsr: OPLABEL(jsr) { PUSH((uint16_t)(pc + 3)); JUMP(S2(1)); }
        case JC_ret: OPLABEL(ret) {
            LOCAL(U1(1), 1);
            uint32_t t = L[U1(1)];
            if (t < f->code || t >= mlen) { vm_throw_security(vm, "ret outside the method"); goto throw_; }
            f->pc = t;
            goto next;
        }
        case JC_stableswitch: OPLABEL(stableswitch) {
            NEED(1);
            int16_t key = (int16_t)POP(), lo = S2(3), hi = S2(5);
            if (key >= lo && key <= hi) JUMP(S2(7 + 2 * (key - lo)));
            JUMP(S2(1));
        }
        case JC_itableswitch: OPLABEL(itableswitch) {
            NEED(2);
            int32_t key = POPI(), lo = S4(3), hi = S4(7);
            if (key >= lo && key <= hi) JUMP(S2(11 + 2 * (int64_t)((int64_t)key - lo)));
            JUMP(S2(1));
        }
        case JC_slookupswitch: OPLABEL(slookupswitch) {
            NEED(1);
            int16_t key = (int16_t)POP();
            unsigned np = U2(3);
            for (unsigned i = 0; i < np; i++)
                if (S2(5 + 4 * i) == key) JUMP(S2(7 + 4 * i));
            JUMP(S2(1));
        }
        case JC_ilookupswitch: OPLABEL(ilookupswitch) {
            NEED(2);
            int32_t key = POPI();
            unsigned np = U2(3);
            for (unsigned i = 0; i < np; i++)
                if (S4(5 + 6 * i) == key) JUMP(S2(9 + 6 * i));
            JUMP(S2(1));
        }

        /* Returns: rw result words onto the caller's stack, the caller goes on after its invoke. */
#define RETURN(opname, rw, need) case JC_##opname: OPLABEL(opname) { \
            need; \
            uint16_t rv[2] = { 0, 0 }; \
            for (int i = (rw) - 1; i >= 0; i--) rv[i] = POP(); \
            vm->nframes--; \
            if (vm->nframes == base) { \
                ret[0] = rv[0]; ret[1] = rv[1]; \
                vm->steps += run; /* instructions since the last check count against the budget */ \
                vm->budget = run >= vm->budget ? 0 : vm->budget - run; \
                return VM_RUN_OK; \
            } \
            f = &vm->frames[vm->nframes - 1]; \
            if (f->sp + (rw) > f->max_stack) { vm_throw_security(vm, "operand stack overflow"); goto throw_; } \
            for (int i = 0; i < (rw); i++) f->stack[f->sp++] = rv[i]; \
            int cl = f->pc < f->code_end ? insn_len_table[f->pkg->methods[f->pc]] : 0; /* the invoke: fixed length */ \
            if (cl <= 0) { f->pc += 1; goto next; } /* not an invoke: the full decode judges */ \
            f->pc += (uint32_t)cl; \
            ENTER_FRAME_FAST(); }
        RETURN(areturn, 1, NEED(1))
        RETURN(sreturn, 1, NEED(1))
        RETURN(ireturn, 2, NEED(2))
        RETURN(return, 0, (void)0)
#undef RETURN

        /* Static fields: the package's static image from the cache (sc) or resolved into it; the
         * slot [offset, offset + n) checked against it at every access. */
#define STATICS(e, n) do { \
            if (__builtin_expect(sc.ref == AC_EMPTY || sc.ctx != (e)->pkg, 0) && !statics_resolve(vm, (e)->pkg, &sc)) \
                goto throw_; \
            if ((e)->a > sc.o.data_len || (n) > sc.o.data_len - (e)->a) { \
                vm_throw_security(vm, "static field outside the static image"); goto throw_; } \
        } while (0)
#define GETSTATIC(opname, n, push) case JC_##opname: OPLABEL(opname) { \
            const vm_cpe_t *e = CPE(U2(1), 5); \
            STATICS(e, n); \
            const uint8_t *d = sc.data + e->a; \
            push; \
            NEXT_AS(opname); }
        GETSTATIC(getstatic_a, 2, PUSH(cl_get16(d)))
        GETSTATIC(getstatic_b, 1, PUSH((int16_t)(int8_t)d[0]))
        GETSTATIC(getstatic_s, 2, PUSH(cl_get16(d)))
        GETSTATIC(getstatic_i, 4, PUSHI(cl_get32(d)))
#undef GETSTATIC
        /* Stores: vm_heap_write (transactions); a reference stored must be storable, a stale one
         * is stored as null. */
#define PUTSTATIC(opname, n, is_ref) case JC_##opname: OPLABEL(opname) { \
            const vm_cpe_t *e = CPE(U2(1), 5); \
            NEED((n) == 4 ? 2 : 1); \
            uint32_t v = (n) == 4 ? (uint32_t)POPI() : POP(); \
            if (is_ref) STORABLE_REF(v); \
            STATICS(e, n); \
            uint8_t b[4]; \
            if ((n) == 1) b[0] = (uint8_t)v; else if ((n) == 2) cl_put16(b, (uint16_t)v); else cl_put32(b, v); \
            int r = vm_heap_write(vm->heap, &sc.o, e->a, b, (n), true); \
            if (r) { vm_throw_store_error(vm, r); goto throw_; } \
            NEXT_AS(opname); }
        PUTSTATIC(putstatic_a, 2, true)
        PUTSTATIC(putstatic_b, 1, false)
        PUTSTATIC(putstatic_s, 2, false)
        PUTSTATIC(putstatic_i, 4, false)
#undef PUTSTATIC
#undef STATICS

        /* Instance fields. Forms: _x (u1 cp, objref on stack), _x_w (u2 cp), _x_this (u1 cp, local 0).
         * One handler per opcode; the object comes from the field cache or is resolved into it.
         * fk, the field kind: 0 reference, 1 byte, 2 short, 3 int (two cells). */
/* The field's class must be the object's class or one of its superclasses: a field ref of class B
 * applied to an unrelated A would read or write A's cells as B's (a short cell as a reference).
 * The answer is kept with the cached object (okcls), so a loop pays the class walk once. */
#define FIELD_CLASS(e) do { \
            if (__builtin_expect(oc.o.cls != (e)->cls && oc.okcls != (e)->cls, 0)) { \
                if (oc.o.kind != VM_KIND_INSTANCE || !vm_class_is_subclass(vm, oc.o.cls, (e)->cls)) { \
                    vm_throw_security(vm, "field of a class the object is not an instance of"); goto throw_; } \
                oc.okcls = (e)->cls; \
            } \
        } while (0)
#define FIELD_CELLS(fk, e) do { \
            if (oc.o.kind != VM_KIND_INSTANCE || (uint32_t)(e)->a + ((fk) == 3 ? 2u : 1u) > oc.o.len) { \
                vm_throw_security(vm, "field outside the object"); goto throw_; } \
        } while (0)
#define GETFIELD(opname, fk, ci, getref) case JC_##opname: OPLABEL(opname) { \
            unsigned cix = (ci); \
            uint16_t ref; \
            getref; \
            const vm_cpe_t *e = CPE(cix, 2); \
            if (__builtin_expect((uint32_t)ref != oc.ref, 0) && !field_resolve(vm, ref, f->ctx, &oc)) goto throw_; \
            FIELD_CLASS(e); \
            FIELD_CELLS(fk, e); \
            const uint8_t *d = oc.data + 2u * e->a; \
            if ((fk) == 3) PUSHI(cl_get32(d)); \
            else if ((fk) == 1) PUSH((int16_t)(int8_t)cl_get16(d)); \
            else PUSH(cl_get16(d)); \
            NEXT_AS(opname); }
#define POPREF() do { NEED(1); ref = POP(); } while (0)
#define THISREF() do { LOCAL(0, 1); ref = L[0]; } while (0)
        GETFIELD(getfield_a, 0, U1(1), POPREF()) GETFIELD(getfield_b, 1, U1(1), POPREF())
        GETFIELD(getfield_s, 2, U1(1), POPREF()) GETFIELD(getfield_i, 3, U1(1), POPREF())
        GETFIELD(getfield_a_w, 0, U2(1), POPREF()) GETFIELD(getfield_b_w, 1, U2(1), POPREF())
        GETFIELD(getfield_s_w, 2, U2(1), POPREF()) GETFIELD(getfield_i_w, 3, U2(1), POPREF())
        GETFIELD(getfield_a_this, 0, U1(1), THISREF()) GETFIELD(getfield_b_this, 1, U1(1), THISREF())
        GETFIELD(getfield_s_this, 2, U1(1), THISREF()) GETFIELD(getfield_i_this, 3, U1(1), THISREF())
#undef GETFIELD
        /* Stores go through vm_heap_write (transactions); a reference stored must be storable. */
#define PUTFIELD(opname, fk, ci, this_form) case JC_##opname: OPLABEL(opname) { \
            const vm_cpe_t *e = CPE(ci, 2); \
            NEED(((fk) == 3 ? 2 : 1) + ((this_form) ? 0 : 1)); \
            uint32_t v = (fk) == 3 ? (uint32_t)POPI() : POP(); \
            uint16_t ref; \
            if (this_form) THISREF(); else ref = POP(); \
            if (__builtin_expect((uint32_t)ref != oc.ref, 0) && !field_resolve(vm, ref, f->ctx, &oc)) goto throw_; \
            if ((fk) == 0) STORABLE_REF(v); \
            FIELD_CLASS(e); \
            FIELD_CELLS(fk, e); \
            uint8_t b[4]; \
            if ((fk) == 3) cl_put32(b, v); \
            else cl_put16(b, (fk) == 1 ? (uint16_t)(int16_t)(int8_t)v : (uint16_t)v); \
            int r = vm_heap_write(vm->heap, &oc.o, 2u * e->a, b, (fk) == 3 ? 4 : 2, true); \
            if (r) { vm_throw_store_error(vm, r); goto throw_; } \
            NEXT_AS(opname); }
        PUTFIELD(putfield_a, 0, U1(1), false) PUTFIELD(putfield_b, 1, U1(1), false)
        PUTFIELD(putfield_s, 2, U1(1), false) PUTFIELD(putfield_i, 3, U1(1), false)
        PUTFIELD(putfield_a_w, 0, U2(1), false) PUTFIELD(putfield_b_w, 1, U2(1), false)
        PUTFIELD(putfield_s_w, 2, U2(1), false) PUTFIELD(putfield_i_w, 3, U2(1), false)
        PUTFIELD(putfield_a_this, 0, U1(1), true) PUTFIELD(putfield_b_this, 1, U1(1), true)
        PUTFIELD(putfield_s_this, 2, U1(1), true) PUTFIELD(putfield_i_this, 3, U1(1), true)
#undef PUTFIELD
#undef POPREF
#undef THISREF
#undef FIELD_CELLS
#undef FIELD_CLASS

        case JC_invokevirtual: OPLABEL(invokevirtual) {
            const vm_cpe_t *e = CPE(U2(1), 3);
            vm_pkg_t *mp; uint32_t mo; const vm_native_method_t *nm;
            if (!vm_find_virtual(vm, e->cls, (uint8_t)e->a, VM_CLASS_PKG(e->cls), &mp, &mo, &nm)) {
                unbound(vm, "virtual method", e->cls, e->a); goto throw_; }
            int rw = 0;
            int nargs = nm ? native_call_words(nm, true, &rw) : method_nargs(mp, mo);
            if (nargs < 1) { vm_throw_security(vm, "bad method arguments"); goto throw_; }
            NEED(nargs);
            vm_obj_t o;
            GETOBJ(S[sp - nargs], &o);
            if (!vm_fw_can_invoke(vm, &o)) { vm_throw_security(vm, "firewall: method of another context"); goto throw_; }
            uint16_t dyn = o.kind == VM_KIND_INSTANCE ? o.cls : OBJECT_CLASS;
            if (!vm_find_virtual(vm, dyn, (uint8_t)e->a, VM_CLASS_PKG(e->cls), &mp, &mo, &nm)) {
                unbound(vm, "virtual method", dyn, e->a); goto throw_; }
            /* An override takes the same arguments; a CAP that says otherwise is not run. */
            if ((nm ? native_call_words(nm, true, &rw) : method_nargs(mp, mo)) != nargs) {
                vm_throw_security(vm, "override with different arguments"); goto throw_; }
            if (nm) {
                BUDGET_CHECK(); /* natives may run bytecode (Shareable lookups) on the same budget */
                f->sp = sp;
                DROP_CACHES(); /* a native may allocate, abort a transaction, ... */
                if (!call_native(vm, f, nm, nargs, rw)) goto throw_; /* the override's counts, checked above */
                f = &vm->frames[vm->nframes - 1];
                sp = f->sp;
                NEXT_AS(invokevirtual);
            }
            f->sp = sp; /* the callee takes its arguments from the caller's stack */
            if (!push_frame(vm, mp, mo, f->ctx, f->prev_ctx, NULL)) goto throw_;
            goto next;
        }
        case JC_invokespecial: OPLABEL(invokespecial) case JC_invokestatic: OPLABEL(invokestatic) {
            unsigned ci = U2(1);
            if (ci >= ncp) { vm_throw_security(vm, "constant pool index out of range"); goto throw_; }
            vm_cpe_t *e = &cp[ci];
            vm_pkg_t *mp; uint32_t mo = 0; const vm_native_method_t *nm = NULL;
            const vm_method_ext_t *x = NULL;
            if (e->tag == 6) { /* static method ref: internal, other package, or API */
                mp = e->nat ? NULL : vm->pkgs[e->pkg];
                nm = e->nat;
                mo = e->a;
                if (!mp && !nm) { unbound(vm, "static method", e->cls, e->a); goto throw_; }
            } else if (e->tag == 4 && ip[0] == JC_invokespecial) { /* super.m(): start at the superclass */
                vm_class_t *c = vm_class(vm, e->cls);
                if (!c || !vm_find_virtual(vm, c->super, (uint8_t)e->a, VM_CLASS_PKG(e->cls), &mp, &mo, &nm)) {
                    unbound(vm, "super method", e->cls, e->a); goto throw_; }
            } else { vm_throw_security(vm, "wrong constant pool entry for invoke"); goto throw_; }
            if (nm) {
                int rw = 0, nargs;
                if (e->tag == 6 && e->nat_known) { /* counted at the first call of this entry */
                    nargs = e->nat_args;
                    rw = e->nat_ret;
                } else {
                    nargs = native_call_words(nm, nm->kind != VM_NAT_STATIC, &rw);
                    if (e->tag == 6 && nargs >= 0 && nargs <= 127) {
                        e->nat_args = (int8_t)nargs;
                        e->nat_ret = (int8_t)rw;
                        e->nat_known = true;
                    }
                }
                BUDGET_CHECK(); /* natives may run bytecode (Shareable lookups) on the same budget */
                f->sp = sp;
                DROP_CACHES(); /* a native may allocate, abort a transaction, ... */
                if (!call_native(vm, f, nm, nargs, rw)) goto throw_;
                f = &vm->frames[vm->nframes - 1];
                sp = f->sp;
                NEXT_AS(invokespecial);
            }
            if (e->tag == 6 && mp->mext) {
                /* The callee's extent, found once and kept in the constant pool entry; re-checked
                 * against the entry (offset, and that it lies in the callee's table) before use. */
                x = e->ext;
                uintptr_t xa = (uintptr_t)x, t0 = (uintptr_t)mp->mext, t1 = (uintptr_t)(mp->mext + mp->nmext);
                if (!x || xa < t0 || xa >= t1 || x->off != mo) e->ext = x = method_ext(mp, mo);
            }
            f->sp = sp; /* the callee takes its arguments from the caller's stack */
            if (!push_frame_x(vm, mp, mo, x, f->ctx, f->prev_ctx, NULL)) goto throw_;
            ENTER_FRAME_FAST();
        }
        case JC_invokeinterface: OPLABEL(invokeinterface) {
            unsigned nargs = U1(1);
            const vm_cpe_t *e = CPE(U2(2), 1);
            uint8_t tok = U1(4);
            if (nargs < 1) { vm_throw_security(vm, "bad invokeinterface nargs"); goto throw_; }
            NEED(nargs);
            vm_obj_t o;
            GETOBJ(S[sp - nargs], &o);
            uint8_t vtok;
            uint16_t dyn = o.kind == VM_KIND_INSTANCE ? o.cls : OBJECT_CLASS;
            if (!iface_to_virtual(vm, dyn, e->cls, tok, &vtok)) THROW_API(VM_PKG_JAVA_LANG, 8, 0); /* not implemented: ClassCast */
            /* The context the callee runs in: ours for our own objects, the owner's for a Shareable
             * or JCRE entry point call; refused as the firewall rules say. */
            const char *why = NULL;
            int cctx = vm_fw_interface_ctx(vm, &o, e->cls, &why);
            if (cctx < 0) { vm_throw_security(vm, why ? why : "firewall: interface call refused"); goto throw_; }
            uint8_t ctx = (uint8_t)cctx;
            vm_pkg_t *mp; uint32_t mo; const vm_native_method_t *nm;
            if (!vm_find_virtual(vm, dyn, vtok, VM_CLASS_PKG(dyn), &mp, &mo, &nm)) { unbound(vm, "interface method", e->cls, tok); goto throw_; }
            if (nm) {
                int rw = 0;
                if ((int)nargs != native_call_words(nm, true, &rw)) { vm_throw_security(vm, "invokeinterface nargs mismatch"); goto throw_; }
                BUDGET_CHECK(); /* natives may run bytecode (Shareable lookups) on the same budget */
                f->sp = sp;
                DROP_CACHES(); /* a native may allocate, abort a transaction, ... */
                if (!call_native(vm, f, nm, (int)nargs, rw)) goto throw_;
                f = &vm->frames[vm->nframes - 1];
                sp = f->sp;
                NEXT_AS(invokeinterface);
            }
            if (method_nargs(mp, mo) != (int)nargs) { vm_throw_security(vm, "invokeinterface nargs mismatch"); goto throw_; }
            f->sp = sp; /* the callee takes its arguments from the caller's stack */
            if (!push_frame(vm, mp, mo, ctx, ctx != f->ctx ? f->ctx : f->prev_ctx, NULL)) goto throw_;
            goto next;
        }

        case JC_new: OPLABEL(new) {
            const vm_cpe_t *e = CPE(U2(1), 1);
            uint16_t ref;
            DROP_CACHES(); /* an allocation changes the heap */
            if (vm_obj_new_instance(vm, e->cls, f->ctx, &ref)) goto throw_;
            PUSH(ref);
            NEXT_AS(new);
        }
        case JC_newarray: OPLABEL(newarray) {
            NEED(1);
            int16_t n = (int16_t)POP();
            uint8_t t = U1(1);
            if (t < VM_T_BOOLEAN || t > VM_T_INT) { vm_throw_security(vm, "bad newarray type"); goto throw_; }
            uint16_t ref;
            DROP_CACHES(); /* an allocation changes the heap */
            if (vm_obj_new_array(vm, t, 0, n, f->ctx, 0, &ref)) goto throw_;
            PUSH(ref);
            NEXT_AS(newarray);
        }
        case JC_anewarray: OPLABEL(anewarray) {
            const vm_cpe_t *e = CPE(U2(1), 1);
            NEED(1);
            int16_t n = (int16_t)POP();
            uint16_t ref;
            DROP_CACHES(); /* an allocation changes the heap */
            if (vm_obj_new_array(vm, VM_T_REF, e->cls, n, f->ctx, 0, &ref)) goto throw_;
            PUSH(ref);
            NEXT_AS(anewarray);
        }
        case JC_arraylength: OPLABEL(arraylength) {
            NEED(1);
            vm_obj_t o;
            GETOBJ(POP(), &o);
            if (o.kind != VM_KIND_ARRAY) { vm_throw_security(vm, "arraylength of a non-array"); goto throw_; }
            if (!vm_fw_can_access(vm, &o)) { vm_throw_security(vm, "firewall: array of another context"); goto throw_; }
            PUSH((uint16_t)o.len);
            NEXT_AS(arraylength);
        }
        case JC_athrow: OPLABEL(athrow) {
            NEED(1);
            vm_obj_t o;
            GETOBJ(POP(), &o);
            if (!vm_instance_of(vm, &o, 0, THROWABLE_CLASS)) { vm_throw_security(vm, "athrow of a non-Throwable"); goto throw_; }
            if (!vm_fw_can_throw(vm, &o)) { vm_throw_security(vm, "firewall: exception object of another context"); goto throw_; }
            vm->exc = o.handle;
            goto throw_;
        }
        case JC_checkcast: OPLABEL(checkcast) case JC_instanceof: OPLABEL(instanceof) {
            uint8_t at = U1(1);
            uint16_t cls = VM_NO_CLASS;
            if (at == 0 || at == VM_T_REF) cls = CPE(U2(2), 1)->cls;
            else if (at < VM_T_BOOLEAN || at > VM_T_INT) { vm_throw_security(vm, "bad checkcast type"); goto throw_; }
            NEED(1);
            uint16_t ref = live_ref(vm, S[sp - 1]); /* a stale handle passes checkcast, as null does */
            bool ok = false;
            if (ref) {
                vm_obj_t o;
                GETOBJ(ref, &o);
                if (!vm_fw_can_cast(vm, &o, at, cls)) {
                    vm_throw_security(vm, "firewall: checkcast of another context's object"); goto throw_; }
                ok = vm_instance_of(vm, &o, at, cls);
            }
            if (ip[0] == JC_instanceof) { S[sp - 1] = ok ? 1 : 0; NEXT_AS(checkcast); }
            if (ref && !ok) THROW_API(VM_PKG_JAVA_LANG, 8, 0);
            NEXT_AS(checkcast);
        }
        default:
            vm_throw_security(vm, "undefined opcode");
            goto throw_;
        }
        }

    throw_:
        /* An exception is pending (vm->exc) or the run is fatal: find a handler frame by frame. */
        DROP_CACHES(); /* what threw may have changed the heap */
        if (vm->fatal) goto uncaught;
        for (;;) {
            f = &vm->frames[vm->nframes - 1];
            vm_pkg_t *p = f->pkg;
            bool caught = false;
            vm_obj_t eo;
            if (!vm_heap_get(vm->heap, vm->exc, &eo)) goto uncaught;
            for (unsigned i = 0; i < p->nhandlers && 1 + 8u * (i + 1) <= p->methods_len; i++) {
                const uint8_t *hd = p->methods + 1 + 8 * i;
                uint32_t start = cl_get16(hd), alen = cl_get16(hd + 2) & 0x7FFF, hoff = cl_get16(hd + 4);
                uint16_t cti = cl_get16(hd + 6);
                if (f->pc < start || f->pc >= start + alen) continue;
                if (cti) {
                    if (cti >= p->ncp || p->cp[cti].tag != 1) continue;
                    if (!vm_instance_of(vm, &eo, 0, p->cp[cti].cls)) continue;
                }
                if (hoff < f->code || hoff >= f->code_end || f->max_stack < 1) continue;
                f->sp = 0;
                f->stack[f->sp++] = vm->exc;
                f->pc = hoff;
                vm->exc = 0;
                caught = true;
                break;
            }
            if (caught) goto next;
            vm->nframes--;
            if (vm->nframes == base) goto uncaught;
        }
    }

e_setup_pop:
    vm->nframes = base;
e_setup:
    vm_throw_security(vm, "bad entry call");
uncaught_setup:
uncaught:
    vm->steps += run;
    vm->budget = run >= vm->budget ? 0 : vm->budget - run;
    vm->nframes = base;
    vm->sw = vm->fatal ? 0x6F00 : uncaught_sw(vm, vm->exc);
    if (vm->sw == 0x6F00) {
        /* Say which exception ended the applet's command: the first thing an applet writer needs. */
        vm_obj_t eo;
        const char *what = "unknown";
        char idbuf[24];
        if (vm->exc && vm_heap_get(vm->heap, vm->exc, &eo)) {
            vm_class_t *c = vm_class(vm, eo.cls);
            if (c && c->nat) what = c->nat->name;
            else { snprintf(idbuf, sizeof idbuf, "class %04X", eo.cls); what = idbuf; }
        }
        if (vm->last_error[0]) cl_info("vm: uncaught %s -> 6F00: %s", what, vm->last_error);
        else cl_info("vm: uncaught %s -> 6F00", what);
    }
    return VM_RUN_EXCEPTION;
}
