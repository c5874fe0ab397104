#!/usr/bin/env bash
# Killing the card daemon mid-session removes the card (a connected client gets an error, not a success);
# restarting it inserts the card again with its persistent state: a CIN stored before the kill is still there.
# `cardlet with --no-card` gives the reader; this test starts and kills `cardlet card` itself ($CARDLET_READER).
. "$(dirname "$0")/lib.sh"
need_pyscard; need_namespaces; need_driver; need_card_daemon

cin=$(rand_hex 8)   # random: the card can only answer it if it really stored it
note "CIN $cin"

cat >"$E2E_TMP/remove.py" <<'PY'
import os, signal, subprocess, sys, time
from smartcard.scard import *
from pcsc_e2e import ok, open_reader

cardlet, image, log, prefix, cin_hex = sys.argv[1:6]
cin = list(bytes.fromhex(cin_hex))
addr = os.environ["CARDLET_READER"]
daemons = []

def start_card():
    p = subprocess.Popen([cardlet, "card", "--card", image, "--reader", addr],
                         stdout=open(log, "a"), stderr=subprocess.STDOUT)
    daemons.append(p)
    return p


def wait_state(ctx, reader, present, timeout_s=10):
    """Waits for the reader to show the card present (or empty); returns the seconds it took."""
    t0 = time.monotonic()
    state = SCARD_STATE_UNAWARE
    while time.monotonic() - t0 < timeout_s:
        h, st = SCardGetStatusChange(ctx, 200, [(reader, state)])
        if h == SCARD_S_SUCCESS:
            state = st[0][1] & ~SCARD_STATE_CHANGED
            is_present = bool(state & SCARD_STATE_PRESENT) and not (state & SCARD_STATE_MUTE)
            if is_present == present:
                return time.monotonic() - t0
        elif h != SCARD_E_TIMEOUT:
            ok(h, "status change")
    sys.exit("card still %s after %d s" % ("absent" if present else "present", timeout_s))

def tx(card, proto, apdu):
    return SCardTransmit(card, proto, apdu)

try:
    ctx, reader = open_reader(prefix)

    p = start_card()
    print("inserted after %.0f ms" % (1000 * wait_state(ctx, reader, True)))
    h, card, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1); ok(h, "connect")
    # Personalise before issuance: STORE DATA (last block, BER-TLV) of tag 45, the CIN.
    h, r = tx(card, proto, [0x80, 0xE2, 0x80, 0x00, 2 + len(cin), 0x45, len(cin)] + cin); ok(h, "STORE DATA")
    if r != [0x90, 0x00]:
        sys.exit("STORE DATA CIN answered %s" % bytes(r).hex())
    h, r = tx(card, proto, [0x80, 0xCA, 0x00, 0x45, 0x00]); ok(h, "GET DATA")
    if r != [0x45, len(cin)] + cin + [0x90, 0x00]:
        sys.exit("GET DATA CIN before the kill answered %s" % bytes(r).hex())

    # Pull the card: SIGKILL, no goodbye.
    p.kill(); p.wait()
    h, r = tx(card, proto, [0x80, 0xCA, 0x00, 0x45, 0x00])
    print("transmit right after the kill: 0x%08X %s" % (h & 0xFFFFFFFF, SCardGetErrorMessage(h)))
    print("removed seen after %.0f ms" % (1000 * wait_state(ctx, reader, False)))
    h, r = tx(card, proto, [0x80, 0xCA, 0x00, 0x45, 0x00])
    if h == SCARD_S_SUCCESS:
        sys.exit("transmit to a removed card succeeded: %s" % bytes(r).hex())
    if h not in (SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD):
        sys.exit("transmit to a removed card: 0x%08X %s, want SCARD_W_REMOVED_CARD or SCARD_E_NO_SMARTCARD"
                 % (h & 0xFFFFFFFF, SCardGetErrorMessage(h)))
    print("transmit after removal: %s" % SCardGetErrorMessage(h))
    h, c2, p2 = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
    if h == SCARD_S_SUCCESS:
        sys.exit("connect to an empty reader succeeded")

    # Insert it again: same image.
    start_card()
    print("re-inserted after %.0f ms" % (1000 * wait_state(ctx, reader, True)))
    h = SCardReconnect(card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD)
    h, r = tx(card, proto, [0x80, 0xCA, 0x00, 0x45, 0x00])
    if h != SCARD_S_SUCCESS:   # the old handle belongs to the removed card: a new connection is the normal way
        SCardDisconnect(card, SCARD_LEAVE_CARD)
        h, card, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1); ok(h, "reconnect")
        h, r = tx(card, proto, [0x80, 0xCA, 0x00, 0x45, 0x00]); ok(h, "GET DATA after re-insertion")
    if r != [0x45, len(cin)] + cin + [0x90, 0x00]:
        sys.exit("GET DATA CIN after the restart answered %s, want 45 %02X %s 90 00" % (bytes(r).hex(), len(cin), cin_hex))
    print("CIN survived the kill: %s" % bytes(r[2:-2]).hex().upper())
    SCardDisconnect(card, SCARD_LEAVE_CARD)
    SCardReleaseContext(ctx)
finally:
    for d in daemons:
        if d.poll() is None:
            d.kill(); d.wait()
PY

run "$CARDLET" with --no-card -- "$PY3" "$E2E_TMP/remove.py" "$CARDLET" "$E2E_TMP/card.img" "$E2E_TMP/card.log" \
  "$READER_PREFIX" "$cin"
[[ $RC == 0 ]] || { [[ -f $E2E_TMP/card.log ]] && tail -n 20 "$E2E_TMP/card.log"; }
expect_rc 0 "remove/insert"
expect_out "CIN survived the kill: $cin" "CIN persistent"
note "$OUT"
echo ok
