/* vm_test_util: helpers shared by the vm/ test programs (header-only; tests are single files).
 * A fresh image per test, and a package assembled by hand (Method bytes, resolved constant pool,
 * classes) placed in slot 16, so the interpreter can be tested without a converter. */
#ifndef VM_TEST_UTIL_H
#define VM_TEST_UTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cap/jc_opcodes.h"
#include "vm/vm.h"
#include "vm/vm_native.h"
#include "vm/vm_rt.h"

typedef struct {
    char dir[128];
    char path[160];
    img_t *img;
    vm_t *vm;
} vt_env_t;

static inline void vt_open(vt_env_t *t, bool fresh)
{
    cl_error_t e = { { 0 } };
    if (fresh) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(t->dir, sizeof t->dir, "%s/cardlet-vm-XXXXXX", base);
        ck_assert_ptr_nonnull(mkdtemp(t->dir));
        snprintf(t->path, sizeof t->path, "%s/card.img", t->dir);
    }
    ck_assert_msg(img_open(t->path, 512 * 1024, IMG_SYNC_NORMAL, &t->img, &e) == 0, "img_open: %s", e.msg);
    t->vm = vm_open(t->img, 4096, &e);
    ck_assert_msg(t->vm != NULL, "vm_open: %s", e.msg);
}

static inline void vt_close(vt_env_t *t)
{
    vm_close(t->vm);
    img_close(t->img);
    t->vm = NULL;
    t->img = NULL;
}

static int vt_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

static inline void vt_cleanup(vt_env_t *t)
{
    if (t->vm) vt_close(t);
    nftw(t->dir, vt_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A hand-made package: methods[] is the Method component info (handler_count first). */
typedef struct {
    vm_pkg_t pkg;
    uint8_t methods[4096];
    vm_cpe_t cp[64];
    vm_class_t classes[8];
    vm_method_ext_t mext[64];   /* what the loader records: each method's bytecode extent */
} vt_pkg_t;

static inline vt_pkg_t *vt_pkg(vt_env_t *t, uint8_t slot, uint32_t static_bytes)
{
    vt_pkg_t *p = calloc(1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    p->pkg.slot = slot;
    p->pkg.has_int = true;
    p->pkg.methods = p->methods;
    p->pkg.cp = p->cp;
    p->pkg.ncp = 64;
    p->pkg.classes = p->classes;
    p->pkg.aid_len = 7;
    memcpy(p->pkg.aid, "\xF0\x63\x61\x72\x64\x09\x01", 7);
    p->pkg.aid[6] = slot;
    for (int i = 0; i < 8; i++) p->classes[i].id = VM_NO_CLASS;
    if (static_bytes) {
        ck_assert_int_eq(vm_heap_alloc(t->vm->heap, VM_KIND_BLOB, 0, slot, 0, 0, static_bytes, &p->pkg.statics), 0);
    }
    t->vm->pkgs[slot] = &p->pkg;
    return p;
}

/* Native binding of an API method into a constant pool slot. */
static inline void vt_cp_native(vt_pkg_t *p, int idx, uint8_t pkg, uint8_t cls, uint8_t kind, uint8_t token)
{
    const vm_native_class_t *c = vm_native_class(pkg, cls);
    ck_assert_ptr_nonnull(c);
    p->cp[idx].tag = 6;
    p->cp[idx].cls = VM_CLASS_ID(pkg, cls);
    p->cp[idx].nat = vm_native_method(c, kind, token);
    ck_assert_ptr_nonnull(p->cp[idx].nat);
}

static inline void vt_cp_class(vt_pkg_t *p, int idx, uint16_t cls) { p->cp[idx].tag = 1; p->cp[idx].cls = cls; }

/* Writes a method (2-byte header) at *at in the Method info; returns its offset. */
static inline uint32_t vt_method(vt_pkg_t *p, uint32_t *at, uint8_t max_stack, uint8_t nargs, uint8_t max_locals,
                                 const uint8_t *code, size_t len)
{
    uint32_t off = *at;
    ck_assert(max_stack < 16 && nargs < 16 && max_locals < 16);
    p->methods[off] = max_stack;
    p->methods[off + 1] = (uint8_t)(nargs << 4 | max_locals);
    memcpy(p->methods + off + 2, code, len);
    *at = off + 2 + (uint32_t)len;
    if (*at > p->pkg.methods_len) p->pkg.methods_len = *at;
    /* Methods are written in ascending order, like the loader's sorted table. */
    ck_assert_uint_lt(p->pkg.nmext, 64);
    ck_assert(p->pkg.nmext == 0 || p->mext[p->pkg.nmext - 1].off < off);
    p->pkg.mext = p->mext; /* from the first vt_method on; methods written by hand use the whole area */
    p->mext[p->pkg.nmext++] = (vm_method_ext_t){ (uint16_t)off, (uint16_t)(off + 2), (uint16_t)*at, max_stack, nargs,
                                                 max_locals };
    return off;
}

static inline void vt_unlink(vt_env_t *t, vt_pkg_t *p)
{
    t->vm->pkgs[p->pkg.slot] = NULL;
    free(p);
}

/* Runs method m with args; returns the status word (0x9000 for a normal return). */
static inline int vt_run(vt_env_t *t, vt_pkg_t *p, uint32_t m, const uint16_t *args, int nargs, uint16_t ret[2])
{
    uint16_t r2[2];
    if (!ret) ret = r2;
    enum vm_run r = vm_run_method(t->vm, &p->pkg, m, p->pkg.slot, args, nargs, ret);
    return r == VM_RUN_OK ? 0x9000 : t->vm->sw;
}

#endif
