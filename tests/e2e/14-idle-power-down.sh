#!/usr/bin/env bash
# A card nobody uses is powered down by pcscd shortly after the last client leaves (its grace period), as
# with a real reader: RAM state (here: which applet is selected) does not leak from one tool run into the
# next. Session 1 selects the hello applet and leaves the card as it is; after a pause, session 2 sends
# hello's GREET without selecting: a card that was powered down answers from the card manager.
. "$(dirname "$0")/lib.sh"
need_pyscard; need_namespaces; need_driver; need_card_daemon
CAP=$(dirname "$CARDLET")/../applets/hello.cap
[[ -f $CAP ]] || skip "hello.cap not built (make applets)"
img=$E2E_TMP/card.img
run "$CARDLET" image install "$img" "$CAP" --applet F063617264010101
expect_rc 0 "install hello"

cat >"$E2E_TMP/idle.py" <<'PY'
import sys, time
from smartcard.scard import *

def ok(h, what):
    if h != SCARD_S_SUCCESS:
        sys.exit("%s: %s" % (what, SCardGetErrorMessage(h)))

SELECT = [0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01]
GREET = [0x80, 0x01, 0x00, 0x00, 0x0F]
HELLO = list(b"Hello, cardlet!") + [0x90, 0x00]

h, ctx = SCardEstablishContext(SCARD_SCOPE_USER); ok(h, "establish")
h, readers = SCardListReaders(ctx, []); ok(h, "readers")
proto_any = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1

h, card, proto = SCardConnect(ctx, readers[0], SCARD_SHARE_SHARED, proto_any); ok(h, "connect 1")
h, r = SCardTransmit(card, proto, SELECT); ok(h, "select")
h, r = SCardTransmit(card, proto, GREET); ok(h, "greet 1")
if r != HELLO:
    sys.exit("hello did not answer GREET in session 1: %s" % bytes(r).hex())
SCardDisconnect(card, SCARD_LEAVE_CARD)   # leave it powered and selected, as a tool run that ends does

time.sleep(1.5)                            # pcscd's grace period is well under a second

h, card, proto = SCardConnect(ctx, readers[0], SCARD_SHARE_SHARED, proto_any); ok(h, "connect 2")
h, r = SCardTransmit(card, proto, GREET); ok(h, "greet 2")
if r == HELLO:
    sys.exit("the idle card kept its RAM state: hello still selected 1.5 s after the last client left")
print("after the pause GREET answered %s (card manager: the card was powered down)" % bytes(r).hex().upper())
SCardDisconnect(card, SCARD_LEAVE_CARD)
SCardReleaseContext(ctx)
PY

run "$CARDLET" with --card "$img" -- "$PY3" "$E2E_TMP/idle.py"
expect_rc 0 "idle power-down"
expect_out "card manager: the card was powered down" "session 2 found a fresh card"
note "$OUT"

# A script that starts with `reset` gets a fresh card even right after another client left one powered
# with an applet selected (inside the grace period): hello must not answer, the card manager does.
cat >"$E2E_TMP/select.py" <<'PY'
from smartcard.scard import *
h, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
h, readers = SCardListReaders(ctx, [])
h, card, proto = SCardConnect(ctx, readers[0], SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
h, r = SCardTransmit(card, proto, [0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01])
assert r == [0x90, 0x00], r
SCardDisconnect(card, SCARD_LEAVE_CARD)
PY
printf 'reset\n80 01 00 00 0F\n< 6D 00\n' >"$E2E_TMP/fresh.script"
run "$CARDLET" with --card "$img" -- sh -c "'$PY3' '$E2E_TMP/select.py' && '$CARDLET' script --check '$E2E_TMP/fresh.script'"
expect_rc 0 "a leading reset gives a fresh card"
echo ok
