/* vmt_heap_bench: `make bench` figures of the heap's stores (tests/vm/module.mk, bench-vm-heap).
 *   heap_store_<kind>_<memory>_<size>  time of one 2-byte vm_heap_write (what sastore does) into an
 *                                      array of that many bytes, outside a transaction: plain or
 *                                      integrity-sensitive (SensitiveArrays: block CRCs checked and
 *                                      stored with the data), persistent (image write-ahead log) or
 *                                      transient (RAM)
 * A sensitive store's cost should not depend on the array's size (one 256-byte block is checked).
 * Usage: vmt_heap_bench. */
#include "vm/vm.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Microseconds per store into a fresh array of `bytes` bytes with `flags`; -1 on an error. */
static double per_store(vm_t *vm, uint8_t flags, uint32_t bytes, int stores)
{
    uint16_t h;
    vm_obj_t o;
    if (vm_heap_alloc(vm->heap, VM_KIND_ARRAY, flags, 16, VM_T_BYTE, 0, bytes, &h) || !vm_heap_get(vm->heap, h, &o)) return -1;
    double t0 = now();
    for (int i = 0; i < stores; i++) {
        uint8_t v[2] = { (uint8_t)i, (uint8_t)(i >> 8) };
        if (vm_heap_write(vm->heap, &o, (uint32_t)(i * 2) % (bytes - 1), v, 2, true)) return -1;
    }
    return (now() - t0) * 1e6 / stores;
}

int main(void)
{
    char dir[] = "/tmp/cardlet-heapbench-XXXXXX", path[64];
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    snprintf(path, sizeof path, "%s/card.img", dir);
    cl_error_t e = { { 0 } };
    img_t *img;
    vm_t *vm = NULL;
    int rc = 1;
    if (img_open(path, 2u * 1024 * 1024, IMG_SYNC_NORMAL, &img, &e) == 0) vm = vm_open(img, 4096, &e);
    if (!vm) { fprintf(stderr, "vmt_heap_bench: %s\n", e.msg); goto out; }
    static const struct { const char *name; uint8_t flags; uint32_t bytes; int stores; } runs[] = {
        { "heap_store_plain_persistent_256", 0, 256, 20000 },
        { "heap_store_sensitive_persistent_256", VM_OF_INTEGRITY, 256, 20000 },
        { "heap_store_sensitive_persistent_32767", VM_OF_INTEGRITY, 32767, 20000 },
        { "heap_store_plain_transient_256", VM_OF_CLEAR_ON_RESET, 256, 200000 },
        { "heap_store_sensitive_transient_256", VM_OF_CLEAR_ON_RESET | VM_OF_INTEGRITY, 256, 200000 },
        { "heap_store_sensitive_transient_8192", VM_OF_CLEAR_ON_RESET | VM_OF_INTEGRITY, 8192, 200000 },
    };
    rc = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        double us = per_store(vm, runs[i].flags, runs[i].bytes, runs[i].stores);
        if (us < 0) { fprintf(stderr, "vmt_heap_bench: %s failed\n", runs[i].name); rc = 1; continue; }
        printf("%s: %.3f us\n", runs[i].name, us);
    }
out:
    vm_close(vm);
    img_close(img);
    unlink(path);
    snprintf(path, sizeof path, "%s/card.img.wal", dir);
    unlink(path);
    rmdir(dir);
    return rc;
}
