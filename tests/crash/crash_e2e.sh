#!/usr/bin/env bash
# Power loss through the real stack: the ledger applet (applets/tests/crash/ledger) in a card image,
# `cardlet card` started behind a private pcscd (`cardlet with --no-card`) and SIGKILLed at random
# moments while pyscard sends a stream of credits, debits, aborted transactions, ticks, stamps and
# wrong PINs. After each kill the card is started again and its state read through APDUs must be
# the acknowledged state, or that plus the one command in flight (never part of a transaction),
# with sum(history) == balance and a PIN try counter that never went back up.
# Run by `make e2e` (e2e-crash in tests/crash/module.mk); CRASH_E2E_KILLS sets the number of kills.
. "$(dirname "$0")/../e2e/lib.sh"
need_pyscard; need_namespaces; need_driver; need_card_daemon
"$CARDLET" image --help >/dev/null 2>&1 || skip "cardlet image (install) is not in this build yet"
CAP=$(cd "$(dirname "$CARDLET")/../applets" 2>/dev/null && pwd)/ledger.cap
[[ -f $CAP ]] || skip "$CAP not built (make applets; a JDK is needed)"

img=$E2E_TMP/card.img
run "$CARDLET" image install "$img" "$CAP" --applet F063617264110101
expect_rc 0 "install the ledger"

cat >"$E2E_TMP/crash.py" <<'PY'
import os, random, subprocess, sys, threading, time
from smartcard.scard import *
from pcsc_e2e import ok, open_reader

cardlet, image, log, prefix, kills = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
addr = os.environ["CARDLET_READER"]
CAP, TRIES = 32, 15
SELECT = [0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x11, 0x01, 0x01]
seed = int(os.environ.get("CRASH_SEED", str(int(time.time()))))
rng = random.Random(seed)
print("CRASH_SEED=%d" % seed)


def wait_present(ctx, reader, present, timeout_s=10):
    t0, state = time.monotonic(), SCARD_STATE_UNAWARE
    while time.monotonic() - t0 < timeout_s:
        h, st = SCardGetStatusChange(ctx, 200, [(reader, state)])
        if h == SCARD_S_SUCCESS:
            state = st[0][1] & ~SCARD_STATE_CHANGED
            if (bool(state & SCARD_STATE_PRESENT) and not (state & SCARD_STATE_MUTE)) == present:
                return
        elif h != SCARD_E_TIMEOUT:
            ok(h, "status change")
    sys.exit("card still %s after %d s" % ("absent" if present else "present", timeout_s))

class Model:
    def __init__(s, st):
        s.balance, s.count, s.ticks, s.tries, s.stamp, s.hist = st
    def copy(s):
        return Model((s.balance, s.count, s.ticks, s.tries, s.stamp, list(s.hist)))
    def record(s, d):
        if s.count == CAP:
            s.hist = [s.balance] + [0] * (CAP - 1)
            s.count = 1
        s.hist[s.count] = d
        s.count += 1
        s.balance = (s.balance + d + 0x8000) % 0x10000 - 0x8000
    def apply(s, op, arg, sw):
        """sw None: the command was in flight when the card died (it may have completed)."""
        if op == 0x10: s.record(arg)
        elif op == 0x11 and arg <= s.balance: s.record(-arg)
        elif op == 0x12: s.ticks = (s.ticks + 1 + 0x8000) % 0x10000 - 0x8000
        elif op == 0x13: s.stamp = arg
        elif op == 0x20:
            if sw is not None and sw & 0xFFF0 == 0x63C0: s.tries = sw & 0x0F
            elif sw is None and s.tries > 0: s.tries -= 1
    def ledger(s):
        return (s.balance, s.count, s.hist)

def s16(b, i):
    v = b[i] << 8 | b[i + 1]
    return v - 0x10000 if v & 0x8000 else v

def state(card, proto):
    h, r = SCardTransmit(card, proto, SELECT); ok(h, "SELECT")
    if r[-2:] != [0x90, 0x00]: sys.exit("SELECT ledger answered %s" % bytes(r).hex())
    h, r = SCardTransmit(card, proto, [0x80, 0x30, 0x00, 0x00, 0x00]); ok(h, "STATE")
    if r[-2:] != [0x90, 0x00] or len(r) != 2 + 23 + 2 * CAP: sys.exit("STATE answered %s" % bytes(r).hex())
    stamp = r[7:15]
    if len(set(stamp)) != 1: sys.exit("stamp torn: %s" % bytes(stamp).hex())
    return Model((s16(r, 0), s16(r, 2), s16(r, 4), r[6], stamp[0], [s16(r, 23 + 2 * i) for i in range(CAP)]))

ctx, reader = open_reader(prefix)
model, acked, inflight_seen, inflight_applied = None, 0, 0, 0
daemon = None
try:
    for k in range(kills + 1):
        daemon = subprocess.Popen([cardlet, "card", "--card", image, "--reader", addr, "-q"],
                                  stdout=open(log, "a"), stderr=subprocess.STDOUT)
        wait_present(ctx, reader, True)
        h, card, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
        ok(h, "connect")
        got = state(card, proto)
        if sum(got.hist[:got.count]) != got.balance:
            sys.exit("kill %d: sum(history) %d != balance %d" % (k, sum(got.hist[:got.count]), got.balance))
        if model is not None:
            with_p = model.copy()
            if pending: with_p.apply(pending[0], pending[1], None)
            before, after = got.ledger() == model.ledger(), pending is not None and got.ledger() == with_p.ledger()
            if not (before or after):
                sys.exit("kill %d: ledger (%d, %d) is neither acknowledged (%d, %d) nor plus in-flight %s (%d, %d)"
                         % (k, got.balance, got.count, model.balance, model.count, pending, with_p.balance, with_p.count))
            for name in ("ticks", "stamp", "tries"):
                if getattr(got, name) not in (getattr(model, name), getattr(with_p, name)):
                    sys.exit("kill %d: %s %d, acknowledged %d, with in-flight %d"
                             % (k, name, getattr(got, name), getattr(model, name), getattr(with_p, name)))
            if got.tries > model.tries:
                sys.exit("kill %d: PIN tries went up from %d to %d" % (k, model.tries, got.tries))
            if pending:
                inflight_seen += 1
                inflight_applied += not before or got.ticks != model.ticks or got.stamp != model.stamp or got.tries != model.tries
        model = got
        if model.tries <= 3:  # not under fire: unblock so the stream can keep trying wrong PINs
            h, r = SCardTransmit(card, proto, [0x80, 0x2C, 0x00, 0x00]); ok(h, "UNBLOCK")
            model.tries = TRIES
        if k == kills:
            break
        # A stream of commands; a timer kills the card in the middle of it.
        pending = None
        timer = threading.Timer(rng.uniform(0.05, 0.5), daemon.kill)
        timer.start()
        while True:
            pick = rng.randrange(100)
            if pick < 35: op, arg = 0x10, rng.randint(1, 100)
            elif pick < 65: op, arg = 0x11, rng.randint(1, 150)
            elif pick < 75: op, arg = 0x12, 0
            elif pick < 83: op, arg = 0x13, rng.randrange(256)
            elif pick < 88: op, arg = 0x14, rng.randint(1, 100)
            elif pick < 93: op, arg = 0x15, rng.randint(1, 100)
            elif model.tries > 3: op, arg = 0x20, 0
            else: op, arg = 0x12, 0
            if op == 0x12: apdu = [0x80, 0x12, 0, 0]
            elif op == 0x13: apdu = [0x80, 0x13, arg, 0]
            elif op == 0x20: apdu = [0x80, 0x20, 0, 0, 4, 0x30, 0x30, 0x30, 0x30]
            else: apdu = [0x80, op, 0, 0, 2, arg >> 8, arg & 0xFF]
            pending = (op, arg)
            h, r = SCardTransmit(card, proto, apdu)
            if h != SCARD_S_SUCCESS:
                break  # the card is gone: pending may or may not have happened
            sw = r[-2] << 8 | r[-1]
            model.apply(op, arg, sw)
            pending = None
            acked += 1
        timer.join()
        daemon.wait()
        SCardDisconnect(card, SCARD_LEAVE_CARD)
        wait_present(ctx, reader, False)
    print("%d kills, %d commands acknowledged, in flight %d times (applied %d); balance %d, %d entries"
          % (kills, acked, inflight_seen, inflight_applied, model.balance, model.count))
finally:
    if daemon and daemon.poll() is None:
        daemon.kill(); daemon.wait()
    SCardReleaseContext(ctx)
PY

kills=${CRASH_E2E_KILLS:-12}
run "$CARDLET" with --no-card -- "$PY3" "$E2E_TMP/crash.py" "$CARDLET" "$img" "$E2E_TMP/card.log" "$READER_PREFIX" "$kills"
[[ $RC == 0 ]] || { [[ -f $E2E_TMP/card.log ]] && tail -n 20 "$E2E_TMP/card.log"; }
expect_rc 0 "power loss under a stream of APDUs"
expect_out "^$kills kills, [1-9][0-9]* commands acknowledged" "the stream ran and the card was killed $kills times"
note "$OUT"
echo ok
