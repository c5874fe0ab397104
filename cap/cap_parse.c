/* cap_parse: input handling (JAR or component stream), parse order, lookup helpers, cap_free. */
#include "cap/cap_parse.h"

#include <stdlib.h>
#include <string.h>

#include "cap/cap_parse_int.h"
#include "cap/cap_zip.h"

static const char *const comp_names[] = {
    [CAP_COMP_HEADER] = "Header", [CAP_COMP_DIRECTORY] = "Directory", [CAP_COMP_APPLET] = "Applet",
    [CAP_COMP_IMPORT] = "Import", [CAP_COMP_CONSTANTPOOL] = "ConstantPool", [CAP_COMP_CLASS] = "Class",
    [CAP_COMP_METHOD] = "Method", [CAP_COMP_STATICFIELD] = "StaticField", [CAP_COMP_REFLOCATION] = "RefLocation",
    [CAP_COMP_EXPORT] = "Export", [CAP_COMP_DESCRIPTOR] = "Descriptor", [CAP_COMP_DEBUG] = "Debug",
};

const char *cap_component_name(int tag)
{
    if (tag >= CAP_COMP_HEADER && tag <= CAP_COMP_DEBUG) return comp_names[tag];
    if (tag >= CAP_COMP_CUSTOM_FIRST && tag <= 255) return "custom";
    return NULL;
}

/* Splits the component stream into cap->comp[]; sizes and tags checked, duplicates refused. */
static int split_stream(cap_file_t *cap, cl_error_t *e)
{
    size_t pos = 0;
    const uint8_t *d = cap->data;
    while (pos < cap->data_len) {
        if (cap->data_len - pos < 3) {
            cl_seterr(e, "CAP stream: offset 0x%zx: truncated component header (%zu bytes left)", pos,
                      cap->data_len - pos);
            return -1;
        }
        uint8_t tag = d[pos];
        uint16_t size = cl_get16(d + pos + 1);
        if (size > cap->data_len - pos - 3) {
            cl_seterr(e, "CAP stream: offset 0x%zx: %s component (tag %u) of %u bytes runs past the end (%zu left)",
                      pos, cap_component_name(tag) ? cap_component_name(tag) : "unknown", tag, size,
                      cap->data_len - pos - 3);
            return -1;
        }
        if (tag >= CAP_COMP_HEADER && tag <= CAP_COMP_DEBUG) {
            if (cap->comp[tag].present) {
                cl_seterr(e, "CAP stream: offset 0x%zx: second %s component", pos, comp_names[tag]);
                return -1;
            }
            cap->comp[tag].present = true;
            cap->comp[tag].size = size;
            cap->comp[tag].info = d + pos + 3;
        } else if (tag < CAP_COMP_CUSTOM_FIRST) {
            cl_seterr(e, "CAP stream: offset 0x%zx: unknown component tag %u", pos, tag);
            return -1;
        } /* custom components are skipped: their meaning is private to their vendor */
        pos += 3 + (size_t)size;
    }
    static const int required[] = {CAP_COMP_HEADER, CAP_COMP_DIRECTORY, CAP_COMP_IMPORT, CAP_COMP_CONSTANTPOOL,
                                   CAP_COMP_CLASS, CAP_COMP_METHOD, CAP_COMP_STATICFIELD, CAP_COMP_REFLOCATION};
    for (size_t i = 0; i < CL_ARRAY_LEN(required); i++) {
        if (!cap->comp[required[i]].present) {
            cl_seterr(e, "CAP: the %s component is missing", comp_names[required[i]]);
            return -1;
        }
    }
    return 0;
}

/* Extracts the components of a JAR into one owned component stream (standard order). */
static int jar_to_stream(cap_file_t *cap, const uint8_t *buf, size_t len, cl_error_t *e)
{
    cap_zip_t z;
    if (cap_zip_open(&z, buf, len, e) != 0) return -1;
    const cap_zip_entry_t *hdr = NULL;
    for (size_t i = 0; i < z.count; i++) {
        const cap_zip_entry_t *en = &z.entries[i];
        if (!cap_zip_name_ends_with(en, "javacard/Header.cap")) continue;
        if (en->name_len != strlen("javacard/Header.cap") && en->name[en->name_len - strlen("javacard/Header.cap") - 1] != '/')
            continue;
        if (hdr) {
            cl_seterr(e, "JAR: more than one javacard/Header.cap (one package per CAP file)");
            cap_zip_close(&z);
            return -1;
        }
        hdr = en;
    }
    if (!hdr) {
        cl_seterr(e, "JAR: no .../javacard/Header.cap entry (not a CAP file)");
        cap_zip_close(&z);
        return -1;
    }
    size_t dir_len = hdr->name_len - strlen("Header.cap");
    if (dir_len >= sizeof(cap->jar_dir)) {
        cl_seterr(e, "JAR: package directory name too long");
        cap_zip_close(&z);
        return -1;
    }
    memcpy(cap->jar_dir, hdr->name, dir_len);
    cap->jar_dir[dir_len] = 0;

    uint8_t *stream = NULL;
    size_t stream_len = 0;
    int rc = -1;
    for (int tag = CAP_COMP_HEADER; tag <= CAP_COMP_DEBUG; tag++) {
        char name[sizeof(cap->jar_dir) + 32];
        snprintf(name, sizeof(name), "%s%s.cap", cap->jar_dir, comp_names[tag]);
        cl_error_t fe = {{0}};
        const cap_zip_entry_t *en = cap_zip_find(&z, name, &fe);
        if (!en) {
            if (fe.msg[0]) { cl_seterr(e, "JAR: %s", fe.msg); goto out; }
            continue;
        }
        if (tag == CAP_COMP_DEBUG) continue; /* never loaded, never parsed */
        size_t n;
        uint8_t *c = cap_zip_extract(&z, en, 3 + 0xFFFFu, &n, e);
        if (!c) goto out;
        if (n < 3 || c[0] != tag || cl_get16(c + 1) != n - 3) {
            cl_seterr(e, "JAR: %s: %s", name,
                      n < 3 ? "shorter than a component header"
                      : c[0] != tag ? "wrong component tag" : "component size differs from the entry size");
            free(c);
            goto out;
        }
        if (stream_len + n > CAP_PARSE_MAX_INPUT) { free(c); cl_seterr(e, "JAR: components too large"); goto out; }
        uint8_t *ns = realloc(stream, stream_len + n);
        if (!ns) { free(c); cl_seterr(e, "JAR: out of memory"); goto out; }
        stream = ns;
        memcpy(stream + stream_len, c, n);
        stream_len += n;
        free(c);
    }
    if (!stream) { cl_seterr(e, "JAR: no components"); goto out; }
    cap->owned = stream;
    cap->data = stream;
    cap->data_len = stream_len;
    cap->from_jar = true;
    stream = NULL;
    rc = 0;
out:
    free(stream);
    cap_zip_close(&z);
    return rc;
}

int cap_parse(cap_file_t *cap, const uint8_t *buf, size_t len, unsigned flags, cl_error_t *e)
{
    memset(cap, 0, sizeof(*cap));
    if (!buf || len == 0) { cl_seterr(e, "CAP: empty input"); return -1; }
    if (len > CAP_PARSE_MAX_INPUT) { cl_seterr(e, "CAP: input of %zu bytes is too large", len); return -1; }
    if (cap_zip_is_zip(buf, len)) {
        if (jar_to_stream(cap, buf, len, e) != 0) goto fail;
    } else if (flags & CAP_PARSE_NO_COPY) {
        cap->data = buf;
        cap->data_len = len;
    } else {
        cap->owned = malloc(len);
        if (!cap->owned) { cl_seterr(e, "CAP: out of memory"); goto fail; }
        memcpy(cap->owned, buf, len);
        cap->data = cap->owned;
        cap->data_len = len;
    }
    if (split_stream(cap, e) != 0) goto fail;
    int (*const steps[])(cap_file_t *, cl_error_t *) = {
        cap_p_header, cap_p_directory, cap_p_import, cap_p_applet, cap_p_cpool, cap_p_class,
        cap_p_sfield, cap_p_descriptor, cap_p_export, cap_p_method,
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(steps); i++)
        if (steps[i](cap, e) != 0) goto fail;
    return 0;
fail:
    cap_free(cap);
    return -1;
}

int cap_parse_file(cap_file_t *cap, const char *path, cl_error_t *e)
{
    memset(cap, 0, sizeof(*cap));
    size_t len;
    uint8_t *buf = cl_read_file(path, CAP_PARSE_MAX_INPUT, &len, e);
    if (!buf) return -1;
    int rc = cap_parse(cap, buf, len, 0, e);
    free(buf);
    if (rc != 0) {
        char msg[CL_ERR_LEN];
        snprintf(msg, sizeof(msg), "%s", e->msg);
        cl_seterr(e, "%s: %s", path, msg);
    }
    return rc;
}

void cap_free(cap_file_t *cap)
{
    if (!cap) return;
    free(cap->owned);
    free(cap->dir.customs);
    free(cap->applets);
    free(cap->imports);
    free(cap->cp);
    free(cap->classes);
    free(cap->handlers);
    free(cap->methods);
    free(cap->sfield.array_inits);
    free(cap->byte_locs);
    free(cap->byte2_locs);
    free(cap->exports);
    if (cap->desc.classes) {
        for (unsigned i = 0; i < cap->desc.class_count; i++) {
            free(cap->desc.classes[i].fields);
            free(cap->desc.classes[i].methods);
        }
    }
    free(cap->desc.classes);
    memset(cap, 0, sizeof(*cap));
}

uint8_t *cap_load_file(const cap_file_t *cap, bool with_descriptor, size_t *len)
{
    static const int order[] = {CAP_COMP_HEADER, CAP_COMP_DIRECTORY, CAP_COMP_IMPORT, CAP_COMP_APPLET,
                                CAP_COMP_CLASS, CAP_COMP_METHOD, CAP_COMP_STATICFIELD, CAP_COMP_EXPORT,
                                CAP_COMP_CONSTANTPOOL, CAP_COMP_REFLOCATION, CAP_COMP_DESCRIPTOR};
    size_t total = 0;
    for (size_t i = 0; i < CL_ARRAY_LEN(order); i++)
        if (cap->comp[order[i]].present) total += 3 + (size_t)cap->comp[order[i]].size;
    uint8_t *out = malloc(total ? total : 1);
    if (!out) return NULL;
    size_t pos = 0;
    for (size_t i = 0; i < CL_ARRAY_LEN(order); i++) {
        const cap_component_t *c = &cap->comp[order[i]];
        if (!c->present || (order[i] == CAP_COMP_DESCRIPTOR && !with_descriptor)) continue;
        out[pos] = (uint8_t)order[i];
        cl_put16(out + pos + 1, c->size);
        memcpy(out + pos + 3, c->info, c->size);
        pos += 3 + (size_t)c->size;
    }
    *len = pos;
    return out;
}

/* ---- helpers ---- */

cap_classref_t cap_classref_decode(uint16_t raw)
{
    cap_classref_t r = {.raw = raw};
    if (raw & CAP_CLASSREF_EXTERNAL) {
        r.external = true;
        r.pkg_token = (uint8_t)((raw >> 8) & 0x7F);
        r.class_token = (uint8_t)raw;
    } else {
        r.offset = raw;
    }
    return r;
}

const cap_class_t *cap_class_at(const cap_file_t *cap, uint16_t offset)
{
    size_t lo = 0, hi = cap->class_count;
    while (lo < hi) { /* classes are in component order, so sorted by offset */
        size_t mid = (lo + hi) / 2;
        if (cap->classes[mid].offset == offset) return &cap->classes[mid];
        if (cap->classes[mid].offset < offset) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

const cap_method_t *cap_method_at(const cap_file_t *cap, uint16_t offset)
{
    const cap_method_t *m = cap_method_containing(cap, offset);
    return m && m->offset == offset ? m : NULL;
}

const cap_method_t *cap_method_containing(const cap_file_t *cap, uint16_t off)
{
    size_t lo = 0, hi = cap->method_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const cap_method_t *m = &cap->methods[mid];
        uint32_t end = (uint32_t)m->code_offset + m->code_len;
        if (off < m->offset) hi = mid;
        else if (off >= end) lo = mid + 1;
        else return m;
    }
    return NULL;
}

const cap_class_t *cap_class_by_token(const cap_file_t *cap, uint8_t token)
{
    if (!cap->has_descriptor) return NULL;
    for (unsigned i = 0; i < cap->desc.class_count; i++) {
        const cap_desc_class_t *dc = &cap->desc.classes[i];
        if (dc->token == token && token != 0xFF && !dc->this_class.external)
            return cap_class_at(cap, dc->this_class.offset);
    }
    return NULL;
}

const cap_export_class_t *cap_export_class(const cap_file_t *cap, uint8_t class_token)
{
    return class_token < cap->export_count ? &cap->exports[class_token] : NULL;
}

int cap_export_static_method(const cap_file_t *cap, uint8_t class_token, uint8_t method_token)
{
    const cap_export_class_t *x = cap_export_class(cap, class_token);
    if (!x || method_token >= x->static_method_count) return -1;
    return cl_get16(x->static_method_offsets + 2 * method_token);
}

int cap_export_static_field(const cap_file_t *cap, uint8_t class_token, uint8_t field_token)
{
    const cap_export_class_t *x = cap_export_class(cap, class_token);
    if (!x || field_token >= x->static_field_count) return -1;
    return cl_get16(x->static_field_offsets + 2 * field_token);
}

int cap_class_virtual_method(const cap_class_t *c, uint8_t token)
{
    if (c->is_interface) return -1;
    /* package-visible method tokens carry the high bit in VirtualMethodref; the table holds 7 bits */
    bool pkg = (token & 0x80) != 0;
    unsigned t = token & 0x7F;
    unsigned base = pkg ? c->package_method_table_base : c->public_method_table_base;
    unsigned count = pkg ? c->package_method_table_count : c->public_method_table_count;
    const uint8_t *tab = pkg ? c->package_vtable : c->public_vtable;
    if (t < base || t >= base + count) return -1;
    uint16_t off = cl_get16(tab + 2 * (t - base));
    return off == 0xFFFF ? -1 : off;
}

const cap_cp_entry_t *cap_cp_get(const cap_file_t *cap, uint16_t index)
{
    return index < cap->cp_count ? &cap->cp[index] : NULL;
}

void cap_insn_iter_init(cap_insn_iter_t *it, const cap_method_t *m)
{
    it->code = m->code;
    it->len = m->code_len;
    it->pc = 0;
    it->base = m->code_offset;
}

int cap_insn_next(cap_insn_iter_t *it, cap_insn_t *insn)
{
    if (it->pc >= it->len) return 0;
    int n = jc_insn_len(it->code + it->pc, (size_t)(it->len - it->pc));
    if (n <= 0) return -1;
    insn->pc = it->pc;
    insn->info_offset = (uint16_t)(it->base + it->pc);
    insn->op = it->code[it->pc];
    insn->len = (uint16_t)n;
    insn->bytes = it->code + it->pc;
    it->pc = (uint16_t)(it->pc + n);
    return 1;
}

int cap_insn_targets(const cap_insn_t *insn, int32_t *targets, int max)
{
    const uint8_t *b = insn->bytes;
    int32_t pc = insn->pc;
    int n = 0;
#define ADD(t) do { if (n < max) targets[n] = (t); n++; } while (0)
    switch (jc_opcode_format(insn->op)) {
    case JC_OPF_BRANCH: ADD(pc + (int8_t)b[1]); break;
    case JC_OPF_BRANCH_W: ADD(pc + (int16_t)cl_get16(b + 1)); break;
    case JC_OPF_STABLESWITCH: {
        ADD(pc + (int16_t)cl_get16(b + 1));
        int32_t cnt = (int32_t)(int16_t)cl_get16(b + 5) - (int16_t)cl_get16(b + 3) + 1;
        for (int32_t i = 0; i < cnt; i++) ADD(pc + (int16_t)cl_get16(b + 7 + 2 * i));
        break;
    }
    case JC_OPF_ITABLESWITCH: {
        ADD(pc + (int16_t)cl_get16(b + 1));
        int64_t cnt = (int64_t)(int32_t)cl_get32(b + 7) - (int32_t)cl_get32(b + 3) + 1;
        for (int64_t i = 0; i < cnt; i++) ADD(pc + (int16_t)cl_get16(b + 11 + 2 * i));
        break;
    }
    case JC_OPF_SLOOKUPSWITCH: {
        ADD(pc + (int16_t)cl_get16(b + 1));
        unsigned np = cl_get16(b + 3);
        for (unsigned i = 0; i < np; i++) ADD(pc + (int16_t)cl_get16(b + 5 + 4 * i + 2));
        break;
    }
    case JC_OPF_ILOOKUPSWITCH: {
        ADD(pc + (int16_t)cl_get16(b + 1));
        unsigned np = cl_get16(b + 3);
        for (unsigned i = 0; i < np; i++) ADD(pc + (int16_t)cl_get16(b + 5 + 6 * i + 4));
        break;
    }
    default: break;
    }
#undef ADD
    return n;
}
