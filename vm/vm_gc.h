/* vm_gc: garbage collection of the persistent heap (see vm_gc.c). */
#ifndef VM_GC_H
#define VM_GC_H

#include "vm/vm_rt.h"

/* Frees every object nothing reachable refers to and compacts the heap. Only between commands.
 * Returns 0 (bytes reclaimed in *reclaimed, may be NULL) or -1 (not now, or an I/O error;
 * the heap stays consistent either way). */
int vm_gc(vm_t *vm, uint32_t *reclaimed);

/* JCRE 7.6.3: lets the void handles (objects of aborted transactions) that nothing can name any
 * more be allocated again. Conservative: a void handle stays void while any 16-bit word of any
 * object's data (persistent or transient RAM), of the VM's stack (while a frame runs) or the
 * pending exception equals it. Safe during a command (vm_obj retries an allocation with it when the handles ran
 * out); vm_gc runs it too. Returns 0, or -1 when out of host memory (nothing changed). */
int vm_gc_forget_void(vm_t *vm);

#endif
