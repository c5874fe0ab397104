/* cap_parse_class: the Class component (interfaces then classes, with their method tables) and the
 * type_descriptor format it shares with the Descriptor component. */
#include <stdlib.h>
#include <string.h>

#include "cap/cap_parse_int.h"

/* Checks one type_descriptor at r->pos: nibble_count, then the nibbles; reference types carry a
 * 4-nibble class_ref. Returns 0 and advances, or -1. */
int cap_read_type_descriptor(const cap_file_t *cap, cap_rd_t *r, bool check_refs)
{
    size_t at = r->pos;
    uint8_t n = cap_rd_u1(r, "type descriptor");
    if (r->failed) return -1;
    if (n == 0) return cap_rd_fail_at(r, at, "empty type descriptor");
    const uint8_t *b = cap_rd_bytes(r, ((size_t)n + 1) / 2, "type descriptor nibbles");
    if (!b) return -1;
    for (unsigned i = 0; i < n; i++) {
        unsigned nib = (b[i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        switch (nib) {
        case CAP_TN_VOID: case CAP_TN_BOOLEAN: case CAP_TN_BYTE: case CAP_TN_SHORT: case CAP_TN_INT:
        case CAP_TN_ARRAY_BOOLEAN: case CAP_TN_ARRAY_BYTE: case CAP_TN_ARRAY_SHORT: case CAP_TN_ARRAY_INT:
            break;
        case CAP_TN_REFERENCE: case CAP_TN_ARRAY_REFERENCE: {
            if (i + 4 >= n) return cap_rd_fail_at(r, at, "type descriptor: reference type without its class_ref");
            uint16_t raw = 0;
            for (unsigned k = 1; k <= 4; k++) raw = (uint16_t)((raw << 4) | ((b[(i + k) / 2] >> ((i + k) % 2 ? 0 : 4)) & 0xF));
            if (check_refs && cap_check_classref(cap, r, at, cap_classref_decode(raw), "type descriptor class_ref") != 0)
                return -1;
            i += 4;
            break;
        }
        default:
            return cap_rd_fail_at(r, at, "type descriptor: bad type nibble 0x%x", nib);
        }
    }
    /* an odd count leaves a padding nibble, which must be zero */
    if ((n % 2) && (b[n / 2] & 0xF)) return cap_rd_fail_at(r, at, "type descriptor: nonzero padding nibble");
    return 0;
}

static int add_class(cap_file_t *cap, size_t *cap_alloc, cap_rd_t *r, cap_class_t **out)
{
    if (cap->class_count == *cap_alloc) {
        size_t n = *cap_alloc ? *cap_alloc * 2 : 8;
        cap_class_t *nc = realloc(cap->classes, n * sizeof(*nc));
        if (!nc) return cap_rd_fail_at(r, r->pos, "out of memory");
        cap->classes = nc;
        *cap_alloc = n;
    }
    *out = &cap->classes[cap->class_count++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

/* remote_interface_info (CAP 2.2, classes with ACC_REMOTE): only its extent is needed. */
static int skip_remote(cap_rd_t *r, cap_class_t *c)
{
    size_t at = r->pos;
    uint8_t methods = cap_rd_u1(r, "remote_methods_count");
    cap_rd_bytes(r, 5u * methods, "remote_methods");
    uint8_t hm = cap_rd_u1(r, "hash_modifier_length");
    cap_rd_bytes(r, hm, "hash_modifier");
    uint8_t cn = cap_rd_u1(r, "class_name_length");
    cap_rd_bytes(r, cn, "class_name");
    uint8_t ri = cap_rd_u1(r, "remote_interfaces_count");
    cap_rd_bytes(r, 2u * ri, "remote_interfaces");
    if (r->failed) return -1;
    c->remote = r->p + at;
    c->remote_len = (uint16_t)(r->pos - at);
    return 0;
}

static bool lists(const cap_class_t *c, uint16_t raw)
{
    for (unsigned i = 0; i < c->interface_count; i++)
        if (c->interfaces[i].raw == raw) return true;
    return false;
}

/* Entry i of c's interface list, naming s (NULL if external): the list is the complete set
 * (JCVM 6.8: an interface's superinterfaces direct and indirect; a class's interfaces with
 * theirs), each once, and an interface is not its own superinterface. Complete lists make
 * inheritance cycles show up as self-listing, and keep the VM's walk up the interface
 * hierarchy small (a self-listing interface would make it explore 15^8 paths). */
static int check_interface_list(cap_rd_t *r, const cap_class_t *c, unsigned i, const cap_class_t *s)
{
    uint16_t raw = c->interfaces[i].raw;
    for (unsigned j = 0; j < i; j++)
        if (c->interfaces[j].raw == raw) return cap_rd_fail_at(r, c->offset, "interface 0x%04x listed twice", raw);
    if (s == c) return cap_rd_fail_at(r, c->offset, "interface lists itself as a superinterface");
    for (unsigned k = 0; s && k < s->interface_count; k++)
        if (!lists(c, s->interfaces[k].raw))
            return cap_rd_fail_at(r, c->offset, "superinterface 0x%04x of 0x%04x is not listed (the list must be complete)",
                                  s->interfaces[k].raw, raw);
    return 0;
}

int cap_p_class(cap_file_t *cap, cl_error_t *e)
{
    cap_rd_t r;
    cap_rd_init(&r, cap->comp[CAP_COMP_CLASS].info, cap->comp[CAP_COMP_CLASS].size, "Class", e);
    if (cap->cap_minor >= 2) {
        cap->signature_pool_len = cap_rd_u2(&r, "signature_pool_length");
        if (r.failed) return -1;
        size_t start = r.pos;
        if (!cap_rd_has(&r, cap->signature_pool_len, "signature pool")) return -1;
        cap->signature_pool = r.p + start;
        cap_rd_t sp = r;
        sp.len = start + cap->signature_pool_len; /* type descriptors must tile the pool exactly */
        while (sp.pos < sp.len)
            if (cap_read_type_descriptor(cap, &sp, false) != 0) return -1;
        r.pos = sp.pos;
    }
    size_t alloc = 0;
    bool seen_class = false;
    while (r.pos < r.len) {
        size_t at = r.pos;
        if (at > 0x7FFF) return cap_rd_fail_at(&r, at, "class at an offset a class_ref cannot reach");
        cap_class_t *c = NULL;
        if (add_class(cap, &alloc, &r, &c) != 0) return -1;
        c->offset = (uint16_t)at;
        uint8_t bits = cap_rd_u1(&r, "bitfield");
        c->flags = bits >> 4;
        c->interface_count = bits & 0xF;
        c->is_interface = (c->flags & CAP_ACC_INTERFACE) != 0;
        if (c->is_interface) {
            if (seen_class) return cap_rd_fail_at(&r, at, "interface after a class (interfaces come first)");
            for (unsigned i = 0; i < c->interface_count; i++)
                c->interfaces[i] = cap_classref_decode(cap_rd_u2(&r, "superinterfaces"));
            if ((c->flags & CAP_ACC_REMOTE) && cap->cap_minor >= 2) {
                c->name_len = cap_rd_u1(&r, "interface_name_length");
                c->name = r.p + r.pos;
                cap_rd_bytes(&r, c->name_len, "interface_name");
            }
        } else {
            seen_class = true;
            uint16_t sup = cap_rd_u2(&r, "super_class_ref");
            c->has_super = sup != 0xFFFF;
            if (c->has_super) c->super = cap_classref_decode(sup);
            c->declared_instance_size = cap_rd_u1(&r, "declared_instance_size");
            c->first_reference_token = cap_rd_u1(&r, "first_reference_token");
            c->reference_count = cap_rd_u1(&r, "reference_count");
            c->public_method_table_base = cap_rd_u1(&r, "public_method_table_base");
            c->public_method_table_count = cap_rd_u1(&r, "public_method_table_count");
            c->package_method_table_base = cap_rd_u1(&r, "package_method_table_base");
            c->package_method_table_count = cap_rd_u1(&r, "package_method_table_count");
            c->public_vtable = cap_rd_bytes(&r, 2u * c->public_method_table_count, "public_virtual_method_table");
            c->package_vtable = cap_rd_bytes(&r, 2u * c->package_method_table_count, "package_virtual_method_table");
            if (r.failed) return -1;
            if ((unsigned)c->public_method_table_base + c->public_method_table_count > 128)
                return cap_rd_fail_at(&r, at + 6, "public method tokens beyond 127");
            if ((unsigned)c->package_method_table_base + c->package_method_table_count > 128)
                return cap_rd_fail_at(&r, at + 8, "package method tokens beyond 127");
            if (c->reference_count > c->declared_instance_size)
                return cap_rd_fail_at(&r, at + 5, "reference_count %u exceeds declared_instance_size %u",
                                      c->reference_count, c->declared_instance_size);
            for (unsigned i = 0; i < c->interface_count; i++) {
                c->interfaces[i] = cap_classref_decode(cap_rd_u2(&r, "interfaces"));
                c->iface_method_count[i] = cap_rd_u1(&r, "interface method count");
                c->iface_method_index[i] = cap_rd_bytes(&r, c->iface_method_count[i], "interface method index");
            }
            if ((c->flags & CAP_ACC_REMOTE) && cap->cap_minor >= 2 && skip_remote(&r, c) != 0) return -1;
        }
        if (r.failed) return -1;
        c->end = (uint16_t)r.pos;
    }
    /* With every start known, check the references between classes. */
    for (size_t k = 0; k < cap->class_count; k++) {
        const cap_class_t *c = &cap->classes[k];
        if (c->has_super) {
            if (cap_check_classref(cap, &r, c->offset + 1u, c->super, "super_class_ref") != 0) return -1;
            const cap_class_t *s = c->super.external ? NULL : cap_class_at(cap, c->super.offset);
            if (s && s->is_interface) return cap_rd_fail_at(&r, c->offset + 1u, "superclass is an interface");
            if (s && s->offset >= c->offset)
                return cap_rd_fail_at(&r, c->offset + 1u, "superclass does not come before its subclass");
        }
        for (unsigned i = 0; i < c->interface_count; i++) {
            if (cap_check_classref(cap, &r, c->offset, c->interfaces[i], "interface reference") != 0) return -1;
            const cap_class_t *s = c->interfaces[i].external ? NULL : cap_class_at(cap, c->interfaces[i].offset);
            if (s && !s->is_interface) return cap_rd_fail_at(&r, c->offset, "implements a class, not an interface");
            if (check_interface_list(&r, c, i, s) != 0) return -1;
        }
    }
    /* Constant pool entries naming internal classes must land on class starts too. */
    cap_rd_t cr;
    cap_rd_init(&cr, cap->comp[CAP_COMP_CONSTANTPOOL].info, cap->comp[CAP_COMP_CONSTANTPOOL].size, "ConstantPool", e);
    for (unsigned i = 0; i < cap->cp_count; i++) {
        const cap_cp_entry_t *ce = &cap->cp[i];
        if (ce->tag > CAP_CP_SUPER_METHODREF || ce->cls.external) continue;
        if (cap_check_classref(cap, &cr, 2 + 4u * i + 1, ce->cls, "class_ref") != 0) return -1;
    }
    return 0;
}
