/* Packages laid out as other converters lay them out: tests/foreign/recap.py rewrites what our
 * converter made for hello, wallet, points-server/-client and vmconform in five variants
 * (recap.py VARIANTS), each as a component stream and as a JAR with deflated entries:
 *   gp         the components in GlobalPlatform load order;
 *   reorder    methods, classes and constant pool entries in other orders (every reference
 *              relocated), no Descriptor, components in reverse load order;
 *   permuted   the same reordering with the Descriptor kept (the verifier types the moved code),
 *              components interleaved;
 *   v22        CAP format 2.2 (package name, 12-entry Directory, signature pool), a Debug
 *              component, a custom component listed in the Directory, static primitives written
 *              as non-default values, methods and constant pool reordered, components shuffled;
 *   v22nodesc  CAP 2.2 without a Descriptor, classes reordered, Debug last.
 * Every variant must install and give the samples' expected conversations (their test.script);
 * vmconform's variants must answer every command of the host JVM's list exactly as our
 * converter's own CAP does. */
#include "tests/foreign/fx_card.h"

#include "cap/cap_parse.h"

static const char *const variants[] = { "gp", "reorder", "permuted", "v22", "v22nodesc" };
static const char *const containers[] = { "stream", "cap" };

static vmt_t t;
static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

/* A fresh card for the next variant: the fixture's image removed and made again. */
static void fresh_card(void)
{
    vmt_teardown(&t);
    vmt_setup(&t);
}

static void install_gen(const char *name, const char *variant, const char *ext, const char *applet, const char *data)
{
    size_t len;
    uint8_t *b = fx_read_gen(&t, name, variant, ext, &len);
    cl_error_t e = { { 0 } };
    int rc = fx_install(&t, b, len, applet, NULL, data, &e);
    free(b);
    ck_assert_msg(rc == 0, "%s-%s.%s refused: %s", name, variant, ext, e.msg);
}

/* What each variant really is, read back with the parser: the layout choices took effect. */
START_TEST(variants_have_their_layout)
{
    for (size_t v = 0; v < CL_ARRAY_LEN(variants); v++) {
        size_t len;
        uint8_t *b = fx_read_gen(&t, "vmconform", variants[v], "stream", &len);
        size_t olen;
        uint8_t *o = fx_read_applet(&t, "vmconform", &olen);
        cap_file_t cap, orig;
        cl_error_t e = { { 0 } };
        ck_assert_msg(cap_parse(&cap, b, len, 0, &e) == 0, "%s: %s", variants[v], e.msg);
        ck_assert_msg(cap_parse(&orig, o, olen, 0, &e) == 0, "original: %s", e.msg);
        bool v22 = !strncmp(variants[v], "v22", 3);
        ck_assert_uint_eq(cap.cap_minor, v22 ? 2 : 1);
        ck_assert_uint_eq(cap.comp[CAP_COMP_DEBUG].present, v22);
        bool no_desc = !strcmp(variants[v], "reorder") || !strcmp(variants[v], "v22nodesc");
        ck_assert_uint_eq(cap.comp[CAP_COMP_DESCRIPTOR].present, !no_desc);
        ck_assert_uint_eq(cap.dir.custom_count, !strcmp(variants[v], "v22"));
        ck_assert_uint_eq(cap.class_count, orig.class_count);
        ck_assert_uint_eq(cap.comp[CAP_COMP_METHOD].size, orig.comp[CAP_COMP_METHOD].size);
        bool methods_moved = cap.applets[0].install_method_offset != orig.applets[0].install_method_offset;
        bool reordered = !strcmp(variants[v], "reorder") || !strcmp(variants[v], "permuted") || !strcmp(variants[v], "v22");
        ck_assert_msg(methods_moved == reordered,
                      "%s: install method at 0x%x, converter's at 0x%x", variants[v], cap.applets[0].install_method_offset,
                      orig.applets[0].install_method_offset);
        bool same_method_bytes = !memcmp(cap.comp[CAP_COMP_METHOD].info, orig.comp[CAP_COMP_METHOD].info,
                                         orig.comp[CAP_COMP_METHOD].size);
        ck_assert_msg(same_method_bytes == (!strcmp(variants[v], "gp") || !strcmp(variants[v], "v22nodesc")),
                      "%s: Method component bytes", variants[v]);
        /* classes moved (v22: behind the 2.2 signature pool length), constant pool reordered */
        const cap_component_t *cc = &cap.comp[CAP_COMP_CLASS], *oc = &orig.comp[CAP_COMP_CLASS];
        ck_assert_uint_eq(cc->size, oc->size + (v22 ? 2 : 0));
        bool classes_moved = memcmp(cc->info, oc->info, oc->size) != 0;
        ck_assert_msg(classes_moved == (strcmp(variants[v], "gp") != 0), "%s: Class component", variants[v]);
        bool cp_same = !memcmp(cap.comp[CAP_COMP_CONSTANTPOOL].info, orig.comp[CAP_COMP_CONSTANTPOOL].info,
                               orig.comp[CAP_COMP_CONSTANTPOOL].size);
        ck_assert_msg(cp_same == (!strcmp(variants[v], "gp")), "%s: ConstantPool component", variants[v]);
        /* v22: every static primitive written out, the image the same */
        ck_assert_uint_gt(orig.sfield.default_value_count, 0);
        bool explicit_statics = !strcmp(variants[v], "v22");
        ck_assert_uint_eq(cap.sfield.default_value_count, explicit_statics ? 0 : orig.sfield.default_value_count);
        ck_assert_uint_eq(cap.sfield.default_value_count + cap.sfield.non_default_value_count,
                          orig.sfield.default_value_count + orig.sfield.non_default_value_count);
        cap_free(&cap);
        cap_free(&orig);
        free(b);
        free(o);
    }
}
END_TEST

START_TEST(samples_answer_in_every_layout)
{
    static const struct { const char *name, *applet, *data; } samples[] = {
        { "hello", "F063617264010101", NULL },
        { "wallet", "F063617264020101", "31323334" },
        { "points-server", "F063617264030101", NULL },
    };
    int runs = 0, checked = 0;
    for (size_t s = 0; s < CL_ARRAY_LEN(samples); s++)
        for (size_t v = 0; v < CL_ARRAY_LEN(variants); v++)
            for (size_t c = 0; c < CL_ARRAY_LEN(containers); c++) {
                char what[96];
                snprintf(what, sizeof what, "%s-%s.%s", samples[s].name, variants[v], containers[c]);
                fresh_card();
                install_gen(samples[s].name, variants[v], containers[c], samples[s].applet, samples[s].data);
                checked += fx_run_sample(&t, samples[s].name, what);
                runs++;
            }
    printf("foreign_layout: %d sample installs, %d responses checked\n", runs, checked);
    ck_assert_int_eq(runs, 30);
}
END_TEST

/* The client links against the server's Export component by token: a server whose classes and
 * methods moved (and a client laid out the same way) must still work together, also after the
 * card re-links both at power-up. */
START_TEST(shareable_client_and_server_in_every_layout)
{
    int checked = 0;
    for (size_t v = 0; v < CL_ARRAY_LEN(variants); v++)
        for (size_t c = 0; c < CL_ARRAY_LEN(containers); c++) {
            char what[96];
            snprintf(what, sizeof what, "points-%s.%s", variants[v], containers[c]);
            fresh_card();
            install_gen("points-server", variants[v], containers[c], "F063617264030101", NULL);
            install_gen("points-client", variants[v], containers[c], "F063617264040101", NULL);
            vmt_close(&t);
            vmt_open(&t);
            checked += fx_run_sample(&t, "points-client", what);
        }
    printf("foreign_layout: points client/server, %d responses checked\n", checked);
}
END_TEST

/* vmconform (about 70 classes and interfaces, int, exceptions, switches, statics, virtual and
 * interface calls): every command of the JVM's list, answered by our converter's CAP and by
 * each variant; the answers must be equal (and are counted against the JVM's). */
START_TEST(vmconform_answers_like_the_original)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/tests/vm/expected/conform.txt", t.build_dir);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing (made by tests/vm/module.mk)", path);
    typedef struct { char cmd[64], want[64], orig[128]; } conform_cmd_t;
    size_t n = 0, cap = 1024;
    conform_cmd_t *c = malloc(cap * sizeof *c);
    ck_assert_ptr_nonnull(c);
    char line[1024], name[64];
    while (fgets(line, sizeof line, f)) {
        if (n == cap) {
            cap *= 2;
            c = realloc(c, cap * sizeof *c);
            ck_assert_ptr_nonnull(c);
        }
        if (sscanf(line, "%63s %63s %63s", name, c[n].cmd, c[n].want) == 3) n++;
    }
    fclose(f);
    ck_assert_uint_gt(n, 1000);

    static const char *const forms[][2] = { { "", "" }, { "reorder", "stream" }, { "permuted", "stream" }, { "v22", "stream" },
                                            { "v22nodesc", "stream" }, { "v22", "cap" } };
    for (size_t k = 0; k < CL_ARRAY_LEN(forms); k++) {
        fresh_card();
        if (k == 0) {
            size_t len;
            uint8_t *b = fx_read_applet(&t, "vmconform", &len);
            cl_error_t e = { { 0 } };
            ck_assert_msg(fx_install(&t, b, len, "F063617264100101", NULL, NULL, &e) == 0, "%s", e.msg);
            free(b);
        } else {
            install_gen("vmconform", forms[k][0], forms[k][1], "F063617264100101", NULL);
        }
        vmt_select(&t, "F063617264100101");
        size_t as_jvm = 0;
        for (size_t i = 0; i < n; i++) {
            char got[sizeof c[i].orig];
            vmt_xmit(&t, c[i].cmd);
            vmt_resp_hex(&t, got, sizeof got);
            if (k == 0) memcpy(c[i].orig, got, sizeof got);
            else ck_assert_msg(!strcmp(got, c[i].orig), "vmconform-%s.%s: %s -> %s, our converter's CAP %s (%s)", forms[k][0],
                               forms[k][1], c[i].cmd, got, c[i].orig, t.vm->last_error);
            as_jvm += !strcasecmp(got, c[i].want);
        }
        printf("foreign_layout: vmconform %s%s%s: %zu commands, %zu as the JVM\n", k ? forms[k][0] : "converter's CAP",
               k ? "." : "", forms[k][1], n, as_jvm);
    }
    free(c);
}
END_TEST

int main(void)
{
    /* START_TEST names are pointer variables, so the list is built at run time */
    const TTest *const tests[] = {
        variants_have_their_layout, samples_answer_in_every_layout,
        shareable_client_and_server_in_every_layout, vmconform_answers_like_the_original,
    };
    return fx_main("foreign_layout", setup, teardown, 120, tests, CL_ARRAY_LEN(tests));
}
