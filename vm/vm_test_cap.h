/* vm_test_cap: the sample and test applets' CAP files for vm/ test programs (header-only).
 * A test program is <BUILD>/test/vm/NAME; the CAPs are built into <BUILD>/applets. A program
 * whose CAPs are not make prerequisites of it (vm/module.mk) brings them up to date itself,
 * in its own build tree and flavour, when run from the source tree. */
#ifndef VM_TEST_CAP_H
#define VM_TEST_CAP_H

#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cl_util.h"

/* The build flavour this program was compiled in (gcc says __SANITIZE_ADDRESS__, clang __has_feature). */
#if defined(__SANITIZE_ADDRESS__)
#define VT_SAN_ARG " SAN=1"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VT_SAN_ARG " SAN=1"
#endif
#endif
#ifndef VT_SAN_ARG
#define VT_SAN_ARG ""
#endif

/* The build tree of this program (three levels above it); "." when it cannot be told, so a
 * missing CAP is then reported by its relative path. */
static inline void vt_build_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) { snprintf(out, cap, "."); return; }
    exe[n] = 0;
    snprintf(out, cap, "%s", dirname(dirname(dirname(exe))));
}

static inline void vt_cap_path(const char *build_dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/applets/%s.cap", build_dir, name);
}

/* Runs make for the CAPs named (NULL-terminated list) when run from the source tree (a no-op when
 * they are up to date); a failure is reported, and the read that follows names the missing file. */
static inline void vt_ensure_caps(const char *build_dir, const char *const *names)
{
    if (access("Makefile", R_OK) != 0 || access("applets", R_OK) != 0) return; /* not in the source tree */
    char cmd[8192];
    int n = snprintf(cmd, sizeof cmd, "make --no-print-directory -s BUILD='%s'%s", build_dir, VT_SAN_ARG);
    for (size_t i = 0; names[i] && n > 0 && (size_t)n < sizeof cmd; i++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s/applets/%s.cap'", build_dir, names[i]);
    if (n <= 0 || (size_t)n >= sizeof cmd - 8) return;
    snprintf(cmd + n, sizeof cmd - (size_t)n, " >&2");
    if (system(cmd) != 0) fprintf(stderr, "could not build the test CAPs\n");
}

/* The CAP file's bytes (malloc'd); fails the test when it is missing. */
static inline uint8_t *vt_read_cap(const char *build_dir, const char *name, size_t *len)
{
    char path[PATH_MAX + 64];
    vt_cap_path(build_dir, name, path, sizeof path);
    cl_error_t e = { { 0 } };
    uint8_t *b = cl_read_file(path, 4u << 20, len, &e);
    ck_assert_msg(b != NULL, "%s (build it with make applets)", e.msg);
    return b;
}

#endif
