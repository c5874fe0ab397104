/* conv_pkg: loading the package's classes, Java Card restrictions on declarations, class lookup
 * through export files, token assignment (JCVM spec 4.3.7) and the CAP constant pool. */
#include "conv/conv_pkg.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap_consts.h"

void conv_where(char *buf, size_t cap, const conv_class_t *c, const conv_method_t *m, uint32_t pc)
{
    const char *cn = c ? c->name : "?";
    const char *sl = strrchr(cn, '/');
    if (sl) cn = sl + 1;
    int line = m && m->cf ? conv_cf_line_of(m->cf, pc) : 0;
    const char *src = c && c->cf.source_file ? c->cf.source_file : "?";
    if (m && m->cf && line > 0)
        snprintf(buf, cap, "%s.%s (%s:%d)", cn, m->cf->name, src, line);
    else if (m && m->cf)
        snprintf(buf, cap, "%s.%s (%s)", cn, m->cf->name, src);
    else
        snprintf(buf, cap, "%s (%s)", cn, src);
}

int conv_vtype_of(const char *d)
{
    switch (d[0]) {
    case 'V': return VT_VOID;
    case 'Z': return VT_BOOL;
    case 'B': return VT_BYTE;
    case 'S': return VT_SHORT;
    case 'I': return VT_INT;
    case 'L': case '[': return VT_REF;
    default: return VT_BAD;
    }
}

/* Why a type (field type, parameter or return) is not Java Card, or NULL if it is fine. */
static const char *bad_type(const char *d, int int_ok)
{
    int dims = 0;
    while (*d == '[') { d++; dims++; }
    if (dims > 1) return "multi-dimensional arrays are not supported";
    switch (*d) {
    case 'J': return "long is not supported";
    case 'F': return "float is not supported";
    case 'D': return "double is not supported";
    case 'C': return "char is not supported";
    case 'I': return int_ok ? NULL : "int is not supported (the package does not declare `int yes`)";
    case 'L':
        if (!strncmp(d, "Ljava/lang/String;", 18)) return "String objects are not supported";
        if (!strncmp(d, "Ljava/lang/Thread;", 18)) return "threads are not supported";
        if (!strncmp(d, "Ljava/lang/Class;", 17)) return "reflection (Class objects) is not supported";
        return NULL;
    default: return NULL;
    }
}

/* Checks every type of a method descriptor. */
static const char *bad_method_desc(const char *d, int int_ok)
{
    for (const char *p = d + 1; *p && *p != ')';) {
        const char *why = bad_type(p, int_ok);
        if (why) return why;
        while (*p == '[') p++;
        if (*p == 'L') p = strchr(p, ';');
        if (!p) return "malformed descriptor";
        p++;
    }
    const char *r = strchr(d, ')');
    return r ? bad_type(r + 1, int_ok) : "malformed descriptor";
}

int conv_pkg_find_internal(const conv_pkg_t *p, const char *name)
{
    for (int i = 0; i < p->class_count; i++)
        if (!strcmp(p->classes[i].name, name)) return i;
    return -1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int check_class(conv_pkg_t *p, conv_class_t *c, cl_error_t *e)
{
    char w[300];
    int int_ok = p->conf.int_support;
    conv_where(w, sizeof w, c, NULL, 0);
    if (c->cf.field_count > 255) { cl_seterr(e, "%s: more than 255 fields", w); return -1; }
    if (c->cf.method_count > 255) { cl_seterr(e, "%s: more than 255 methods", w); return -1; }
    if (c->cf.interface_count > 15) { cl_seterr(e, "%s: more than 15 interfaces", w); return -1; }
    c->field_count = c->cf.field_count;
    c->method_count = c->cf.method_count;
    c->fields = calloc((size_t)c->field_count + 1, sizeof *c->fields);
    c->methods = calloc((size_t)c->method_count + 1, sizeof *c->methods);
    if (!c->fields || !c->methods) { cl_seterr(e, "out of memory"); return -1; }
    for (int i = 0; i < c->field_count; i++) {
        conv_field_t *f = &c->fields[i];
        f->cf = &c->cf.fields[i];
        f->is_static = !!(f->cf->access & CF_ACC_STATIC);
        f->vt = conv_vtype_of(f->cf->desc);
        f->token = 0xFF;
        f->is_const = f->is_static && (f->cf->access & CF_ACC_FINAL) && f->cf->has_const && f->vt != VT_REF;
        const char *why = bad_type(f->cf->desc, int_ok || f->is_const);
        if (why) { cl_seterr(e, "%s: field %s: %s", w, f->cf->name, why); return -1; }
    }
    for (int i = 0; i < c->method_count; i++) {
        conv_method_t *m = &c->methods[i];
        m->cf = &c->cf.methods[i];
        const char *nm = m->cf->name;
        uint16_t a = m->cf->access;
        conv_where(w, sizeof w, c, m, 0);
        if (a & CF_ACC_NATIVE) { cl_seterr(e, "%s: native methods are not supported", w); return -1; }
        if (a & CF_ACC_SYNCHRONIZED) { cl_seterr(e, "%s: synchronized methods are not supported (no threads)", w); return -1; }
        if (!strcmp(nm, "finalize") && !strcmp(m->cf->desc, "()V")) { cl_seterr(e, "%s: finalize is not supported", w); return -1; }
        const char *why = bad_method_desc(m->cf->desc, int_ok);
        if (why) { cl_seterr(e, "%s: %s", w, why); return -1; }
        m->is_static = !!(a & CF_ACC_STATIC);
        m->is_ctor = !strcmp(nm, "<init>");
        m->is_private = !!(a & CF_ACC_PRIVATE);
        m->is_abstract = !!(a & CF_ACC_ABSTRACT);
        m->is_public = !!(a & (CF_ACC_PUBLIC | CF_ACC_PROTECTED));
        m->is_virtual = !m->is_static && !m->is_ctor && !m->is_private && strcmp(nm, "<clinit>");
        m->token = 0xFF;
        if (!m->is_abstract && !m->cf->has_code) { cl_seterr(e, "%s: method without code", w); return -1; }
        if (c->is_interface && m->cf->has_code) {
            cl_seterr(e, "%s: %s", w, !strcmp(nm, "<clinit>") ? "static initializers in interfaces are not supported"
                                                               : "default and static methods in interfaces are not supported");
            return -1;
        }
    }
    return 0;
}

int conv_pkg_load(conv_pkg_t *p, const char *classdir, cl_error_t *e)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/%s", classdir, p->conf.package) >= (int)sizeof dir) {
        cl_seterr(e, "class directory path too long");
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) { cl_seterr(e, "cannot open class directory %s", dir); return -1; }
    char **names = NULL;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 6 && !strcmp(de->d_name + l - 6, ".class")) {
            char **nn = realloc(names, (size_t)(n + 1) * sizeof *nn);
            if (!nn) break;
            names = nn;
            names[n] = strdup(de->d_name);
            if (!names[n]) break;
            n++;
        }
    }
    closedir(d);
    int rc = -1;
    if (n == 0) { cl_seterr(e, "no .class files in %s", dir); goto out; }
    if (n > 255) { cl_seterr(e, "%s: more than 255 classes in one package", dir); goto out; }
    qsort(names, (size_t)n, sizeof *names, cmp_str);   /* deterministic output */
    p->classes = calloc((size_t)n, sizeof *p->classes);
    if (!p->classes) { cl_seterr(e, "out of memory"); goto out; }
    for (int i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        uint8_t *buf = cl_read_file(path, 1u << 20, &len, e);
        if (!buf) goto out;
        conv_class_t *c = &p->classes[i];
        int prc = conv_cf_parse(&c->cf, buf, len, path, e);
        free(buf);
        if (prc) goto out;
        p->class_count = i + 1;
        c->name = c->cf.this_name;
        size_t pl = strlen(p->conf.package);
        if (strncmp(c->name, p->conf.package, pl) || c->name[pl] != '/' || strchr(c->name + pl + 1, '/')) {
            cl_seterr(e, "%s: class %s is not in package %s", path, c->name, p->conf.package);
            goto out;
        }
        c->is_interface = !!(c->cf.access & CF_ACC_INTERFACE);
        c->is_public = !!(c->cf.access & CF_ACC_PUBLIC);
        c->is_abstract = !!(c->cf.access & CF_ACC_ABSTRACT);
        c->super_internal = -1;
        if (check_class(p, c, e)) goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

void conv_pkg_free(conv_pkg_t *p)
{
    for (int i = 0; i < p->class_count; i++) {
        conv_class_t *c = &p->classes[i];
        for (int k = 0; k < c->field_count; k++) free(c->fields[k].array_init);
        for (int k = 0; k < c->method_count; k++) {
            free(c->methods[k].code); free(c->methods[k].ref1); free(c->methods[k].ref2);
        }
        free(c->fields); free(c->methods);
        conv_cf_free(&c->cf);
    }
    free(p->classes);
    free(p->order);
    for (int i = 0; i < p->import_count; i++) conv_export_free(&p->imports[i]);
    for (int i = 0; i < p->cp_count; i++) free(p->cp[i].type_desc);
    free(p->cp);
    free(p->handlers);
    memset(p, 0, sizeof *p);
}

/* ---- class lookup ---- */

int conv_pkg_class(conv_pkg_t *p, const char *name, conv_cref_t *out, cl_error_t *e)
{
    memset(out, 0, sizeof *out);
    int i = conv_pkg_find_internal(p, name);
    if (i >= 0) { out->internal = 1; out->index = i; return 0; }
    const char *sl = strrchr(name, '/');
    if (!sl) { cl_seterr(e, "class %s is in the unnamed package", name); return -1; }
    size_t pl = (size_t)(sl - name);
    char pkg[512];
    if (pl >= sizeof pkg) { cl_seterr(e, "class name too long"); return -1; }
    memcpy(pkg, name, pl);
    pkg[pl] = 0;
    if (!strcmp(pkg, p->conf.package)) { cl_seterr(e, "class %s is not among the package's class files", name); return -1; }
    int k;
    for (k = 0; k < p->import_count; k++)
        if (!strcmp(p->imports[k].name, pkg)) break;
    if (k == p->import_count) {
        if (k >= CONV_MAX_IMPORTS) { cl_seterr(e, "too many imported packages"); return -1; }
        if (conv_export_find(p->exportpath, pkg, &p->imports[k], e)) return -1;
        p->import_count++;
    }
    const conv_exp_class_t *c = conv_export_class(&p->imports[k], name);
    if (!c) { cl_seterr(e, "class %s is not in the export file of package %s", name, pkg); return -1; }
    out->import = k;
    out->ext = c;
    return 0;
}

int conv_pkg_super(conv_pkg_t *p, const conv_cref_t *c, conv_cref_t *out, cl_error_t *e)
{
    if (c->internal) {
        const char *s = p->classes[c->index].cf.super_name;
        if (!s) return -1;
        return conv_pkg_class(p, s, out, e) ? -2 : 0;
    }
    if (c->ext->super_count == 0) return -1;
    return conv_pkg_class(p, c->ext->supers[c->ext->super_count - 1], out, e) ? -2 : 0;
}

int conv_pkg_is_interface(const conv_pkg_t *p, const conv_cref_t *c)
{
    return c->internal ? p->classes[c->index].is_interface : !!(c->ext->access & EXP_ACC_INTERFACE);
}

int conv_pkg_same_class(const conv_cref_t *a, const conv_cref_t *b)
{
    if (a->internal != b->internal) return 0;
    return a->internal ? a->index == b->index : a->ext == b->ext;
}

/* ---- tokens ---- */

/* Highest public virtual token of an imported class (methods listed include inherited ones, and
 * we walk the superclasses too in case an export file lists only declared methods). */
static int ext_max_vtoken(conv_pkg_t *p, const conv_exp_class_t *c, cl_error_t *e)
{
    int mx = -1;
    for (int i = 0; i < c->method_count; i++)
        if (!(c->methods[i].access & EXP_ACC_STATIC) && strcmp(c->methods[i].name, "<init>") && c->methods[i].token > mx)
            mx = c->methods[i].token;
    for (int s = 0; s < c->super_count; s++) {
        conv_cref_t r;
        if (conv_pkg_class(p, c->supers[s], &r, e)) return -2;
        for (int i = 0; i < r.ext->method_count; i++)
            if (!(r.ext->methods[i].access & EXP_ACC_STATIC) && strcmp(r.ext->methods[i].name, "<init>") && r.ext->methods[i].token > mx)
                mx = r.ext->methods[i].token;
    }
    return mx;
}

/* Token of an inherited public virtual method name+desc above class c (external chain), or -1. */
static int ext_find_vtoken(conv_pkg_t *p, const conv_exp_class_t *c, const char *name, const char *desc)
{
    cl_error_t e;
    const conv_exp_member_t *m = conv_export_method(c, name, desc);
    if (m && !(m->access & EXP_ACC_STATIC)) return m->token;
    for (int s = c->super_count - 1; s >= 0; s--) {
        conv_cref_t r;
        if (conv_pkg_class(p, c->supers[s], &r, &e)) return -1;
        m = conv_export_method(r.ext, name, desc);
        if (m && !(m->access & EXP_ACC_STATIC)) return m->token;
    }
    return -1;
}

/* Virtual token of name+desc as seen from internal class ci and its superclasses, -1 if none.
 * want_public: 1 public/protected methods only, 0 package-visible ones (same package only). */
static int find_vtoken(conv_pkg_t *p, int ci, const char *name, const char *desc, int want_public)
{
    while (ci >= 0) {
        conv_class_t *c = &p->classes[ci];
        for (int i = 0; i < c->method_count; i++) {
            conv_method_t *m = &c->methods[i];
            if (m->is_virtual && m->is_public == want_public && !strcmp(m->cf->name, name) && !strcmp(m->cf->desc, desc))
                return m->token;
        }
        if (c->super_internal < 0) {
            if (!want_public || !c->cf.super_name) return -1;
            conv_cref_t r;
            cl_error_t e;
            if (conv_pkg_class(p, c->cf.super_name, &r, &e)) return -1;
            return ext_find_vtoken(p, r.ext, name, desc);
        }
        ci = c->super_internal;
    }
    return -1;
}

static int order_add(conv_pkg_t *p, int ci, int *done, int *n, int depth, cl_error_t *e)
{
    if (done[ci] == 2) return 0;
    if (done[ci] == 1 || depth > 300) { cl_seterr(e, "class %s: circular inheritance", p->classes[ci].name); return -1; }
    done[ci] = 1;
    conv_class_t *c = &p->classes[ci];
    if (c->cf.super_name) {
        int s = conv_pkg_find_internal(p, c->cf.super_name);
        if (s >= 0 && !c->is_interface) {
            c->super_internal = s;
            if (order_add(p, s, done, n, depth + 1, e)) return -1;
        }
    }
    for (int i = 0; i < c->cf.interface_count; i++) {
        int s = conv_pkg_find_internal(p, c->cf.interfaces[i]);
        if (s >= 0 && order_add(p, s, done, n, depth + 1, e)) return -1;
    }
    done[ci] = 2;
    p->order[(*n)++] = ci;
    return 0;
}

static int assign_class_tokens(conv_pkg_t *p, int ci, cl_error_t *e)
{
    conv_class_t *c = &p->classes[ci];
    char w[300];
    conv_where(w, sizeof w, c, NULL, 0);
    /* virtual methods */
    if (c->is_interface) {
        int t = 0;
        for (int i = 0; i < c->method_count; i++)
            if (c->methods[i].is_virtual) c->methods[i].token = t++;
        c->max_public_vtoken = t - 1;
        c->max_package_vtoken = -1;
    } else {
        int pub, pkg;
        if (c->super_internal >= 0) {
            pub = p->classes[c->super_internal].max_public_vtoken;
            pkg = p->classes[c->super_internal].max_package_vtoken;
        } else {
            conv_cref_t r;
            if (!c->cf.super_name) { cl_seterr(e, "%s: a class without superclass", w); return -1; }
            if (conv_pkg_class(p, c->cf.super_name, &r, e)) return -1;
            pub = ext_max_vtoken(p, r.ext, e);
            if (pub < -1) return -1;
            pkg = -1;
        }
        for (int i = 0; i < c->method_count; i++) {
            conv_method_t *m = &c->methods[i];
            if (!m->is_virtual) continue;
            /* an override keeps the token of the method it overrides: public ones anywhere up the
             * hierarchy, package-visible ones only within this package */
            int t = -1;
            if (c->super_internal >= 0) {
                t = find_vtoken(p, c->super_internal, m->cf->name, m->cf->desc, m->is_public);
            } else if (m->is_public) {
                conv_cref_t r;
                if (conv_pkg_class(p, c->cf.super_name, &r, e)) return -1;
                t = ext_find_vtoken(p, r.ext, m->cf->name, m->cf->desc);
            }
            if (t >= 0) { m->token = t; continue; }
            if (m->is_public) m->token = ++pub;
            else m->token = 0x80 | ++pkg;
            if (pub > 127 || pkg > 127) { cl_seterr(e, "%s: more than 128 virtual methods", w); return -1; }
        }
        c->max_public_vtoken = pub;
        c->max_package_vtoken = pkg;
    }
    /* static methods and constructors of public classes: consecutive public tokens */
    int st = 0;
    for (int i = 0; i < c->method_count; i++) {
        conv_method_t *m = &c->methods[i];
        if ((m->is_static || m->is_ctor) && m->is_public && c->is_public && strcmp(m->cf->name, "<clinit>")) m->token = st++;
    }
    /* instance fields: public primitives, public references, package references, package primitives */
    int ft = 0, sft = 0;
    c->first_ref_token = 0xFF;
    c->ref_count = 0;
    for (int pass = 0; pass < 4; pass++) {
        for (int i = 0; i < c->field_count; i++) {
            conv_field_t *f = &c->fields[i];
            if (f->is_static) continue;
            int pub = !!(f->cf->access & (CF_ACC_PUBLIC | CF_ACC_PROTECTED));
            int ref = f->vt == VT_REF;
            int want_pub = pass < 2, want_ref = pass == 1 || pass == 2;
            if (pub != want_pub || ref != want_ref) continue;
            if (ref) { if (c->first_ref_token == 0xFF) c->first_ref_token = ft; c->ref_count++; }
            f->token = ft;
            ft += f->vt == VT_INT ? 2 : 1;
        }
    }
    if (ft > 255) { cl_seterr(e, "%s: instance fields need more than 255 cells", w); return -1; }
    c->instance_size = ft;
    for (int i = 0; i < c->field_count; i++) {
        conv_field_t *f = &c->fields[i];
        if (f->is_static && !f->is_const && (f->cf->access & (CF_ACC_PUBLIC | CF_ACC_PROTECTED)) && c->is_public) f->token = sft++;
    }
    if (st > 255 || sft > 255) { cl_seterr(e, "%s: more than 255 static tokens", w); return -1; }
    return 0;
}

int conv_static_init(conv_pkg_t *p, int ci, cl_error_t *e); /* conv_static.c */

int conv_pkg_tokens(conv_pkg_t *p, cl_error_t *e)
{
    p->order = calloc((size_t)p->class_count + 1, sizeof *p->order);
    int *done = calloc((size_t)p->class_count + 1, sizeof *done);
    if (!p->order || !done) { free(done); cl_seterr(e, "out of memory"); return -1; }
    int n = 0;
    /* interfaces first (the Class component lists interface_info before class_info) */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < p->class_count; i++)
            if (p->classes[i].is_interface == !pass && order_add(p, i, done, &n, 0, e)) { free(done); return -1; }
    free(done);
    int pub_tok = 0;
    for (int k = 0; k < n; k++) {
        conv_class_t *c = &p->classes[p->order[k]];
        c->emitted = k;
        c->token = c->is_public ? pub_tok++ : 0xFF;
        if (c->is_public) p->exports = 1;
        if (assign_class_tokens(p, p->order[k], e)) return -1;
    }
    /* A package with applets exports only shareable interfaces (applets are not libraries). */
    if (p->conf.applet_count) {
        p->exports = 0;
        for (int i = 0; i < p->class_count; i++) {
            conv_class_t *c = &p->classes[i];
            if (!c->is_interface) continue;
            for (int k = 0; k < c->cf.interface_count; k++)
                if (!strcmp(c->cf.interfaces[k], "javacard/framework/Shareable")) c->is_shareable = 1;
            if (c->is_shareable) p->exports = 1;
        }
    }
    /* Shareable through a shareable superinterface in this package */
    for (int round = 0; round < 8; round++)
        for (int i = 0; i < p->class_count; i++) {
            conv_class_t *c = &p->classes[i];
            if (!c->is_interface) continue;
            for (int k = 0; k < c->cf.interface_count; k++) {
                if (!strcmp(c->cf.interfaces[k], "javacard/framework/Shareable")) c->is_shareable = 1;
                int s = conv_pkg_find_internal(p, c->cf.interfaces[k]);
                if (s >= 0 && p->classes[s].is_shareable) c->is_shareable = 1;
            }
        }
    /* static field image: initial values first (from <clinit>), then the segments */
    for (int i = 0; i < p->class_count; i++)
        if (conv_static_init(p, i, e)) return -1;
    int off = 0;
    for (int seg = 0; seg < 4; seg++)
        for (int k = 0; k < n; k++) {
            conv_class_t *c = &p->classes[p->order[k]];
            for (int i = 0; i < c->field_count; i++) {
                conv_field_t *f = &c->fields[i];
                if (!f->is_static || f->is_const) continue;
                int s = f->vt == VT_REF ? (f->array_init ? 0 : 1) : (f->has_init && f->init_value ? 3 : 2);
                if (s != seg) continue;
                f->offset = off;
                off += f->vt == VT_REF || f->vt == VT_SHORT ? 2 : f->vt == VT_INT ? 4 : 1;
                if (seg < 2) p->static_ref_count++;
            }
        }
    if (off > 0xFFFF) { cl_seterr(e, "static fields exceed 64 KiB"); return -1; }
    p->static_image_size = off;
    return 0;
}

/* ---- constant pool ---- */

static int same_cref(const conv_cref_t *a, const conv_cref_t *b) { return conv_pkg_same_class(a, b); }

int conv_pkg_cp_add(conv_pkg_t *p, const conv_cpe_t *ent, cl_error_t *e)
{
    for (int i = 0; i < p->cp_count; i++) {
        const conv_cpe_t *c = &p->cp[i];
        if (c->tag != ent->tag) continue;
        switch (c->tag) {
        case CAP_CP_CLASSREF:
            if (same_cref(&c->cls, &ent->cls)) return i;
            break;
        case CAP_CP_INSTANCE_FIELDREF: case CAP_CP_VIRTUAL_METHODREF: case CAP_CP_SUPER_METHODREF:
            if (same_cref(&c->cls, &ent->cls) && c->token == ent->token) return i;
            break;
        default: /* static refs */
            if (same_cref(&c->cls, &ent->cls) && c->token == ent->token && c->field == ent->field && c->method == ent->method)
                return i;
            break;
        }
    }
    if (p->cp_count >= 65535) { cl_seterr(e, "more than 65535 constant pool entries"); return -1; }
    conv_cpe_t *n = realloc(p->cp, (size_t)(p->cp_count + 1) * sizeof *n);
    if (!n) { cl_seterr(e, "out of memory"); return -1; }
    p->cp = n;
    n[p->cp_count] = *ent;
    n[p->cp_count].type_desc = ent->type_desc ? strdup(ent->type_desc) : NULL;
    return p->cp_count++;
}
