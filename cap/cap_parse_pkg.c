/* cap_parse_pkg: the package-level components — Header, Directory, Import, Applet, ConstantPool,
 * StaticField, Export — and the class_ref / package_info checks the other parsers share. */
#include <stdlib.h>
#include <string.h>

#include "cap/cap_parse_int.h"

static void rd_comp(cap_rd_t *r, const cap_file_t *cap, int tag, cl_error_t *e)
{
    cap_rd_init(r, cap->comp[tag].info, cap->comp[tag].size, cap_component_name(tag), e);
}

static int rd_end(cap_rd_t *r)
{
    if (r->failed) return -1;
    if (r->pos != r->len) return cap_rd_fail_at(r, r->pos, "%zu unexpected bytes after the last item", r->len - r->pos);
    return 0;
}

int cap_read_package(cap_rd_t *r, cap_package_t *pkg, const char *what)
{
    pkg->minor = cap_rd_u1(r, what);
    pkg->major = cap_rd_u1(r, what);
    size_t at = r->pos;
    pkg->aid_len = cap_rd_u1(r, what);
    if (r->failed) return -1;
    if (pkg->aid_len < CAP_AID_MIN || pkg->aid_len > CAP_AID_MAX)
        return cap_rd_fail_at(r, at, "%s AID length %u (must be 5..16)", what, pkg->aid_len);
    pkg->aid = cap_rd_bytes(r, pkg->aid_len, what);
    return r->failed ? -1 : 0;
}

int cap_check_classref(const cap_file_t *cap, cap_rd_t *r, size_t off, cap_classref_t ref, const char *what)
{
    if (ref.external) {
        if (ref.pkg_token >= cap->import_count)
            return cap_rd_fail_at(r, off, "%s refers to package token %u, but only %u packages are imported", what,
                                  ref.pkg_token, cap->import_count);
        return 0;
    }
    if (!cap_class_at(cap, ref.offset))
        return cap_rd_fail_at(r, off, "%s 0x%04x is not the start of a class or interface in the Class component",
                              what, ref.offset);
    return 0;
}

int cap_p_header(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_HEADER, e);
    const uint8_t *magic = cap_rd_bytes(&r, 4, "magic");
    if (magic && cl_get32(magic) != CAP_MAGIC)
        return cap_rd_fail_at(&r, 0, "bad magic %08x (expected DECAFFED)", cl_get32(magic));
    cap->cap_minor = cap_rd_u1(&r, "minor version");
    cap->cap_major = cap_rd_u1(&r, "major version");
    if (r.failed) return -1;
    if (cap->cap_major != 2 || cap->cap_minor < 1 || cap->cap_minor > 2)
        return cap_rd_fail_at(&r, 4, "CAP format %u.%u not supported (2.1 and 2.2 are)", cap->cap_major,
                              cap->cap_minor);
    cap->flags = cap_rd_u1(&r, "flags");
    if (!r.failed && (cap->flags & ~(CAP_HDR_ACC_INT | CAP_HDR_ACC_EXPORT | CAP_HDR_ACC_APPLET)))
        return cap_rd_fail_at(&r, 6, "unknown flags 0x%02x", cap->flags);
    if (cap_read_package(&r, &cap->package, "package") != 0) return -1;
    if (cap->cap_minor >= 2) {
        cap->name_len = cap_rd_u1(&r, "package name length");
        cap->name = (const char *)cap_rd_bytes(&r, cap->name_len, "package name");
        if (cap->name && memchr(cap->name, 0, cap->name_len))
            return cap_rd_fail_at(&r, r.pos - cap->name_len, "package name contains a NUL byte");
    }
    if (rd_end(&r) != 0) return -1;
    if (!!(cap->flags & CAP_HDR_ACC_APPLET) != cap->comp[CAP_COMP_APPLET].present)
        return cap_rd_fail_at(&r, 6, "flag ACC_APPLET is %s but the Applet component is %s",
                              (cap->flags & CAP_HDR_ACC_APPLET) ? "set" : "clear",
                              cap->comp[CAP_COMP_APPLET].present ? "present" : "absent");
    if (!!(cap->flags & CAP_HDR_ACC_EXPORT) != cap->comp[CAP_COMP_EXPORT].present)
        return cap_rd_fail_at(&r, 6, "flag ACC_EXPORT is %s but the Export component is %s",
                              (cap->flags & CAP_HDR_ACC_EXPORT) ? "set" : "clear",
                              cap->comp[CAP_COMP_EXPORT].present ? "present" : "absent");
    return 0;
}

int cap_p_directory(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_DIRECTORY, e);
    cap_directory_t *d = &cap->dir;
    int n = cap->cap_minor >= 2 ? 12 : 11; /* CAP 2.2 added the Debug component's size */
    for (int i = 0; i < n; i++) d->component_sizes[i] = cap_rd_u2(&r, "component_sizes");
    d->image_size = cap_rd_u2(&r, "static_field_size");
    d->array_init_count = cap_rd_u2(&r, "static_field_size");
    d->array_init_size = cap_rd_u2(&r, "static_field_size");
    d->import_count = cap_rd_u1(&r, "import_count");
    d->applet_count = cap_rd_u1(&r, "applet_count");
    d->custom_count = cap_rd_u1(&r, "custom_count");
    if (r.failed) return -1;
    if (d->custom_count) {
        d->customs = calloc(d->custom_count, sizeof(*d->customs));
        if (!d->customs) return cap_rd_fail_at(&r, r.pos, "out of memory");
    }
    for (unsigned i = 0; i < d->custom_count; i++) {
        cap_custom_info_t *c = &d->customs[i];
        size_t at = r.pos;
        c->tag = cap_rd_u1(&r, "custom component");
        c->size = cap_rd_u2(&r, "custom component");
        c->aid_len = cap_rd_u1(&r, "custom component");
        if (r.failed) return -1;
        if (c->tag < CAP_COMP_CUSTOM_FIRST)
            return cap_rd_fail_at(&r, at, "custom component tag %u (must be 128..255)", c->tag);
        if (c->aid_len < CAP_AID_MIN || c->aid_len > CAP_AID_MAX)
            return cap_rd_fail_at(&r, at + 3, "custom component AID length %u (must be 5..16)", c->aid_len);
        c->aid = cap_rd_bytes(&r, c->aid_len, "custom component AID");
    }
    if (rd_end(&r) != 0) return -1;
    /* Every standard component's size must be what the Directory says; Descriptor and Debug may be
     * left out of a load file, and then their sizes are not checked. */
    for (int tag = CAP_COMP_HEADER; tag <= CAP_COMP_DESCRIPTOR; tag++) {
        size_t at = (size_t)(tag - 1) * 2;
        const cap_component_t *c = &cap->comp[tag];
        if (c->present && c->size != d->component_sizes[tag - 1])
            return cap_rd_fail_at(&r, at, "%s size %u, but the component has %u bytes", cap_component_name(tag),
                                  d->component_sizes[tag - 1], c->size);
        if (!c->present && tag != CAP_COMP_DESCRIPTOR && d->component_sizes[tag - 1] != 0)
            return cap_rd_fail_at(&r, at, "%s size %u, but the component is absent", cap_component_name(tag),
                                  d->component_sizes[tag - 1]);
    }
    if (!cap->comp[CAP_COMP_APPLET].present && d->applet_count != 0)
        return cap_rd_fail_at(&r, (size_t)n * 2 + 7, "applet_count %u without an Applet component", d->applet_count);
    return 0;
}

int cap_p_import(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_IMPORT, e);
    uint8_t count = cap_rd_u1(&r, "count");
    if (r.failed) return -1;
    if (count != cap->dir.import_count)
        return cap_rd_fail_at(&r, 0, "count %u, but the Directory says %u", count, cap->dir.import_count);
    if (count > 128) return cap_rd_fail_at(&r, 0, "%u imported packages (at most 128)", count);
    if (count) {
        cap->imports = calloc(count, sizeof(*cap->imports));
        if (!cap->imports) return cap_rd_fail_at(&r, 0, "out of memory");
    }
    for (unsigned i = 0; i < count; i++)
        if (cap_read_package(&r, &cap->imports[i], "imported package") != 0) return -1;
    cap->import_count = count;
    return rd_end(&r);
}

int cap_p_applet(cap_file_t *cap, cl_error_t *e)
{
    if (!cap->comp[CAP_COMP_APPLET].present) return 0;
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_APPLET, e);
    uint8_t count = cap_rd_u1(&r, "count");
    if (r.failed) return -1;
    if (count == 0) return cap_rd_fail_at(&r, 0, "no applets (the component must then be absent)");
    if (count != cap->dir.applet_count)
        return cap_rd_fail_at(&r, 0, "count %u, but the Directory says %u", count, cap->dir.applet_count);
    cap->applets = calloc(count, sizeof(*cap->applets));
    if (!cap->applets) return cap_rd_fail_at(&r, 0, "out of memory");
    for (unsigned i = 0; i < count; i++) {
        cap_applet_t *a = &cap->applets[i];
        size_t at = r.pos;
        a->aid_len = cap_rd_u1(&r, "applet AID length");
        if (r.failed) return -1;
        if (a->aid_len < CAP_AID_MIN || a->aid_len > CAP_AID_MAX)
            return cap_rd_fail_at(&r, at, "applet AID length %u (must be 5..16)", a->aid_len);
        a->aid = cap_rd_bytes(&r, a->aid_len, "applet AID");
        if (a->aid && memcmp(a->aid, cap->package.aid, 5) != 0)
            return cap_rd_fail_at(&r, at + 1, "applet AID's RID differs from the package AID's RID");
        a->install_method_offset = cap_rd_u2(&r, "install_method_offset");
    }
    cap->applet_count = count;
    return rd_end(&r);
}

int cap_p_cpool(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_CONSTANTPOOL, e);
    uint16_t count = cap_rd_u2(&r, "count");
    if (r.failed) return -1;
    if ((size_t)count * CAP_CP_ENTRY_SIZE != r.len - 2)
        return cap_rd_fail_at(&r, 0, "count %u needs %zu bytes of entries, the component has %zu", count,
                              (size_t)count * CAP_CP_ENTRY_SIZE, r.len - 2);
    if (count) {
        cap->cp = calloc(count, sizeof(*cap->cp));
        if (!cap->cp) return cap_rd_fail_at(&r, 0, "out of memory");
    }
    for (unsigned i = 0; i < count; i++) {
        size_t at = r.pos;
        const uint8_t *b = cap_rd_bytes(&r, 4, "entry");
        if (!b) return -1;
        cap_cp_entry_t *c = &cap->cp[i];
        c->tag = b[0];
        switch (c->tag) {
        case CAP_CP_CLASSREF:
        case CAP_CP_INSTANCE_FIELDREF:
        case CAP_CP_VIRTUAL_METHODREF:
        case CAP_CP_SUPER_METHODREF:
            c->cls = cap_classref_decode(cl_get16(b + 1));
            c->token = b[3];
            if (c->tag == CAP_CP_SUPER_METHODREF && c->cls.external)
                return cap_rd_fail_at(&r, at + 1, "entry %u: SuperMethodref to an external class", i);
            if (c->cls.external && cap_check_classref(cap, &r, at + 1, c->cls, "class_ref") != 0) return -1;
            break;
        case CAP_CP_STATIC_FIELDREF:
        case CAP_CP_STATIC_METHODREF:
            if (b[1] & 0x80) {
                c->external = true;
                c->cls.external = true;
                c->cls.pkg_token = b[1] & 0x7F;
                c->cls.class_token = b[2];
                c->cls.raw = cl_get16(b + 1);
                c->token = b[3];
                if (cap_check_classref(cap, &r, at + 1, c->cls, "static reference") != 0) return -1;
            } else {
                if (b[1] != 0) return cap_rd_fail_at(&r, at + 1, "entry %u: internal static reference with nonzero padding", i);
                c->offset = cl_get16(b + 2);
                if (c->tag == CAP_CP_STATIC_FIELDREF && c->offset >= cap->dir.image_size)
                    return cap_rd_fail_at(&r, at + 2, "entry %u: static field offset 0x%04x beyond the static field image (%u bytes)",
                                          i, c->offset, cap->dir.image_size);
                /* internal static method offsets are checked against method starts by the Method parser */
            }
            break;
        default:
            return cap_rd_fail_at(&r, at, "entry %u: unknown tag %u", i, c->tag);
        }
    }
    cap->cp_count = count;
    return rd_end(&r);
}

static unsigned elem_size(uint8_t type)
{
    switch (type) {
    case CAP_TN_BOOLEAN: case CAP_TN_BYTE: return 1;
    case CAP_TN_SHORT: return 2;
    case CAP_TN_INT: return 4;
    default: return 0;
    }
}

int cap_p_sfield(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_STATICFIELD, e);
    cap_static_field_t *s = &cap->sfield;
    s->image_size = cap_rd_u2(&r, "image_size");
    s->reference_count = cap_rd_u2(&r, "reference_count");
    size_t at_count = r.pos;
    s->array_init_count = cap_rd_u2(&r, "array_init_count");
    if (r.failed) return -1;
    if (s->array_init_count > s->reference_count)
        return cap_rd_fail_at(&r, at_count, "array_init_count %u exceeds reference_count %u", s->array_init_count,
                              s->reference_count);
    if (s->array_init_count) {
        s->array_inits = calloc(s->array_init_count, sizeof(*s->array_inits));
        if (!s->array_inits) return cap_rd_fail_at(&r, at_count, "out of memory");
    }
    uint32_t init_bytes = 0;
    for (unsigned i = 0; i < s->array_init_count; i++) {
        cap_array_init_t *a = &s->array_inits[i];
        size_t at = r.pos;
        a->type = cap_rd_u1(&r, "array_init type");
        a->count = cap_rd_u2(&r, "array_init count");
        if (r.failed) return -1;
        unsigned es = elem_size(a->type);
        if (!es) return cap_rd_fail_at(&r, at, "array_init %u: bad type %u (must be 2..5)", i, a->type);
        if (a->count % es) return cap_rd_fail_at(&r, at + 1, "array_init %u: %u bytes is not a whole number of elements", i, a->count);
        a->values = cap_rd_bytes(&r, a->count, "array_init values");
        init_bytes += a->count;
    }
    size_t at_dv = r.pos;
    s->default_value_count = cap_rd_u2(&r, "default_value_count");
    s->non_default_value_count = cap_rd_u2(&r, "non_default_value_count");
    s->non_default_values = cap_rd_bytes(&r, s->non_default_value_count, "non_default_values");
    if (rd_end(&r) != 0) return -1;
    uint32_t image = 2u * s->reference_count + s->default_value_count + s->non_default_value_count;
    if (image != s->image_size)
        return cap_rd_fail_at(&r, at_dv, "image_size %u, but references, default and non-default values take %u bytes",
                              s->image_size, image);
    const cap_directory_t *d = &cap->dir;
    if (d->image_size != s->image_size || d->array_init_count != s->array_init_count || d->array_init_size != init_bytes)
        return cap_rd_fail_at(&r, 0, "sizes (image %u, %u array inits of %u bytes) differ from the Directory's (%u, %u, %u)",
                              s->image_size, s->array_init_count, init_bytes, d->image_size, d->array_init_count,
                              d->array_init_size);
    return 0;
}

int cap_p_export(cap_file_t *cap, cl_error_t *e)
{
    if (!cap->comp[CAP_COMP_EXPORT].present) return 0;
    cap_rd_t r;
    rd_comp(&r, cap, CAP_COMP_EXPORT, e);
    uint8_t count = cap_rd_u1(&r, "class_count");
    if (r.failed) return -1;
    if (count) {
        cap->exports = calloc(count, sizeof(*cap->exports));
        if (!cap->exports) return cap_rd_fail_at(&r, 0, "out of memory");
    }
    for (unsigned i = 0; i < count; i++) {
        cap_export_class_t *x = &cap->exports[i];
        size_t at = r.pos;
        x->class_offset = cap_rd_u2(&r, "class_offset");
        x->static_field_count = cap_rd_u1(&r, "static_field_count");
        x->static_method_count = cap_rd_u1(&r, "static_method_count");
        if (r.failed) return -1;
        if (!cap_class_at(cap, x->class_offset))
            return cap_rd_fail_at(&r, at, "class_offset 0x%04x is not the start of a class or interface", x->class_offset);
        size_t at_f = r.pos;
        x->static_field_offsets = cap_rd_bytes(&r, 2u * x->static_field_count, "static_field_offsets");
        x->static_method_offsets = cap_rd_bytes(&r, 2u * x->static_method_count, "static_method_offsets");
        if (r.failed) return -1;
        for (unsigned k = 0; k < x->static_field_count; k++) {
            uint16_t off = cl_get16(x->static_field_offsets + 2 * k);
            if (off >= cap->sfield.image_size)
                return cap_rd_fail_at(&r, at_f + 2 * k, "static field offset 0x%04x beyond the static field image (%u bytes)",
                                      off, cap->sfield.image_size);
        }
        /* static method offsets become method starts; the Method parser checks them */
    }
    cap->export_count = count;
    return rd_end(&r);
}
