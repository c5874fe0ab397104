/* cap_names: token-file reader for readable disassembly (see cap_names.h). */
#include "cap/cap_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cap/cap_consts.h"

typedef struct { uint8_t aid[CAP_AID_MAX]; uint8_t aid_len; char *name; } pkg_t;
typedef struct { size_t pkg; uint8_t token; char *name; } cls_t;
typedef struct { size_t cls; uint8_t kind, token; char *name; } mem_t;

struct cap_names {
    pkg_t *pkgs; size_t npkgs;
    cls_t *classes; size_t nclasses;
    mem_t *members; size_t nmembers;
};

#define GROW(arr, n) do {                                              \
        void *g_ = realloc((arr), ((n) + 1) * sizeof(*(arr)));         \
        if (!g_) goto oom;                                             \
        (arr) = g_;                                                    \
    } while (0)

cap_names_t *cap_names_load(const char *path, cl_error_t *e)
{
    FILE *f = fopen(path, "r");
    if (!f) { cl_seterr(e, "%s: cannot open", path); return NULL; }
    cap_names_t *n = calloc(1, sizeof(*n));
    if (!n) { fclose(f); cl_seterr(e, "out of memory"); return NULL; }
    char line[1024];
    bool have_pkg = false, have_cls = false;
    while (fgets(line, sizeof(line), f)) {
        char *p = line + strspn(line, " \t");
        p[strcspn(p, "\r\n")] = 0;
        if (*p == '#' || *p == 0) continue;
        char w1[64] = "", w2[64] = "", w3[512] = "", w4[512] = "";
        int k = sscanf(p, "%63s %63s %511s %511s", w1, w2, w3, w4);
        if (k >= 3 && strcmp(w1, "package") == 0) {
            char *aid = strstr(p, "aid=");
            if (!aid) continue;
            GROW(n->pkgs, n->npkgs);
            pkg_t *pk = &n->pkgs[n->npkgs];
            char hex[2 * CAP_AID_MAX + 1];
            size_t hl = strspn(aid + 4, "0123456789abcdefABCDEF");
            if (hl > 2 * CAP_AID_MAX) continue;
            memcpy(hex, aid + 4, hl);
            hex[hl] = 0;
            long len = cl_hex_decode(hex, pk->aid, sizeof(pk->aid));
            if (len < CAP_AID_MIN) continue;
            pk->aid_len = (uint8_t)len;
            pk->name = strdup(w2);
            if (!pk->name) goto oom;
            n->npkgs++;
            have_pkg = true;
            have_cls = false;
            continue;
        }
        /* class / abstract class / interface TOKEN NAME ... */
        const char *tok = NULL, *name = NULL;
        if (strcmp(w1, "class") == 0 || strcmp(w1, "interface") == 0) { tok = w2; name = w3; }
        else if (strcmp(w1, "abstract") == 0 && strcmp(w2, "class") == 0 && k >= 4) { tok = w3; name = w4; }
        if (tok && have_pkg) {
            GROW(n->classes, n->nclasses);
            cls_t *c = &n->classes[n->nclasses];
            c->pkg = n->npkgs - 1;
            c->token = (uint8_t)strtoul(tok, NULL, 10);
            c->name = strdup(name);
            if (!c->name) goto oom;
            n->nclasses++;
            have_cls = true;
            continue;
        }
        if (!have_cls) continue;
        int kind = -1;
        const char *mt = NULL, *mn = NULL;
        if (strcmp(w1, "static") == 0 && strcmp(w2, "method") == 0) { kind = CAP_MK_STATIC_METHOD; mt = w3; mn = w4; }
        else if (strcmp(w1, "virtual") == 0 && strcmp(w2, "method") == 0) { kind = CAP_MK_VIRTUAL_METHOD; mt = w3; mn = w4; }
        else if (strcmp(w1, "constructor") == 0) { kind = CAP_MK_STATIC_METHOD; mt = w2; mn = w3; }
        else if (strcmp(w1, "static") == 0 && strcmp(w2, "field") == 0) { kind = CAP_MK_STATIC_FIELD; mt = w3; mn = w4; }
        else if (strcmp(w1, "instance") == 0 && strcmp(w2, "field") == 0) { kind = CAP_MK_INSTANCE_FIELD; mt = w3; mn = w4; }
        if (kind < 0 || !*mn) continue;
        GROW(n->members, n->nmembers);
        mem_t *m = &n->members[n->nmembers];
        m->cls = n->nclasses - 1;
        m->kind = (uint8_t)kind;
        m->token = (uint8_t)strtoul(mt, NULL, 10);
        m->name = strdup(mn);
        if (!m->name) goto oom;
        n->nmembers++;
    }
    fclose(f);
    return n;
oom:
    fclose(f);
    cap_names_free(n);
    cl_seterr(e, "out of memory");
    return NULL;
}

cap_names_t *cap_names_load_default(void)
{
    cl_error_t e;
    const char *env = getenv("CARDLET_API_TOKENS");
    if (env && *env) return cap_names_load(env, &e);
    cap_names_t *n = cap_names_load("applets/api/javacard-api.tokens", &e);
    if (n) return n;
    /* next to the program: build/bin/cardlet in a source tree, or an installed PREFIX/bin/cardlet */
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0) return NULL;
    exe[len] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = 0;
    static const char *const rel[] = {"/../../applets/api/javacard-api.tokens",    /* build/bin */
                                      "/../../../applets/api/javacard-api.tokens", /* build/<name>/bin */
                                      "/../share/cardlet/javacard-api.tokens"};
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
        char path[4096 + 64];
        snprintf(path, sizeof(path), "%s%s", exe, rel[i]);
        n = cap_names_load(path, &e);
        if (n) return n;
    }
    return NULL;
}

void cap_names_free(cap_names_t *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->npkgs; i++) free(n->pkgs[i].name);
    for (size_t i = 0; i < n->nclasses; i++) free(n->classes[i].name);
    for (size_t i = 0; i < n->nmembers; i++) free(n->members[i].name);
    free(n->pkgs);
    free(n->classes);
    free(n->members);
    free(n);
}

static long find_pkg(const cap_names_t *n, const uint8_t *aid, size_t len)
{
    if (!n) return -1;
    for (size_t i = 0; i < n->npkgs; i++)
        if (n->pkgs[i].aid_len == len && memcmp(n->pkgs[i].aid, aid, len) == 0) return (long)i;
    return -1;
}

static long find_class(const cap_names_t *n, const uint8_t *aid, size_t len, uint8_t token)
{
    long p = find_pkg(n, aid, len);
    if (p < 0) return -1;
    for (size_t i = 0; i < n->nclasses; i++)
        if (n->classes[i].pkg == (size_t)p && n->classes[i].token == token) return (long)i;
    return -1;
}

const char *cap_names_package(const cap_names_t *n, const uint8_t *aid, size_t len)
{
    long p = find_pkg(n, aid, len);
    return p < 0 ? NULL : n->pkgs[p].name;
}

const char *cap_names_class(const cap_names_t *n, const uint8_t *aid, size_t len, uint8_t token)
{
    long c = find_class(n, aid, len, token);
    return c < 0 ? NULL : n->classes[c].name;
}

const char *cap_names_member(const cap_names_t *n, const uint8_t *aid, size_t len, uint8_t class_token,
                             enum cap_member_kind kind, uint8_t token)
{
    long c = find_class(n, aid, len, class_token);
    if (c < 0) return NULL;
    for (size_t i = 0; i < n->nmembers; i++)
        if (n->members[i].cls == (size_t)c && n->members[i].kind == kind && n->members[i].token == token)
            return n->members[i].name;
    return NULL;
}
