/* libFuzzer target for the loader, linker and verifier: each input is a CAP (JAR or component
 * stream) installed into a fresh VM heap; when it loads, its applets are installed too. Whatever
 * the input, the VM must refuse it cleanly or accept it without memory errors. */
#include "vm/vm.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) snprintf(path, sizeof path, "/tmp/cardlet-vmfuzz-%d.img", (int)getpid());
    unlink(path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s.wal", path);
    unlink(wal);
    img_t *img;
    cl_error_t e = { { 0 } };
    if (img_open(path, 256 * 1024, IMG_SYNC_NORMAL, &img, &e)) abort();
    vm_t *vm = vm_open(img, 4096, &e);
    if (!vm) abort();
    uint8_t slot;
    cl_log_level = 0;
    if (vm_load_install(vm, data, size, &slot, &e) == 0) {
        vm_pkg_t *p = vm->pkgs[slot];
        for (unsigned i = 0; p && i < p->napplets; i++)
            vm_install_applet(vm, p->applets[i].aid, p->applets[i].aid_len, NULL, 0, NULL, 0, 0, &e);
    }
    vm_close(vm);
    img_close(img);
    return 0;
}
