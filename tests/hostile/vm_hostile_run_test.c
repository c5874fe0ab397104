/* Hostile applets at run time: commands that misbehave (negative and huge arrays, heap exhaustion,
 * endless recursion and loops, API calls with bad arguments, transactions that must leave nothing),
 * forged references and a forged return address, resources running out, a misbehaving applet life
 * cycle (install without register, endless install, endless select), and package dependencies.
 * Whatever an applet does, the card answers with a status word, changes nothing it must not, and
 * hello keeps answering (tests/hostile/ht_env.h). Known failures: docs/robustness.md,
 * HOSTILE_KNOWN=1 asserts them. */
#include "tests/hostile/ht_env.h"

/* ---- 1. commands that misbehave at run time ---- */
/* want: the status word, ANY_SW when the card may choose (a transient array of 32767 bytes may
 * fit; an ISOException reason is sent as it is). */
#define ANY_SW (-1)
static const struct { const char *cmd, *what; int want; } runtime_cases[] = {
    { "8001000102", "negative array size", 0x6F00 },
    { "8002000002", "heap exhaustion", 0x6F00 },
    { "8003000002", "endless recursion", 0x6F00 },
    { "8004000002", "endless loop", 0x6F00 },
    { "8005000002", "array index out of range", 0x6F00 },
    { "8006000002", "null dereference", 0x6F00 },
    { "800D7FF002", "arrayCopyNonAtomic to offset 0x7FF0", 0x6F00 },
    { "800D040002", "arrayCopyNonAtomic past the APDU buffer", 0x6F00 },
    { "800E000002", "arrayCopy from offset -1", 0x6F00 },
    { "800F000002", "arrayFillNonAtomic length -5", 0x6F00 },
    { "80107FFF02", "setOutgoingAndSend 0x7FFF bytes", 0x6F00 },
    { "8010FFFF02", "setOutgoingAndSend -1 bytes", 0x6F00 },
    { "8011FFFF02", "sendBytesLong from offset -1", 0x6F00 },
    { "80117FF002", "sendBytesLong from offset 0x7FF0", 0x6F00 },
    { "80127FFF02", "getShort at 0x7FFF", 0x6F00 },
    { "8012040F02", "getShort across the buffer end", 0x6F00 },
    { "8013FFFF02", "transient array of -1 bytes", 0x6F00 },
    { "80137FFF02", "transient array of 32767 bytes", ANY_SW },
    { "8014000002", "commit buffer overflow", 0x6F00 },
    { "8015000002", "nested beginTransaction", 0x6F00 },
    { "8016000002", "endless loop in a transaction", 0x6F00 },
    { "801E000002", "endless recursion in a transaction", 0x6F00 },
    { "8017FFFF02", "arrayCompare at offset -1", 0x6F00 },
    { "80170FF002", "arrayCompare at offset 0x0FF0", 0x6F00 },
    { "8018FFFF02", "receiveBytes(-1)", 0x6F00 },
    { "8019000002", "arrayCopy from null", 0x6F00 },
    { "801A000002", "ArrayStoreException", 0x6F00 },
    { "801B000002", "ClassCastException", 0x6F00 },
    { "801C000002", "throw null", 0x6F00 },
    { "801D000002", "ISOException reason 0000", ANY_SW },
    { "801D6A8202", "ISOException reason 6A82", 0x6A82 },
};

START_TEST(runtime_misbehaviour_is_stopped)
{
    env_t env;
    env_setup(&env);
    size_t len;
    uint8_t *cap = ht_cap_stream("hostile", &len);
    env_reset(&env);
    ck_assert_int_eq(try_cap(&env, cap, len, "hostile applet", NULL, NULL), ACCEPTED);
    /* Keep the installed image: run each command on it and check the card after each. */
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    uint32_t free0 = vm_heap_free_bytes(vm->heap);
    for (size_t k = 0; k < CL_ARRAY_LEN(runtime_cases); k++) {
        const char *cmd = runtime_cases[k].cmd;
        ck_assert_int_eq(ht_cmd(card, SELECT_HOSTILE, NULL, NULL), 0x9000);
        uint64_t t0 = cl_now_ns();
        size_t n;
        uint8_t d[64];
        int sw = ht_cmd(card, cmd, d, &n);
        printf("vm_hostile: %-40s %s -> %04X, %zu data bytes (%.0f ms)\n", runtime_cases[k].what, cmd, sw, n,
               (cl_now_ns() - t0) / 1e6);
        if (runtime_cases[k].want != ANY_SW)
            ck_assert_msg(sw == runtime_cases[k].want, "%s (%s): SW %04X, want %04X", runtime_cases[k].what, cmd, sw,
                          runtime_cases[k].want);
        ck_assert_msg(sw != 0x9000 || n <= 2, "%s: %zu data bytes", runtime_cases[k].what, n);
        /* the applet itself still works, nothing of an aborted transaction stayed, the other applet answers */
        ck_assert_int_eq(ht_cmd(card, SELECT_HOSTILE, NULL, NULL), 0x9000);
        ck_assert_int_eq(ht_cmd(card, "800C000002", d, &n), 0x9000);
        ck_assert_msg(n == 2 && d[0] == 0x12 && d[1] == 0x34, "hostile secret after %s", cmd);
        ck_assert_int_eq(ht_cmd(card, "801F000002", d, &n), 0x9000);
        ck_assert_msg(n == 2 && d[0] == 0 && d[1] == 0, "%s: a write of an aborted transaction stayed (%02X%02X)",
                      runtime_cases[k].what, d[0], d[1]);
        ck_assert_msg(!img_group_open(card_image(card)), "%s: a transaction is still open", runtime_cases[k].what);
        ht_hello_answers(card, cmd);
    }
    printf("vm_hostile: heap used by the run-time cases: %u bytes\n", free0 - vm_heap_free_bytes(vm->heap));
    ht_card_close(card, vm);
    /* and after a power cycle (the exhausted heap stays exhausted, but nothing is damaged) */
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open");
    uint8_t d[4];
    size_t n;
    ck_assert_int_eq(ht_cmd(card, SELECT_HOSTILE, NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "801F000002", d, &n), 0x9000);
    ck_assert_msg(n == 2 && d[0] == 0 && d[1] == 0, "an aborted transaction's write is back after re-open");
    ht_card_close(card, vm);
    free(cap);
    env_teardown(&env);
}
END_TEST

/* ---- 2. forged references: the short argument used where a reference is expected ---- */
START_TEST(forged_references_are_contained)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    /* The type-checking verifier refuses these mutants when the Descriptor component is there. A
     * GlobalPlatform LOAD may leave it out, and then only the run-time checks stand between a forged
     * handle and other contexts' objects: load the mutants without it, so those checks are tested. */
    size_t len = h.len;
    size_t d = h.comp[CAP_COMP_DESCRIPTOR];
    if (d && d + h.comp_size[CAP_COMP_DESCRIPTOR] == h.len) len = d - 3;
    ck_assert_msg(len < h.len, "the Descriptor is not the last component of the hostile stream");
    /* at: the aload_1 made sload_0; more: a second byte made op2 (0 = none) */
    struct { const char *name; size_t at; const char *ins; size_t more; uint8_t op2; } v[] = {
        { "peek (getfield_s)", at_peek(&h), "07", 0, 0 },
        { "poke (putfield_s)", at_poke(&h), "08", 0, 0 },
        { "call (invokevirtual)", at_call(&h), "09", 0, 0 },
        { "first (baload)", at_first(&h), "0A", 0, 0 },
        { "first (athrow)", at_first(&h), "0A", 1, JC_athrow },
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(v); i++) {
        uint8_t *m = malloc(h.len);
        memcpy(m, h.s, h.len);
        m[v[i].at] = JC_sload_0; /* aload_1 -> sload_0: the handle comes from P1 P2 */
        if (v[i].more) m[v[i].at + v[i].more] = v[i].op2;
        /* handles 0..63 and a few far ones */
        static char cmdbuf[72][16];
        const char *cmds[73];
        int n = 0;
        for (int hd = 0; hd < 64; hd++, n++) { snprintf(cmdbuf[n], 16, "80%s%04X02", v[i].ins, hd); cmds[n] = cmdbuf[n]; }
        static const int far[] = { 0x7FFF, 0x8000, 0xFFFF, 0x0100, 0x1000 };
        for (size_t f = 0; f < CL_ARRAY_LEN(far); f++, n++) { snprintf(cmdbuf[n], 16, "80%s%04X02", v[i].ins, far[f]); cmds[n] = cmdbuf[n]; }
        cmds[n] = NULL;
        int sws[73] = { 0 };
        quiet(true);
        enum outcome o = try_cap(&env, m, len, v[i].name, cmds, sws);
        quiet(false);
        ck_assert_msg(o == ACCEPTED, "%s: without a Descriptor the mutant should load (depth checks only): %s", v[i].name,
                      last_msg);
        int ok = 0, stopped = 0;
        char okh[128] = "";
        int okhandle[73];
        for (int k = 0; k < n; k++) {
            ok += sws[k] == 0x9000, stopped += sws[k] == 0x6F00;
            if (sws[k] == 0x9000) {
                snprintf(okh + strlen(okh), sizeof okh - strlen(okh), " %.4s", cmds[k] + 4);
                okhandle[ok - 1] = (int)strtol((char[5]){ cmds[k][4], cmds[k][5], cmds[k][6], cmds[k][7], 0 }, NULL, 16);
            }
        }
        printf("vm_hostile: forged reference %s: %s%s; %d handles answered 9000 (%s), %d stopped with 6F00\n",
               v[i].name, o == REFUSED ? "refused at install: " : "accepted", o == REFUSED ? last_msg : "", ok, okh, stopped);
        /* Whatever the VM does with its own objects, no forged handle may reach hello's objects:
         * try_cap checked hello still echoes; its greeting must be intact too. */
        if (o == ACCEPTED) {
            vm_t *vm;
            card_t *card = ht_card_open(env.d.img, &vm);
            uint8_t d[32];
            size_t dn;
            ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264010101", NULL, NULL), 0x9000);
            ck_assert_int_eq(ht_cmd(card, "8001000000", d, &dn), 0x9000);
            ck_assert_msg(dn == 15 && memcmp(d, "Hello, cardlet!", 15) == 0, "hello's greeting damaged by %s", v[i].name);
            /* A handle the VM let through must name an object the applet's own context could
             * reach anyway: one it owns, or a global array / JCRE entry point. */
            int ai = vm_applet_find(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET);
            ck_assert_int_ge(ai, 0);
            for (int k = 0; k < ok; k++) {
                vm_obj_t o;
                ck_assert_msg(vm_heap_get(vm->heap, (uint16_t)okhandle[k], &o), "%s: handle %04X answered 9000 but names no object",
                              v[i].name, okhandle[k]);
                ck_assert_msg(o.owner == vm->applets[ai].pkg || (o.flags & (VM_OF_GLOBAL | VM_OF_ENTRY_POINT)),
                              "%s: forged handle %04X reached an object of context %u", v[i].name, okhandle[k], o.owner);
            }
            ht_card_close(card, vm);
        }
        free(m);
    }
    free(h.s);
    env_teardown(&env);
}
END_TEST

/* ---- 6. resources run out: packages until the heap or the package table is full, instances
 * until the applet table is full. Each refusal has a message and changes nothing; the card keeps
 * working with everything installed before. ---- */

START_TEST(resources_run_out)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    env_reset(&env);
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    uint8_t *m = malloc(h.len), *snap = NULL;
    /* Header: magic u4, minor, major, flags, then the package: minor, major, AID length, AID. */
    size_t pkg_aid = h.comp[CAP_COMP_HEADER] + 7 + 3;
    ck_assert_uint_eq(h.s[pkg_aid - 1], 7);
    int packages = 0;
    cl_error_t e = { { 0 } };
    quiet(true);
    for (int i = 0; i < 300; i++) {
        memcpy(m, h.s, h.len);
        m[pkg_aid + 5] = (uint8_t)(0x80 + i / 128); /* F0636172 64 8x yy: a package AID of its own */
        m[pkg_aid + 6] = (uint8_t)(i % 128);
        /* ... and applet class AIDs of its own (AIDs are unique on the card): Applet component =
         * count, then per applet AID length, AID, install method offset (u2). */
        size_t ap = h.comp[CAP_COMP_APPLET];
        ck_assert_uint_gt(ap, 0);
        for (unsigned k = 0, at = ap + 1; k < h.s[ap]; k++) {
            unsigned alen = h.s[at];
            ck_assert_uint_ge(alen, 5);
            m[at + alen - 2] = (uint8_t)(0x80 + i / 128); /* the last byte tells the classes apart */
            m[at + alen - 1] = (uint8_t)(i % 128);
            at += 1 + alen + 2;
        }
        uint8_t slot;
        area_snapshot_cmp(card, &snap, true);
        if (vm_load_install(vm, m, h.len, &slot, &e) != 0) {
            quiet(false);
            printf("vm_hostile: package %d refused: %s\n", i + 1, e.msg);
            ck_assert_msg(e.msg[0], "refused without a message");
            ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused package %d changed the image", i + 1);
            quiet(true);
            break;
        }
        packages++;
    }
    quiet(false);
    ck_assert_int_gt(packages, 0);
    ck_assert_int_lt(packages, 300);
    ht_hello_answers(card, "package table or heap full");
    ht_card_close(card, vm);
    /* a fresh card re-links every package it holds */
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open with a full card");
    printf("vm_hostile: %d copies of the hostile package installed, %u heap bytes left\n", packages,
           vm_heap_free_bytes(vm->heap));
    ht_card_close(card, vm);

    /* instances: a card with hello and one hostile package, instances until refused */
    env_reset(&env);
    card = ht_card_open(env.d.img, &vm);
    uint8_t slot;
    ck_assert_int_eq(vm_load_install(vm, h.s, h.len, &slot, &e), 0);
    int instances = 0;
    quiet(true);
    for (int i = 0; i < 100; i++) {
        uint8_t inst[9] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x12, 0x02, 0x00, (uint8_t)i };
        area_snapshot_cmp(card, &snap, true);
        if (vm_install_applet(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET, inst, sizeof inst, NULL, 0, 0, &e) != 0) {
            quiet(false);
            printf("vm_hostile: instance %d refused: %s\n", i + 1, e.msg);
            /* the hostile applet's install() allocates until the heap is full: said precisely */
            ck_assert_msg(strstr(e.msg, "out of memory"), "heap exhaustion not named: %s", e.msg);
            ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused instance %d changed the image", i + 1);
            quiet(true);
            break;
        }
        instances++;
    }
    quiet(false);
    ck_assert_int_gt(instances, 0);
    ck_assert_int_lt(instances, 100);
    ht_card_close(card, vm);
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "applet table full");
    /* the last instance made answers too */
    char sel[40];
    snprintf(sel, sizeof sel, "00A4040009F06361726412020000%02X", instances - 1);
    ck_assert_int_eq(ht_cmd(card, sel, NULL, NULL), 0x9000);
    uint8_t d[4];
    size_t n;
    ck_assert_int_eq(ht_cmd(card, "800C000002", d, &n), 0x9000);
    ck_assert_msg(n == 2 && d[0] == 0x12 && d[1] == 0x34, "the last instance's secret");
    printf("vm_hostile: %d instances of one applet installed before the refusal\n", instances);
    ht_card_close(card, vm);

    /* small instances (hello's): the applet table fills before the heap */
    env_reset(&env);
    card = ht_card_open(env.d.img, &vm);
    int small = 0;
    quiet(true);
    for (int i = 0; i < 300; i++) {
        uint8_t inst[9] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x02, (uint8_t)(i >> 8), (uint8_t)i };
        area_snapshot_cmp(card, &snap, true);
        if (vm_card_install(vm, NULL, 0, HELLO_APPLET, sizeof HELLO_APPLET, inst, sizeof inst, NULL, 0, false, &e) != 0) {
            quiet(false);
            printf("vm_hostile: hello instance %d refused: %s\n", i + 2, e.msg);
            ck_assert_msg(e.msg[0], "refused without a message");
            ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused instance %d changed the image", i + 2);
            quiet(true);
            break;
        }
        small++;
    }
    quiet(false);
    ck_assert_int_gt(small, 0);
    ck_assert_int_lt(small, 300);
    ht_hello_answers(card, "applet table full");
    snprintf(sel, sizeof sel, "00A4040009F06361726401020%03X", small - 1);
    ck_assert_int_eq(ht_cmd(card, sel, NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "8002000001AA", d, &n), 0x9000);
    ht_card_close(card, vm);
    card = ht_card_open(env.d.img, &vm);
    ck_assert_int_eq(ht_cmd(card, sel, NULL, NULL), 0x9000);
    ht_hello_answers(card, "re-open with a full applet table");
    printf("vm_hostile: %d more hello instances before the refusal\n", small);
    ht_card_close(card, vm);
    free(snap);
    free(m);
    free(h.s);
    env_teardown(&env);
}
END_TEST
/* ---- 8. applet life cycle misbehaving: install() that never registers, registers twice or
 * never returns; select() that never returns. ---- */
START_TEST(misbehaving_life_cycle)
{
    env_t env;
    env_setup(&env);
    size_t len;
    uint8_t *cap = ht_cap_stream("hostile", &len);
    ck_assert_int_eq(try_cap(&env, cap, len, "hostile package", NULL, NULL), ACCEPTED);
    free(cap);
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    uint8_t *snap = NULL;
    cl_error_t e = { { 0 } };
    static const struct { const char *name; uint8_t last; bool must_refuse; } inst[] = {
        { "Lazy (no register)", 0x03, true },
        { "Twice (register twice)", 0x04, false },
        { "Bomb (endless install)", 0x05, true },
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(inst); i++) {
        uint8_t aid[8] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x12, 0x01, inst[i].last };
        area_snapshot_cmp(card, &snap, true);
        quiet(true);
        int r = vm_install_applet(vm, aid, 8, NULL, 0, NULL, 0, 0, &e);
        quiet(false);
        printf("vm_hostile: install of %s: %s %s\n", inst[i].name, r ? "refused:" : "accepted", r ? e.msg : "");
        if (r) {
            ck_assert_msg(e.msg[0], "%s refused without a message", inst[i].name);
            ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "%s: refused but the image changed", inst[i].name);
            ck_assert_msg(!img_group_open(card_image(card)), "%s: a group is still open", inst[i].name);
        } else {
            ck_assert_msg(!inst[i].must_refuse, "%s accepted", inst[i].name);
            char sel[40];
            snprintf(sel, sizeof sel, "00A4040008F0636172641201%02X", inst[i].last);
            ck_assert_int_eq(ht_cmd(card, sel, NULL, NULL), 0x9000);
        }
        ht_hello_answers(card, inst[i].name);
    }
    /* Sulky installs, but its select() never returns: the SELECT fails, nothing stays selected */
    uint8_t sulky[8] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x12, 0x01, 0x02 };
    ck_assert_msg(vm_install_applet(vm, sulky, 8, NULL, 0, NULL, 0, 0, &e) == 0, "%s", e.msg);
    quiet(true);
    int sw0 = ht_cmd(card, "00A4040008F063617264120102", NULL, NULL);
    quiet(false);
    printf("vm_hostile: SELECT of an applet whose select() never returns: %04X\n", sw0);
    ck_assert_msg(sw0 != 0x9000, "Sulky selected");
    ht_hello_answers(card, "Sulky on channel 0");
    /* on logical channel 1, while hello stays selected on channel 0 */
    uint8_t d[4];
    size_t n;
    ck_assert_int_eq(ht_cmd(card, "0070000001", d, &n), 0x9000);
    ck_assert_uint_eq(n, 1);
    char sel1[40];
    snprintf(sel1, sizeof sel1, "0%XA4040008F063617264120102", d[0] & 3);
    quiet(true);
    int sw1 = ht_cmd(card, sel1, NULL, NULL);
    quiet(false);
    ck_assert_msg(sw1 != 0x9000, "Sulky selected on channel %u", d[0]);
    ck_assert_int_eq(ht_cmd(card, "8002000002ABCD", d + 1, &n), 0x9000); /* channel 0: hello, still selected */
    ck_assert_msg(n == 2 && d[1] == 0xAB && d[2] == 0xCD, "hello on channel 0 after Sulky on channel 1");
    ht_card_close(card, vm);
    /* a fresh card: Lazy and Bomb left nothing, the others are there */
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open after the life cycle cases");
    ck_assert_int_lt(vm_applet_find(vm, (const uint8_t *)"\xF0\x63\x61\x72\x64\x12\x01\x03", 8), 0);
    ck_assert_int_lt(vm_applet_find(vm, (const uint8_t *)"\xF0\x63\x61\x72\x64\x12\x01\x05", 8), 0);
    ck_assert_int_ge(vm_applet_find(vm, sulky, 8), 0);
    ht_card_close(card, vm);
    free(snap);
    env_teardown(&env);
}
END_TEST

/* ---- 9. packages that depend on others, and a package using int without saying so ---- */

START_TEST(package_dependencies)
{
    env_t env;
    env_setup(&env);
    size_t slen, clen, ilen;
    uint8_t *server = ht_cap_stream("points-server", &slen), *client = ht_cap_stream("points-client", &clen);
    uint8_t *conform = ht_cap_stream("vmconform", &ilen);
    /* the client before its server: an import of a package that is not on the card */
    ck_assert_int_eq(try_cap(&env, client, clen, "client without server", NULL, NULL), REFUSED);
    printf("vm_hostile: client before its server: %s\n", last_msg);
    /* a package using int whose header does not say ACC_INT */
    uint8_t *m = malloc(ilen);
    memcpy(m, conform, ilen);
    size_t hdr = stream_comp(m, ilen, CAP_COMP_HEADER);
    ck_assert(m[hdr + 6] & CAP_HDR_ACC_INT);
    m[hdr + 6] &= (uint8_t)~CAP_HDR_ACC_INT;
    ck_assert_int_eq(try_cap(&env, m, ilen, "int without ACC_INT", NULL, NULL), REFUSED);
    printf("vm_hostile: int instructions without ACC_INT: %s\n", last_msg);
    free(m);
    /* server, then a client importing the server with major + 1, then the real client */
    env_reset(&env);
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    cl_error_t e = { { 0 } };
    uint8_t slot, *snap = NULL;
    ck_assert_msg(vm_load_install(vm, server, slen, &slot, &e) == 0, "%s", e.msg);
    uint8_t sid[7] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x03, 0x01 };
    m = malloc(clen);
    memcpy(m, client, clen);
    size_t imp = stream_comp(m, clen, CAP_COMP_IMPORT), at = imp + 1;
    bool found = false;
    for (unsigned i = 0; i < m[imp]; i++, at += 3u + m[at + 2])
        if (m[at + 2] == 7 && memcmp(m + at + 3, sid, 7) == 0) { m[at + 1]++; found = true; }
    ck_assert(found);
    area_snapshot_cmp(card, &snap, true);
    quiet(true);
    ck_assert_int_ne(vm_load_install(vm, m, clen, &slot, &e), 0);
    quiet(false);
    printf("vm_hostile: client importing the server's next major version: %s\n", e.msg);
    ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused client changed the image");
    ck_assert_msg(vm_load_install(vm, client, clen, &slot, &e) == 0, "%s", e.msg);
    /* deleting the server while the client imports it: refused, nothing changes */
    area_snapshot_cmp(card, &snap, true);
    quiet(true);
    ck_assert_int_ne(vm_card_delete_package(vm, sid, 7, &e), 0);
    quiet(false);
    printf("vm_hostile: delete of a package another one imports: %s\n", e.msg);
    ck_assert_msg(e.msg[0], "refused without a message");
    ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused delete changed the image");
    ck_assert_int_ge(vm_pkg_find(vm, sid, 7), 0);
    ht_hello_answers(card, "dependency cases");
    ht_card_close(card, vm);
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open with server and client");
    ck_assert_int_ge(vm_pkg_find(vm, sid, 7), 0);
    ht_card_close(card, vm);
    free(snap);
    free(m);
    free(server);
    free(client);
    free(conform);
    env_teardown(&env);
}
END_TEST
/* ---- 10. a forged return address: first's "aload_1 sconst_0 baload" becomes "ret 0 nop", so
 * ret jumps to the short argument (P1 P2). The verifier does not type locals, so this may load; then
 * every target must be stopped or stay inside peek's own code. ---- */
START_TEST(forged_return_address)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse(&cap, h.s, h.len, CAP_PARSE_NO_COPY, &e) == 0, "%s", e.msg);
    size_t at = at_first(&h), minfo = h.comp[CAP_COMP_METHOD];
    uint16_t code = (uint16_t)(at - minfo), mlen = h.comp_size[CAP_COMP_METHOD];
    cap_free(&cap);
    uint8_t *m = malloc(h.len);
    memcpy(m, h.s, h.len);
    m[at] = JC_ret; m[at + 1] = 0; m[at + 2] = JC_nop;
    /* targets: every offset of the Method component and a few beyond */
    int n = 0;
    static char cmdbuf[4200][16];
    static const char *cmds[4201];
    for (int t = 0; t < mlen + 8 && n < 4190; t++, n++) { snprintf(cmdbuf[n], 16, "800A%04X02", t); cmds[n] = cmdbuf[n]; }
    snprintf(cmdbuf[n], 16, "800AFFFF02"); cmds[n] = cmdbuf[n]; n++;
    cmds[n] = NULL;
    static int sws[4201];
    quiet(true);
    enum outcome o = try_cap(&env, m, h.len, "forged return address", cmds, sws);
    quiet(false);
    int ok = 0, stopped = 0, other = 0, skipped = 0, outside_ok = 0;
    char escaped[256] = "";
    for (int k = 0; k < n; k++) {
        int t = (int)strtol(cmds[k] + 4, NULL, 16) >> 8;
        if (sws[k] == 0x9000) {
            ok++;
            if (t < code || t >= code + 4) {
                outside_ok++;
                snprintf(escaped + strlen(escaped), sizeof escaped - strlen(escaped), " 0x%04x", t);
            }
        }
        else if (sws[k] == 0x6F00) stopped++;
        else if (sws[k] == -2) skipped++;
        else other++;
    }
    printf("vm_hostile: forged return address: %s%s; %d targets: %d answered 9000 (%d of them outside first's code "
           "at 0x%04x), %d stopped with 6F00, %d other status words, %d skipped after loops\n",
           o == REFUSED ? "refused at install: " : "accepted", o == REFUSED ? last_msg : "", n, ok, outside_ok, code,
           stopped, other, skipped);
    if (outside_ok) printf("vm_hostile: forged return address: code outside the method ran from%s\n", escaped);
    /* Refused by the verifier (ret on a short), or stopped by the interpreter (every pc of a frame
     * is bounded by its own method's code): never code of another method. */
    ck_assert_msg(o == REFUSED || outside_ok == 0, "ret left its method for%s", escaped);
    free(m);
    free(h.s);
    env_teardown(&env);
}
END_TEST

/* ---- 11. AIDs must be unique on the card (GlobalPlatform: load files, modules, instances and
 * security domains share one AID space) ---- */
START_TEST(aid_uniqueness)
{
    env_t env;
    env_setup(&env);
    hcap_t h;
    hcap_load(&h);
    env_reset(&env);
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    cl_error_t e = { { 0 } };
    uint8_t slot, *snap = NULL;
    ck_assert_msg(vm_load_install(vm, h.s, h.len, &slot, &e) == 0, "%s", e.msg);
    int wrong = 0;
    /* a second package (own package AID) whose applet classes keep the first one's AIDs */
    uint8_t *m = malloc(h.len);
    memcpy(m, h.s, h.len);
    size_t pkg_aid = h.comp[CAP_COMP_HEADER] + 10;
    m[pkg_aid + 6] = 0x7E;
    area_snapshot_cmp(card, &snap, true);
    quiet(true);
    int r = vm_load_install(vm, m, h.len, &slot, &e);
    quiet(false);
    printf("vm_hostile: package whose applet AIDs another package has: %s %s\n", r ? "refused:" : "ACCEPTED", r ? e.msg : "");
    if (r) ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused but the image changed");
    else wrong++;
    /* a package (own package AID) whose second applet class repeats its first one's AID */
    memcpy(m, h.s, h.len);
    m[pkg_aid + 6] = 0x7D;
    size_t ap = h.comp[CAP_COMP_APPLET];
    if (h.s[ap] >= 2) {
        size_t a1 = ap + 1, a2 = a1 + 1 + h.s[a1] + 2;
        ck_assert_uint_eq(h.s[a1], h.s[a2]);
        m[a1 + h.s[a1] - 1] = 0x7D; /* a class AID nothing else on the card has ... */
        memcpy(m + a2 + 1, m + a1 + 1, h.s[a1]); /* ... twice */
        area_snapshot_cmp(card, &snap, true);
        quiet(true);
        r = vm_load_install(vm, m, h.len, &slot, &e);
        quiet(false);
        printf("vm_hostile: package with two applet classes of one AID: %s %s\n", r ? "refused:" : "ACCEPTED", r ? e.msg : "");
        if (r) ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused but the image changed");
        else wrong++;
    }
    /* instances named like something else on the card */
    static const struct { const char *name, *aid; } inst[] = {
        { "an existing instance (hello)", "F063617264010101" },
        { "the hostile package", "F0636172641201" },
        { "the ISD", "A000000151000000" },
        { "an API package (javacard.framework)", "A0000000620101" },
    };
    for (size_t i = 0; i < CL_ARRAY_LEN(inst); i++) {
        uint8_t aid[16];
        long n = cl_hex_decode(inst[i].aid, aid, sizeof aid);
        area_snapshot_cmp(card, &snap, true);
        quiet(true);
        r = vm_install_applet(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET, aid, (uint8_t)n, NULL, 0, 0, &e);
        quiet(false);
        printf("vm_hostile: instance AID = %s: %s %s\n", inst[i].name, r ? "refused:" : "ACCEPTED", r ? e.msg : "");
        if (r) ck_assert_msg(area_snapshot_cmp(card, &snap, false) == 0, "refused but the image changed");
        else wrong++;
    }
    ht_hello_answers(card, "AID cases");
    ht_card_close(card, vm);
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open after the AID cases");
    ht_card_close(card, vm);
    printf("vm_hostile: %d AID collisions accepted\n", wrong);
    ck_assert_int_eq(wrong, 0);
    free(snap);
    free(m);
    free(h.s);
    env_teardown(&env);
}
END_TEST

/* ---- 12. deleting what is in use: an applet instance selected on a logical channel while hello
 * is selected on channel 0, then its package (each delete runs the garbage collection, which
 * moves objects): the channel must not reach the deleted applet any more, hello keeps working,
 * and nothing touches freed memory (ASan). Selecting a non-MultiSelectable applet on a second
 * channel is refused (69 85), as the JCRE specification says. ---- */
START_TEST(delete_while_selected)
{
    env_t env;
    env_setup(&env);
    size_t len;
    uint8_t *cap = ht_cap_stream("hostile", &len);
    ck_assert_int_eq(try_cap(&env, cap, len, "hostile applet", NULL, NULL), ACCEPTED);
    free(cap);
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    uint8_t d[8];
    size_t n;
    ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264010101", NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "0070000001", d, &n), 0x9000);
    uint8_t ch = d[0];
    char sel1[40], cmd1[16];
    snprintf(sel1, sizeof sel1, "0%XA4040008F063617264120101", ch & 3);
    snprintf(cmd1, sizeof cmd1, "8%X0C000002", ch & 3);
    ck_assert_int_eq(ht_cmd(card, sel1, NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, cmd1, d, &n), 0x9000); /* the secret, through the logical channel */
    ck_assert_int_eq(ht_cmd(card, SELECT_HOSTILE, NULL, NULL), 0x6985); /* not MultiSelectable: one channel only */
    ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264010101", NULL, NULL), 0x9000);
    cl_error_t e = { { 0 } };
    quiet(true);
    int r = vm_card_delete_applet(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET, &e);
    quiet(false);
    printf("vm_hostile: delete of an instance selected on channel %u: %s %s\n", ch, r ? "refused:" : "done",
           r ? e.msg : "");
    if (r == 0) {
        uint8_t echo[4];
        ck_assert_int_eq(ht_cmd(card, "8002000002ABCD", echo, &n), 0x9000); /* hello on channel 0 */
        int sw1 = ht_cmd(card, cmd1, NULL, NULL);
        printf("vm_hostile: a command on the channel of the deleted instance: %04X\n", sw1);
        ck_assert_msg(sw1 != 0x9000, "the deleted instance still answered");
        uint8_t pkg[7] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x12, 0x01 };
        quiet(true);
        r = vm_card_delete_package(vm, pkg, 7, &e);
        quiet(false);
        ck_assert_msg(r == 0, "package delete after its only instance: %s", e.msg);
        sw1 = ht_cmd(card, cmd1, NULL, NULL);
        ck_assert_msg(sw1 != 0x9000, "the deleted package still answered (%04X)", sw1);
        ck_assert_int_eq(ht_cmd(card, "8002000002ABCD", echo, &n), 0x9000);
        ck_assert_int_ne(ht_cmd(card, sel1, NULL, NULL), 0x9000);
    }
    ht_hello_answers(card, "deleting a selected applet");
    ht_card_close(card, vm);
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open after the deletes");
    if (r == 0) ck_assert_int_lt(vm_applet_find(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET), 0);
    ht_card_close(card, vm);
    env_teardown(&env);
}
END_TEST

/* ---- 13. the server of a Shareable interface deleted while its client holds the interface
 * object (points samples): the client's next calls must end in a status word, never reach freed
 * memory, and a new server instance must work with the client again ---- */
START_TEST(shareable_server_deleted)
{
    env_t env;
    env_setup(&env);
    size_t slen, clen;
    uint8_t *server = ht_cap_stream("points-server", &slen), *client = ht_cap_stream("points-client", &clen);
    env_reset(&env);
    vm_t *vm;
    card_t *card = ht_card_open(env.d.img, &vm);
    cl_error_t e = { { 0 } };
    static const uint8_t srv[8] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x03, 0x01, 0x01 };
    static const uint8_t cli[8] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x04, 0x01, 0x01 };
    ck_assert_msg(vm_card_install(vm, server, slen, srv, 8, NULL, 0, NULL, 0, false, &e) == 0, "%s", e.msg);
    ck_assert_msg(vm_card_install(vm, client, clen, cli, 8, NULL, 0, NULL, 0, false, &e) == 0, "%s", e.msg);
    uint8_t d[8];
    size_t n;
    ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264040101", NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "8010000002000502", d, &n), 0x9000); /* EARN 5 through the interface */
    ck_assert(n == 2 && d[0] == 0 && d[1] == 5);
    quiet(true);
    int r = vm_card_delete_applet(vm, srv, 8, &e);
    quiet(false);
    ck_assert_msg(r == 0, "server instance delete: %s", e.msg);
    int sws[3];
    sws[0] = ht_cmd(card, "8010000002000502", NULL, NULL);
    sws[1] = ht_cmd(card, "8020000002", NULL, NULL);
    ht_cmd(card, "00A4040008F063617264040101", NULL, NULL);
    sws[2] = ht_cmd(card, "8010000002000502", NULL, NULL);
    printf("vm_hostile: client calls after its server instance was deleted: %04X %04X, after re-select %04X\n",
           sws[0], sws[1], sws[2]);
    for (int k = 0; k < 3; k++) ck_assert_msg(sws[k] != 0x9000, "call %d reached the deleted server", k);
    ht_hello_answers(card, "a deleted Shareable server");
    /* a new server instance: the client works again, from zero */
    ck_assert_msg(vm_card_install(vm, NULL, 0, srv, 8, NULL, 0, NULL, 0, false, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264040101", NULL, NULL), 0x9000);
    int sw = ht_cmd(card, "8010000002000702", d, &n);
    printf("vm_hostile: client with a new server instance: %04X %s\n", sw, sw == 0x9000 && n == 2 ? "" : "(no balance)");
    ht_card_close(card, vm);
    card = ht_card_open(env.d.img, &vm);
    ht_hello_answers(card, "re-open after the Shareable case");
    ck_assert_int_eq(ht_cmd(card, "00A4040008F063617264040101", NULL, NULL), 0x9000);
    sw = ht_cmd(card, "8010000002000102", NULL, NULL);
    ck_assert_msg(sw == 0x9000 || sw == 0x6F00, "client after re-open: %04X", sw);
    ht_card_close(card, vm);
    free(server);
    free(client);
    env_teardown(&env);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("vm_hostile_run");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, runtime_misbehaviour_is_stopped);
    tcase_add_test(tc, forged_references_are_contained);
    tcase_add_test(tc, resources_run_out);
    tcase_add_test(tc, misbehaving_life_cycle);
    tcase_add_test(tc, package_dependencies);
    tcase_add_test(tc, forged_return_address);
    tcase_add_test(tc, aid_uniqueness);
    tcase_add_test(tc, delete_while_selected);
    tcase_add_test(tc, shareable_server_deleted);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
