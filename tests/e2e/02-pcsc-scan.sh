#!/usr/bin/env bash
# pcsc_scan (pcsc-tools) through a private pcscd sees the cardlet reader with a card and its ATR.
. "$(dirname "$0")/lib.sh"
need_cmd pcsc_scan; need_namespaces; need_driver; need_card_daemon

# -c: list the cards once and quit (-t 2 would wait 2 s for nothing); -n: no ATR database lookup.
run "$CARDLET" with -- pcsc_scan -c -n
expect_rc 0 "pcsc_scan under cardlet with"
expect_out "Reader 0: $READER_PREFIX 00 00" "pcsc_scan lists our reader"
expect_out "Card state: Card inserted" "pcsc_scan sees the card"
expect_out "ATR: 3B( [0-9A-F]{2})+" "pcsc_scan shows an ATR"
atr=$(grep -oE 'ATR: 3B( [0-9A-F]{2})+' <<<"$OUT" | head -1)
note "pcsc_scan: $atr"

# The form the brief names, -t 2 (scan for 2 s, then quit) -n: same reader and ATR.
run "$CARDLET" with -- pcsc_scan -t 2 -n
expect_rc 0 "pcsc_scan -t 2 -n"
expect_out "Reader 0: $READER_PREFIX 00 00" "pcsc_scan -t 2 lists our reader"
expect_out "^  $atr\$" "pcsc_scan -t 2 shows the same ATR"

# The ATR pcscd reports must be the one the card gives through PC/SC to any client: compare with pyscard's view.
if [[ -x $PY3 ]] && $PY3 -c 'import smartcard.scard' 2>/dev/null; then
  run "$CARDLET" with -- "$PY3" -c '
from smartcard.scard import *
h, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
h, readers = SCardListReaders(ctx, [])
h, st = SCardGetStatusChange(ctx, 1000, [(readers[0], SCARD_STATE_UNAWARE)])
print("ATR: " + " ".join("%02X" % b for b in st[0][2]))'
  expect_rc 0 "pyscard status"
  expect_out "^$atr\$" "pyscard sees the same ATR as pcsc_scan"
fi

# Without cardlet with, the same tools do not see our reader: the private pcscd is private.
run env PCSCLITE_CSOCK_NAME="$E2E_TMP/none/pcscd.comm" pcsc_scan -c -n
expect_no_out "$READER_PREFIX" "a client outside cardlet with"
echo ok
