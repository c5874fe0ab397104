/* Tests of cap_parse: a hand-assembled CAP (cap_testgen.h) parsed as a load stream and as a JAR,
 * decoded values compared with what was written; truncated and corrupted inputs all rejected. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap_parse.h"
#include "cap/cap_parse_int.h"
#include "cap/cap_testgen.h"
#include "cap/jc_opcodes.h"

static void parse_ok(cap_file_t *cap, const uint8_t *buf, size_t len)
{
    cl_error_t e = {{0}};
    int rc = cap_parse(cap, buf, len, 0, &e);
    ck_assert_msg(rc == 0, "parse failed: %s", e.msg);
}

static void check_sample_v(const cap_file_t *cap, const tg_cap_t *t, unsigned minor)
{
    ck_assert_uint_eq(cap->cap_major, 2);
    ck_assert_uint_eq(cap->cap_minor, minor);
    ck_assert_uint_eq(cap->flags, CAP_HDR_ACC_INT | CAP_HDR_ACC_EXPORT | CAP_HDR_ACC_APPLET);
    ck_assert_uint_eq(cap->package.aid_len, sizeof(tg_pkg_aid));
    ck_assert_mem_eq(cap->package.aid, tg_pkg_aid, sizeof(tg_pkg_aid));
    ck_assert_uint_eq(cap->package.major, 1);
    if (minor >= 2) {
        ck_assert_uint_eq(cap->name_len, strlen(TG_PKG_NAME));
        ck_assert_mem_eq(cap->name, TG_PKG_NAME, cap->name_len);
    } else {
        ck_assert_uint_eq(cap->name_len, 0);
        ck_assert_uint_eq(cap->signature_pool_len, 0);
        ck_assert_uint_eq(cap->dir.component_sizes[CAP_COMP_DEBUG - 1], 0);
    }
    ck_assert_uint_eq(cap->import_count, 2);
    ck_assert_mem_eq(cap->imports[1].aid, tg_fw_aid, 7);
    ck_assert_uint_eq(cap->imports[1].minor, 6);
    ck_assert_uint_eq(cap->applet_count, 1);
    ck_assert_mem_eq(cap->applets[0].aid, tg_applet_aid, sizeof(tg_applet_aid));
    ck_assert_uint_eq(cap->applets[0].install_method_offset, t->off_install);
    ck_assert_uint_eq(cap->dir.custom_count, 1);
    ck_assert_uint_eq(cap->dir.customs[0].tag, 0x80);

    ck_assert_uint_eq(cap->cp_count, 10);
    ck_assert_uint_eq(cap->cp[0].tag, CAP_CP_CLASSREF);
    ck_assert(cap->cp[0].cls.external);
    ck_assert_uint_eq(cap->cp[0].cls.pkg_token, 1);
    ck_assert_uint_eq(cap->cp[0].cls.class_token, 3);
    ck_assert(!cap->cp[1].cls.external);
    ck_assert_uint_eq(cap->cp[1].cls.offset, t->class_a);
    ck_assert_uint_eq(cap->cp[3].token, 1);
    ck_assert(!cap->cp[6].external);
    ck_assert_uint_eq(cap->cp[6].offset, t->off_helper);
    ck_assert(cap->cp[7].external);
    ck_assert_uint_eq(cap->cp[7].cls.class_token, 7);
    ck_assert_uint_eq(cap->cp[7].token, 1);

    ck_assert_uint_eq(cap->class_count, 3);
    const cap_class_t *ci = cap_class_at(cap, t->class_i), *ca = cap_class_at(cap, t->class_a),
                      *cb = cap_class_at(cap, t->class_b);
    ck_assert_ptr_nonnull(ci); ck_assert_ptr_nonnull(ca); ck_assert_ptr_nonnull(cb);
    ck_assert(ci->is_interface);
    ck_assert(!ca->is_interface);
    ck_assert(ca->super.external);
    ck_assert_uint_eq(ca->public_method_table_count, 2);
    ck_assert_uint_eq(cl_get16(ca->public_vtable), t->off_process);
    ck_assert_uint_eq(ca->interface_count, 1);
    ck_assert_uint_eq(ca->interfaces[0].offset, t->class_i);
    ck_assert(!cb->super.external);
    ck_assert_uint_eq(cb->super.offset, t->class_a);
    ck_assert_ptr_null(cap_class_at(cap, (uint16_t)(t->class_a + 1)));

    ck_assert_uint_eq(cap->method_count, 4);
    const cap_method_t *mp = cap_method_at(cap, t->off_process);
    ck_assert_ptr_nonnull(mp);
    ck_assert_uint_eq(mp->flags, CAP_METHOD_ACC_EXTENDED);
    ck_assert_uint_eq(mp->max_stack, 8);
    ck_assert_uint_eq(mp->nargs, 2);
    ck_assert_uint_eq(mp->max_locals, 4);
    ck_assert_uint_eq(mp->code_offset, t->process_code_off);
    ck_assert_uint_eq(mp->code_len, t->process_code_len);
    const cap_method_t *ma = cap_method_at(cap, t->off_abstract);
    ck_assert_ptr_nonnull(ma);
    ck_assert_uint_eq(ma->flags, CAP_METHOD_ACC_ABSTRACT);
    ck_assert_uint_eq(ma->code_len, 0);
    const cap_method_t *mi = cap_method_at(cap, t->off_install);
    ck_assert_uint_eq(mi->max_stack, 3);
    ck_assert_uint_eq(mi->nargs, 3);
    ck_assert_uint_eq(mi->max_locals, 1);
    ck_assert_ptr_eq(cap_method_containing(cap, (uint16_t)(t->off_process + 10)), mp);

    ck_assert_uint_eq(cap->handler_count, 1);
    ck_assert_uint_eq(cap->handlers[0].start, t->try_start);
    ck_assert_uint_eq(cap->handlers[0].end, t->try_end);
    ck_assert_uint_eq(cap->handlers[0].handler, t->handler_pc);
    ck_assert(cap->handlers[0].stop);
    ck_assert_ptr_eq(&cap->methods[cap->handlers[0].method], mp);

    ck_assert_uint_eq(cap->sfield.image_size, 6);
    ck_assert_uint_eq(cap->sfield.array_init_count, 1);
    ck_assert_uint_eq(cap->sfield.array_inits[0].count, 3);
    ck_assert_uint_eq(cap->sfield.array_inits[0].values[2], 3);
    ck_assert_uint_eq(cap->sfield.non_default_values[1], 0x34);

    ck_assert_uint_eq(cap->byte_loc_count, t->nloc1);
    ck_assert_uint_eq(cap->byte2_loc_count, t->nloc2);
    for (unsigned i = 0; i < t->nloc2; i++) ck_assert_uint_eq(cap->byte2_locs[i], t->loc2[i]);
    for (unsigned i = 0; i < t->nloc1; i++) ck_assert_uint_eq(cap->byte_locs[i], t->loc1[i]);

    ck_assert_int_eq(cap_export_static_method(cap, 0, 0), t->off_helper);
    ck_assert_int_eq(cap_export_static_method(cap, 0, 1), -1);
    ck_assert_int_eq(cap_export_static_method(cap, 1, 0), -1);
    ck_assert_int_eq(cap_export_static_field(cap, 0, 0), 0);
    ck_assert_int_eq(cap_class_virtual_method(ca, 0), t->off_process);
    ck_assert_int_eq(cap_class_virtual_method(ca, 1), t->off_abstract);
    ck_assert_int_eq(cap_class_virtual_method(ca, 2), -1);
    ck_assert_int_eq(cap_class_virtual_method(ca, 0x80), -1);
    ck_assert_int_eq(cap_class_virtual_method(cb, 0), -1); /* 0xFFFF: inherited */
    ck_assert_int_eq(cap_class_virtual_method(ci, 0), -1);
    ck_assert_uint_eq(cap->export_count, 1);
    ck_assert_uint_eq(cap->exports[0].class_offset, t->class_a);
    ck_assert_uint_eq(cl_get16(cap->exports[0].static_method_offsets), t->off_helper);
}

static void check_sample(const cap_file_t *cap, const tg_cap_t *t) { check_sample_v(cap, t, 2); }

/* CAP 2.1 (what many converters still write): no package name, no signature pool, 11 sizes */
START_TEST(test_cap_2_1)
{
    tg_cap_t t;
    tg_build_v(&t, _i == 1, 1, 0);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    cap_file_t cap;
    parse_ok(&cap, s, len);
    check_sample_v(&cap, &t, 1);
    ck_assert_uint_eq(cap.classes[0].offset, 0); /* classes start right at the info */
    cap_free(&cap);
    /* the same bytes claiming 2.2 are misread and must be refused */
    s[3 + 4] = 2;
    cl_error_t e = {{0}};
    ck_assert_int_eq(cap_parse(&cap, s, len, CAP_PARSE_NO_COPY, &e), -1);
    ck_assert(e.msg[0]);
    free(s);
}
END_TEST

/* Without a Descriptor an unreferenced method must still be found: after a method (whose walk would
 * run into the orphan's header) and after an abstract method (which has no bytecode). */
START_TEST(test_orphan_method)
{
    unsigned flags = _i == 0 ? TG_ORPHAN_MID : _i == 1 ? TG_ORPHAN_END : TG_ORPHAN_MID | TG_ORPHAN_END;
    tg_cap_t t;
    tg_build_v(&t, false, 2, flags);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    cap_file_t cap;
    parse_ok(&cap, s, len);
    ck_assert_uint_eq(cap.method_count, _i == 2 ? 6 : 5);
    const cap_method_t *o = cap_method_at(&cap, t.off_orphan);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->flags, CAP_METHOD_ACC_EXTENDED);
    ck_assert_uint_eq(o->code_len, 4);
    ck_assert_uint_eq(o->code[0], JC_invokestatic);
    const cap_method_t *h = cap_method_at(&cap, t.off_helper);
    ck_assert_uint_eq(h->code_len, 2);
    ck_assert_uint_eq(cap_method_at(&cap, t.off_abstract)->code_len, 0);
    cap_free(&cap);
    free(s);
}
END_TEST

START_TEST(test_stream_with_descriptor)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    cap_file_t cap;
    parse_ok(&cap, s, len);
    check_sample(&cap, &t);
    ck_assert(cap.has_descriptor);
    ck_assert_uint_eq(cap.desc.class_count, 3);
    ck_assert_uint_eq(cap.desc.classes[1].method_count, 4);
    ck_assert_uint_eq(cap.desc.classes[1].methods[1].bytecode_count, t.process_code_len);
    ck_assert_ptr_eq(cap_class_by_token(&cap, 1), cap_class_at(&cap, t.class_a));
    ck_assert_ptr_null(cap_class_by_token(&cap, 9));
    cap_free(&cap);
    free(s);
}
END_TEST

START_TEST(test_stream_without_descriptor_any_order)
{
    tg_cap_t t;
    tg_build(&t, false);
    /* reversed standard order, with a custom component in the middle */
    const int order[] = {CAP_COMP_REFLOCATION, CAP_COMP_CONSTANTPOOL, CAP_COMP_EXPORT, 0x80, CAP_COMP_STATICFIELD,
                         CAP_COMP_METHOD, CAP_COMP_CLASS, CAP_COMP_APPLET, CAP_COMP_IMPORT, CAP_COMP_DIRECTORY,
                         CAP_COMP_HEADER};
    size_t len;
    uint8_t *s = tg_stream(&t, order, CL_ARRAY_LEN(order), &len);
    cap_file_t cap;
    parse_ok(&cap, s, len);
    check_sample(&cap, &t);
    ck_assert(!cap.has_descriptor);
    ck_assert_ptr_null(cap_class_by_token(&cap, 1));
    cap_free(&cap);
    /* NO_COPY keeps pointers into the caller's buffer */
    cl_error_t e;
    ck_assert_int_eq(cap_parse(&cap, s, len, CAP_PARSE_NO_COPY, &e), 0);
    ck_assert(cap.data == s);
    ck_assert(cap.applets[0].aid > s && cap.applets[0].aid < s + len);
    cap_free(&cap);
    free(s);
}
END_TEST

START_TEST(test_jar)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *jar = tg_jar(&t, &len);
    cap_file_t cap;
    parse_ok(&cap, jar, len);
    check_sample(&cap, &t);
    ck_assert(cap.from_jar);
    ck_assert_str_eq(cap.jar_dir, TG_PKG_NAME "/javacard/");
    /* the load file made from the JAR is byte for byte the standard-order stream */
    size_t ll, sl;
    uint8_t *lf = cap_load_file(&cap, true, &ll);
    uint8_t *std = tg_stream_std(&t, &sl);
    ck_assert_uint_eq(ll, sl);
    ck_assert_mem_eq(lf, std, sl);
    free(lf);
    free(std);
    /* without the Descriptor it still parses */
    lf = cap_load_file(&cap, false, &ll);
    cap_file_t c2;
    parse_ok(&c2, lf, ll);
    ck_assert(!c2.has_descriptor);
    cap_free(&c2);
    free(lf);
    cap_free(&cap);
    free(jar);
}
END_TEST

/* A JAR whose entries are deflated (with data descriptors), as the Oracle converter writes them. */
START_TEST(test_jar_deflated)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len, slen;
    uint8_t *jar = tg_jar_deflated(&t, &len);
    uint8_t *s = tg_jar(&t, &slen);
    ck_assert_uint_lt(len, slen); /* really compressed (smaller than the stored JAR) */
    cap_file_t cap;
    parse_ok(&cap, jar, len);
    check_sample(&cap, &t);
    ck_assert(cap.from_jar);
    cap_free(&cap);
    /* every byte of the archive changed: no crash, and a change inside compressed data is caught */
    unsigned rejected = 0;
    for (size_t i = 0; i < len; i++) {
        jar[i] ^= 0x20;
        cl_error_t e = {{0}};
        if (cap_parse(&cap, jar, len, 0, &e) == 0) cap_free(&cap);
        else { rejected++; ck_assert(e.msg[0]); }
        jar[i] ^= 0x20;
    }
    ck_assert_uint_gt(rejected, len / 2);
    free(jar);
    free(s);
}
END_TEST

START_TEST(test_iterator_covers_formats)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    cap_file_t cap;
    parse_ok(&cap, s, len);
    int seen_fmt[JC_OPF_COUNT] = {0};
    int seen_op[256] = {0};
    for (unsigned i = 0; i < cap.method_count; i++) {
        cap_insn_iter_t it;
        cap_insn_t in;
        cap_insn_iter_init(&it, &cap.methods[i]);
        int rc;
        uint32_t total = 0;
        while ((rc = cap_insn_next(&it, &in)) == 1) {
            seen_fmt[jc_opcode_format(in.op)] = 1;
            seen_op[in.op] = 1;
            total += in.len;
            if (jc_opcode_is_branch(in.op)) {
                int32_t tg[8];
                int n = cap_insn_targets(&in, tg, 8);
                ck_assert_int_gt(n, 0);
                for (int k = 0; k < n && k < 8; k++) ck_assert_int_lt(tg[k], cap.methods[i].code_len);
            }
        }
        ck_assert_int_eq(rc, 0);
        ck_assert_uint_eq(total, cap.methods[i].code_len);
    }
    for (int f = JC_OPF_NONE; f < JC_OPF_COUNT; f++) ck_assert_msg(seen_fmt[f], "operand format %d not covered", f);
    for (int op = 0; op < 256; op++) ck_assert_int_eq(seen_op[op], t.opcodes_used[op]);
    cap_free(&cap);
    free(s);
}
END_TEST

/* Every prefix of a valid stream is rejected with a message; nothing leaks (ASan). */
START_TEST(test_truncate_everywhere)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    /* the Descriptor comes last and is optional: cutting exactly before it leaves a valid CAP */
    size_t desc_start = 0;
    for (size_t pos = 0; pos + 3 <= len; pos += 3 + cl_get16(s + pos + 1))
        if (s[pos] == CAP_COMP_DESCRIPTOR) desc_start = pos;
    ck_assert_uint_gt(desc_start, 0);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, s, cut);
        cap_file_t cap;
        cl_error_t e = {{0}};
        if (cut == desc_start) {
            ck_assert_msg(cap_parse(&cap, c, cut, CAP_PARSE_NO_COPY, &e) == 0, "%s", e.msg);
            ck_assert(!cap.has_descriptor);
            cap_free(&cap);
            free(c);
            continue;
        }
        ck_assert_msg(cap_parse(&cap, c, cut, CAP_PARSE_NO_COPY, &e) == -1, "cut at %zu accepted", cut);
        ck_assert_msg(e.msg[0], "no message at cut %zu", cut);
        ck_assert_ptr_null(cap.methods);
        free(c);
    }
    free(s);
}
END_TEST

/* Each byte replaced by several values: parse either fails with a message or succeeds with a
 * consistent result (some bytes, like constant values, may legitimately change). */
START_TEST(test_flip_every_byte)
{
    tg_cap_t t;
    tg_build(&t, _i == 1);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    static const uint8_t xors[] = {0x01, 0x80, 0xFF, 0x10};
    unsigned rejected = 0, accepted = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof(xors); k++) {
            s[i] ^= xors[k];
            cap_file_t cap;
            cl_error_t e = {{0}};
            if (cap_parse(&cap, s, len, CAP_PARSE_NO_COPY, &e) == 0) {
                accepted++;
                /* walk everything the parser promised is valid */
                for (unsigned m = 0; m < cap.method_count; m++) {
                    cap_insn_iter_t it;
                    cap_insn_t in;
                    cap_insn_iter_init(&it, &cap.methods[m]);
                    int rc;
                    while ((rc = cap_insn_next(&it, &in)) == 1) {}
                    ck_assert_int_eq(rc, 0);
                }
                cap_free(&cap);
            } else {
                rejected++;
                /* every message names where: "<Component> component: offset 0x..", the stream offset,
                 * or which required component is missing */
                bool where = (strstr(e.msg, " component: offset 0x") != NULL) ||
                             (strncmp(e.msg, "CAP stream: offset 0x", 21) == 0) || (strstr(e.msg, "is missing") != NULL);
                ck_assert_msg(where, "byte %zu ^%02x: message without a location: %s", i, xors[k], e.msg);
            }
            s[i] ^= xors[k];
        }
    }
    ck_assert_uint_gt(rejected, accepted); /* most single-byte damage must be caught */
    free(s);
}
END_TEST

static void expect_error(const uint8_t *s, size_t len, const char *needle)
{
    cap_file_t cap;
    cl_error_t e = {{0}};
    ck_assert_int_eq(cap_parse(&cap, s, len, CAP_PARSE_NO_COPY, &e), -1);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "expected '%s' in '%s'", needle, e.msg);
}

/* Offset of component tag's info in a standard stream. */
static size_t info_at(const uint8_t *s, size_t len, int tag)
{
    size_t pos = 0;
    while (pos + 3 <= len) {
        if (s[pos] == tag) return pos + 3;
        pos += 3 + cl_get16(s + pos + 1);
    }
    ck_abort_msg("no component %d", tag);
    return 0;
}

/* Runs the Class component parser alone over a hand-made Class component (CAP 2.1, no pool). */
static int parse_class_only(const uint8_t *info, size_t n, cl_error_t *e)
{
    cap_file_t cap;
    memset(&cap, 0, sizeof cap);
    cap.cap_minor = 1;
    cap.comp[CAP_COMP_CLASS] = (cap_component_t){ true, (uint16_t)n, info };
    int rc = cap_p_class(&cap, e);
    free(cap.classes);
    return rc;
}

/* Interface lists are the complete set (JCVM 6.8: superinterfaces, direct and indirect; a class's
 * interfaces include theirs), without repeats, and an interface is not its own superinterface.
 * Unchecked, a self-listing or incomplete hierarchy makes every instanceof against it walk up to
 * 15^8 paths in the VM (a hang); complete, acyclic lists bound that walk. */
START_TEST(test_interface_lists_checked)
{
    enum { IF = CAP_ACC_INTERFACE << 4 };
    cl_error_t e = {{0}};
    /* J at 0 (no supers), K at 1 extends J: fine */
    static const uint8_t ok[] = { IF | 0, IF | 1, 0x00, 0x00 };
    ck_assert_msg(parse_class_only(ok, sizeof ok, &e) == 0, "%s", e.msg);
    /* an interface listing itself */
    static const uint8_t self[] = { IF | 1, 0x00, 0x00 };
    ck_assert_int_eq(parse_class_only(self, sizeof self, &e), -1);
    ck_assert_msg(strstr(e.msg, "Class component: offset 0x0: interface lists itself") != NULL, "%s", e.msg);
    /* K lists J twice */
    static const uint8_t twice[] = { IF | 0, IF | 2, 0x00, 0x00, 0x00, 0x00 };
    ck_assert_int_eq(parse_class_only(twice, sizeof twice, &e), -1);
    ck_assert_msg(strstr(e.msg, "listed twice") != NULL, "%s", e.msg);
    /* L extends K but leaves out J, K's superinterface */
    static const uint8_t partial[] = { IF | 0, IF | 1, 0x00, 0x00, IF | 1, 0x00, 0x01 };
    ck_assert_int_eq(parse_class_only(partial, sizeof partial, &e), -1);
    ck_assert_msg(strstr(e.msg, "offset 0x4: superinterface 0x0000 of 0x0001 is not listed") != NULL, "%s", e.msg);
    /* the same with J listed: fine */
    static const uint8_t full[] = { IF | 0, IF | 1, 0x00, 0x00, IF | 2, 0x00, 0x01, 0x00, 0x00 };
    ck_assert_msg(parse_class_only(full, sizeof full, &e) == 0, "%s", e.msg);
    /* a class implementing K must list J too */
    static const uint8_t cls[] = { IF | 0, IF | 1, 0x00, 0x00,
                                   0x01, 0xFF, 0xFF, 0, 0xFF, 0, 0, 0, 0, 0, /* implements 1, Object, empty tables */
                                   0x00, 0x01, 0x00 };                         /* K, no methods */
    ck_assert_int_eq(parse_class_only(cls, sizeof cls, &e), -1);
    ck_assert_msg(strstr(e.msg, "offset 0x4: superinterface 0x0000 of 0x0001 is not listed") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(test_specific_errors)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t len;
    uint8_t *s = tg_stream_std(&t, &len);
    size_t m = info_at(s, len, CAP_COMP_METHOD);
    char want[128];

    /* handler end beyond its method */
    uint16_t saved = cl_get16(s + m + 3);
    cl_put16(s + m + 3, 0x8000 | 0x7000);
    expect_error(s, len, "Method component: offset 0x1: handler 0: try block end beyond");
    cl_put16(s + m + 3, saved);

    /* undefined opcode inside process */
    size_t op_at = m + t.process_code_off + 2; /* a nop in the padding run */
    uint8_t o = s[op_at];
    s[op_at] = 0xB9;
    snprintf(want, sizeof(want), "Method component: offset 0x%x: undefined opcode 0xb9", t.process_code_off + 2);
    expect_error(s, len, want);
    s[op_at] = 0xFE; /* impdep1 is never valid in a CAP file */
    expect_error(s, len, "undefined opcode 0xfe");
    s[op_at] = o;

    /* applet install method offset not at a method start */
    size_t a = info_at(s, len, CAP_COMP_APPLET);
    size_t io = a + 1 + 1 + sizeof(tg_applet_aid);
    cl_put16(s + io, (uint16_t)(t.off_install + 1));
    expect_error(s, len, "Applet component");
    cl_put16(s + io, t.off_install);

    /* constant pool: class_ref in the middle of a class */
    size_t cp = info_at(s, len, CAP_COMP_CONSTANTPOOL);
    cl_put16(s + cp + 2 + 4 + 1, (uint16_t)(t.class_a + 1));
    expect_error(s, len, "ConstantPool component: offset 0x7: class_ref");
    cl_put16(s + cp + 2 + 4 + 1, t.class_a);

    /* invokestatic naming a Classref */
    size_t rl = info_at(s, len, CAP_COMP_REFLOCATION);
    (void)rl;
    /* the install method's invokespecial operand (cp 6) -> cp 0 (Classref) */
    cl_put16(s + m + t.off_install + 2 + 3 + 1 + 1, 0);
    expect_error(s, len, "invokespecial: constant pool entry 0 is a Classref");
    cl_put16(s + m + t.off_install + 2 + 3 + 1 + 1, 6);

    /* directory size mismatch */
    size_t d = info_at(s, len, CAP_COMP_DIRECTORY);
    s[d + 2 * (CAP_COMP_METHOD - 1) + 1] ^= 1;
    expect_error(s, len, "Directory component: offset 0xc: Method size");
    s[d + 2 * (CAP_COMP_METHOD - 1) + 1] ^= 1;

    /* bad magic */
    size_t h = info_at(s, len, CAP_COMP_HEADER);
    s[h] = 0;
    expect_error(s, len, "Header component: offset 0x0: bad magic");
    s[h] = 0xDE;

    /* duplicate component */
    uint8_t *dup = malloc(len * 2);
    memcpy(dup, s, len);
    memcpy(dup + len, s, h - 3 + 3 + cl_get16(s + h - 2));
    expect_error(dup, len + h + cl_get16(s + h - 2), "second Header component");
    free(dup);

    /* RefLocation: the handler's catch_type (Method offset 7) is listed first among the 2-byte indices */
    size_t rl2 = rl + 2 + cl_get16(s + rl) + 2; /* first 2-byte delta */
    ck_assert_uint_eq(s[rl2], 7);
    s[rl2] = 8;
    expect_error(s, len, "RefLocation component");
    s[rl2] = 7;
    /* a catch-all handler (catch_type 0) may stay listed: accepted */
    cl_put16(s + m + 7, 0);
    {
        cap_file_t c2;
        parse_ok(&c2, s, len);
        ck_assert_uint_eq(c2.handlers[0].catch_type, 0);
        cap_free(&c2);
    }
    cl_put16(s + m + 7, 1);

    /* still fine after all the restores */
    cap_file_t cap;
    parse_ok(&cap, s, len);
    cap_free(&cap);
    free(s);
}
END_TEST

START_TEST(test_jar_errors)
{
    tg_cap_t t;
    tg_build(&t, false);
    size_t len;
    uint8_t *jar = tg_jar(&t, &len);
    cap_file_t cap;
    cl_error_t e = {{0}};
    /* damage the Header entry's data: CRC catches it */
    uint8_t *hit = memmem(jar, len, "\xDE\xCA\xFF\xED", 4);
    ck_assert_ptr_nonnull(hit);
    hit[0] = 0;
    ck_assert_int_eq(cap_parse(&cap, jar, len, 0, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "CRC"));
    hit[0] = 0xDE;
    /* a JAR without Header.cap is not a CAP file */
    cap_zip_writer_t w = {0};
    cap_zip_writer_add(&w, "a/javacard/Method.cap", (const uint8_t *)"\x07\x00\x00", 3, &e);
    uint8_t *z;
    size_t zl;
    ck_assert_int_eq(cap_zip_writer_finish(&w, &z, &zl, &e), 0);
    ck_assert_int_eq(cap_parse(&cap, z, zl, 0, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "Header.cap"));
    free(z);
    free(jar);
}
END_TEST

/* CAP_FUZZ_CORPUS_OUT=cap/fuzz-corpus build/test/cap/cap_parse_test regenerates the fuzz seeds. */
static void write_corpus(const char *dir)
{
    for (int v = 0; v < 3; v++) {
        tg_cap_t t;
        tg_build(&t, v != 1);
        size_t len;
        uint8_t *d = v == 2 ? tg_jar(&t, &len) : tg_stream_std(&t, &len);
        static const char *const names[] = {"load-with-descriptor.ijc", "load-without-descriptor.ijc", "sample-cap.jar"};
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, names[v]);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(d, 1, len, f) != len) { perror(path); exit(1); }
        fclose(f);
        free(d);
    }
}

int main(void)
{
    const char *corpus = getenv("CAP_FUZZ_CORPUS_OUT");
    if (corpus) write_corpus(corpus);
    Suite *s = suite_create("cap_parse");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_stream_with_descriptor);
    tcase_add_loop_test(tc, test_cap_2_1, 0, 2);
    tcase_add_loop_test(tc, test_orphan_method, 0, 3);
    tcase_add_test(tc, test_stream_without_descriptor_any_order);
    tcase_add_test(tc, test_jar);
    tcase_add_test(tc, test_jar_deflated);
    tcase_add_test(tc, test_iterator_covers_formats);
    tcase_add_test(tc, test_truncate_everywhere);
    tcase_add_loop_test(tc, test_flip_every_byte, 0, 2);
    tcase_add_test(tc, test_specific_errors);
    tcase_add_test(tc, test_interface_lists_checked);
    tcase_add_test(tc, test_jar_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
