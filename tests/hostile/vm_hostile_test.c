/* Hostile CAP files against the loader, the linker, the verifier and the interpreter.
 *
 * Every case starts from a real CAP (applets/tests/crash/hostile, made by javac + our converter)
 * and installs a damaged copy into a card that already holds the hello sample. A case ends in one
 * of two ways, and both are checked:
 *   refused:  vm_card_install fails with a message, and the image file is byte-identical to what
 *             it was before (compared after the card is closed);
 *   accepted: the damaged applet runs; every command gets a status word and afterwards hello
 *             still selects and echoes (the card keeps working).
 * Named cases (bad jumps, bad constant pool indices, imports, ...) must be refused. Cases the VM
 * gets wrong today are listed in docs/robustness.md ("Known failures") and kept out of the run:
 * HOSTILE_KNOWN=1 runs them too. */
#include "cap/jc_opcodes.h"
#include "tests/hostile/ht_card.h"
#include "vm/vm_load.h"
#include "vm/vm_rt.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t HOSTILE_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x12, 0x01, 0x01 };
static const uint8_t HELLO_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
#define SELECT_HOSTILE "00A4040008F063617264120101"

/* ---- the card with hello installed, kept as bytes so every case starts from the same image ---- */
typedef struct {
    ht_dir_t d;
    uint8_t *base, *base_wal; /* the image file and its log (NULL: none) as they were */
    size_t base_len, base_wal_len;
} env_t;

static void write_file(const char *path, const uint8_t *p, size_t n) { ht_write(path, p, n); }

/* Are the image and its log as they were? The persistent area and the main header must be
 * byte-identical. Two places may legitimately move: the checkpoint stamp (main file bytes
 * 512..575) and the log header's generation, which change when a refused install wrote into the
 * log and scrubbed its writes again (content unchanged, one checkpoint spent). Those are counted
 * in bookkeeping_moves and reported, not failed. */
static int bookkeeping_moves;
static bool same_files(const env_t *env)
{
    size_t n;
    uint8_t *now = ht_read(env->d.img, &n);
    bool same = n == env->base_len && n > 4096 && memcmp(now, env->base, 512) == 0 &&
                memcmp(now + 576, env->base + 576, n - 576) == 0;
    bool stamp_moved = same && memcmp(now + 512, env->base + 512, 64) != 0;
    if (!same && getenv("HOSTILE_DEBUG"))
        for (size_t i = 0; i < n && i < env->base_len; i++)
            if (now[i] != env->base[i]) fprintf(stdout, "  image differs at %zu: %02X -> %02X\n", i, env->base[i], now[i]);
    free(now);
    if (!env->base_wal) return same && access(env->d.wal, F_OK) != 0;
    if (access(env->d.wal, F_OK) != 0) return false;
    now = ht_read(env->d.wal, &n);
    /* after a close the log is only its header */
    same = same && n == env->base_wal_len;
    if (same && memcmp(now, env->base_wal, n) != 0) stamp_moved = true;
    free(now);
    if (same && stamp_moved) bookkeeping_moves++;
    return same;
}

static void env_setup(env_t *env)
{
    ht_dir_make(&env->d, "hostile");
    vm_t *vm;
    card_t *card = ht_card_open(env->d.img, &vm);
    size_t len;
    uint8_t *hello = ht_cap_stream("hello", &len);
    cl_error_t e = { { 0 } };
    ck_assert_msg(vm_card_install(vm, hello, len, HELLO_APPLET, sizeof HELLO_APPLET, NULL, 0, NULL, 0, false, &e) == 0,
                  "%s", e.msg);
    free(hello);
    ht_hello_answers(card, "install");
    ht_card_close(card, vm);
    /* One idle open/close first, so the files are in their steady state (the log file exists
     * after the first close); then the image and the log are the reference. */
    card = ht_card_open(env->d.img, &vm);
    ht_card_close(card, vm);
    env->base = ht_read(env->d.img, &env->base_len);
    env->base_wal = access(env->d.wal, F_OK) == 0 ? ht_read(env->d.wal, &env->base_wal_len) : NULL;
    /* Opening and closing the card without installing anything must leave both as they were:
     * the "refused changes nothing" check below relies on it. */
    card = ht_card_open(env->d.img, &vm);
    ht_card_close(card, vm);
    ck_assert_msg(same_files(env), "an idle open/close changed the image");
}

static void env_teardown(env_t *env)
{
    free(env->base);
    free(env->base_wal);
    ht_dir_remove(&env->d);
}

static void env_reset(env_t *env)
{
    unlink(env->d.wal);
    write_file(env->d.img, env->base, env->base_len);
    if (env->base_wal) write_file(env->d.wal, env->base_wal, env->base_wal_len);
}

/* stderr is quiet during sweeps (the VM logs every refusal); Check reports on stdout. */
static int saved_stderr = -1;
static void quiet(bool on)
{
    fflush(stderr);
    if (on) {
        saved_stderr = dup(2);
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        close(fd);
    } else if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
}

enum outcome { REFUSED = 0, ACCEPTED = 1 };
static char last_msg[256];
static int last_select_sw; /* of the accepted applet's instance; its commands answer -1 when not 9000 */

/* Installs cap into a fresh copy of the base card. Refused: the message is kept in last_msg and
 * the image must be unchanged. Accepted: cmds (hex, NULL-terminated) are sent to the instance,
 * each must get a status word, then hello must still answer. */
static enum outcome try_cap(env_t *env, const uint8_t *cap, size_t len, const char *what, const char *const *cmds,
                            int *sws)
{
    env_reset(env);
    vm_t *vm;
    card_t *card = ht_card_open(env->d.img, &vm);
    cl_error_t e = { { 0 } };
    uint8_t slot;
    last_msg[0] = 0;
    /* The package first, then the instance: each is its own atomic step, checked separately. */
    if (vm_load_install(vm, cap, len, &slot, &e) != 0) {
        ck_assert_msg(e.msg[0] != 0, "%s: refused without a message", what);
        snprintf(last_msg, sizeof last_msg, "%s", e.msg);
        ht_card_close(card, vm);
        ck_assert_msg(same_files(env), "%s: refused (%s) but the image changed", what, e.msg);
        return REFUSED;
    }
    /* The package is in; the instance install is the next atomic step. */
    uint32_t isize = img_size(card_image(card));
    uint8_t *before = malloc(isize);
    ck_assert_ptr_nonnull(before);
    memcpy(before, img_mem(card_image(card)), isize);
    if (vm_install_applet(vm, HOSTILE_APPLET, sizeof HOSTILE_APPLET, NULL, 0, NULL, 0, 0, &e) != 0) {
        ck_assert_msg(e.msg[0] != 0, "%s: instance refused without a message", what);
        snprintf(last_msg, sizeof last_msg, "%s", e.msg);
        ck_assert_msg(memcmp(before, img_mem(card_image(card)), isize) == 0, "%s: instance refused (%s) but the image changed",
                      what, e.msg);
    }
    free(before);
    /* A fresh card from the image: the package is re-linked at boot, the instance registered. */
    ht_card_close(card, vm);
    card = ht_card_open(env->d.img, &vm);
    last_select_sw = ht_cmd(card, SELECT_HOSTILE, NULL, NULL);
    /* A mutant may loop in every command (the VM stops each after its instruction budget): after
     * half a second of such commands the rest are skipped (-2), the card is still checked. */
    uint64_t t0 = cl_now_ns();
    for (int k = 0; cmds && cmds[k]; k++) {
        bool late = cl_now_ns() - t0 > 500000000u;
        int sw = last_select_sw != 0x9000 ? -1 : late ? -2 : ht_cmd(card, cmds[k], NULL, NULL);
        if (sws) sws[k] = sw;
    }
    ht_hello_answers(card, what);
    ht_card_close(card, vm);
    return ACCEPTED;
}

/* ---- locating things in the hostile applet's component stream ---- */
typedef struct {
    uint8_t *s;
    size_t len;
    size_t comp[CAP_COMP_DEBUG + 1]; /* stream offset of each component's info, 0 if absent */
    uint16_t comp_size[CAP_COMP_DEBUG + 1];
} hcap_t;

static void hcap_load(hcap_t *h)
{
    h->s = ht_cap_stream("hostile", &h->len);
    memset(h->comp, 0, sizeof h->comp);
    for (size_t at = 0; at + 3 <= h->len;) {
        uint8_t tag = h->s[at];
        uint16_t size = cl_get16(h->s + at + 1);
        if (tag <= CAP_COMP_DEBUG) { h->comp[tag] = at + 3; h->comp_size[tag] = size; }
        at += 3u + size;
    }
    ck_assert_uint_ne(h->comp[CAP_COMP_METHOD], 0);
}

/* Stream offset of the first occurrence of pat in the Method component (a method's bytecode). */
static size_t find_code(const hcap_t *h, const uint8_t *pat, size_t n)
{
    size_t m = h->comp[CAP_COMP_METHOD], end = m + h->comp_size[CAP_COMP_METHOD];
    for (size_t at = m; at + n <= end; at++)
        if (memcmp(h->s + at, pat, n) == 0) return at;
    ck_abort_msg("bytecode pattern not found in the hostile applet (did the converter change?)");
    return 0;
}

/* The patch targets of Hostile.java (see its comments), as stream offsets of their first opcode. */
static size_t at_peek(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_getfield_s }, 2); }
static size_t at_poke(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_sload_2, JC_putfield_s }, 3); }
static size_t at_call(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_invokevirtual }, 2); }
static size_t at_first(const hcap_t *h) { return find_code(h, (const uint8_t[]){ JC_aload_1, JC_sconst_0, JC_baload, JC_sreturn }, 4); }
/* mix(a, b): sload_0 sload_1 sadd sstore_2 sload_2 bspush 10 if_scmple +8 ... goto +6 ... */
static size_t at_mix(const hcap_t *h)
{
    return find_code(h, (const uint8_t[]){ JC_sload_0, JC_sload_1, JC_sadd, JC_sstore_2, JC_sload_2, JC_bspush, 10, JC_if_scmple }, 8);
}

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
        enum outcome o = try_cap(&env, m, h.len, v[i].name, cmds, sws);
        quiet(false);
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
    { "areturn of a short in a short method", KNOWN, p_return_type },
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
    free(m);
    free(h.s);
    env_teardown(&env);
}
END_TEST

/* ---- 6. resources run out: packages until the heap or the package table is full, instances
 * until the applet table is full. Each refusal has a message and changes nothing; the card keeps
 * working with everything installed before. ---- */
static uint32_t area_snapshot_cmp(card_t *card, uint8_t **snap, bool take)
{
    uint32_t n = img_size(card_image(card));
    if (take) {
        free(*snap);
        *snap = malloc(n);
        ck_assert_ptr_nonnull(*snap);
        memcpy(*snap, img_mem(card_image(card)), n);
        return 0;
    }
    return memcmp(*snap, img_mem(card_image(card)), n) == 0 ? 0 : 1;
}

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
            ck_assert_msg(e.msg[0], "refused without a message");
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
static size_t stream_comp(const uint8_t *s, size_t len, int tag)
{
    for (size_t at = 0; at + 3 <= len; at += 3u + cl_get16(s + at + 1))
        if (s[at] == tag) return at + 3;
    ck_abort_msg("component %d not found", tag);
    return 0;
}

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
    /* Known failure (docs/robustness.md): ret is bounded by the Method component, not the method. */
    if (getenv("HOSTILE_KNOWN"))
        ck_assert_msg(o == REFUSED || outside_ok == 0, "ret left its method for%s", escaped);
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
    tcase_add_test(tc, runtime_misbehaviour_is_stopped);
    tcase_add_test(tc, forged_references_are_contained);
    tcase_add_test(tc, named_damage_is_refused);
    tcase_add_test(tc, truncated_caps);
    tcase_add_test(tc, edge_values_everywhere);
    tcase_add_test(tc, resources_run_out);
    tcase_add_test(tc, opcode_swaps);
    tcase_add_test(tc, misbehaving_life_cycle);
    tcase_add_test(tc, package_dependencies);
    tcase_add_test(tc, forged_return_address);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
