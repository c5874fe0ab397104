/* Package install parses the CAP once (vm_load.c): the parse's own copy of the components
 * becomes the package's RAM copy, the blob stores them as the load file. Whatever the input's
 * form -- a JAR, the GlobalPlatform load file, a stream in tag order -- the stored blob and the
 * linked package are the same, and so is the package re-linked from the blob at the next boot.
 * A refused CAP leaves the heap and package table as they were. */
#include "cap/cap_consts.h"
#include "cap/cap_parse.h"
#include "vm/vm_load.h"
#include "vm/vm_test_cap.h"
#include "vm/vm_test_util.h"

static char build_dir[PATH_MAX];
static vt_env_t T;

static void setup(void)
{
    memset(&T, 0, sizeof T);
    vt_open(&T, true);
}

static void teardown(void) { vt_cleanup(&T); }

/* The stored blob of the package in slot. */
static const uint8_t *blob_of(vt_env_t *t, uint8_t slot, uint32_t *len)
{
    uint16_t blob, statics;
    vm_obj_t o;
    ck_assert_int_eq(vm_pkg_table_get(t->vm, slot, &blob, &statics), 0);
    ck_assert(blob && vm_heap_get(t->vm->heap, blob, &o) && o.kind == VM_KIND_BLOB);
    *len = o.len;
    return vm_heap_data(t->vm->heap, &o);
}

/* The package in slot is the one the parse describes: its Method bytes, classes, constant pool
 * and applets, and its blob is the load file. */
static void same_package(vt_env_t *t, uint8_t slot, const cap_file_t *cap, const uint8_t *load, size_t load_len)
{
    const vm_pkg_t *p = t->vm->pkgs[slot];
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->methods_len, cap->comp[CAP_COMP_METHOD].size);
    ck_assert_mem_eq(p->methods, cap->comp[CAP_COMP_METHOD].info, p->methods_len);
    ck_assert_uint_eq(p->nclasses, cap->class_count);
    ck_assert_uint_eq(p->ncp, cap->cp_count);
    ck_assert_uint_eq(p->napplets, cap->applet_count);
    for (unsigned i = 0; i < p->napplets; i++) ck_assert_uint_eq(p->applets[i].install, cap->applets[i].install_method_offset);
    uint32_t blen;
    const uint8_t *b = blob_of(t, slot, &blen);
    ck_assert_uint_eq(blen, load_len);
    ck_assert_mem_eq(b, load, load_len);
}

/* The components of cap as a stream in tag order (how a JAR's extraction lays them out). */
static uint8_t *tag_order_stream(const cap_file_t *cap, size_t *len)
{
    uint8_t *s = malloc(4u << 20), *w = s;
    ck_assert_ptr_nonnull(s);
    for (int t = CAP_COMP_HEADER; t <= CAP_COMP_DESCRIPTOR; t++) {
        if (!cap->comp[t].present) continue;
        *w++ = (uint8_t)t;
        cl_put16(w, cap->comp[t].size);
        memcpy(w + 2, cap->comp[t].info, cap->comp[t].size);
        w += 2 + cap->comp[t].size;
    }
    *len = (size_t)(w - s);
    return s;
}

START_TEST(every_input_form_installs_the_same_package)
{
    size_t jar_len, load_len, tag_len;
    uint8_t *jar = vt_read_cap(build_dir, "hello", &jar_len);
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse(&cap, jar, jar_len, 0, &e) == 0, "%s", e.msg);
    uint8_t *load = cap_load_file(&cap, true, &load_len), *tag = tag_order_stream(&cap, &tag_len);
    ck_assert_ptr_nonnull(load);
    const uint8_t *inputs[] = { jar, load, tag };
    size_t lens[] = { jar_len, load_len, tag_len };
    for (int i = 0; i < 3; i++) {
        vt_env_t U;
        memset(&U, 0, sizeof U);
        vt_open(&U, true);
        uint8_t slot = 0;
        ck_assert_msg(vm_load_install(U.vm, inputs[i], lens[i], &slot, &e) == 0, "input %d: %s", i, e.msg);
        same_package(&U, slot, &cap, load, load_len);
        /* The next boot links the blob: the same package again. */
        vt_close(&U);
        vt_open(&U, false);
        same_package(&U, slot, &cap, load, load_len);
        vt_cleanup(&U);
    }
    free(tag);
    free(load);
    cap_free(&cap);
    free(jar);
}
END_TEST

START_TEST(refused_install_leaves_everything_as_it_was)
{
    size_t len;
    uint8_t *client = vt_read_cap(build_dir, "points-client", &len); /* its server package is not installed */
    uint32_t free0 = vm_heap_free_bytes(T.vm->heap);
    cl_error_t e = { { 0 } };
    uint8_t slot = 0xEE;
    ck_assert_int_ne(vm_load_install(T.vm, client, len, &slot, &e), 0);
    ck_assert_msg(strstr(e.msg, "Import") != NULL, "%s", e.msg);
    ck_assert_uint_eq(slot, 0xEE);
    /* A damaged CAP: refused by the one parse. */
    e.msg[0] = 0;
    ck_assert_int_ne(vm_load_install(T.vm, client, len / 2, &slot, &e), 0);
    ck_assert(e.msg[0]);
    for (int s = VM_PKG_FIRST_USER; s < VM_MAX_PKGS; s++) {
        uint16_t blob, statics;
        ck_assert_ptr_null(T.vm->pkgs[s]);
        ck_assert_int_eq(vm_pkg_table_get(T.vm, (uint8_t)s, &blob, &statics), 0);
        ck_assert_uint_eq(blob, 0);
    }
    ck_assert_uint_eq(vm_heap_free_bytes(T.vm->heap), free0);
    free(client);
}
END_TEST

int main(void)
{
    static const char *const caps[] = { "hello", "points-client", NULL };
    vt_build_dir(build_dir, sizeof build_dir);
    vt_ensure_caps(build_dir, caps);
    Suite *s = suite_create("vm_load");
    TCase *tc = tcase_create("install");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_input_form_installs_the_same_package);
    tcase_add_test(tc, refused_install_leaves_everything_as_it_was);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
