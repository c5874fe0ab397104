/* vm_native: the registry of C API classes and their binding into the VM's class tables. */
#include "vm/vm_native.h"
#include "cap/cap_consts.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The API packages this card implements (AIDs and versions from applets/api/javacard-api.tokens). */
static const vm_native_pkg_def_t api_pkgs[] = {
    { VM_PKG_JAVA_LANG, "java/lang", 7, { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x00, 0x01 }, 1, 0 },
    { VM_PKG_FRAMEWORK, "javacard/framework", 7, { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01 }, 1, 6 },
    { VM_PKG_SECURITY, "javacard/security", 7, { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x02 }, 1, 6 },
    { VM_PKG_CRYPTO, "javacardx/crypto", 7, { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x02, 0x01 }, 1, 6 },
    { VM_PKG_APDUX, "javacardx/apdu", 7, { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x02, 0x09 }, 1, 0 },
};

/* Areas implemented in vm/ itself (referenced here so the static archive pulls them in). */
extern const vm_native_area_t vm_api_lang, vm_api_fw_exc, vm_api_fw_applet, vm_api_fw_system, vm_api_fw_pin,
    vm_api_fw_apdu, vm_api_fw_sensitive;
/* javacard.security and javacardx.crypto (vm/api_security.c, vm/api_crypto.c). Referenced by
 * name, not only through their VM_NATIVE_AREA constructors: a static archive member nothing
 * refers to is never linked in (a weak reference does not pull it either). */
extern const vm_native_area_t vm_api_security, vm_api_crypto;

#define VM_MAX_AREAS 32
static const vm_native_area_t *registered[VM_MAX_AREAS];
static size_t nregistered;

void vm_native_register(const vm_native_area_t *area)
{
    for (size_t i = 0; i < nregistered; i++)
        if (registered[i] == area) return;
    if (nregistered < VM_MAX_AREAS) registered[nregistered++] = area;
}

static void register_builtin(void)
{
    static bool done;
    if (done) return;
    done = true;
    const vm_native_area_t *builtin[] = { &vm_api_lang, &vm_api_fw_exc, &vm_api_fw_applet, &vm_api_fw_system,
                                          &vm_api_fw_pin, &vm_api_fw_apdu, &vm_api_fw_sensitive };
    for (size_t i = 0; i < CL_ARRAY_LEN(builtin); i++) vm_native_register(builtin[i]);
    vm_native_register(&vm_api_security);
    vm_native_register(&vm_api_crypto);
}

const vm_native_class_t *vm_native_class(uint8_t pkg, uint8_t token)
{
    register_builtin();
    for (size_t a = 0; a < nregistered; a++)
        for (size_t i = 0; i < registered[a]->nclasses; i++) {
            const vm_native_class_t *c = &registered[a]->classes[i];
            if (c->pkg == pkg && c->token == token) return c;
        }
    return NULL;
}

const vm_native_method_t *vm_native_method(const vm_native_class_t *c, uint8_t kind, uint8_t token)
{
    for (size_t i = 0; i < c->nmethods; i++) {
        const vm_native_method_t *m = &c->methods[i];
        /* Constructors and static methods share the static token space. */
        bool skind = kind == VM_NAT_STATIC || kind == VM_NAT_CTOR;
        if (m->token == token && (m->kind == kind || (skind && (m->kind == VM_NAT_STATIC || m->kind == VM_NAT_CTOR))))
            return m;
    }
    return NULL;
}

/* Words of one field type at *p (advances p); -1 malformed. */
static int type_words(const char **p)
{
    switch (**p) {
    case 'B': case 'S': case 'Z': case 'C': (*p)++; return 1;
    case 'I': (*p)++; return 2;
    case 'L': { const char *e = strchr(*p, ';'); if (!e) return -1; *p = e + 1; return 1; }
    case '[':
        while (**p == '[') (*p)++;
        if (**p == 'L') { const char *e = strchr(*p, ';'); if (!e) return -1; *p = e + 1; }
        else if (**p) (*p)++;
        else return -1;
        return 1;
    default: return -1;
    }
}

int vm_native_arg_words(const char *sig)
{
    const char *p = strchr(sig, '(');
    if (!p) return -1;
    p++;
    int n = 0;
    while (*p && *p != ')') {
        int w = type_words(&p);
        if (w < 0) return -1;
        n += w;
    }
    return *p == ')' ? n : -1;
}

int vm_native_ret_words(const char *sig)
{
    const char *p = strchr(sig, ')');
    if (!p) return -1;
    p++;
    if (*p == 'V') return 0;
    return type_words(&p);
}

/* Word counts of every registered native method, keyed by the method's address: built once (the
 * first vm_native_link_api) so that a call reads two numbers instead of parsing its descriptor
 * twice. Open addressing in a table at least twice the number of methods (a probe always ends at
 * an empty slot); read-only once built, so VMs on several threads share it. */
typedef struct {
    const vm_native_method_t *m; /* NULL: empty slot */
    int8_t args, ret;            /* -1: malformed descriptor */
} words_ent_t;
static words_ent_t *words_tab;
static size_t words_mask;
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static size_t words_slot(const vm_native_method_t *m)
{
    uint64_t x = (uint64_t)(uintptr_t)m;
    x = (x ^ (x >> 29)) * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 32);
}

static void words_build(void)
{
    size_t n = 0;
    for (size_t a = 0; a < nregistered; a++)
        for (size_t i = 0; i < registered[a]->nclasses; i++) n += registered[a]->classes[i].nmethods;
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    words_ent_t *t = calloc(cap, sizeof *t);
    if (!t) return; /* lookups parse the descriptor instead */
    for (size_t a = 0; a < nregistered; a++)
        for (size_t i = 0; i < registered[a]->nclasses; i++) {
            const vm_native_class_t *c = &registered[a]->classes[i];
            for (size_t k = 0; k < c->nmethods; k++) {
                const vm_native_method_t *m = &c->methods[k];
                int aw = vm_native_arg_words(m->sig), rw = vm_native_ret_words(m->sig);
                size_t j = words_slot(m) & (cap - 1);
                while (t[j].m && t[j].m != m) j = (j + 1) & (cap - 1);
                t[j].m = m;
                t[j].args = (int8_t)(aw < 0 || aw > 127 || rw < 0 ? -1 : aw);
                t[j].ret = (int8_t)(aw < 0 || aw > 127 || rw < 0 ? -1 : rw);
            }
        }
    words_mask = cap - 1;
    words_tab = t;
}

bool vm_native_words(const vm_native_method_t *m, int *args, int *ret)
{
    if (words_tab) {
        for (size_t j = words_slot(m) & words_mask; words_tab[j].m; j = (j + 1) & words_mask)
            if (words_tab[j].m == m) {
                *args = words_tab[j].args;
                *ret = words_tab[j].ret;
                return *args >= 0;
            }
    }
    /* Not registered (a test's own table) or the table could not be made: parse. */
    *args = vm_native_arg_words(m->sig);
    *ret = vm_native_ret_words(m->sig);
    if (*args < 0 || *ret < 0) { *args = *ret = -1; return false; }
    return true;
}

static uint16_t native_id(int pkg, int token) { return pkg < 0 ? VM_NO_CLASS : VM_CLASS_ID(pkg, token); }

static uint16_t native_cells(const vm_native_class_t *c)
{
    uint16_t n = 0;
    for (int depth = 0; c && depth < 16; depth++) {
        n += c->cells;
        c = c->super_pkg < 0 ? NULL : vm_native_class((uint8_t)c->super_pkg, (uint8_t)c->super_token);
    }
    return n;
}

int vm_native_link_api(vm_t *vm, cl_error_t *e)
{
    register_builtin();
    pthread_once(&words_once, words_build);
    for (size_t k = 0; k < CL_ARRAY_LEN(api_pkgs); k++) {
        const vm_native_pkg_def_t *d = &api_pkgs[k];
        vm_pkg_t *p = calloc(1, sizeof *p);
        if (!p) { cl_seterr(e, "out of memory"); return -1; }
        p->slot = d->slot;
        p->native = true;
        p->name = d->name;
        p->aid_len = d->aid_len;
        memcpy(p->aid, d->aid, d->aid_len);
        p->major = d->major;
        p->minor = d->minor;
        unsigned maxtok = 0;
        for (size_t a = 0; a < nregistered; a++)
            for (size_t i = 0; i < registered[a]->nclasses; i++)
                if (registered[a]->classes[i].pkg == d->slot && registered[a]->classes[i].token + 1u > maxtok)
                    maxtok = registered[a]->classes[i].token + 1u;
        p->nclasses = (uint16_t)maxtok;
        p->classes = calloc(maxtok ? maxtok : 1, sizeof *p->classes);
        if (!p->classes) { free(p); cl_seterr(e, "out of memory"); return -1; }
        for (unsigned t = 0; t < maxtok; t++) {
            vm_class_t *c = &p->classes[t];
            c->id = VM_NO_CLASS;
            const vm_native_class_t *n = vm_native_class(d->slot, (uint8_t)t);
            if (!n) continue;
            c->id = VM_CLASS_ID(d->slot, t);
            c->super = native_id(n->super_pkg, n->super_token);
            c->flags = n->flags;
            c->inst_size = native_cells(n);
            c->inst_base = (uint16_t)(c->inst_size - n->cells);
            c->nat = n;
            if (n->nifaces) {
                c->ifaces = calloc(n->nifaces, sizeof *c->ifaces);
                if (!c->ifaces) { cl_seterr(e, "out of memory"); return -1; }
                c->nifaces = (uint8_t)n->nifaces;
                for (size_t i = 0; i < n->nifaces; i++) {
                    c->ifaces[i].iface = VM_CLASS_ID(n->ifaces[i].pkg, n->ifaces[i].token);
                    c->ifaces[i].count = n->ifaces[i].count;
                    c->ifaces[i].map = n->ifaces[i].map;
                }
            }
        }
        vm->pkgs[d->slot] = p;
    }
    return 0;
}

void vm_native_free_api(vm_t *vm)
{
    for (size_t k = 0; k < CL_ARRAY_LEN(api_pkgs); k++) {
        vm_pkg_t *p = vm->pkgs[api_pkgs[k].slot];
        if (!p) continue;
        for (unsigned i = 0; i < p->nclasses; i++) free(p->classes[i].ifaces);
        free(p->classes);
        free(p);
        vm->pkgs[api_pkgs[k].slot] = NULL;
    }
}

const uint8_t *vm_nat_bytes(vm_t *vm, uint16_t ref, int32_t off, int32_t len, vm_obj_t *o)
{
    if (!vm_obj_get(vm, ref, o)) return NULL;
    if (o->kind != VM_KIND_ARRAY || (o->etype != VM_T_BYTE && o->etype != VM_T_BOOLEAN)) {
        vm_throw_security(vm, "byte array expected");
        return NULL;
    }
    if (!vm_fw_can_access(vm, o)) { vm_throw_security(vm, "firewall: array of another context"); return NULL; }
    if (off < 0 || len < 0 || (uint32_t)off + (uint32_t)len > o->len) {
        vm_throw_api(vm, VM_PKG_JAVA_LANG, 5, 0); /* ArrayIndexOutOfBoundsException */
        return NULL;
    }
    const uint8_t *d = vm_heap_data(vm->heap, o);
    if (!d) { vm_throw_store_error(vm, VM_ERR_NOMEM); return NULL; }
    return d + off;
}
