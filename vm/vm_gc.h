/* vm_gc: garbage collection of the persistent heap (see vm_gc.c). */
#ifndef VM_GC_H
#define VM_GC_H

#include "vm/vm_rt.h"

/* Frees every object nothing reachable refers to and compacts the heap. Only between commands.
 * Returns 0 (bytes reclaimed in *reclaimed, may be NULL) or -1 (not now, or an I/O error;
 * the heap stays consistent either way). */
int vm_gc(vm_t *vm, uint32_t *reclaimed);

#endif
