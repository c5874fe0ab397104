#!/usr/bin/env bash
# Interop, card side: Debian's vicc (vsmartcard's Python ISO 7816 card, code nobody here wrote) behind our driver.
# Our driver listens on tcp:127.0.0.1:PORT; vicc connects to it (cardlet with --vicc sets up its PYTHONPATH and
# the Crypto -> Cryptodome link in the private temp dir, never in system dirs).
. "$(dirname "$0")/lib.sh"
need_vicc; need_namespaces; need_driver; need_cmd opensc-tool

run "$CARDLET" with --vicc -- sh -c 'echo "reader=$CARDLET_READER_NAME addr=$CARDLET_READER"; opensc-tool -c default -s "00 A4 00 0C 02 3F 00"'
expect_rc 0 "opensc-tool with vicc"
expect_out "reader=$READER_PREFIX 00 00 addr=tcp:127\.0\.0\.1:[0-9]+" "our driver in tcp mode"
expect_out "Received \(SW1=0x90, SW2=0x00\)" "vicc selects the MF (P2 0C: vicc's SELECT with P2 00/04 crashes)"

# vicc's file system through a checked script: select MF, read without a current EF, reset, select again.
cat >"$E2E_TMP/vicc.txt" <<'SCR'
00 A4 00 0C 02 3F 00
< 90 00
00 B0 00 00 10
< 69 86
reset
< OK: 3B ...
00 A4 00 0C 02 3F 00
< 90 00
SCR
run "$CARDLET" with --vicc -- "$CARDLET" script --check "$E2E_TMP/vicc.txt"
expect_rc 0 "script with vicc"
expect_out "3 commands sent, 4 responses checked, 0 mismatches" "all checked"

need_cmd pcsc_scan
run "$CARDLET" with --vicc -- pcsc_scan -c -n
expect_rc 0 "pcsc_scan with vicc"
expect_out "Card state: Card inserted" "vicc inserted in our reader"
expect_out "ATR: 3B" "vicc's ATR through our driver"
echo ok
