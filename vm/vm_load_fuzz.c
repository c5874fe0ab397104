/* libFuzzer target for the loader, linker and verifier: each input is a CAP (JAR or component
 * stream) installed into the VM; when it loads, its applets are installed, then everything is
 * deleted again and the collector runs (so one VM serves many inputs and deletion and
 * compaction get fuzzed too). Whatever the input, the VM must refuse it cleanly or accept it
 * without memory errors, and after the deletion the heap must be back where it was. */
#include "vm/vm.h"
#include "vm/vm_card.h"
#include "vm/vm_gc.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static img_t *img;
static vm_t *vm;
static uint32_t baseline;

static void fresh_vm(void)
{
    char path[64], wal[80];
    snprintf(path, sizeof path, "/tmp/cardlet-vmfuzz-%d.img", (int)getpid());
    snprintf(wal, sizeof wal, "%s.wal", path);
    if (vm) vm_close(vm);
    if (img) img_close(img);
    unlink(path);
    unlink(wal);
    cl_error_t e = { { 0 } };
    if (img_open(path, 512 * 1024, IMG_SYNC_NORMAL, &img, &e)) abort();
    vm = vm_open(img, 4096, &e);
    if (!vm) abort();
    vm_gc(vm, NULL);
    baseline = vm_heap_free_bytes(vm->heap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cl_log_level = 0;
    if (!vm) fresh_vm();
    cl_error_t e = { { 0 } };
    uint8_t slot;
    if (vm_load_install(vm, data, size, &slot, &e) == 0) {
        vm_pkg_t *p = vm->pkgs[slot];
        uint8_t paid[16], plen = p->aid_len;
        memcpy(paid, p->aid, plen);
        for (unsigned i = 0; i < p->napplets; i++)
            vm_install_applet(vm, p->applets[i].aid, p->applets[i].aid_len, NULL, 0, NULL, 0, 0, &e);
        while (vm->napplets > 0) {
            vm_applet_t a = vm->applets[0];
            if (vm_card_delete_applet(vm, a.aid, a.aid_len, &e)) abort(); /* it must always be possible */
        }
        if (vm_card_delete_package(vm, paid, plen, &e)) abort();
    }
    /* Everything the input made is garbage now: the heap must come back to where it was. */
    if (vm_gc(vm, NULL) || vm_heap_free_bytes(vm->heap) != baseline) {
        fprintf(stderr, "heap not back to its baseline: %u != %u\n", vm_heap_free_bytes(vm->heap), baseline);
        abort();
    }
    return 0;
}
