/* cap_dump: prints every component of a parsed CAP file; see cap_dump.h. */
#include "cap/cap_dump.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cap/jc_opcodes.h"

/* Appends to a fixed buffer, truncating silently (the buffer is always NUL-terminated). */
typedef struct { char *p; size_t size, len; } sbuf_t;

__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf_t *s, const char *fmt, ...)
{
    if (s->len >= s->size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->p + s->len, s->size - s->len, fmt, ap);
    va_end(ap);
    if (n > 0) s->len = (size_t)n >= s->size - s->len ? s->size - 1 : s->len + (size_t)n;
}

static void print_aid(FILE *out, const uint8_t *aid, size_t len)
{
    for (size_t i = 0; i < len; i++) fprintf(out, "%02X", aid[i]);
}

static const cap_package_t *import_pkg(const cap_file_t *cap, uint8_t token)
{
    return token < cap->import_count ? &cap->imports[token] : NULL;
}

/* "javacard/framework/Applet (ext pkg 1 class 3)" or "class@0x0003 (token 1)" */
static void classref_text(const cap_file_t *cap, const cap_names_t *names, cap_classref_t ref, sbuf_t *s)
{
    if (ref.external) {
        const cap_package_t *p = import_pkg(cap, ref.pkg_token);
        const char *cn = p ? cap_names_class(names, p->aid, p->aid_len, ref.class_token) : NULL;
        if (cn) sb_printf(s, "%s ", cn);
        sb_printf(s, "(ext pkg %u class %u)", ref.pkg_token, ref.class_token);
        return;
    }
    sb_printf(s, "class@0x%04x", ref.offset);
    if (cap->has_descriptor)
        for (unsigned i = 0; i < cap->desc.class_count; i++)
            if (!cap->desc.classes[i].this_class.external && cap->desc.classes[i].this_class.offset == ref.offset &&
                cap->desc.classes[i].token != 0xFF)
                sb_printf(s, " (token %u)", cap->desc.classes[i].token);
}

static void member_text(const cap_file_t *cap, const cap_names_t *names, cap_classref_t cls,
                        enum cap_member_kind kind, uint8_t token, const char *what, sbuf_t *s)
{
    if (cls.external) {
        const cap_package_t *p = import_pkg(cap, cls.pkg_token);
        const char *cn = p ? cap_names_class(names, p->aid, p->aid_len, cls.class_token) : NULL;
        /* package-visible virtual method tokens carry the high bit; names only exist for public ones */
        const char *mn = p ? cap_names_member(names, p->aid, p->aid_len, cls.class_token, kind, token) : NULL;
        if (cn && mn) sb_printf(s, "%s.%s ", cn, mn);
        else if (cn) sb_printf(s, "%s ", cn);
        sb_printf(s, "(ext pkg %u class %u %s token %u)", cls.pkg_token, cls.class_token, what, token);
        return;
    }
    classref_text(cap, names, cls, s);
    sb_printf(s, " %s token %u", what, token);
}

/* kind: prefix the entry kind ("StaticMethodref ..."); instructions leave it out, their opcode says it. */
static void cp_text(const cap_file_t *cap, const cap_names_t *names, uint16_t index, sbuf_t *s, bool kind)
{
    const cap_cp_entry_t *c = cap_cp_get(cap, index);
    if (!c) { sb_printf(s, "<bad index %u>", index); return; }
    switch (c->tag) {
    case CAP_CP_CLASSREF: if (kind) sb_printf(s, "Classref "); classref_text(cap, names, c->cls, s); break;
    case CAP_CP_INSTANCE_FIELDREF:
        if (kind) sb_printf(s, "InstanceFieldref ");
        member_text(cap, names, c->cls, CAP_MK_INSTANCE_FIELD, c->token, "field", s);
        break;
    case CAP_CP_VIRTUAL_METHODREF:
        if (kind) sb_printf(s, "VirtualMethodref ");
        member_text(cap, names, c->cls, CAP_MK_VIRTUAL_METHOD, c->token, "method", s);
        break;
    case CAP_CP_SUPER_METHODREF:
        if (kind) sb_printf(s, "SuperMethodref ");
        member_text(cap, names, c->cls, CAP_MK_VIRTUAL_METHOD, c->token, "method", s);
        break;
    case CAP_CP_STATIC_FIELDREF:
        if (kind) sb_printf(s, "StaticFieldref ");
        if (c->external) member_text(cap, names, c->cls, CAP_MK_STATIC_FIELD, c->token, "field", s);
        else sb_printf(s, "static field image @0x%04x", c->offset);
        break;
    case CAP_CP_STATIC_METHODREF:
        if (kind) sb_printf(s, "StaticMethodref ");
        if (c->external) member_text(cap, names, c->cls, CAP_MK_STATIC_METHOD, c->token, "method", s);
        else sb_printf(s, "method@0x%04x", c->offset);
        break;
    default: sb_printf(s, "<tag %u>", c->tag); break;
    }
}

void cap_dump_cp_entry(const cap_file_t *cap, const cap_names_t *names, uint16_t index, char *buf, size_t size)
{
    sbuf_t s = {buf, size, 0};
    if (size) buf[0] = 0;
    cp_text(cap, names, index, &s, true);
}

static const char *atype_name(unsigned t)
{
    switch (t) {
    case JC_ATYPE_CLASS: return "class";
    case JC_ATYPE_BOOLEAN: return "boolean[]";
    case JC_ATYPE_BYTE: return "byte[]";
    case JC_ATYPE_SHORT: return "short[]";
    case JC_ATYPE_INT: return "int[]";
    case JC_ATYPE_REFERENCE: return "reference[]";
    default: return "?";
    }
}

void cap_dump_insn(const cap_file_t *cap, const cap_names_t *names, const cap_insn_t *in, char *buf, size_t size)
{
    sbuf_t s = {buf, size, 0};
    if (size) buf[0] = 0;
    const uint8_t *b = in->bytes;
    const char *name = jc_opcode_name(in->op);
    sb_printf(&s, "%s", name ? name : "?");
    /* branch targets printed as Method component offsets, like the addresses in the listing */
    int32_t base = (int32_t)in->info_offset - (int32_t)in->pc;
    switch (jc_opcode_format(in->op)) {
    case JC_OPF_BYTE: sb_printf(&s, " %d", (int8_t)b[1]); break;
    case JC_OPF_SHORT: sb_printf(&s, " %d", (int16_t)cl_get16(b + 1)); break;
    case JC_OPF_INT: sb_printf(&s, " %" PRId32, (int32_t)cl_get32(b + 1)); break;
    case JC_OPF_LOCAL: sb_printf(&s, " %u", b[1]); break;
    case JC_OPF_LOCAL_INC: sb_printf(&s, " %u %d", b[1], (int8_t)b[2]); break;
    case JC_OPF_LOCAL_INC_W: sb_printf(&s, " %u %d", b[1], (int16_t)cl_get16(b + 2)); break;
    case JC_OPF_MN: sb_printf(&s, " 0x%02x (m=%u n=%u)", b[1], b[1] >> 4, b[1] & 0xF); break;
    case JC_OPF_BRANCH: sb_printf(&s, " %+d -> 0x%04x", (int8_t)b[1], (unsigned)(base + in->pc + (int8_t)b[1])); break;
    case JC_OPF_BRANCH_W:
        sb_printf(&s, " %+d -> 0x%04x", (int16_t)cl_get16(b + 1), (unsigned)(base + in->pc + (int16_t)cl_get16(b + 1)));
        break;
    case JC_OPF_CP_BYTE: sb_printf(&s, " %u // ", b[1]); cp_text(cap, names, b[1], &s, false); break;
    case JC_OPF_CP: sb_printf(&s, " 0x%04x // ", cl_get16(b + 1)); cp_text(cap, names, cl_get16(b + 1), &s, false); break;
    case JC_OPF_ATYPE: sb_printf(&s, " %s", atype_name(b[1])); break;
    case JC_OPF_ATYPE_CP:
        if (b[1] == JC_ATYPE_CLASS || b[1] == JC_ATYPE_REFERENCE) {
            sb_printf(&s, " %s 0x%04x // ", atype_name(b[1]), cl_get16(b + 2));
            cp_text(cap, names, cl_get16(b + 2), &s, false);
        } else {
            sb_printf(&s, " %s", atype_name(b[1]));
        }
        break;
    case JC_OPF_INVOKEINTERFACE:
        sb_printf(&s, " nargs %u, 0x%04x, method %u // ", b[1], cl_get16(b + 2), b[4]);
        cp_text(cap, names, cl_get16(b + 2), &s, false);
        break;
    case JC_OPF_STABLESWITCH: case JC_OPF_ITABLESWITCH: case JC_OPF_SLOOKUPSWITCH: case JC_OPF_ILOOKUPSWITCH: {
        int32_t t[16];
        int n = cap_insn_targets(in, t, 16);
        int fmt = jc_opcode_format(in->op);
        sb_printf(&s, " default -> 0x%04x", (unsigned)(base + t[0]));
        for (int i = 1; i < n && i < 16; i++) {
            int64_t key;
            if (fmt == JC_OPF_STABLESWITCH) key = (int16_t)cl_get16(b + 3) + (i - 1);
            else if (fmt == JC_OPF_ITABLESWITCH) key = (int64_t)(int32_t)cl_get32(b + 3) + (i - 1);
            else if (fmt == JC_OPF_SLOOKUPSWITCH) key = (int16_t)cl_get16(b + 5 + 4 * (i - 1));
            else key = (int32_t)cl_get32(b + 5 + 6 * (i - 1));
            sb_printf(&s, ", %" PRId64 " -> 0x%04x", key, (unsigned)(base + t[i]));
        }
        if (n > 16) sb_printf(&s, ", ... (%d targets)", n - 1);
        break;
    }
    default: break;
    }
}

/* Type descriptor at p (nibble_count then nibbles) as JVM-like text; a method type lists the
 * parameters then the return type, shown as "(SL<0003>;)V". class_refs are shown raw (<hex>). */
static void type_text(const uint8_t *p, size_t avail, bool method, sbuf_t *s)
{
    if (avail < 1) { sb_printf(s, "?"); return; }
    unsigned n = p[0];
    if (avail < 1 + (n + 1) / 2) { sb_printf(s, "?"); return; }
    static const char *const names[16] = {"?", "V", "Z", "B", "S", "I", "L", "?", "?", "?", "[Z", "[B", "[S", "[I", "[L", "?"};
    /* first pass: where the last type starts, so the return type can be set apart */
    unsigned last = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned nib = (p[1 + i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        last = i;
        if (nib == CAP_TN_REFERENCE || nib == CAP_TN_ARRAY_REFERENCE) i += 4;
    }
    if (method) sb_printf(s, "(");
    for (unsigned i = 0; i < n; i++) {
        if (method && i == last) sb_printf(s, ")");
        unsigned nib = (p[1 + i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        sb_printf(s, "%s", names[nib]);
        if ((nib == CAP_TN_REFERENCE || nib == CAP_TN_ARRAY_REFERENCE) && i + 4 < n) {
            unsigned raw = 0;
            for (unsigned k = 1; k <= 4; k++) raw = (raw << 4) | ((p[1 + (i + k) / 2] >> ((i + k) % 2 ? 0 : 4)) & 0xF);
            sb_printf(s, "<%04x>;", raw);
            i += 4;
        }
    }
}

static void desc_type(const cap_file_t *cap, uint16_t t, bool method, sbuf_t *s)
{
    if (t & CAP_TYPE_PRIMITIVE) {
        static const char *const prim[] = {"?", "?", "boolean", "byte", "short", "int"};
        unsigned p = t & 0x7FFF;
        sb_printf(s, "%s", p <= 5 ? prim[p] : "?");
        return;
    }
    if (t < cap->desc.types_len) type_text(cap->desc.types + t, cap->desc.types_len - t, method, s);
    else sb_printf(s, "?");
}

static void access_text(uint8_t f, bool is_class, sbuf_t *s)
{
    if (f & CAP_ACC_PUBLIC) sb_printf(s, " public");
    if (is_class) {
        if (f & CAP_DESC_CLASS_FINAL) sb_printf(s, " final");
        if (f & CAP_DESC_CLASS_INTERFACE) sb_printf(s, " interface");
        if (f & CAP_DESC_CLASS_ABSTRACT) sb_printf(s, " abstract");
        return;
    }
    if (f & CAP_ACC_PRIVATE) sb_printf(s, " private");
    if (f & CAP_ACC_PROTECTED) sb_printf(s, " protected");
    if (f & CAP_ACC_STATIC) sb_printf(s, " static");
    if (f & CAP_ACC_FINAL) sb_printf(s, " final");
    if (f & CAP_ACC_ABSTRACT) sb_printf(s, " abstract");
    if (f & CAP_ACC_INIT) sb_printf(s, " init");
}

static const cap_desc_method_t *desc_method_at(const cap_file_t *cap, uint16_t off, uint8_t *class_token)
{
    if (!cap->has_descriptor) return NULL;
    for (unsigned c = 0; c < cap->desc.class_count; c++)
        for (unsigned k = 0; k < cap->desc.classes[c].method_count; k++)
            if (cap->desc.classes[c].methods[k].method_offset == off) {
                *class_token = cap->desc.classes[c].token;
                return &cap->desc.classes[c].methods[k];
            }
    return NULL;
}

static void dump_header(const cap_file_t *cap, const cap_names_t *names, FILE *out)
{
    fprintf(out, "Header: CAP format %u.%u, flags 0x%02x%s%s%s\n", cap->cap_major, cap->cap_minor, cap->flags,
            (cap->flags & CAP_HDR_ACC_INT) ? " int" : "", (cap->flags & CAP_HDR_ACC_EXPORT) ? " export" : "",
            (cap->flags & CAP_HDR_ACC_APPLET) ? " applet" : "");
    if (cap->name_len) fprintf(out, "  package %.*s", (int)cap->name_len, cap->name);
    else fprintf(out, "  package (no name in CAP %u.%u)", cap->cap_major, cap->cap_minor);
    fprintf(out, " version %u.%u AID ", cap->package.major, cap->package.minor);
    print_aid(out, cap->package.aid, cap->package.aid_len);
    fprintf(out, "\n");

    const cap_directory_t *d = &cap->dir;
    fprintf(out, "Directory:\n  component sizes:");
    for (int tag = CAP_COMP_HEADER; tag <= CAP_COMP_DEBUG; tag++)
        fprintf(out, " %s %u%s", cap_component_name(tag), d->component_sizes[tag - 1],
                tag == CAP_COMP_DEBUG ? "\n" : ",");
    fprintf(out, "  static fields: image %u bytes, %u array init(s) of %u bytes\n", d->image_size, d->array_init_count,
            d->array_init_size);
    fprintf(out, "  imports %u, applets %u, custom components %u\n", d->import_count, d->applet_count, d->custom_count);
    for (unsigned i = 0; i < d->custom_count; i++) {
        fprintf(out, "  custom component tag 0x%02x size %u AID ", d->customs[i].tag, d->customs[i].size);
        print_aid(out, d->customs[i].aid, d->customs[i].aid_len);
        fprintf(out, "\n");
    }

    fprintf(out, "Imports: %u\n", cap->import_count);
    for (unsigned i = 0; i < cap->import_count; i++) {
        const cap_package_t *p = &cap->imports[i];
        fprintf(out, "  [%u] ", i);
        print_aid(out, p->aid, p->aid_len);
        const char *pn = cap_names_package(names, p->aid, p->aid_len);
        fprintf(out, " version %u.%u%s%s%s\n", p->major, p->minor, pn ? " (" : "", pn ? pn : "", pn ? ")" : "");
    }
    fprintf(out, "Applets: %u\n", cap->applet_count);
    for (unsigned i = 0; i < cap->applet_count; i++) {
        fprintf(out, "  ");
        print_aid(out, cap->applets[i].aid, cap->applets[i].aid_len);
        fprintf(out, " install method@0x%04x\n", cap->applets[i].install_method_offset);
    }
}

static void dump_cp_and_classes(const cap_file_t *cap, const cap_names_t *names, FILE *out)
{
    char buf[512];
    fprintf(out, "Constant pool: %u entries\n", cap->cp_count);
    for (unsigned i = 0; i < cap->cp_count; i++) {
        cap_dump_cp_entry(cap, names, (uint16_t)i, buf, sizeof(buf));
        fprintf(out, "  [%u] %s\n", i, buf);
    }
    fprintf(out, "Classes: %u (signature pool %u bytes)\n", cap->class_count, cap->signature_pool_len);
    for (unsigned i = 0; i < cap->class_count; i++) {
        const cap_class_t *c = &cap->classes[i];
        sbuf_t s = {buf, sizeof(buf), 0};
        buf[0] = 0;
        cap_classref_t self = {.offset = c->offset};
        classref_text(cap, names, self, &s);
        fprintf(out, "  %s %s%s%s", c->is_interface ? "interface" : "class", buf,
                (c->flags & CAP_ACC_SHAREABLE) ? " shareable" : "", (c->flags & CAP_ACC_REMOTE) ? " remote" : "");
        if (!c->is_interface) {
            s.len = 0;
            buf[0] = 0;
            if (c->has_super) classref_text(cap, names, c->super, &s);
            fprintf(out, " extends %s\n", c->has_super ? buf : "nothing (java.lang.Object)");
            fprintf(out, "    instance size %u, %u reference field(s) from token %u\n", c->declared_instance_size,
                    c->reference_count, c->first_reference_token);
            fprintf(out, "    public methods from token %u:", c->public_method_table_base);
            for (unsigned k = 0; k < c->public_method_table_count; k++) {
                uint16_t o = cl_get16(c->public_vtable + 2 * k);
                if (o == 0xFFFF) fprintf(out, " [%u] -", c->public_method_table_base + k);
                else fprintf(out, " [%u] @0x%04x", c->public_method_table_base + k, o);
            }
            fprintf(out, "\n    package methods from token %u:", c->package_method_table_base);
            for (unsigned k = 0; k < c->package_method_table_count; k++) {
                uint16_t o = cl_get16(c->package_vtable + 2 * k);
                if (o == 0xFFFF) fprintf(out, " [%u] -", c->package_method_table_base + k);
                else fprintf(out, " [%u] @0x%04x", c->package_method_table_base + k, o);
            }
            fprintf(out, "\n");
        } else {
            fprintf(out, "\n");
        }
        for (unsigned k = 0; k < c->interface_count; k++) {
            s.len = 0;
            buf[0] = 0;
            classref_text(cap, names, c->interfaces[k], &s);
            fprintf(out, "    %s %s", c->is_interface ? "extends" : "implements", buf);
            if (!c->is_interface) {
                fprintf(out, " methods:");
                for (unsigned m = 0; m < c->iface_method_count[k]; m++)
                    fprintf(out, " %u->%u", m, c->iface_method_index[k][m]);
            }
            fprintf(out, "\n");
        }
        if (c->name_len) fprintf(out, "    remote name %.*s\n", (int)c->name_len, (const char *)c->name);
        if (c->remote_len) fprintf(out, "    remote interface info: %u bytes\n", c->remote_len);
    }
}

static void dump_methods(const cap_file_t *cap, const cap_names_t *names, FILE *out)
{
    char buf[1024];
    fprintf(out, "Methods: %u, exception handlers: %u\n", cap->method_count, cap->handler_count);
    for (unsigned i = 0; i < cap->handler_count; i++) {
        const cap_handler_t *h = &cap->handlers[i];
        fprintf(out, "  handler [%u]: try 0x%04x..0x%04x -> 0x%04x catch ", i, h->start, h->end, h->handler);
        if (h->catch_type) {
            cap_dump_cp_entry(cap, names, h->catch_type, buf, sizeof(buf));
            fprintf(out, "%u // %s", h->catch_type, buf);
        } else {
            fprintf(out, "any (finally)");
        }
        fprintf(out, "%s\n", h->stop ? " [stop]" : "");
    }
    for (unsigned i = 0; i < cap->method_count; i++) {
        const cap_method_t *m = &cap->methods[i];
        uint8_t ct = 0;
        const cap_desc_method_t *dm = desc_method_at(cap, m->offset, &ct);
        fprintf(out, "  method@0x%04x", m->offset);
        if (dm) {
            sbuf_t s = {buf, sizeof(buf), 0};
            buf[0] = 0;
            access_text(dm->access_flags, false, &s);
            sb_printf(&s, " ");
            desc_type(cap, dm->type_offset, true, &s);
            fprintf(out, " (class token %u method token %u%s)", ct, dm->token, buf);
        }
        fprintf(out, ":%s%s max_stack %u, nargs %u, max_locals %u, %u bytes of bytecode\n",
                (m->flags & CAP_METHOD_ACC_EXTENDED) ? " extended" : "",
                (m->flags & CAP_METHOD_ACC_ABSTRACT) ? " abstract" : "", m->max_stack, m->nargs, m->max_locals,
                m->code_len);
        cap_insn_iter_t it;
        cap_insn_t in;
        cap_insn_iter_init(&it, m);
        while (cap_insn_next(&it, &in) == 1) {
            cap_dump_insn(cap, names, &in, buf, sizeof(buf));
            fprintf(out, "    0x%04x: %s\n", in.info_offset, buf);
        }
    }
}

static void dump_rest(const cap_file_t *cap, FILE *out)
{
    const cap_static_field_t *sf = &cap->sfield;
    fprintf(out, "Static fields: image %u bytes: %u reference(s), %u default byte(s), %u non-default byte(s)\n",
            sf->image_size, sf->reference_count, sf->default_value_count, sf->non_default_value_count);
    for (unsigned i = 0; i < sf->array_init_count; i++) {
        const cap_array_init_t *a = &sf->array_inits[i];
        static const char *const tn[] = {"?", "?", "boolean", "byte", "short", "int"};
        fprintf(out, "  array init [%u]: %s, %u byte(s):", i, a->type <= 5 ? tn[a->type] : "?", a->count);
        for (unsigned k = 0; k < a->count; k++) fprintf(out, " %02X", a->values[k]);
        fprintf(out, "\n");
    }
    if (sf->non_default_value_count) {
        fprintf(out, "  non-default values:");
        for (unsigned k = 0; k < sf->non_default_value_count; k++) fprintf(out, " %02X", sf->non_default_values[k]);
        fprintf(out, "\n");
    }
    fprintf(out, "Reference locations: %u one-byte, %u two-byte constant pool indices\n", cap->byte_loc_count,
            cap->byte2_loc_count);
    fprintf(out, "  one-byte:");
    for (unsigned i = 0; i < cap->byte_loc_count; i++) fprintf(out, " 0x%04x", cap->byte_locs[i]);
    fprintf(out, "\n  two-byte:");
    for (unsigned i = 0; i < cap->byte2_loc_count; i++) fprintf(out, " 0x%04x", cap->byte2_locs[i]);
    fprintf(out, "\n");
    if (cap->comp[CAP_COMP_EXPORT].present) {
        fprintf(out, "Export: %u class(es)\n", cap->export_count);
        for (unsigned i = 0; i < cap->export_count; i++) {
            const cap_export_class_t *x = &cap->exports[i];
            fprintf(out, "  class@0x%04x static fields:", x->class_offset);
            for (unsigned k = 0; k < x->static_field_count; k++)
                fprintf(out, " [%u] @0x%04x", k, cl_get16(x->static_field_offsets + 2 * k));
            fprintf(out, "; static methods:");
            for (unsigned k = 0; k < x->static_method_count; k++)
                fprintf(out, " [%u] method@0x%04x", k, cl_get16(x->static_method_offsets + 2 * k));
            fprintf(out, "\n");
        }
    }
}

static void dump_descriptor(const cap_file_t *cap, FILE *out)
{
    if (!cap->has_descriptor) {
        fprintf(out, "Descriptor: absent\n");
        return;
    }
    char buf[512];
    const cap_descriptor_t *d = &cap->desc;
    fprintf(out, "Descriptor: %u class(es)\n", d->class_count);
    for (unsigned i = 0; i < d->class_count; i++) {
        const cap_desc_class_t *c = &d->classes[i];
        sbuf_t s = {buf, sizeof(buf), 0};
        buf[0] = 0;
        access_text(c->access_flags, true, &s);
        fprintf(out, "  class token %u @0x%04x%s, %u interface(s), %u field(s), %u method(s)\n", c->token,
                c->this_class.offset, buf, c->interface_count, c->field_count, c->method_count);
        for (unsigned k = 0; k < c->field_count; k++) {
            const cap_desc_field_t *f = &c->fields[k];
            s.len = 0;
            buf[0] = 0;
            access_text(f->access_flags, false, &s);
            sb_printf(&s, " type ");
            desc_type(cap, f->type, false, &s);
            if (f->access_flags & CAP_ACC_STATIC)
                fprintf(out, "    field token %u%s ref %02X%02X%02X\n", f->token, buf, f->field_ref[0], f->field_ref[1],
                        f->field_ref[2]);
            else
                fprintf(out, "    field token %u%s\n", f->token, buf);
        }
        for (unsigned k = 0; k < c->method_count; k++) {
            const cap_desc_method_t *m = &c->methods[k];
            s.len = 0;
            buf[0] = 0;
            access_text(m->access_flags, false, &s);
            sb_printf(&s, " type ");
            desc_type(cap, m->type_offset, true, &s);
            fprintf(out, "    method token %u%s @0x%04x, %u bytes, %u handler(s) from %u\n", m->token, buf,
                    m->method_offset, m->bytecode_count, m->handler_count, m->handler_index);
        }
    }
    fprintf(out, "  constant pool types:");
    for (unsigned i = 0; i < d->cp_count; i++) {
        uint16_t t = cl_get16(d->cp_types + 2 * i);
        sbuf_t s = {buf, sizeof(buf), 0};
        buf[0] = 0;
        if (t == 0xFFFF) sb_printf(&s, "-");
        else desc_type(cap, t, cap->cp[i].tag == CAP_CP_VIRTUAL_METHODREF || cap->cp[i].tag == CAP_CP_SUPER_METHODREF ||
                                  cap->cp[i].tag == CAP_CP_STATIC_METHODREF, &s);
        fprintf(out, " [%u] %s", i, buf);
    }
    fprintf(out, "\n");
}

void cap_dump(const cap_file_t *cap, const cap_names_t *names, FILE *out)
{
    dump_header(cap, names, out);
    dump_cp_and_classes(cap, names, out);
    dump_methods(cap, names, out);
    dump_rest(cap, out);
    dump_descriptor(cap, out);
}

int cap_dump_buffer(const uint8_t *buf, size_t len, const char *title, FILE *out, cl_error_t *e)
{
    cap_file_t cap;
    if (cap_parse(&cap, buf, len, CAP_PARSE_NO_COPY, e) != 0) return -1;
    cap_names_t *names = cap_names_load_default();
    fprintf(out, "CAP file%s%s: %zu bytes, %s\n", title ? " " : "", title ? title : "", len,
            cap.from_jar ? "JAR" : "component stream (load file)");
    if (cap.from_jar) fprintf(out, "  components in %s\n", cap.jar_dir);
    cap_dump(&cap, names, out);
    cap_names_free(names);
    cap_free(&cap);
    return 0;
}

int cap_dump_file(const char *path, FILE *out, cl_error_t *e)
{
    size_t len;
    uint8_t *buf = cl_read_file(path, CAP_PARSE_MAX_INPUT, &len, e);
    if (!buf) return -1;
    int rc = cap_dump_buffer(buf, len, path, out, e);
    if (rc != 0) {
        char msg[CL_ERR_LEN];
        snprintf(msg, sizeof(msg), "%s", e->msg);
        cl_seterr(e, "%s: %s", path, msg);
    }
    free(buf);
    return rc;
}
