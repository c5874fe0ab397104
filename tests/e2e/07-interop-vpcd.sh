#!/usr/bin/env bash
# Interop, reader side: our card daemon behind Debian's vsmartcard-vpcd driver (code nobody here wrote).
# `cardlet with --reader-driver vpcd` loads libifdvpcd.so on a free loopback port; `cardlet card` connects to it.
. "$(dirname "$0")/lib.sh"
need_vpcd; need_cmd opensc-tool; need_namespaces; need_card_daemon

run "$CARDLET" with --reader-driver vpcd -- sh -c 'echo "reader=$CARDLET_READER_NAME addr=$CARDLET_READER"; opensc-tool -c default -s "00 A4 04 00 00"'
expect_rc 0 "opensc-tool via vpcd"
expect_out "reader=cardlet vpcd 00 00 addr=tcp:127\.0\.0\.1:[0-9]+" "vpcd reader"
expect_out "^6F [0-9A-F]{2} 84 08 A0 00 00 01 51 00 00 00" "ISD FCI via vpcd"
expect_out "Received \(SW1=0x90, SW2=0x00\)" "90 00 via vpcd"

cat >"$E2E_TMP/vpcd.txt" <<'SCR'
00 A4 04 00 00
< 6F .. 84 08 A0 00 00 01 51 00 00 00 ... 90 00
80 CA 00 FE 00
< 6A 88
reset
< OK: 3B ...
00 A4 04 00 08 A0 00 00 01 51 00 00 00 00
< 6F ... 90 00
SCR
run "$CARDLET" with --reader-driver vpcd -- "$CARDLET" script --check "$E2E_TMP/vpcd.txt"
expect_rc 0 "script via vpcd"
expect_out "3 commands sent, 4 responses checked, 0 mismatches" "all checked"

if [[ -x $PY3 ]] && $PY3 -c 'import smartcard.scard' 2>/dev/null; then
  # 200 APDUs: vpcd answers each one right. (Debian 12 vpcd writes length and payload separately; unless the card
  # side acks at once, each APDU stalls ~40 ms in delayed ACK: the figure printed shows which.)
  cat >"$E2E_TMP/n.py" <<'PY'
import sys, time
from smartcard.scard import *
h, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
h, readers = SCardListReaders(ctx, [])
h, card, proto = SCardConnect(ctx, readers[0], SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
assert h == SCARD_S_SUCCESS, SCardGetErrorMessage(h)
t0 = time.monotonic()
for i in range(200):
    h, r = SCardTransmit(card, proto, [0x80, 0xCA, 0x00, 0xFE, 0x00])
    if h != SCARD_S_SUCCESS or r != [0x6A, 0x88]:
        sys.exit("APDU %d: %s %s" % (i, SCardGetErrorMessage(h), bytes(r).hex()))
print("200 APDUs via vpcd, %.0f us each" % ((time.monotonic() - t0) * 1e6 / 200))
PY
  run "$CARDLET" with --reader-driver vpcd -- "$PY3" "$E2E_TMP/n.py"
  expect_rc 0 "200 APDUs via vpcd"
  note "$OUT"
fi
echo ok
