/* cardlet cap: the Java Card toolchain commands.
 *   cap build   class files of one package -> CAP file (+ export file)      (conv/)
 *   cap export  API token list -> standard export files of the API packages (conv/)
 *   cap dump    human-readable listing of a CAP file                        (cap/cap_dump) */
#include "cli/cli.h"
#include "common/cl_util.h"
#include "conv/conv_export.h"
#include "conv/conv_pkg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include("cap/cap_dump.h")
#include "cap/cap_dump.h"
#define HAVE_CAP_DUMP 1
#endif
#endif

static void usage(FILE *o)
{
    fprintf(o,
            "usage: cardlet cap build --conf DIR/cap.conf --classes CLASSDIR --exportpath DIR[:DIR...] --out FILE.cap\n"
            "                         [--exp-out FILE.exp]\n"
            "       cardlet cap build --package NAME --aid HEX --version M.N [--applet CLASS=AID]... [--int]\n"
            "                         --classes CLASSDIR --exportpath DIR[:DIR...] --out FILE.cap [--exp-out FILE.exp]\n"
            "       cardlet cap export --tokens FILE --out EXPDIR\n"
            "       cardlet cap dump FILE.cap\n");
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return -1;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == 0) {
            char c = tmp[i];
            tmp[i] = 0;
            if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
            tmp[i] = c;
        }
    }
    return 0;
}

static int write_out(const char *path, const uint8_t *d, size_t n)
{
    cl_error_t e;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *sl = strrchr(dir, '/');
    if (sl && sl != dir) { *sl = 0; if (mkdirs(dir)) { fprintf(stderr, "cardlet cap: cannot create %s\n", dir); return -1; } }
    if (cl_write_file_atomic(path, d, n, &e)) { fprintf(stderr, "cardlet cap: %s\n", e.msg); return -1; }
    /* the atomic writer's temporary file is private (0600); build outputs are ordinary files */
    mode_t um = umask(0);
    umask(um);
    if (chmod(path, 0666 & ~um)) { fprintf(stderr, "cardlet cap: cannot set the mode of %s\n", path); return -1; }
    return 0;
}

static int cmd_build(int argc, char **argv)
{
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    conf.major = 1;
    const char *confpath = NULL, *classes = NULL, *exportpath = NULL, *out = NULL, *expout = NULL;
    cl_error_t e;
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); conv_conf_free(&conf); return 0; }
        if (!strcmp(a, "--int")) { conf.int_support = 1; continue; }
        if (!v) { fprintf(stderr, "cardlet cap build: %s needs a value\n", a); goto bad; }
        i++;
        if (!strcmp(a, "--conf")) confpath = v;
        else if (!strcmp(a, "--classes")) classes = v;
        else if (!strcmp(a, "--exportpath")) exportpath = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--exp-out")) expout = v;
        else if (!strcmp(a, "--package")) { if (conv_conf_set_package(&conf, v, &e)) goto badv; }
        else if (!strcmp(a, "--aid")) { if (conv_conf_set_aid(conf.aid, &conf.aid_len, v, &e)) goto badv; }
        else if (!strcmp(a, "--version")) { if (conv_conf_set_version(&conf, v, &e)) goto badv; }
        else if (!strcmp(a, "--applet")) {
            const char *eq = strchr(v, '=');
            char cls[256];
            if (!eq || (size_t)(eq - v) >= sizeof cls) { fprintf(stderr, "cardlet cap build: --applet CLASS=AID\n"); goto bad; }
            memcpy(cls, v, (size_t)(eq - v));
            cls[eq - v] = 0;
            if (conv_conf_add_applet(&conf, cls, eq + 1, &e)) goto badv;
        } else { fprintf(stderr, "cardlet cap build: unknown option %s\n", a); goto bad; }
    }
    if (confpath) {
        size_t len;
        uint8_t *t = cl_read_file(confpath, 1u << 16, &len, &e);
        if (!t) { fprintf(stderr, "cardlet cap build: %s\n", e.msg); goto bad; }
        int prc = conv_conf_parse(&conf, (const char *)t, len, confpath, &e);
        free(t);
        if (prc) goto badv;
    }
    if (!classes || !out || !conf.package || !conf.aid_len) {
        fprintf(stderr, "cardlet cap build: --classes, --out, a package name and its AID are required\n");
        goto bad;
    }
    uint8_t *cap = NULL, *exp = NULL;
    size_t cap_len = 0, exp_len = 0;
    if (conv_convert(&conf, classes, exportpath ? exportpath : "", &cap, &cap_len, expout ? &exp : NULL, &exp_len, &e)) {
        fprintf(stderr, "cardlet cap build: error: %s\n", e.msg);
        rc = 1;
        goto done;
    }
    rc = write_out(out, cap, cap_len) ? 1 : 0;
    if (!rc && expout && exp && write_out(expout, exp, exp_len)) {
        unlink(out);   /* all or nothing: no CAP file without its export file */
        rc = 1;
    }
    free(cap);
    free(exp);
    goto done;
badv:
    fprintf(stderr, "cardlet cap build: %s\n", e.msg);
bad:
    usage(stderr);
    rc = 2;
done:
    conv_conf_free(&conf);
    return rc;
}

static int cmd_export(int argc, char **argv)
{
    const char *tokens = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { usage(stdout); return 0; }
        if (i + 1 >= argc) { fprintf(stderr, "cardlet cap export: %s needs a value\n", argv[i]); usage(stderr); return 2; }
        if (!strcmp(argv[i], "--tokens")) tokens = argv[++i];
        else if (!strcmp(argv[i], "--out")) out = argv[++i];
        else { fprintf(stderr, "cardlet cap export: unknown option %s\n", argv[i]); usage(stderr); return 2; }
    }
    if (!tokens || !out) { usage(stderr); return 2; }
    cl_error_t e;
    size_t len;
    uint8_t *t = cl_read_file(tokens, 4u << 20, &len, &e);
    if (!t) { fprintf(stderr, "cardlet cap export: %s\n", e.msg); return 1; }
    conv_export_t *pk = NULL;
    int n = 0;
    int prc = conv_tokens_parse((const char *)t, len, tokens, &pk, &n, &e);
    free(t);
    if (prc) { fprintf(stderr, "cardlet cap export: %s\n", e.msg); return 1; }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        size_t bl;
        uint8_t *b = conv_export_write(&pk[i], &bl, &e);
        char path[8192];
        if (!b) { fprintf(stderr, "cardlet cap export: %s: %s\n", pk[i].name, e.msg); rc = 1; break; }
        if (conv_export_path(out, pk[i].name, path, sizeof path) || write_out(path, b, bl)) rc = 1;
        free(b);
    }
    conv_export_free_all(pk, n);
    return rc;
}

static int cmd_cap(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "build")) return cmd_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "export")) return cmd_export(argc - 1, argv + 1);
    if (!strcmp(argv[1], "dump")) {
        if (argc != 3) { usage(stderr); return 2; }
#ifdef HAVE_CAP_DUMP
        cl_error_t e;
        if (cap_dump_file(argv[2], stdout, &e)) { fprintf(stderr, "cardlet cap dump: %s\n", e.msg); return 1; }
        return 0;
#else
        fprintf(stderr, "cardlet cap dump: not available in this build\n");
        return 1;
#endif
    }
    fprintf(stderr, "cardlet cap: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

CLI_REGISTER(cap, "Java Card toolchain: build CAP files, export files, dump", cmd_cap)
