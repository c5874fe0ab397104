/* vm_load: CAP -> linked package (imports, classes, constant pool, statics, applets), install
 * and boot-time re-linking. See vm_load.h for the storage design. */
#include "vm/vm_load.h"
#include "vm/vm_native.h"
#include "vm/vm_verify.h"
#include "cap/cap_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vm_pkg_free(vm_t *vm, uint8_t slot)
{
    vm_pkg_t *p = vm->pkgs[slot];
    if (!p || p->native) return;
    if (!p->owned) { vm->pkgs[slot] = NULL; return; } /* not made by the loader (tests): just unlink */
    for (unsigned i = 0; i < p->nclasses; i++) {
        free(p->classes[i].ifaces);
        free(p->classes[i].supers);
    }
    free(p->classes);
    free(p->cp);
    free(p->mext);
    free(p->exports);
    free(p->owned);
    free(p);
    vm->pkgs[slot] = NULL;
}

int vm_pkg_find(vm_t *vm, const uint8_t *aid, uint8_t len)
{
    for (int s = 1; s < VM_MAX_PKGS; s++) {
        vm_pkg_t *p = vm->pkgs[s];
        if (p && p->aid_len == len && !memcmp(p->aid, aid, len)) return s;
    }
    return -1;
}

static void hex(const uint8_t *b, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++) sprintf(out + 2 * i, "%02X", b[i]);
    out[2 * n] = 0;
}

/* Class ref -> class id. Internal: by Class component offset; external: via the import table
 * (API classes by token, installed packages through their Export component). */
static bool resolve_class(vm_t *vm, vm_pkg_t *p, const cap_file_t *cap, cap_classref_t r, uint16_t *id)
{
    if (!r.external) {
        for (uint16_t i = 0; i < cap->class_count; i++)
            if (cap->classes[i].offset == r.offset) { *id = VM_CLASS_ID(p->slot, i); return true; }
        return false;
    }
    if (r.pkg_token >= p->nimports) return false;
    vm_pkg_t *q = vm->pkgs[p->imports[r.pkg_token]];
    if (!q) return false;
    if (q->native) { *id = VM_CLASS_ID(q->slot, r.class_token); return true; } /* unimplemented classes fail at use */
    if (r.class_token >= q->nexports) return false;
    *id = VM_CLASS_ID(q->slot, q->exports[r.class_token].cls_idx);
    return true;
}

/* Computes inst_base/inst_size of class i (superclass first); -1 on a loop or unknown superclass. */
static int class_size(vm_t *vm, vm_pkg_t *p, const cap_file_t *cap, uint16_t i, int depth)
{
    vm_class_t *c = &p->classes[i];
    if (c->flags & CAP_ACC_INTERFACE) return 0;
    if (c->cap_off & 0x8000u) return c->inst_size; /* done (marked below) */
    if (depth > 64) return -1;
    int base = 0;
    if (c->super != VM_NO_CLASS) {
        if (VM_CLASS_PKG(c->super) == p->slot) base = class_size(vm, p, cap, c->super & 0xFF, depth + 1);
        else { vm_class_t *s = vm_class(vm, c->super); base = s ? s->inst_size : -1; }
        if (base < 0) return -1;
    }
    c->inst_base = (uint16_t)base;
    c->inst_size = (uint16_t)(base + cap->classes[i].declared_instance_size);
    c->cap_off |= 0x8000u;
    return c->inst_size;
}

static int fail(cl_error_t *e, const char *comp, unsigned off, const char *what)
{
    cl_seterr(e, "%s component: offset 0x%x: %s", comp, off, what);
    return -1;
}

/* Static field image: references (null, or the arrays of array_init), then zeros, then the
 * non-default values (JCVM 6.10). Made once at install, owned by the package's context.
 * The contents of these fresh objects are written outside the install group (atomic=false):
 * nothing can reach them before the group commits, and an aborted install scrubs them, so a
 * large static array does not count against the commit capacity. */
static int make_statics(vm_t *vm, vm_pkg_t *p, const cap_file_t *cap, cl_error_t *e)
{
    const cap_static_field_t *sf = &cap->sfield;
    uint16_t h;
    if (vm_heap_alloc(vm->heap, VM_KIND_BLOB, 0, p->slot, 0, 0, sf->image_size, &h))
        return fail(e, "StaticField", 0, "no room for the static field image");
    vm_obj_t so;
    if (!vm_heap_get(vm->heap, h, &so)) return fail(e, "StaticField", 0, "static image lost");
    uint32_t nd_off = 2u * sf->reference_count + sf->default_value_count;
    if (sf->array_init_count > sf->reference_count || nd_off + sf->non_default_value_count > sf->image_size)
        return fail(e, "StaticField", 0, "segments do not fit the image");
    for (uint16_t i = 0; i < sf->array_init_count; i++) {
        const cap_array_init_t *ai = &sf->array_inits[i];
        static const uint8_t et[] = { [CAP_TN_BOOLEAN] = VM_T_BOOLEAN, [CAP_TN_BYTE] = VM_T_BYTE,
                                      [CAP_TN_SHORT] = VM_T_SHORT, [CAP_TN_INT] = VM_T_INT };
        uint8_t t = ai->type <= CAP_TN_INT ? et[ai->type] : 0;
        uint32_t es = vm_heap_elem_size(t);
        if (!es || ai->count % es) return fail(e, "StaticField", 0, "bad array_init");
        uint16_t ah;
        /* Arrays are real arrays: allocate, then fill (values are big-endian like the heap). */
        if (vm_heap_alloc(vm->heap, VM_KIND_ARRAY, 0, p->slot, t, 0, ai->count / es, &ah))
            return fail(e, "StaticField", 0, "no room for a static array");
        vm_obj_t ao;
        if (!vm_heap_get(vm->heap, ah, &ao) || vm_heap_write(vm->heap, &ao, 0, ai->values, ai->count, false))
            return fail(e, "StaticField", 0, "cannot initialise a static array");
        uint8_t b[2];
        cl_put16(b, ah);
        if (vm_heap_write(vm->heap, &so, 2u * i, b, 2, false)) return fail(e, "StaticField", 0, "static image write");
    }
    if (sf->non_default_value_count &&
        vm_heap_write(vm->heap, &so, nd_off, sf->non_default_values, sf->non_default_value_count, false))
        return fail(e, "StaticField", 0, "static image write");
    p->statics = h;
    return 0;
}

/* Links the parsed CAP *cap into slot. data is the buffer cap's pointers point into; the new
 * package takes it (freed here on failure), so its tables stay valid after cap_free. Writes
 * nothing to the image: at install every check is done before the first write (the static field
 * image is made afterwards by vm_load_install from the same parse, inside the install group); at
 * boot the stored static image is attached. */
static int link_parsed(vm_t *vm, uint8_t slot, uint8_t *data, const cap_file_t *cap, uint16_t statics, bool install,
                       cl_error_t *e)
{
    vm_pkg_t *p = calloc(1, sizeof *p);
    int rc = -1;
    char a[40];
    if (!p) { cl_seterr(e, "out of memory"); goto out; }
    p->slot = slot;
    p->owned = data;
    data = NULL;
    p->aid_len = cap->package.aid_len;
    memcpy(p->aid, cap->package.aid, cap->package.aid_len);
    p->major = cap->package.major;
    p->minor = cap->package.minor;
    p->has_int = (cap->flags & CAP_HDR_ACC_INT) != 0;
    hex(p->aid, p->aid_len, a);
    if (install && vm_pkg_find(vm, p->aid, p->aid_len) >= 0) { cl_seterr(e, "Header component: package %s is already installed", a); goto out; }
    const char *taken;
    if (install && (taken = vm_aid_taken(vm, p->aid, p->aid_len, slot, NULL, 0))) {
        cl_seterr(e, "Header component: package AID %s is already used by %s", a, taken);
        goto out;
    }

    /* Imports: API packages or installed ones, same major, minor not newer than the card's. */
    if (cap->import_count > sizeof p->imports) { fail(e, "Import", 0, "too many imports"); goto out; }
    p->nimports = cap->import_count;
    for (unsigned i = 0; i < cap->import_count; i++) {
        const cap_package_t *im = &cap->imports[i];
        int s = vm_pkg_find(vm, im->aid, im->aid_len);
        char ia[40];
        hex(im->aid, im->aid_len, ia);
        if (s < 0 || vm->pkgs[s]->major != im->major || vm->pkgs[s]->minor < im->minor) {
            cl_seterr(e, "Import component: package %s version %u.%u is not on the card", ia, im->major, im->minor);
            goto out;
        }
        p->imports[i] = (uint8_t)s;
    }

    /* Classes. */
    if (cap->class_count > 255) { fail(e, "Class", 0, "more than 255 classes"); goto out; }
    p->nclasses = cap->class_count;
    p->classes = calloc(p->nclasses ? p->nclasses : 1, sizeof *p->classes);
    if (!p->classes) { cl_seterr(e, "out of memory"); goto out; }
    vm->pkgs[slot] = p; /* visible for internal class resolution; removed again on failure */
    for (uint16_t i = 0; i < cap->class_count; i++) {
        const cap_class_t *cc = &cap->classes[i];
        vm_class_t *c = &p->classes[i];
        c->id = VM_CLASS_ID(slot, i);
        c->cap_off = cc->offset;
        c->flags = cc->flags;
        c->super = VM_NO_CLASS;
        if (cc->is_interface) {
            c->nifaces = cc->interface_count;
            c->supers = calloc(cc->interface_count ? cc->interface_count : 1, sizeof *c->supers);
            if (!c->supers) { cl_seterr(e, "out of memory"); goto out; }
            for (unsigned k = 0; k < cc->interface_count; k++)
                if (!resolve_class(vm, p, cap, cc->interfaces[k], &c->supers[k])) { fail(e, "Class", cc->offset, "unresolved superinterface"); goto out; }
            continue;
        }
        if (cc->has_super && !resolve_class(vm, p, cap, cc->super, &c->super)) { fail(e, "Class", cc->offset, "unresolved superclass"); goto out; }
        c->pub_base = cc->public_method_table_base; c->pub_count = cc->public_method_table_count;
        c->pkg_base = cc->package_method_table_base; c->pkg_count = cc->package_method_table_count;
        c->pub_tab = cc->public_vtable; c->pkg_tab = cc->package_vtable;
        c->nifaces = cc->interface_count;
        c->ifaces = calloc(cc->interface_count ? cc->interface_count : 1, sizeof *c->ifaces);
        if (!c->ifaces) { cl_seterr(e, "out of memory"); goto out; }
        for (unsigned k = 0; k < cc->interface_count; k++) {
            if (!resolve_class(vm, p, cap, cc->interfaces[k], &c->ifaces[k].iface)) { fail(e, "Class", cc->offset, "unresolved interface"); goto out; }
            c->ifaces[k].count = cc->iface_method_count[k];
            c->ifaces[k].map = cc->iface_method_index[k];
        }
    }
    /* Instance sizes: a class's fields come after all its superclasses' (in any order in the CAP). */
    for (uint16_t i = 0; i < p->nclasses; i++)
        if (class_size(vm, p, cap, i, 0) < 0) { fail(e, "Class", p->classes[i].cap_off, "superclass chain broken"); goto out; }

    for (uint16_t i = 0; i < p->nclasses; i++) p->classes[i].cap_off &= 0x7FFF;

    /* Exports: class token -> class index, static tokens -> offsets. */
    p->nexports = cap->export_count;
    p->exports = calloc(cap->export_count ? cap->export_count : 1, sizeof *p->exports);
    if (!p->exports) { cl_seterr(e, "out of memory"); goto out; }
    for (unsigned i = 0; i < cap->export_count; i++) {
        const cap_export_class_t *x = &cap->exports[i];
        const cap_class_t *cc = cap_class_at(cap, x->class_offset);
        if (!cc) { fail(e, "Export", i, "class offset not a class"); goto out; }
        p->exports[i].cls_idx = (uint16_t)(cc - cap->classes);
        p->exports[i].nsf = x->static_field_count; p->exports[i].sf = x->static_field_offsets;
        p->exports[i].nsm = x->static_method_count; p->exports[i].sm = x->static_method_offsets;
    }

    /* Constant pool. */
    p->ncp = cap->cp_count;
    p->cp = calloc(cap->cp_count ? cap->cp_count : 1, sizeof *p->cp);
    if (!p->cp) { cl_seterr(e, "out of memory"); goto out; }
    for (uint16_t i = 0; i < cap->cp_count; i++) {
        const cap_cp_entry_t *ce = &cap->cp[i];
        vm_cpe_t *v = &p->cp[i];
        v->tag = ce->tag;
        unsigned off = 4u * i + 2;
        switch (ce->tag) {
        case CAP_CP_CLASSREF: case CAP_CP_INSTANCE_FIELDREF: case CAP_CP_VIRTUAL_METHODREF: case CAP_CP_SUPER_METHODREF:
            if (!resolve_class(vm, p, cap, ce->cls, &v->cls)) { fail(e, "ConstantPool", off, "unresolved class"); goto out; }
            v->a = ce->token;
            if (ce->tag == CAP_CP_INSTANCE_FIELDREF) {
                vm_class_t *c = vm_class(vm, v->cls);
                if (!c || (c->flags & CAP_ACC_INTERFACE)) { fail(e, "ConstantPool", off, "field of an unknown class"); goto out; }
                /* No API class exports instance fields: its instance cells hold the JCRE's native state (an
                 * OwnerPIN's value and validated flag, a key's material). A field ref into one would let
                 * bytecode rewrite that state, e.g. point its own PIN at another applet's. */
                vm_pkg_t *fp = vm->pkgs[VM_CLASS_PKG(v->cls)];
                if (!fp || fp->native) { fail(e, "ConstantPool", off, "instance field of an API class"); goto out; }
                v->a = (uint16_t)(c->inst_base + ce->token);
            }
            break;
        case CAP_CP_STATIC_FIELDREF: case CAP_CP_STATIC_METHODREF: {
            bool method = ce->tag == CAP_CP_STATIC_METHODREF;
            if (!ce->external) { v->pkg = slot; v->a = ce->offset; break; }
            if (ce->cls.pkg_token >= p->nimports) { fail(e, "ConstantPool", off, "bad package token"); goto out; }
            vm_pkg_t *q = vm->pkgs[p->imports[ce->cls.pkg_token]];
            v->cls = VM_CLASS_ID(q->slot, ce->cls.class_token);
            if (q->native) {
                const vm_native_class_t *nc = vm_native_class(q->slot, ce->cls.class_token);
                v->nat = nc && method ? vm_native_method(nc, VM_NAT_STATIC, ce->token) : NULL;
                if (!v->nat && !method) { fail(e, "ConstantPool", off, "static field of an API class"); goto out; }
                v->pkg = 0; /* unbound API methods throw when called (logged), they do not stop the load */
                v->a = ce->token;
                break;
            }
            if (ce->cls.class_token >= q->nexports) { fail(e, "ConstantPool", off, "class token not exported"); goto out; }
            struct vm_export_class *x = &q->exports[ce->cls.class_token];
            if (ce->token >= (method ? x->nsm : x->nsf)) { fail(e, "ConstantPool", off, "static token not exported"); goto out; }
            v->pkg = q->slot;
            v->a = cl_get16((method ? x->sm : x->sf) + 2 * ce->token);
            break;
        }
        default:
            fail(e, "ConstantPool", off, "unknown tag");
            goto out;
        }
    }

    /* Methods and applets. */
    if (!cap->comp[CAP_COMP_METHOD].present) { fail(e, "Method", 0, "missing"); goto out; }
    p->methods = cap->comp[CAP_COMP_METHOD].info;
    p->methods_len = cap->comp[CAP_COMP_METHOD].size;
    p->nhandlers = cap->handler_count;
    /* Each method's bytecode extent: the interpreter bounds every pc of a frame by its own method. */
    p->mext = calloc(cap->method_count ? cap->method_count : 1, sizeof *p->mext);
    if (!p->mext) { cl_seterr(e, "out of memory"); goto out; }
    for (uint16_t i = 0; i < cap->method_count; i++) {
        const cap_method_t *m = &cap->methods[i];
        if (!m->code_len) continue; /* abstract: never called */
        if (p->nmext && p->mext[p->nmext - 1].off >= m->offset) { fail(e, "Method", m->offset, "methods out of order"); goto out; }
        if ((uint32_t)m->code_offset + m->code_len > p->methods_len) { fail(e, "Method", m->offset, "code past the component"); goto out; }
        p->mext[p->nmext++] = (vm_method_ext_t){ m->offset, m->code_offset, (uint16_t)(m->code_offset + m->code_len),
                                                 m->max_stack, m->nargs, m->max_locals };
    }
    if (cap->applet_count > CL_ARRAY_LEN(p->applets)) { fail(e, "Applet", 0, "too many applets"); goto out; }
    p->napplets = cap->applet_count;
    for (unsigned i = 0; i < cap->applet_count; i++) {
        p->applets[i].aid_len = cap->applets[i].aid_len;
        memcpy(p->applets[i].aid, cap->applets[i].aid, cap->applets[i].aid_len);
        p->applets[i].install = cap->applets[i].install_method_offset;
        if (!install) continue;
        /* Applet class AIDs are unique on the card and within the package (INSTALL names a class by it). */
        char ca[40];
        hex(p->applets[i].aid, p->applets[i].aid_len, ca);
        taken = vm_aid_taken(vm, p->applets[i].aid, p->applets[i].aid_len, slot, NULL, 0);
        if (!taken && p->applets[i].aid_len == p->aid_len && !memcmp(p->applets[i].aid, p->aid, p->aid_len)) taken = "this package";
        for (unsigned k = 0; k < i && !taken; k++)
            if (p->applets[k].aid_len == p->applets[i].aid_len && !memcmp(p->applets[k].aid, p->applets[i].aid, p->applets[i].aid_len))
                taken = "another applet class of this package";
        if (taken) { cl_seterr(e, "Applet component: applet class AID %s is already used by %s", ca, taken); goto out; }
    }
    if (vm_verify_pkg(vm, p, cap, e)) goto out;
    if (!install) {
        vm_obj_t so;
        if (!vm_heap_get(vm->heap, statics, &so) || so.kind != VM_KIND_BLOB || so.len != cap->sfield.image_size) {
            fail(e, "StaticField", 0, "stored static image does not match");
            goto out;
        }
        p->statics = statics;
    }
    rc = 0;
out:
    free(data);
    if (rc) {
        if (p && vm->pkgs[slot] == p) vm->pkgs[slot] = NULL;
        if (p) { p->native = false; vm->pkgs[slot] = p; vm_pkg_free(vm, slot); }
    }
    return rc;
}

/* Boot: links the stored component stream data[0..len) (the package takes data). */
static int link_pkg(vm_t *vm, uint8_t slot, uint8_t *data, size_t len, uint16_t statics, cl_error_t *e)
{
    cap_file_t cap;
    if (cap_parse(&cap, data, len, CAP_PARSE_NO_COPY, e)) { free(data); return -1; }
    int rc = link_parsed(vm, slot, data, &cap, statics, false, e);
    cap_free(&cap);
    return rc;
}

int vm_load_install(vm_t *vm, const uint8_t *buf, size_t len, uint8_t *slot_out, cl_error_t *e)
{
    /* One parse serves the whole install: link, verify, static field image. It owns its copy of
     * the components (a JAR's extracted, a stream's copied), which becomes the package's RAM copy;
     * the blob stores the same components as the canonical stream the next boot parses. */
    cap_file_t cap;
    if (cap_parse(&cap, buf, len, 0, e)) return -1;
    size_t slen;
    uint8_t *stream = cap_load_file(&cap, true, &slen), *ram = cap.owned; /* the blob: GP load order */
    int slot = -1, rc = -1;
    uint16_t blob = 0;
    if (!stream || !ram) { cl_seterr(e, "out of memory"); goto out; }
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS && slot < 0; s++) {
        uint16_t b, st;
        if (!vm->pkgs[s] && !vm_pkg_table_get(vm, (uint8_t)s, &b, &st) && !b) slot = s;
    }
    if (slot < 0) { cl_seterr(e, "no free package slot"); goto out; }
    if (vm->tx_depth || img_group_open(vm->img)) { cl_seterr(e, "a transaction is open"); goto out; }
    /* Link and verify first: a refused CAP writes nothing, not even a checkpoint. */
    cap.owned = NULL; /* the package takes the parse's copy (link_parsed frees it on failure) */
    if (link_parsed(vm, (uint8_t)slot, ram, &cap, 0, true, e)) { slot = -1; goto out; }
    vm_pkg_t *p = vm->pkgs[slot];
    if (img_group_begin(vm->img)) { cl_seterr(e, "a transaction is open"); goto out; }
    if (vm_heap_alloc_blob(vm->heap, VM_CTX_JCRE, stream, (uint32_t)slen, &blob)) {
        cl_seterr(e, "no room in the card for %zu bytes of package", slen);
        goto abort;
    }
    if (make_statics(vm, p, &cap, e) || vm_pkg_table_set(vm, (uint8_t)slot, blob, p->statics) ||
        img_group_commit(vm->img)) {
        if (!e || !e->msg[0]) cl_seterr(e, "install failed: out of commit capacity");
        goto abort;
    }
    p->blob = blob;
    if (slot_out) *slot_out = (uint8_t)slot;
    rc = 0;
    goto out;
abort:
    if (img_group_open(vm->img)) img_group_abort(vm->img);
    vm_heap_scrub(vm->heap);
    vm_heap_clear_transient(vm->heap, 0, 0xFFFF);
out:
    cap_free(&cap);
    free(stream);
    if (rc && slot >= 0) vm_pkg_free(vm, (uint8_t)slot);
    return rc;
}

int vm_load_boot(vm_t *vm, cl_error_t *e)
{
    (void)e;
    /* Packages that import other installed packages link after them: repeat until no progress. */
    bool progress = true;
    while (progress) {
        progress = false;
        for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) {
            uint16_t blob, statics;
            vm_obj_t o;
            if (vm->pkgs[s] || vm_pkg_table_get(vm, (uint8_t)s, &blob, &statics) || !blob) continue;
            if (!vm_heap_get(vm->heap, blob, &o) || o.kind != VM_KIND_BLOB) continue;
            uint8_t *copy = malloc(o.len ? o.len : 1);
            if (!copy) return -1;
            memcpy(copy, vm_heap_data(vm->heap, &o), o.len);
            cl_error_t le = { { 0 } };
            if (link_pkg(vm, (uint8_t)s, copy, o.len, statics, &le) == 0) {
                vm->pkgs[s]->blob = blob;
                progress = true;
            }
        }
    }
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) {
        uint16_t blob, statics;
        if (!vm->pkgs[s] && !vm_pkg_table_get(vm, (uint8_t)s, &blob, &statics) && blob)
            cl_err("vm: stored package in slot %d cannot be linked; its applets are unavailable", s);
    }
    return 0;
}
