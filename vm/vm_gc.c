/* vm_gc: object deletion (JCSystem.requestObjectDeletion, and after a package or applet is
 * deleted). Marks what is reachable from the heap roots, then vm_heap_compact frees the rest and
 * slides the live objects together.
 *
 * Marking is conservative inside objects: every 16-bit cell of an instance, every element of a
 * reference array and every word of a static field image that names a live object keeps it
 * alive. A short that happens to equal a handle only keeps garbage a little longer; nothing
 * reachable is ever freed, whatever the class layout (API classes of other files included).
 * Runs only between commands: no frame, no transaction, no install in progress. */
#include "vm/vm_gc.h"
#include "vm/api_crypto_int.h" /* api_op_sweep: crypto states of deleted objects go with them */
#include "vm/vm_load.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    vm_t *vm;
    uint8_t *bits;
    uint16_t *stack;
    uint32_t sp;
} mark_t;

static void mark(mark_t *m, uint16_t h)
{
    vm_obj_t o;
    /* any 16-bit value may come here (conservative): validate it before it indexes anything */
    if (!h || !vm_heap_get(m->vm->heap, h, &o) || (m->bits[h / 8] & (1u << (h % 8)))) return;
    m->bits[h / 8] |= (uint8_t)(1u << (h % 8));
    m->stack[m->sp++] = h;
}

/* Blobs that hold no references (CAP component streams): marked, never scanned. */
static bool is_cap_blob(vm_t *vm, uint16_t h)
{
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) {
        uint16_t blob, statics;
        if (!vm_pkg_table_get(vm, (uint8_t)s, &blob, &statics) && blob == h) return true;
    }
    return false;
}

static void scan(mark_t *m, uint16_t h)
{
    vm_t *vm = m->vm;
    vm_obj_t o;
    if (!vm_heap_get(vm->heap, h, &o)) return;
    const uint8_t *d = vm_heap_data(vm->heap, &o);
    if (!d) return;
    if (o.kind == VM_KIND_ARRAY && o.etype != VM_T_REF) return;
    if (o.kind == VM_KIND_BLOB && is_cap_blob(vm, h)) return;
    for (uint32_t i = 0; i + 1 < o.data_len; i += 2) mark(m, cl_get16(d + i));
}

/* Sets the keep bit of every void handle a 16-bit word names. */
static void keep_word(vm_heap_t *heap, uint8_t *keep, uint16_t w)
{
    if (w && vm_heap_is_void(heap, w)) keep[w / 8] |= (uint8_t)(1u << (w % 8));
}

int vm_gc_forget_void(vm_t *vm)
{
    vm_heap_t *heap = vm->heap;
    if (!vm_heap_void_count(heap)) return 0;
    uint32_t n = vm_heap_handle_count(heap);
    uint8_t *keep = calloc(n / 8 + 1, 1);
    if (!keep) return -1;
    for (uint32_t hd = 1; hd < n; hd++) {
        vm_obj_t o;
        if (!vm_heap_get(heap, (uint16_t)hd, &o)) continue;
        const uint8_t *d = vm_heap_data(heap, &o);
        for (uint32_t i = 0; d && i + 1 < o.data_len; i += 2) keep_word(heap, keep, cl_get16(d + i));
    }
    /* Locals and operand stacks of running frames (all words: conservative). Between commands no
     * frame runs and the stack's old words name nothing. */
    for (uint32_t i = 0; vm->nframes && i < VM_STACK_WORDS; i++) keep_word(heap, keep, vm->stack_words[i]);
    keep_word(heap, keep, vm->exc);
    keep_word(heap, keep, vm->registered_obj);
    vm_heap_void_forget(heap, keep);
    free(keep);
    return 0;
}

int vm_gc(vm_t *vm, uint32_t *reclaimed)
{
    if (vm->nframes || vm->tx_depth || vm->installing || img_group_open(vm->img)) return -1;
    uint32_t n = vm_heap_handle_count(vm->heap);
    mark_t m = { vm, calloc(n / 8 + 1, 1), malloc(sizeof(uint16_t) * (n + 1)), 0 };
    if (!m.bits || !m.stack) { free(m.bits); free(m.stack); return -1; }
    for (unsigned r = 0; r < VM_HEAP_ROOTS; r++) mark(&m, vm_heap_root(vm->heap, r));
    for (int i = 0; i < vm->napplets; i++) { mark(&m, vm->applets[i].obj); mark(&m, vm->applets[i].aid_obj); }
    for (int s = 0; s < VM_MAX_PKGS; s++)
        if (vm->pkgs[s]) { mark(&m, vm->pkgs[s]->statics); mark(&m, vm->pkgs[s]->blob); }
    while (m.sp) scan(&m, m.stack[--m.sp]);
    long r = vm_heap_compact(vm->heap, m.bits);
    free(m.bits);
    free(m.stack);
    if (r < 0) return -1;
    api_op_sweep(vm);      /* host-side crypto states (key bytes) of deleted objects are wiped now */
    vm_gc_forget_void(vm); /* between commands only transient arrays can still name a void handle */
    if (reclaimed) *reclaimed = (uint32_t)r;
    return 0;
}
