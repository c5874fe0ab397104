/* cap_parse_desc: the optional Descriptor component (classes, fields, methods, types). When present
 * it defines the exact extent of every method, which the Method parser then relies on. */
#include <stdlib.h>
#include <string.h>

#include "cap/cap_parse_int.h"


/* Bit i set when a type_descriptor starts at offset i of type_descriptor_info. */
static bool bit(const uint8_t *bits, size_t i) { return (bits[i / 8] >> (i % 8)) & 1; }

int cap_p_descriptor(cap_file_t *cap, cl_error_t *e)
{
    if (!cap->comp[CAP_COMP_DESCRIPTOR].present) return 0;
    cap_rd_t r;
    cap_rd_init(&r, cap->comp[CAP_COMP_DESCRIPTOR].info, cap->comp[CAP_COMP_DESCRIPTOR].size, "Descriptor", e);
    cap_descriptor_t *d = &cap->desc;
    uint8_t count = cap_rd_u1(&r, "class_count");
    if (r.failed) return -1;
    if (count != cap->class_count)
        return cap_rd_fail_at(&r, 0, "class_count %u, but the Class component has %u classes and interfaces", count,
                              cap->class_count);
    if (count) {
        d->classes = calloc(count, sizeof(*d->classes));
        if (!d->classes) return cap_rd_fail_at(&r, 0, "out of memory");
    }
    d->class_count = count;
    /* class_descriptor_info positions, to report type references checked later at their offset */
    size_t cpos[256];
    for (unsigned i = 0; i < count; i++) {
        cap_desc_class_t *c = &d->classes[i];
        size_t at = r.pos;
        cpos[i] = at;
        c->token = cap_rd_u1(&r, "class token");
        c->access_flags = cap_rd_u1(&r, "class access_flags");
        c->this_class = cap_classref_decode(cap_rd_u2(&r, "this_class_ref"));
        c->interface_count = cap_rd_u1(&r, "interface_count");
        c->field_count = cap_rd_u2(&r, "field_count");
        c->method_count = cap_rd_u2(&r, "method_count");
        if (r.failed) return -1;
        if (c->this_class.external) return cap_rd_fail_at(&r, at + 2, "this_class_ref is external");
        if (cap_check_classref(cap, &r, at + 2, c->this_class, "this_class_ref") != 0) return -1;
        size_t at_if = r.pos;
        c->interfaces = cap_rd_bytes(&r, 2u * c->interface_count, "interfaces");
        if (r.failed) return -1;
        for (unsigned k = 0; k < c->interface_count; k++)
            if (cap_check_classref(cap, &r, at_if + 2 * k, cap_classref_decode(cl_get16(c->interfaces + 2 * k)),
                                   "interface") != 0)
                return -1;
        if (!cap_rd_has(&r, 7u * c->field_count, "fields")) return -1;
        if (c->field_count) {
            c->fields = calloc(c->field_count, sizeof(*c->fields));
            if (!c->fields) return cap_rd_fail_at(&r, r.pos, "out of memory");
        }
        for (unsigned k = 0; k < c->field_count; k++) {
            cap_desc_field_t *f = &c->fields[k];
            f->token = cap_rd_u1(&r, "field token");
            f->access_flags = cap_rd_u1(&r, "field access_flags");
            f->field_ref = cap_rd_bytes(&r, 3, "field_ref");
            f->type = cap_rd_u2(&r, "field type");
        }
        if (!cap_rd_has(&r, 12u * c->method_count, "methods")) return -1;
        if (c->method_count) {
            c->methods = calloc(c->method_count, sizeof(*c->methods));
            if (!c->methods) return cap_rd_fail_at(&r, r.pos, "out of memory");
        }
        for (unsigned k = 0; k < c->method_count; k++) {
            cap_desc_method_t *m = &c->methods[k];
            m->at = (uint16_t)r.pos;
            m->token = cap_rd_u1(&r, "method token");
            m->access_flags = cap_rd_u1(&r, "method access_flags");
            m->method_offset = cap_rd_u2(&r, "method_offset");
            m->type_offset = cap_rd_u2(&r, "type_offset");
            m->bytecode_count = cap_rd_u2(&r, "bytecode_count");
            m->handler_count = cap_rd_u2(&r, "exception_handler_count");
            m->handler_index = cap_rd_u2(&r, "exception_handler_index");
        }
        if (r.failed) return -1;
    }
    /* type_descriptor_info: the rest of the component */
    size_t tstart = r.pos;
    d->types_offset = (uint16_t)tstart;
    d->types = r.p + tstart;
    d->types_len = (uint16_t)(r.len - tstart);
    d->cp_count = cap_rd_u2(&r, "constant_pool_count");
    if (r.failed) return -1;
    if (d->cp_count != cap->cp_count)
        return cap_rd_fail_at(&r, tstart, "constant_pool_count %u, but the constant pool has %u entries", d->cp_count,
                              cap->cp_count);
    d->cp_types = cap_rd_bytes(&r, 2u * d->cp_count, "constant_pool_types");
    if (r.failed) return -1;
    uint8_t *starts = calloc((d->types_len + 7u) / 8 + 1, 1);
    if (!starts) return cap_rd_fail_at(&r, tstart, "out of memory");
    int rc = -1;
    while (r.pos < r.len) {
        size_t rel = r.pos - tstart;
        if (cap_read_type_descriptor(cap, &r, true) != 0) goto out;
        starts[rel / 8] |= (uint8_t)(1u << (rel % 8));
    }
    /* every type reference must land on a type descriptor */
    for (unsigned i = 0; i < d->cp_count; i++) {
        uint16_t t = cl_get16(d->cp_types + 2 * i);
        bool is_class = cap->cp[i].tag == CAP_CP_CLASSREF;
        if (t == 0xFFFF ? !is_class : (t >= d->types_len || !bit(starts, t))) {
            cap_rd_fail_at(&r, tstart + 2 + 2u * i, "constant_pool_types[%u] = 0x%04x is not %s", i, t,
                           is_class ? "0xFFFF or a type descriptor" : "a type descriptor");
            goto out;
        }
    }
    for (unsigned i = 0; i < count; i++) {
        const cap_desc_class_t *c = &d->classes[i];
        size_t fpos = cpos[i] + 9 + 2u * c->interface_count;
        size_t mpos = fpos + 7u * c->field_count;
        for (unsigned k = 0; k < c->field_count; k++) {
            uint16_t t = c->fields[k].type;
            if (t & CAP_TYPE_PRIMITIVE) {
                unsigned p = t & 0x7FFF;
                if (p < CAP_TYPE_BOOLEAN || p > CAP_TYPE_INT) {
                    cap_rd_fail_at(&r, fpos + 7 * k + 5, "class %u field %u: bad primitive type 0x%04x", i, k, t);
                    goto out;
                }
            } else if (t >= d->types_len || !bit(starts, t)) {
                cap_rd_fail_at(&r, fpos + 7 * k + 5, "class %u field %u: type offset 0x%04x is not a type descriptor", i, k, t);
                goto out;
            }
        }
        for (unsigned k = 0; k < c->method_count; k++) {
            uint16_t t = c->methods[k].type_offset;
            if (t >= d->types_len || !bit(starts, t)) {
                cap_rd_fail_at(&r, mpos + 12 * k + 4, "class %u method %u: type offset 0x%04x is not a type descriptor", i, k, t);
                goto out;
            }
        }
    }
    cap->has_descriptor = true;
    rc = 0;
out:
    free(starts);
    return rc;
}
