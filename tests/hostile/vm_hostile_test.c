/* Hostile CAP files against the loader, the linker and the verifier: named damage (bad jumps, stack
 * and locals, constant pool indices and kinds, class and method references, imports, install
 * method offsets, unbound API tokens), truncation at every offset (component stream and JAR),
 * edge values in every size/count/offset field, and opcode swaps that keep the structure valid so
 * the verifier and then the interpreter get the mutant.
 *
 * Every case installs a damaged copy of applets/tests/crash/hostile into a card holding hello
 * (tests/hostile/ht_env.h): refused means a message and the image unchanged; accepted means every
 * command answered and hello still working. Cases the VM gets wrong today are in
 * docs/robustness.md ("Known failures") and skipped: HOSTILE_KNOWN=1 runs them too. */
#include "tests/hostile/ht_env.h"

/* ---- 3. named damage that must be refused at install ---- */
/* REFUSE: the loader must refuse the package. STOP: refusing is best, but the VM may take the
 * package and stop the bad part at run time (an unbound API token is only known to be unbound
 * when called, an install method of the wrong type when Applet.install runs): then the instance
 * install must fail or every command must end in 6F 00. KNOWN: must be refused, but the VM
 * accepts it today (docs/robustness.md); skipped unless HOSTILE_KNOWN=1. */
enum expect { REFUSE, STOP, KNOWN };
typedef struct {
    const char *name;
    enum expect expect;
    void (*apply)(const hcap_t *h, uint8_t *m);
} refusal_case_t;

static void p_branch_past_end(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 8] = 0x7F; }
static void p_branch_before_start(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 8] = 0x80; }
static void p_branch_mid_insn(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 8] = 0xFF; /* into bspush's operand */ }
static void p_goto_mid_insn(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 14] = 0xFE; /* into if_scmple's operand */ }
static void p_goto_self_minus(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 14] = 0x20; /* past the method end */ }
static void p_stack_underflow(const hcap_t *h, uint8_t *m) { m[at_mix(h)] = JC_nop; }
static void p_stack_over_max(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 3] = JC_sload_2; /* sstore_2 -> push */ }
static void p_max_stack_low(const hcap_t *h, uint8_t *m) { m[at_mix(h) - 2] = (uint8_t)((m[at_mix(h) - 2] & 0xF0) | 1); }
static void p_max_locals_low(const hcap_t *h, uint8_t *m) { m[at_mix(h) - 1] = (uint8_t)(m[at_mix(h) - 1] & 0xF0); }
static void p_local_beyond(const hcap_t *h, uint8_t *m) { m[at_mix(h)] = JC_sload_3; /* locals are 0..2 */ }
static void p_undefined_opcode(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 2] = 0xB9; }
static void p_opcode_ff(const hcap_t *h, uint8_t *m) { m[at_mix(h) + 2] = 0xFF; }
static void p_return_type(const hcap_t *h, uint8_t *m) { m[at_peek(h) + 3] = JC_areturn; /* short as a reference */ }
static void p_falls_off_end(const hcap_t *h, uint8_t *m) { m[at_peek(h) + 3] = JC_nop; /* no return at the end */ }
static void p_cp_out_of_range_u1(const hcap_t *h, uint8_t *m) { m[at_peek(h) + 2] = 0xFF; }
static void p_cp_out_of_range_u2(const hcap_t *h, uint8_t *m) { cl_put16(m + at_call(h) + 2, 0xFFFF); }
static void p_cp_count(const hcap_t *h, uint8_t *m)
{
    cl_put16(m + at_call(h) + 2, cl_get16(h->s + h->comp[CAP_COMP_CONSTANTPOOL])); /* == count: one past */
}
/* the first constant pool entry of a tag (the stream's own order) */
static unsigned cp_index_of(const hcap_t *h, uint8_t tag)
{
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL];
    unsigned n = cl_get16(h->s + cp);
    for (unsigned i = 0; i < n; i++)
        if (h->s[cp + 2 + 4 * i] == tag) return i;
    ck_abort_msg("no constant pool entry of tag %u", tag);
    return 0;
}
static void p_cp_wrong_kind_field(const hcap_t *h, uint8_t *m) { m[at_peek(h) + 2] = (uint8_t)cp_index_of(h, CAP_CP_STATIC_METHODREF); }
static void p_cp_wrong_kind_field2(const hcap_t *h, uint8_t *m) { m[at_peek(h) + 2] = (uint8_t)cp_index_of(h, CAP_CP_CLASSREF); }
static void p_cp_wrong_kind_virtual(const hcap_t *h, uint8_t *m) { cl_put16(m + at_call(h) + 2, cp_index_of(h, CAP_CP_STATIC_METHODREF)); }
static void p_cp_wrong_kind_virtual2(const hcap_t *h, uint8_t *m) { cl_put16(m + at_call(h) + 2, cp_index_of(h, CAP_CP_INSTANCE_FIELDREF)); }
/* Entries that name an internal class: the class offset moved into the middle of the class_info. */
static void p_classref_mid(const hcap_t *h, uint8_t *m)
{
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL] + 2 + 4 * cp_index_of(h, CAP_CP_INSTANCE_FIELDREF);
    cl_put16(m + cp + 1, (uint16_t)(cl_get16(h->s + cp + 1) + 1));
}
static void p_virtual_class_mid(const hcap_t *h, uint8_t *m)
{
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL];
    unsigned n = cl_get16(h->s + cp);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = h->s + cp + 2 + 4 * i;
        if (e[0] == CAP_CP_VIRTUAL_METHODREF && !(e[1] & 0x80)) { cl_put16(m + (size_t)(e - h->s) + 1, (uint16_t)(cl_get16(e + 1) + 3)); return; }
    }
    ck_abort_msg("no internal VirtualMethodref");
}
static void p_static_method_mid(const hcap_t *h, uint8_t *m)
{
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL];
    unsigned n = cl_get16(h->s + cp);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = h->s + cp + 2 + 4 * i;
        if (e[0] == CAP_CP_STATIC_METHODREF && e[1] == 0) { cl_put16(m + (size_t)(e - h->s) + 2, (uint16_t)(cl_get16(e + 2) + 3)); return; }
    }
    ck_abort_msg("no internal StaticMethodref");
}
static void p_static_method_past(const hcap_t *h, uint8_t *m)
{
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL];
    unsigned n = cl_get16(h->s + cp);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = h->s + cp + 2 + 4 * i;
        if (e[0] == CAP_CP_STATIC_METHODREF && e[1] == 0) { cl_put16(m + (size_t)(e - h->s) + 2, h->comp_size[CAP_COMP_METHOD]); return; }
    }
}
/* Unbound API tokens: an external method token no API class has. */
static void ext_token(const hcap_t *h, uint8_t *m, uint8_t tag, int which_byte, uint8_t value)
{
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL];
    unsigned n = cl_get16(h->s + cp);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = h->s + cp + 2 + 4 * i;
        if (e[0] == tag && (e[1] & 0x80)) { m[(size_t)(e - h->s) + (size_t)which_byte] = value; return; }
    }
    ck_abort_msg("no external entry of tag %u", tag);
}
static void p_api_static_token(const hcap_t *h, uint8_t *m) { ext_token(h, m, CAP_CP_STATIC_METHODREF, 3, 0x7F); }
static void p_api_class_token(const hcap_t *h, uint8_t *m) { ext_token(h, m, CAP_CP_STATIC_METHODREF, 2, 0x7F); }
static void p_api_virtual_token(const hcap_t *h, uint8_t *m) { ext_token(h, m, CAP_CP_VIRTUAL_METHODREF, 3, 0x7E); }
static void p_api_pkg_token(const hcap_t *h, uint8_t *m) { ext_token(h, m, CAP_CP_STATIC_METHODREF, 1, 0x80 | 9); }
/* An InstanceFieldref turned to name an API class (javacard.framework's OwnerPIN, class token 9): no API
 * class exports instance fields, its cells are the JCRE's native state (the PIN value and validated flag). */
static void p_field_of_api_class(const hcap_t *h, uint8_t *m)
{
    int fw = -1;
    size_t at = h->comp[CAP_COMP_IMPORT] + 1;
    for (unsigned i = 0; i < h->s[h->comp[CAP_COMP_IMPORT]]; i++) {
        if (h->s[at + 2] == 7 && memcmp(h->s + at + 3, "\xA0\x00\x00\x00\x62\x01\x01", 7) == 0) fw = (int)i;
        at += 3u + h->s[at + 2];
    }
    ck_assert_int_ge(fw, 0);
    size_t cp = h->comp[CAP_COMP_CONSTANTPOOL];
    unsigned n = cl_get16(h->s + cp);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = h->s + cp + 2 + 4 * i;
        if (e[0] != CAP_CP_INSTANCE_FIELDREF) continue;
        size_t o = (size_t)(e - h->s);
        m[o + 1] = (uint8_t)(0x80 | fw);
        m[o + 2] = 9;
        m[o + 3] = 0;
        return;
    }
    ck_abort_msg("no InstanceFieldref in the hostile package");
}
/* Import component: count u1, then minor u1, major u1, AID length u1, AID per package. */
static size_t import_of(const hcap_t *h, const char *aid_hex)
{
    uint8_t aid[16];
    long an = cl_hex_decode(aid_hex, aid, sizeof aid);
    size_t at = h->comp[CAP_COMP_IMPORT] + 1;
    for (unsigned i = 0; i < h->s[h->comp[CAP_COMP_IMPORT]]; i++) {
        if (h->s[at + 2] == an && memcmp(h->s + at + 3, aid, (size_t)an) == 0) return at;
        at += 3u + h->s[at + 2];
    }
    ck_abort_msg("import %s not found", aid_hex);
    return 0;
}
static void p_import_unknown(const hcap_t *h, uint8_t *m) { m[import_of(h, "A0000000620101") + 3 + 6] = 0x7E; }
static void p_import_major(const hcap_t *h, uint8_t *m) { m[import_of(h, "A0000000620101") + 1] += 1; }
static void p_import_major_down(const hcap_t *h, uint8_t *m) { m[import_of(h, "A0000000620101") + 1] -= 1; }
static void p_import_minor_newer(const hcap_t *h, uint8_t *m) { m[import_of(h, "A0000000620101")] = 99; }
static void p_import_lang_major(const hcap_t *h, uint8_t *m) { m[import_of(h, "A0000000620001") + 1] = 0x7F; }
/* Applet component: count u1, then AID length u1, AID, install_method_offset u2. */
static size_t install_field(const hcap_t *h)
{
    size_t a = h->comp[CAP_COMP_APPLET] + 1;
    return a + 1 + h->s[a];
}
static void p_install_past_end(const hcap_t *h, uint8_t *m) { cl_put16(m + install_field(h), h->comp_size[CAP_COMP_METHOD]); }
static void p_install_ffff(const hcap_t *h, uint8_t *m) { cl_put16(m + install_field(h), 0xFFFF); }
static void p_install_mid(const hcap_t *h, uint8_t *m) { cl_put16(m + install_field(h), (uint16_t)(cl_get16(h->s + install_field(h)) + 2)); }
static void p_install_zero(const hcap_t *h, uint8_t *m) { cl_put16(m + install_field(h), 0); /* the handler count byte */ }
static void p_install_other(const hcap_t *h, uint8_t *m) { cl_put16(m + install_field(h), (uint16_t)(at_mix(h) - 2 - h->comp[CAP_COMP_METHOD])); }

static const refusal_case_t refusal_cases[] = {
    { "branch past the method end", REFUSE, p_branch_past_end },
    { "branch before the method start", REFUSE, p_branch_before_start },
    { "branch into an instruction's operand", REFUSE, p_branch_mid_insn },
    { "goto into an instruction's operand", REFUSE, p_goto_mid_insn },
    { "goto past the method end", REFUSE, p_goto_self_minus },
    { "stack underflow (first push removed)", REFUSE, p_stack_underflow },
    { "stack beyond max_stack (store made a push)", REFUSE, p_stack_over_max },
    { "max_stack lowered", REFUSE, p_max_stack_low },
    { "max_locals lowered", REFUSE, p_max_locals_low },
    { "local beyond max_locals (sload_3)", REFUSE, p_local_beyond },
    { "undefined opcode 0xB9", REFUSE, p_undefined_opcode },
    { "undefined opcode 0xFF", REFUSE, p_opcode_ff },
    { "areturn of a short in a short method", REFUSE, p_return_type },
    { "code falls off the method end", REFUSE, p_falls_off_end },
    { "cp index 255 (u1) out of range", REFUSE, p_cp_out_of_range_u1 },
    { "cp index 0xFFFF (u2) out of range", REFUSE, p_cp_out_of_range_u2 },
    { "cp index == count", REFUSE, p_cp_count },
    { "getfield_s on a StaticMethodref", REFUSE, p_cp_wrong_kind_field },
    { "getfield_s on a Classref", REFUSE, p_cp_wrong_kind_field2 },
    { "invokevirtual on a StaticMethodref", REFUSE, p_cp_wrong_kind_virtual },
    { "invokevirtual on an InstanceFieldref", REFUSE, p_cp_wrong_kind_virtual2 },
    { "InstanceFieldref class into a class_info's middle", REFUSE, p_classref_mid },
    { "VirtualMethodref class into a class_info's middle", REFUSE, p_virtual_class_mid },
    { "StaticMethodref into a method's middle", REFUSE, p_static_method_mid },
    { "StaticMethodref past the Method component", REFUSE, p_static_method_past },
    { "API static method token unbound (0x7F)", STOP, p_api_static_token },
    { "API class token unbound (0x7F)", STOP, p_api_class_token },
    { "API virtual method token unbound (0x7E)", STOP, p_api_virtual_token },
    { "package token beyond the imports", REFUSE, p_api_pkg_token },
    { "InstanceFieldref into an API class (OwnerPIN's native cells)", REFUSE, p_field_of_api_class },
    { "import of an unknown package", REFUSE, p_import_unknown },
    { "import of framework, major + 1", REFUSE, p_import_major },
    { "import of framework, major - 1", REFUSE, p_import_major_down },
    { "import of framework, minor 99", REFUSE, p_import_minor_newer },
    { "import of java.lang, major 0x7F", REFUSE, p_import_lang_major },
    { "install method offset = Method size", REFUSE, p_install_past_end },
    { "install method offset 0xFFFF", REFUSE, p_install_ffff },
    { "install method offset inside a method", REFUSE, p_install_mid },
    { "install method offset 0 (handler count)", REFUSE, p_install_zero },
    { "install method = a static (SS)S method", STOP, p_install_other },
};

START_TEST(named_damage_is_refused)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    bool run_known = getenv("HOSTILE_KNOWN") != NULL;
    /* the undamaged applet is accepted: the cases below fail for their damage alone */
    ck_assert_int_eq(try_cap(&env, h.s, h.len, "undamaged", NULL, NULL), ACCEPTED);
    int refused = 0, skipped = 0, stopped = 0;
    char accepted_names[2048] = "";
    uint8_t *m = malloc(h.len);
    for (size_t i = 0; i < CL_ARRAY_LEN(refusal_cases); i++) {
        const refusal_case_t *c = &refusal_cases[i];
        if (c->expect == KNOWN && !run_known) { skipped++; continue; }
        memcpy(m, h.s, h.len);
        c->apply(&h, m);
        ck_assert_msg(memcmp(m, h.s, h.len) != 0, "%s: the patch changed nothing", c->name);
        static const char *const cmds[] = { "800B0305", "800C000002", "8007000002", "8009000002", NULL };
        int sws[5] = { 0 };
        quiet(true);
        enum outcome o = try_cap(&env, m, h.len, c->name, cmds, sws);
        quiet(false);
        bool instance = last_msg[0] == 0; /* accepted and the instance installed too */
        printf("vm_hostile: %-48s %s %s%s\n", c->name, o == REFUSED ? "refused:" : "accepted,",
               o == REFUSED ? "" : instance ? "instance installed, commands answered" : "instance refused: ", last_msg);
        if (o == REFUSED) refused++;
        else if (c->expect == STOP) {
            stopped++;
            for (int k = 0; instance && cmds[k]; k++)
                ck_assert_msg(sws[k] == 0x6F00 || sws[k] == -1, "%s: command %s answered %04X, want 6F00", c->name, cmds[k], sws[k]);
        } else snprintf(accepted_names + strlen(accepted_names), sizeof accepted_names - strlen(accepted_names), "[%s] ", c->name);
    }
    free(m);
    printf("vm_hostile: %d named cases refused (%d of them moved the checkpoint stamp), %d stopped at run time, "
           "%d known failures skipped\n", refused, bookkeeping_moves, stopped, skipped);
    ck_assert_msg(accepted_names[0] == 0, "accepted at install: %s", accepted_names);
    /* The loader finishes every check before its first write: a refused CAP spends no checkpoint. */
    ck_assert_int_eq(bookkeeping_moves, 0);
    free(h.s);
    env_teardown(&env);
}
END_TEST

/* ---- 4. truncation at every offset, component stream and JAR ---- */
START_TEST(truncated_caps)
{
    env_t env;
    env_setup(&env);
    size_t len, jlen;
    uint8_t *s = ht_cap_stream("hostile", &len);
    uint8_t *jar = ht_cap_jar("hostile", &jlen);
    static const char *const cmds[] = { "800B0305", "800C000002", NULL };
    int refused = 0, accepted = 0;
    char what[64];
    quiet(true);
    for (size_t cut = 0; cut < len; cut++) {
        snprintf(what, sizeof what, "stream cut at %zu", cut);
        if (try_cap(&env, s, cut, what, cmds, NULL) == REFUSED) refused++; else accepted++;
    }
    /* A JAR is refused as soon as its central directory is gone: every cut is refused. Step 7
     * keeps the run short while still landing in every header and name of the archive. */
    int jar_refused = 0, jar_cuts = 0;
    for (size_t cut = 0; cut < jlen; cut += (cut < 64 || cut + 64 > jlen) ? 1 : 7) {
        snprintf(what, sizeof what, "JAR cut at %zu", cut);
        jar_cuts++;
        jar_refused += try_cap(&env, jar, cut, what, cmds, NULL) == REFUSED;
    }
    quiet(false);
    printf("vm_hostile: stream cuts: %d refused, %d accepted (the Descriptor is optional); JAR cuts: %d of %d refused\n",
           refused, accepted, jar_refused, jar_cuts);
    /* Only a cut at the boundary before the optional Descriptor can be a whole CAP. */
    ck_assert_int_le(accepted, 1);
    ck_assert_int_eq(jar_refused, jar_cuts);
    free(s);
    free(jar);
    env_teardown(&env);
}
END_TEST

/* ---- 5. edge values in every size, count and offset field ---- */
START_TEST(edge_values_everywhere)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    uint8_t *m = malloc(h.len);
    static const char *const cmds[] = { "800B0305", "800C000002", "8007000002", NULL };
    int refused = 0, accepted = 0;
    char what[96];
    quiet(true);
    /* component sizes: 0, 1, max, one past the real end, one short */
    for (size_t at = 0; at + 3 <= h.len; at += 3u + cl_get16(h.s + at + 1)) {
        uint16_t real = cl_get16(h.s + at + 1);
        const uint16_t vals[] = { 0, 1, 0xFFFF, (uint16_t)(real + 1), (uint16_t)(real - 1) };
        for (size_t v = 0; v < CL_ARRAY_LEN(vals); v++) {
            memcpy(m, h.s, h.len);
            cl_put16(m + at + 1, vals[v]);
            snprintf(what, sizeof what, "component %u size %u", h.s[at], vals[v]);
            if (try_cap(&env, m, h.len, what, cmds, NULL) == REFUSED) refused++; else accepted++;
        }
    }
    /* Every field of the structural components (all but Method bytecode and Descriptor, which
     * other cases cover) read as u1 and u2: 0, 1, max, one past. */
    static const int comps[] = { CAP_COMP_HEADER, CAP_COMP_DIRECTORY, CAP_COMP_APPLET, CAP_COMP_IMPORT,
                                 CAP_COMP_CONSTANTPOOL, CAP_COMP_CLASS, CAP_COMP_STATICFIELD, CAP_COMP_REFLOCATION };
    for (size_t c = 0; c < CL_ARRAY_LEN(comps); c++) {
        size_t base = h.comp[comps[c]];
        if (!base) continue;
        for (size_t at = base; at < base + h.comp_size[comps[c]]; at++) {
            const uint16_t v1[] = { 0, 1, 0xFF, (uint8_t)(h.s[at] + 1) };
            for (size_t v = 0; v < CL_ARRAY_LEN(v1); v++) {
                if (v1[v] == h.s[at]) continue;
                memcpy(m, h.s, h.len);
                m[at] = (uint8_t)v1[v];
                snprintf(what, sizeof what, "component %d +%zu = %02X", comps[c], at - base, v1[v]);
                if (try_cap(&env, m, h.len, what, cmds, NULL) == REFUSED) refused++; else accepted++;
            }
            if (at + 2 > base + h.comp_size[comps[c]]) continue;
            const uint16_t v2[] = { 0xFFFF, 0x8000, (uint16_t)(cl_get16(h.s + at) + 1) };
            for (size_t v = 0; v < CL_ARRAY_LEN(v2); v++) {
                memcpy(m, h.s, h.len);
                cl_put16(m + at, v2[v]);
                snprintf(what, sizeof what, "component %d +%zu = %04X", comps[c], at - base, v2[v]);
                if (try_cap(&env, m, h.len, what, cmds, NULL) == REFUSED) refused++; else accepted++;
            }
        }
    }
    quiet(false);
    printf("vm_hostile: edge values: %d refused (%d moved the checkpoint stamp), %d accepted and driven\n", refused,
           bookkeeping_moves, accepted);
    ck_assert_int_gt(refused, 0);
    ck_assert_int_eq(bookkeeping_moves, 0); /* refused before the loader's first write */
    free(m);
    free(h.s);
    env_teardown(&env);
}
END_TEST

/* ---- 7. opcode swaps: every instruction of the hostile applet replaced by other opcodes of
 * the same operand format (so the parser's structure checks and RefLocation still hold and the
 * verifier and the interpreter get the mutant): a short load for a reference load, getfield_a
 * for getfield_s, a return of another type, ... Whatever the verifier lets through runs. ---- */
START_TEST(opcode_swaps)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse(&cap, h.s, h.len, CAP_PARSE_NO_COPY, &e) == 0, "%s", e.msg);
    uint8_t *m = malloc(h.len);
    static const char *const cmds[] = { "8001000102", "8003000002", "8005000002", "8006000002", "8007002102",
                                        "8008002102", "8009002102", "800A000502", "800B0305", "800C000002",
                                        "800D000002", "800E000002", "8012000002", "8014000002", "8015000002",
                                        "8019000002", "801A000002", "801B000002", "801C000002", "801E000002",
                                        "801F000002", NULL };
    int sws[32];
    int refused = 0, accepted = 0, answered = 0, ok9000 = 0, skipped = 0;
    unsigned rng = 12345;
    quiet(true);
    for (unsigned mi = 0; mi < cap.method_count; mi++) {
        const cap_method_t *md = &cap.methods[mi];
        for (size_t pc = 0; pc < md->code_len;) {
            int len = jc_insn_len(md->code + pc, md->code_len - pc);
            ck_assert_int_gt(len, 0);
            size_t at = (size_t)(md->code + pc - h.s);
            int op = h.s[at], fmt = jc_opcode_format(op);
            int same[256], n = 0;
            for (int o = 0; o < 256; o++)
                if (o != op && jc_opcode_name(o) && jc_opcode_format(o) == fmt && jc_opcode_fixed_len(o) == len) same[n++] = o;
            /* up to 5 replacements per instruction, chosen by a fixed-seed generator */
            for (int k = 0; k < 5 && n > 0; k++) {
                rng = rng * 1103515245u + 12345u;
                int pick = (int)((rng >> 8) % (unsigned)n);
                memcpy(m, h.s, h.len);
                m[at] = (uint8_t)same[pick];
                same[pick] = same[--n];
                char what[96];
                snprintf(what, sizeof what, "method 0x%04x +%zu: %s -> %s", md->offset, pc, jc_opcode_name(op),
                         jc_opcode_name(m[at]));
                if (try_cap(&env, m, h.len, what, cmds, sws) == REFUSED) { refused++; continue; }
                accepted++;
                for (int c = 0; cmds[c]; c++) {
                    answered += sws[c] >= 0;
                    ok9000 += sws[c] == 0x9000;
                    skipped += sws[c] == -2;
                }
            }
            pc += (size_t)len;
        }
    }
    quiet(false);
    printf("vm_hostile: opcode swaps: %d refused, %d accepted and driven (%d commands answered, %d with 9000, %d "
           "skipped after a budget-long loop)\n", refused, accepted, answered, ok9000, skipped);
    ck_assert_int_gt(refused, 0);
    cap_free(&cap);
    free(m);
    free(h.s);
    env_teardown(&env);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("vm_hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, named_damage_is_refused);
    tcase_add_test(tc, truncated_caps);
    tcase_add_test(tc, edge_values_everywhere);
    tcase_add_test(tc, opcode_swaps);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
