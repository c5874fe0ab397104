/* conv_testlib: helpers shared by the converter's unit tests (header only: every *_test.c is its
 * own program). Finds the compiled Java test inputs (conv/module.mk puts them in
 * BUILD/conv-tests), writes the API export files from the token list, converts a test package and
 * lists a translated method as text:
 *     "sload_0 sload_1 sadd sreturn"
 * Operands: constants and local indices in decimal, branches as signed relative offsets (+4),
 * constant pool operands as '#' plus the entry kind (C class, F instance field, V virtual method,
 * S super method, s static field, M static method) and, for F/V/S, the token: "invokevirtual #V1". */
#ifndef CONV_TESTLIB_H
#define CONV_TESTLIB_H

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap/jc_opcodes.h"
#include "conv/conv_export.h"
#include "conv/conv_pkg.h"

static char ct_build[PATH_MAX / 2];   /* BUILD directory of this test program */
static char ct_exports[PATH_MAX]; /* API export files written for this run */

/* BUILD is three levels above BUILD/test/conv/<program>. */
static inline int ct_find_build(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = 0;
    for (int i = 0; i < 3; i++) {
        char *s = strrchr(exe, '/');
        if (!s) return -1;
        *s = 0;
    }
    if (snprintf(ct_build, sizeof ct_build, "%s", exe) >= (int)sizeof ct_build) return -1;
    return 0;
}

static inline void ct_path(char *out, size_t cap, const char *sub)
{
    if (snprintf(out, cap, "%s/conv-tests/%s", ct_build, sub) >= (int)cap) out[0] = 0;
}

static inline int ct_exists(const char *sub)
{
    char p[PATH_MAX];
    struct stat st;
    ct_path(p, sizeof p, sub);
    return stat(p, &st) == 0;
}

/* Writes the API export files (from applets/api/javacard-api.tokens) into a per-process
 * directory, so parallel test programs do not share files. */
static inline int ct_write_exports(void)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "exports-%ld", (long)getpid());
    ct_path(ct_exports, sizeof ct_exports, dir);
    cl_error_t e;
    size_t len;
    uint8_t *t = cl_read_file("applets/api/javacard-api.tokens", 4u << 20, &len, &e);
    if (!t) return -1;
    conv_export_t *pk = NULL;
    int n = 0;
    int rc = conv_tokens_parse((const char *)t, len, "tokens", &pk, &n, &e);
    free(t);
    if (rc) return -1;
    for (int i = 0; i < n && !rc; i++) {
        char path[PATH_MAX + 200];
        size_t bl;
        uint8_t *b = conv_export_write(&pk[i], &bl, &e);
        if (!b || conv_export_path(ct_exports, pk[i].name, path, sizeof path)) { free(b); rc = -1; break; }
        char cmd[PATH_MAX + 300];
        char d[PATH_MAX + 200];
        snprintf(d, sizeof d, "%s", path);
        *strrchr(d, '/') = 0;
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
        if (system(cmd) != 0 || cl_write_file_atomic(path, b, bl, &e)) rc = -1;
        free(b);
    }
    conv_export_free_all(pk, n);
    return rc;
}

static inline void ct_remove_exports(void)
{
    if (!ct_exports[0]) return;
    char cmd[PATH_MAX + 20];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ct_exports);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", ct_exports);
}

/* Common main: skips (77) when the compiled inputs are missing (no javac). prepare (may be NULL)
 * runs once before the tests, in the parent, so forked tests share what it builds. */
static inline int ct_main(Suite *s, int (*prepare)(void))
{
    if (ct_find_build() || !ct_exists("classes.stamp") || ct_exists("no-javac")) {
        printf("SKIP: compiled Java test inputs missing (javac not installed?)\n");
        return 77;
    }
    if (ct_exists("javac-failed")) {
        printf("FAIL: compiling the Java test inputs failed (see the make output: conv/tests/build-java.sh)\n");
        return 1;
    }
    if (ct_write_exports()) { printf("cannot write the API export files\n"); return 1; }
    if (prepare && prepare()) { ct_remove_exports(); return 1; }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ct_remove_exports();
    return failed ? 1 : 0;
}

/* Converts test package sub (a directory under BUILD/conv-tests holding the class files under their package path). */
static inline int ct_convert(conv_pkg_t *p, const char *sub, const char *pkg, int int_yes, cl_error_t *e)
{
    memset(p, 0, sizeof *p);
    char dir[PATH_MAX];
    ct_path(dir, sizeof dir, sub);
    if (conv_conf_set_package(&p->conf, pkg, e)) return -1;
    conv_conf_set_aid(p->conf.aid, &p->conf.aid_len, "F0636172640F01", e);
    p->conf.major = 1;
    p->conf.int_support = int_yes;
    p->exportpath = ct_exports;
    return conv_pkg_load(p, dir, e) || conv_pkg_tokens(p, e) || conv_pkg_translate(p, e) ? -1 : 0;
}

static inline void ct_free(conv_pkg_t *p)
{
    conv_conf_free(&p->conf);
    conv_pkg_free(p);
}

static inline conv_method_t *ct_method(conv_pkg_t *p, const char *cls, const char *name, const char *desc)
{
    for (int i = 0; i < p->class_count; i++) {
        const char *n = strrchr(p->classes[i].name, '/');
        if (strcmp(n ? n + 1 : p->classes[i].name, cls)) continue;
        for (int k = 0; k < p->classes[i].method_count; k++) {
            conv_method_t *m = &p->classes[i].methods[k];
            if (!strcmp(m->cf->name, name) && (!desc || !strcmp(m->cf->desc, desc))) return m;
        }
    }
    return NULL;
}

static inline conv_class_t *ct_class(conv_pkg_t *p, const char *cls)
{
    for (int i = 0; i < p->class_count; i++) {
        const char *n = strrchr(p->classes[i].name, '/');
        if (!strcmp(n ? n + 1 : p->classes[i].name, cls)) return &p->classes[i];
    }
    return NULL;
}

static inline void ct_cp_text(const conv_pkg_t *p, unsigned idx, char *out, size_t cap)
{
    if (idx >= (unsigned)p->cp_count) { snprintf(out, cap, "#?"); return; }
    const conv_cpe_t *c = &p->cp[idx];
    switch (c->tag) {
    case 1: snprintf(out, cap, "#C"); break;
    case 2: snprintf(out, cap, "#F%d", c->token); break;
    case 3: snprintf(out, cap, "#V%d", c->token); break;
    case 4: snprintf(out, cap, "#S%d", c->token); break;
    case 5: snprintf(out, cap, "#s"); break;
    default: snprintf(out, cap, "#M"); break;
    }
}

/* The translated bytecode of m as text (static buffer, valid until the next call). */
static inline const char *ct_disasm(const conv_pkg_t *p, const conv_method_t *m)
{
    static char out[16384];
    size_t o = 0;
    out[0] = 0;
    if (!m || !m->code) return "(no code)";
    for (int pc = 0; pc < m->code_len;) {
        const uint8_t *c = m->code + pc;
        int op = c[0], len = jc_insn_len(c, (size_t)(m->code_len - pc));
        const char *name = jc_opcode_name(op);
        if (len <= 0 || !name) { snprintf(out + o, sizeof out - o, " BAD"); return out; }
        char ops[256] = "", cp[32];
        switch (jc_opcode_format(op)) {
        case JC_OPF_BYTE: snprintf(ops, sizeof ops, " %d", (int8_t)c[1]); break;
        case JC_OPF_SHORT: snprintf(ops, sizeof ops, " %d", (int16_t)cl_get16(c + 1)); break;
        case JC_OPF_INT: snprintf(ops, sizeof ops, " %d", (int32_t)cl_get32(c + 1)); break;
        case JC_OPF_LOCAL: snprintf(ops, sizeof ops, " %u", c[1]); break;
        case JC_OPF_LOCAL_INC: snprintf(ops, sizeof ops, " %u %d", c[1], (int8_t)c[2]); break;
        case JC_OPF_LOCAL_INC_W: snprintf(ops, sizeof ops, " %u %d", c[1], (int16_t)cl_get16(c + 2)); break;
        case JC_OPF_MN: snprintf(ops, sizeof ops, " 0x%02x", c[1]); break;
        case JC_OPF_BRANCH: snprintf(ops, sizeof ops, " %+d", (int8_t)c[1]); break;
        case JC_OPF_BRANCH_W: snprintf(ops, sizeof ops, " %+d", (int16_t)cl_get16(c + 1)); break;
        case JC_OPF_CP_BYTE: ct_cp_text(p, c[1], cp, sizeof cp); snprintf(ops, sizeof ops, " %s", cp); break;
        case JC_OPF_CP: ct_cp_text(p, cl_get16(c + 1), cp, sizeof cp); snprintf(ops, sizeof ops, " %s", cp); break;
        case JC_OPF_ATYPE: snprintf(ops, sizeof ops, " %u", c[1]); break;
        case JC_OPF_ATYPE_CP:
            if (c[1] >= 10 && c[1] <= 13) snprintf(ops, sizeof ops, " %u", c[1]);
            else { ct_cp_text(p, cl_get16(c + 2), cp, sizeof cp); snprintf(ops, sizeof ops, " %u %s", c[1], cp); }
            break;
        case JC_OPF_INVOKEINTERFACE:
            ct_cp_text(p, cl_get16(c + 2), cp, sizeof cp);
            snprintf(ops, sizeof ops, " %u %s %u", c[1], cp, c[4]);
            break;
        case JC_OPF_STABLESWITCH: {
            int lo = (int16_t)cl_get16(c + 3), hi = (int16_t)cl_get16(c + 5);
            int n = snprintf(ops, sizeof ops, " %d %d %d", (int16_t)cl_get16(c + 1), lo, hi);
            for (int k = 0; k <= hi - lo && n < 200; k++) n += snprintf(ops + n, sizeof ops - (size_t)n, " %d", (int16_t)cl_get16(c + 7 + 2 * k));
            break;
        }
        case JC_OPF_ITABLESWITCH: {
            int lo = (int32_t)cl_get32(c + 3), hi = (int32_t)cl_get32(c + 7);
            int n = snprintf(ops, sizeof ops, " %d %d %d", (int16_t)cl_get16(c + 1), lo, hi);
            for (int k = 0; k <= hi - lo && n < 200; k++) n += snprintf(ops + n, sizeof ops - (size_t)n, " %d", (int16_t)cl_get16(c + 11 + 2 * k));
            break;
        }
        case JC_OPF_SLOOKUPSWITCH: {
            int np = cl_get16(c + 3);
            int n = snprintf(ops, sizeof ops, " %d %d", (int16_t)cl_get16(c + 1), np);
            for (int k = 0; k < np && n < 200; k++)
                n += snprintf(ops + n, sizeof ops - (size_t)n, " %d:%d", (int16_t)cl_get16(c + 5 + 4 * k), (int16_t)cl_get16(c + 7 + 4 * k));
            break;
        }
        case JC_OPF_ILOOKUPSWITCH: {
            int np = cl_get16(c + 3);
            int n = snprintf(ops, sizeof ops, " %d %d", (int16_t)cl_get16(c + 1), np);
            for (int k = 0; k < np && n < 200; k++)
                n += snprintf(ops + n, sizeof ops - (size_t)n, " %d:%d", (int32_t)cl_get32(c + 5 + 6 * k), (int16_t)cl_get16(c + 9 + 6 * k));
            break;
        }
        default: break;
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s%s", o ? " " : "", name, ops);
        if (o >= sizeof out - 64) break;
        pc += len;
    }
    return out;
}

#endif
