/* Opcode coverage of the converted test packages: every JCVM instruction (cap/jc_opcodes.h) the
 * converter can emit must appear in the CAP files the tests/vm suites run, so the differential
 * test exercises it on the card. The instructions no Java construct produces (listed below, with
 * the reason) are covered by hand-assembled methods in vm/vm_interp_test.c, or are reported
 * as uncovered in docs/testing-vm.md. */
#include "cap/cap_parse.h"
#include "cap/jc_opcodes.h"
#include "tests/vm/vmt_card.h"

/* The CAPs whose bytecode counts: the ones the tests/vm suites install and check. */
static const char *const test_caps[] = { "vmconform", "vmconform16", "vmapi", "vmfw-lib", "vmfw-server", "vmfw-client", "vmbench" };

/* Opcodes javac + our converter do not emit from any Java source (javac 8+ has no jsr/ret;
 * the converter never picks these forms). Each with the reason; docs/testing-vm.md lists them. */
static const struct { int op; const char *why; } not_emitted[] = {
    { JC_nop, "javac emits no nop" },
    { JC_jsr, "javac (class version >= 51) inlines finally, no jsr" },
    { JC_ret, "no jsr, so no ret" },
    /* all three are run on hand-assembled methods by tests/vm/vm_handasm_test.c (nop also by
     * vm/vm_interp_test.c). swap_x, sinc and sinc_w are emitted by the converter since 46c92d1 /
     * e67c4cc and must stay covered from Java. */
};

static bool not_emittable(int op)
{
    for (size_t i = 0; i < sizeof not_emitted / sizeof not_emitted[0]; i++)
        if (not_emitted[i].op == op) return true;
    return false;
}

static int seen[256];
static int caps_read;

static void walk_cap(const char *path)
{
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse_file(&cap, path, &e) == 0, "%s: %s", path, e.msg);
    caps_read++;
    for (uint16_t m = 0; m < cap.method_count; m++) {
        cap_insn_iter_t it;
        cap_insn_t insn;
        cap_insn_iter_init(&it, &cap.methods[m]);
        int r;
        while ((r = cap_insn_next(&it, &insn)) == 1) seen[insn.op]++;
        ck_assert_int_eq(r, 0);
    }
    cap_free(&cap);
}

START_TEST(every_emittable_opcode_is_covered)
{
    vmt_t t;
    memset(&t, 0, sizeof t);
    vmt_find_build_dir(&t);
    memset(seen, 0, sizeof seen);
    caps_read = 0;
    for (size_t i = 0; i < sizeof test_caps / sizeof test_caps[0]; i++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/applets/%s.cap", t.build_dir, test_caps[i]);
        walk_cap(path);
    }
    ck_assert_int_eq(caps_read, (int)(sizeof test_caps / sizeof test_caps[0]));
    char missing[2048] = "";
    size_t n = 0;
    int covered = 0, total = 0;
    for (int op = 0; op <= JC_OPCODE_LAST; op++) {
        if (!jc_opcode_name(op)) continue;
        total++;
        if (seen[op]) { covered++; continue; }
        if (not_emittable(op)) continue;
        n += (size_t)snprintf(missing + n, sizeof missing - n, " %s", jc_opcode_name(op));
        if (n >= sizeof missing) n = sizeof missing - 1;
    }
    ck_assert_int_eq(total, JC_OPCODE_COUNT);
    fprintf(stderr, "vm_coverage: %d of %d opcodes in %d test CAPs\n", covered, total, caps_read);
    ck_assert_msg(missing[0] == 0, "opcodes no test CAP contains:%s", missing);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm_coverage");
    TCase *tc = tcase_create("opcodes");
    tcase_add_test(tc, every_emittable_opcode_is_covered);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
