/* Crash tests of the VM's persistence: power lost at random instants while the ledger applet
 * (applets/tests/crash/ledger) works, then the state checked on a fresh card.
 *
 * Each round forks a child that opens the card and sends a random stream of commands (credits,
 * debits, transactions that abort, non-transactional updates, wrong PINs). Before each command it
 * writes an "intent" record into a pipe, after it a "done" record with the status word. The
 * parent SIGKILLs it after a random delay, reopens the image with a fresh card and checks:
 *   - the ledger selects and answers, hello too (the heap still links and runs);
 *   - balance, count and history are exactly the model's state after every acknowledged command,
 *     or after those plus the one in flight: all of a transaction or none of it;
 *   - ticks (single field writes) and the stamp (Util.arrayCopy, atomic) likewise, and the stamp's
 *     8 bytes are always equal;
 *   - the PIN try counter never goes back up, and a wrong PIN answered 63 Cx has left at most x.
 * Rounds: CRASH_ROUNDS (default 200; `make crash` runs thousands). CRASH_SEED fixes the seed. */
#include "tests/hostile/ht_card.h"
#include "vm/vm_load.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAPACITY 32
#define PIN_TRIES 15
static const uint8_t LEDGER_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x11, 0x01, 0x01 };
static const uint8_t HELLO_APPLET[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
#define SELECT_LEDGER "00A4040008F063617264110101"

enum op { OP_CREDIT = 0x10, OP_DEBIT = 0x11, OP_TICK = 0x12, OP_STAMP = 0x13, OP_ABORT = 0x14, OP_THROW = 0x15,
          OP_MARK = 0x16, OP_VERIFY = 0x20, OP_VERIFY_TX = 0x21 };
#define STATE_LEN (23 + 2 * CAPACITY)

/* One pipe record; 8 bytes, so a write is atomic and a killed child leaves whole records only. */
typedef struct {
    uint8_t done;   /* 0 intent, 1 done */
    uint8_t op;
    int16_t arg;
    uint16_t sw;
    uint16_t pad;
} rec_t;

/* What the parent knows the card holds. */
typedef struct {
    int16_t balance, count, ticks;
    int16_t hist[CAPACITY];
    uint8_t stamp;
    uint8_t mark[8]; /* written non-atomically: after a crash each byte is old or new */
    int tries;
} model_t;

static void model_record(model_t *m, int16_t delta)
{
    if (m->count == CAPACITY) {
        m->hist[0] = m->balance;
        for (int i = 1; i < CAPACITY; i++) m->hist[i] = 0;
        m->count = 1;
    }
    m->hist[m->count++] = delta;
    m->balance = (int16_t)(m->balance + delta);
}

/* Applies a command the card acknowledged (or that may have completed). */
static void model_apply(model_t *m, const rec_t *r, bool acked)
{
    switch (r->op) {
    case OP_CREDIT: model_record(m, r->arg); break;
    case OP_DEBIT:
        if (r->arg <= m->balance) model_record(m, (int16_t)-r->arg);
        break;
    case OP_TICK: m->ticks++; break;
    case OP_STAMP: m->stamp = (uint8_t)r->arg; break;
    case OP_MARK: memset(m->mark, (uint8_t)r->arg, sizeof m->mark); break;
    case OP_VERIFY:
    case OP_VERIFY_TX:
        if (acked && (r->sw & 0xFFF0) == 0x63C0) m->tries = r->sw & 0x0F;
        else if (!acked && m->tries > 0) m->tries--;
        break;
    default: break; /* OP_ABORT, OP_THROW: nothing may change */
    }
}

/* The card's state, from STATE. */
static void read_state(card_t *card, model_t *s)
{
    uint8_t d[256];
    size_t n;
    ck_assert_int_eq(ht_cmd(card, SELECT_LEDGER, NULL, NULL), 0x9000);
    ck_assert_int_eq(ht_cmd(card, "8030000000", d, &n), 0x9000);
    ck_assert_uint_eq(n, STATE_LEN);
    s->balance = (int16_t)cl_get16(d);
    s->count = (int16_t)cl_get16(d + 2);
    s->ticks = (int16_t)cl_get16(d + 4);
    s->tries = d[6];
    for (int i = 1; i < 8; i++) ck_assert_msg(d[7 + i] == d[7], "stamp torn: %02X ... %02X", d[7], d[7 + i]);
    s->stamp = d[7];
    memcpy(s->mark, d + 15, 8);
    for (int i = 0; i < CAPACITY; i++) s->hist[i] = (int16_t)cl_get16(d + 23 + 2 * i);
}

static bool same_ledger(const model_t *a, const model_t *b)
{
    return a->balance == b->balance && a->count == b->count && memcmp(a->hist, b->hist, sizeof a->hist) == 0;
}

/* ---- the child: commands until it is killed ----
 * No Check assertion may run here: every ck_assert writes a record into Check's message channel,
 * and a child killed in the middle of one would tear it. The child exits with a code instead. */
static int child_cmd(card_t *card, const char *hex)
{
    uint8_t c[64];
    static uint8_t r[CARD_RESP_MAX];
    long n = cl_hex_decode(hex, c, sizeof c);
    if (n < 4) _exit(4);
    size_t rl = card_transmit(card, c, (size_t)n, r);
    if (rl < 2) _exit(5);
    return r[rl - 2] << 8 | r[rl - 1];
}

static void child_run(const char *img, int fd, unsigned seed)
{
    cl_log_level = 0;
    card_t *card;
    cl_error_t e = { { 0 } };
    if (card_open(img, 0, IMG_SYNC_NORMAL, &card, &e)) _exit(6);
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) _exit(7);
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    if (child_cmd(card, SELECT_LEDGER) != 0x9000) _exit(8);
    /* the try counter, so the child stops guessing PINs before the card blocks it */
    uint8_t c[8] = { 0x80, 0x30, 0, 0, 0 };
    static uint8_t r[CARD_RESP_MAX];
    size_t rl = card_transmit(card, c, 5, r);
    if (rl != 2 + STATE_LEN) _exit(9);
    int tries = r[6];
    srand(seed);
    for (;;) {
        rec_t rec = { 0, 0, 0, 0, 0 };
        int pick = rand() % 100;
        if (pick < 35) { rec.op = OP_CREDIT; rec.arg = (int16_t)(1 + rand() % 100); }
        else if (pick < 65) { rec.op = OP_DEBIT; rec.arg = (int16_t)(1 + rand() % 150); }
        else if (pick < 75) rec.op = OP_TICK;
        else if (pick < 83) { rec.op = OP_STAMP; rec.arg = (int16_t)(rand() % 256); }
        else if (pick < 88) { rec.op = OP_ABORT; rec.arg = (int16_t)(1 + rand() % 100); }
        else if (pick < 91) { rec.op = OP_THROW; rec.arg = (int16_t)(1 + rand() % 100); }
        else if (pick < 94) { rec.op = OP_MARK; rec.arg = (int16_t)(rand() % 256); }
        else if (tries > 3) rec.op = pick < 97 ? OP_VERIFY : OP_VERIFY_TX;
        else rec.op = OP_TICK;
        char hex[32];
        if (rec.op == OP_STAMP || rec.op == OP_MARK) snprintf(hex, sizeof hex, "80%02X%02X00", rec.op, (uint8_t)rec.arg);
        else if (rec.op == OP_TICK) snprintf(hex, sizeof hex, "80120000");
        else if (rec.op == OP_VERIFY || rec.op == OP_VERIFY_TX)
            snprintf(hex, sizeof hex, "80%02X00000430303030", rec.op); /* "0000": wrong */
        else snprintf(hex, sizeof hex, "80%02X000002%04X", rec.op, (uint16_t)rec.arg);
        if (write(fd, &rec, sizeof rec) != sizeof rec) _exit(3);
        rec.sw = (uint16_t)child_cmd(card, hex);
        rec.done = 1;
        if ((rec.op == OP_VERIFY || rec.op == OP_VERIFY_TX) && (rec.sw & 0xFFF0) == 0x63C0) tries = rec.sw & 0x0F;
        if (write(fd, &rec, sizeof rec) != sizeof rec) _exit(3);
    }
}

/* ---- the parent ---- */
typedef struct {
    ht_dir_t d;
    model_t m;
    int rounds, inflight_seen, inflight_applied, acked_total, unblocks;
} crash_t;

static void install_ledger(crash_t *c)
{
    ht_dir_make(&c->d, "crash");
    vm_t *vm;
    card_t *card = ht_card_open(c->d.img, &vm);
    ht_install(vm, "hello", HELLO_APPLET, sizeof HELLO_APPLET);
    ht_install(vm, "ledger", LEDGER_APPLET, sizeof LEDGER_APPLET);
    memset(&c->m, 0, sizeof c->m);
    model_t st;
    read_state(card, &st);
    ck_assert_int_eq(st.tries, PIN_TRIES);
    c->m.tries = PIN_TRIES;
    c->m.stamp = st.stamp;
    ck_assert(same_ledger(&st, &c->m));
    ht_card_close(card, vm);
}

/* One power loss: run the child for delay_us, kill it, check the card. */
static void one_round(crash_t *c, unsigned seed, unsigned delay_us)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        child_run(c->d.img, p[1], seed);
        _exit(0);
    }
    close(p[1]);
    struct timespec ts = { (time_t)(delay_us / 1000000), (long)(delay_us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
                  "round %d: the child failed on its own (status %d)", c->rounds, status);
    if (WIFSIGNALED(status)) ck_assert_int_eq(WTERMSIG(status), SIGKILL);
    /* Replay the child's records into the model: every done command, and the one in flight. */
    rec_t r, pending = { 0, 0, 0, 0, 0 };
    bool have_pending = false;
    ssize_t n;
    int min_tries_acked = c->m.tries;
    while ((n = read(p[0], &r, sizeof r)) == (ssize_t)sizeof r) {
        if (!r.done) { pending = r; have_pending = true; continue; }
        ck_assert_msg(have_pending && pending.op == r.op && pending.arg == r.arg, "round %d: record out of order", c->rounds);
        have_pending = false;
        if (r.op == OP_ABORT || r.op == OP_THROW)
            ck_assert_msg(r.sw != 0x9000 || r.op == OP_ABORT, "THROW answered 9000");
        if ((r.op == OP_CREDIT || r.op == OP_DEBIT) && r.sw != 0x9000)
            ck_assert_msg(r.op == OP_DEBIT && r.sw == 0x6985, "round %d: %02X answered %04X", c->rounds, r.op, r.sw);
        model_apply(&c->m, &r, true);
        if (r.op == OP_MARK) ck_assert_msg(r.sw == 0x9000, "MARK answered %04X", r.sw);
        if (r.op == OP_VERIFY || r.op == OP_VERIFY_TX) {
            ck_assert_msg((r.sw & 0xFFF0) == 0x63C0, "wrong PIN answered %04X", r.sw);
            if ((r.sw & 0x0F) < min_tries_acked) min_tries_acked = r.sw & 0x0F;
        }
        c->acked_total++;
    }
    ck_assert_int_ge(n, 0);
    ck_assert_msg(n == 0, "round %d: torn pipe record", c->rounds);
    close(p[0]);
    /* The card after the power loss. */
    vm_t *vm;
    card_t *card = ht_card_open(c->d.img, &vm);
    model_t got;
    read_state(card, &got);
    model_t with = c->m;
    if (have_pending) model_apply(&with, &pending, false);
    bool as_before = same_ledger(&got, &c->m), as_after = have_pending && same_ledger(&got, &with);
    ck_assert_msg(as_before || as_after,
                  "round %d: ledger balance %d count %d is neither the acknowledged state (%d, %d) nor that plus the "
                  "command in flight %02X %d (%d, %d)", c->rounds, got.balance, got.count, c->m.balance, c->m.count,
                  pending.op, pending.arg, with.balance, with.count);
    int32_t sum = 0;
    for (int i = 0; i < got.count && i < CAPACITY; i++) sum += got.hist[i];
    ck_assert_msg((int16_t)sum == got.balance, "round %d: sum(history) %d != balance %d", c->rounds, sum, got.balance);
    ck_assert_msg(got.ticks == c->m.ticks || (have_pending && pending.op == OP_TICK && got.ticks == with.ticks),
                  "round %d: ticks %d, acknowledged %d", c->rounds, got.ticks, c->m.ticks);
    ck_assert_msg(got.stamp == c->m.stamp || (have_pending && pending.op == OP_STAMP && got.stamp == with.stamp),
                  "round %d: stamp %02X, acknowledged %02X", c->rounds, got.stamp, c->m.stamp);
    /* The try counter: never above what was last seen, at most one below when a check was in flight. */
    ck_assert_msg(got.tries <= min_tries_acked, "round %d: PIN tries went up: %d after an acknowledged %d", c->rounds,
                  got.tries, min_tries_acked);
    bool pin_pending = have_pending && (pending.op == OP_VERIFY || pending.op == OP_VERIFY_TX);
    ck_assert_msg(got.tries == c->m.tries || (pin_pending && got.tries == c->m.tries - 1),
                  "round %d: PIN tries %d, expected %d%s", c->rounds, got.tries, c->m.tries, pin_pending ? " or one less" : "");
    /* mark: a non-atomic copy inside an aborted transaction stays; torn only by a crash in it */
    for (int i = 0; i < 8; i++)
        ck_assert_msg(got.mark[i] == c->m.mark[i] || (have_pending && pending.op == OP_MARK && got.mark[i] == with.mark[i]),
                      "round %d: mark byte %d is %02X, acknowledged %02X", c->rounds, i, got.mark[i], c->m.mark[i]);
    if (have_pending) {
        c->inflight_seen++;
        if (!as_before || got.ticks != c->m.ticks || got.stamp != c->m.stamp || got.tries != c->m.tries ||
            memcmp(got.mark, c->m.mark, 8) != 0)
            c->inflight_applied++;
    }
    c->m = got; /* the card's state is the truth from here on (it matched one of the two) */
    /* Not killed from here: the parent unblocks the PIN before the child runs out of tries. */
    if (c->m.tries <= 3) {
        ck_assert_int_eq(ht_cmd(card, "802C0000", NULL, NULL), 0x9000);
        model_t st;
        read_state(card, &st);
        ck_assert_int_eq(st.tries, PIN_TRIES);
        c->m.tries = PIN_TRIES;
        c->unblocks++;
    }
    ht_hello_answers(card, "power loss");
    ht_card_close(card, vm);
    c->rounds++;
}

START_TEST(power_loss_keeps_ledger_consistent)
{
    crash_t c;
    memset(&c, 0, sizeof c);
    install_ledger(&c);
    const char *rs = getenv("CRASH_ROUNDS"), *ss = getenv("CRASH_SEED");
    int rounds = rs ? atoi(rs) : 200;
    unsigned seed = ss ? (unsigned)strtoul(ss, NULL, 0) : (unsigned)time(NULL);
    printf("vm_crash: %d rounds, CRASH_SEED=%u\n", rounds, seed);
    srand(seed);
    /* Delays: mostly short (the child is still opening the card, or in its first commands), some
     * long enough for dozens of commands; the child's start-up is a few milliseconds. */
    for (int i = 0; i < rounds; i++) {
        unsigned delay = (unsigned)(rand() % 8 == 0 ? rand() % 20000 : 300 + rand() % 3000);
        if (i == rounds - 1) delay = 200000; /* one long round: commands get acknowledged even on a loaded machine */
        one_round(&c, (unsigned)rand(), delay);
    }
    printf("vm_crash: %d power losses; %d commands acknowledged; a command in flight %d times, found applied %d "
           "times; PIN unblocked %d times; final balance %d, %d entries, ticks %d\n", c.rounds, c.acked_total,
           c.inflight_seen, c.inflight_applied, c.unblocks, c.m.balance, c.m.count, c.m.ticks);
    ck_assert_int_gt(c.acked_total, 0);
    ck_assert_int_gt(c.inflight_seen, 0);
    ht_dir_remove(&c.d);
}
END_TEST

/* ---- installs and deletes under power loss ----
 * The child installs copies of the hello package (package and applet AIDs of their own, then an
 * instance) and deletes older ones (instance, then package; a delete runs the VM's garbage
 * collection, which slides live objects together). The parent kills it at random and checks on a
 * fresh card: every acknowledged copy answers, every acknowledged deletion is gone, the one in
 * flight is whole or absent, and hello (the original) still answers. */
typedef struct {
    uint8_t *s;
    size_t len, pkg_aid, applet_aid; /* stream offsets of the AID bytes to patch (2 and 3 bytes) */
} copy_src_t;

static void copy_src_load(copy_src_t *c)
{
    c->s = ht_cap_stream("hello", &c->len);
    size_t at = 0, hdr = 0, app = 0;
    while (at + 3 <= c->len) {
        if (c->s[at] == CAP_COMP_HEADER) hdr = at + 3;
        if (c->s[at] == CAP_COMP_APPLET) app = at + 3;
        at += 3u + cl_get16(c->s + at + 1);
    }
    ck_assert(hdr && app);
    /* Header: magic u4, minor, major, flags, package minor, major, AID length, AID */
    ck_assert_uint_eq(c->s[hdr + 9], 7);
    c->pkg_aid = hdr + 10 + 5;
    /* Applet: count, AID length, AID (8 bytes), install offset */
    ck_assert_uint_eq(c->s[app + 1], 8);
    c->applet_aid = app + 2 + 5;
}

/* Copy n: package F0636172 64 A0 nn, applet F0636172 64 A0 nn 01, instance F0636172 64 A1 nn 01. */
static void copy_aids(int n, uint8_t pkg[7], uint8_t cls[8], uint8_t inst[8])
{
    static const uint8_t rid[5] = { 0xF0, 0x63, 0x61, 0x72, 0x64 };
    memcpy(pkg, rid, 5); pkg[5] = 0xA0; pkg[6] = (uint8_t)n;
    memcpy(cls, pkg, 7); cls[7] = 0x01;
    memcpy(inst, cls, 8); inst[5] = 0xA1;
}

enum { OP_INSTALL = 1, OP_DELETE = 2 };

static void child_installs(const char *img, int fd, const copy_src_t *src, int next, const int *live, int nlive,
                           unsigned seed)
{
    cl_log_level = -1;
    card_t *card;
    cl_error_t e = { { 0 } };
    if (card_open(img, 0, IMG_SYNC_NORMAL, &card, &e)) _exit(6);
    vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    if (!vm) _exit(7);
    uint8_t *m = malloc(src->len);
    if (!m) _exit(8);
    int alive[256], n = nlive;
    memcpy(alive, live, sizeof(int) * (size_t)nlive);
    srand(seed);
    for (;;) {
        rec_t rec = { 0, 0, 0, 0, 0 };
        bool del = n > 0 && (n >= 12 || rand() % 3 == 0);
        int k = del ? rand() % n : 0;
        rec.op = del ? OP_DELETE : OP_INSTALL;
        rec.arg = (int16_t)(del ? alive[k] : next);
        uint8_t pkg[7], cls[8], inst[8];
        copy_aids(rec.arg, pkg, cls, inst);
        if (write(fd, &rec, sizeof rec) != sizeof rec) _exit(3);
        int r;
        if (del) {
            r = vm_card_delete_applet(vm, inst, 8, &e) || vm_card_delete_package(vm, pkg, 7, &e);
            if (r) _exit(11);
            alive[k] = alive[--n];
        } else {
            memcpy(m, src->s, src->len);
            m[src->pkg_aid] = pkg[5]; m[src->pkg_aid + 1] = pkg[6];
            memcpy(m + src->applet_aid, cls + 5, 3);
            r = vm_card_install(vm, m, src->len, cls, 8, inst, 8, NULL, 0, false, &e);
            if (r) _exit(10); /* with at most 12 small copies alive an install must succeed */
            alive[n++] = next;
            next = (next + 1) % 256;
        }
        rec.sw = r ? 0x6F00 : 0x9000;
        rec.done = 1;
        if (write(fd, &rec, sizeof rec) != sizeof rec) _exit(3);
    }
}

static bool copy_answers(card_t *card, int n)
{
    char sel[40];
    snprintf(sel, sizeof sel, "00A4040008F063617264A1%02X01", n);
    if (ht_cmd(card, sel, NULL, NULL) != 0x9000) return false;
    uint8_t d[8];
    size_t dn;
    ck_assert_msg(ht_cmd(card, "8002000003A1B2C3", d, &dn) == 0x9000 && dn == 3 && memcmp(d, "\xA1\xB2\xC3", 3) == 0,
                  "copy %d selects but does not echo", n);
    return true;
}

START_TEST(power_loss_during_installs_and_deletes)
{
    crash_t c;
    memset(&c, 0, sizeof c);
    install_ledger(&c);
    copy_src_t src;
    copy_src_load(&src);
    const char *rs = getenv("CRASH_ROUNDS"), *ss = getenv("CRASH_SEED");
    int rounds = rs ? atoi(rs) / 4 : 50;
    unsigned seed = ss ? (unsigned)strtoul(ss, NULL, 0) : (unsigned)time(NULL);
    srand(seed + 1);
    bool live[256] = { false };
    int next = 0, installs = 0, deletes = 0, inflight = 0, partial = 0;
    for (int round = 0; round < rounds; round++) {
        int lv[256], nlv = 0;
        for (int i = 0; i < 256; i++) if (live[i]) lv[nlv++] = i;
        int p[2];
        ck_assert_int_eq(pipe(p), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(p[0]);
            child_installs(c.d.img, p[1], &src, next, lv, nlv, (unsigned)rand());
            _exit(0);
        }
        close(p[1]);
        unsigned delay = round == rounds - 1 ? 200000u : 500 + (unsigned)rand() % 15000;
        struct timespec ts = { 0, (long)delay * 1000 };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "round %d: the child failed (status %d)", round, status);
        rec_t r, pending = { 0, 0, 0, 0, 0 };
        bool have_pending = false;
        while (read(p[0], &r, sizeof r) == (ssize_t)sizeof r) {
            if (!r.done) { pending = r; have_pending = true; continue; }
            have_pending = false;
            if (r.op == OP_INSTALL) {
                next = (r.arg + 1) % 256;
                if (r.sw == 0x9000) { live[r.arg] = true; installs++; }
            } else if (r.sw == 0x9000) { live[r.arg] = false; deletes++; }
        }
        close(p[0]);
        if (have_pending && pending.op == OP_INSTALL) next = (pending.arg + 1) % 256;
        /* the card after the power loss */
        vm_t *vm;
        card_t *card = ht_card_open(c.d.img, &vm);
        for (int i = 0; i < 256; i++) {
            if (have_pending && pending.arg == i) continue;
            uint8_t pkg[7], cls[8], inst[8];
            copy_aids(i, pkg, cls, inst);
            if (live[i]) ck_assert_msg(copy_answers(card, i), "round %d: acknowledged copy %d is gone", round, i);
            else ck_assert_msg(vm_pkg_find(vm, pkg, 7) < 0 && vm_applet_find(vm, inst, 8) < 0,
                               "round %d: copy %d is on the card though not acknowledged (or deleted)", round, i);
        }
        if (have_pending) {
            /* whole or absent; a package without its instance is a completed first step (the
             * install is two atomic steps, as GlobalPlatform LOAD and INSTALL are): clean it up */
            int i = pending.arg;
            uint8_t pkg[7], cls[8], inst[8];
            copy_aids(i, pkg, cls, inst);
            bool has_pkg = vm_pkg_find(vm, pkg, 7) >= 0, has_inst = vm_applet_find(vm, inst, 8) >= 0;
            ck_assert_msg(!has_inst || has_pkg, "round %d: instance of copy %d without its package", round, i);
            inflight++;
            if (has_inst) ck_assert_msg(copy_answers(card, i), "round %d: in-flight copy %d is half there", round, i);
            if (has_pkg && !has_inst) partial++;
            cl_error_t e = { { 0 } };
            if (has_inst) ck_assert_msg(vm_card_delete_applet(vm, inst, 8, &e) == 0, "%s", e.msg);
            if (has_pkg) ck_assert_msg(vm_card_delete_package(vm, pkg, 7, &e) == 0, "%s", e.msg);
            live[i] = false;
        }
        ht_hello_answers(card, "power loss during installs");
        model_t st;
        read_state(card, &st);
        ck_assert(same_ledger(&st, &c.m));
        ht_card_close(card, vm);
    }
    printf("vm_crash: %d power losses during installs and deletes: %d installs and %d deletes acknowledged, "
           "%d in flight (%d with the package in and the instance not)\n", rounds, installs, deletes, inflight, partial);
    ck_assert_int_gt(installs, 0);
    free(src.s);
    ht_dir_remove(&c.d);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("vm_crash");
    TCase *tc = tcase_create("crash");
    tcase_set_timeout(tc, 3600);
    tcase_add_test(tc, power_loss_keeps_ledger_consistent);
    tcase_add_test(tc, power_loss_during_installs_and_deletes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
