#!/usr/bin/env bash
# opensc-tool (OpenSC) selects the card manager: the ISD's FCI (6F, 84 = A000000151000000, A5 ...) and 90 00.
. "$(dirname "$0")/lib.sh"
need_cmd opensc-tool; need_namespaces; need_driver; need_card_daemon

# -c default: skip probing every OpenSC card driver (2.6 s -> 0.08 s).
run "$CARDLET" with -- opensc-tool -c default -s '00 A4 04 00 00'
expect_rc 0 "opensc-tool select"
expect_out "Received \(SW1=0x90, SW2=0x00\)" "SELECT answers 90 00"
# opensc-tool prints the data as hex lines "6F 10 84 08 ..."; join them and look at the TLV structure.
fci=$(grep -E '^([0-9A-F]{2} )+' <<<"$OUT" | sed -E 's/^(([0-9A-F]{2} )+).*/\1/' | tr -d '\n' | sed 's/ *$//')
[[ $fci =~ ^6F\ ([0-9A-F]{2})\ 84\ 08\ A0\ 00\ 00\ 01\ 51\ 00\ 00\ 00 ]] || fail "FCI does not start 6F LL 84 08 A000000151000000: '$fci'"
len=$((16#${BASH_REMATCH[1]}))
nbytes=$(wc -w <<<"$fci")
((nbytes == len + 2)) || fail "FCI length byte says $len but $((nbytes - 2)) bytes follow: '$fci'"
[[ $fci == *" A5 "* ]] || fail "FCI has no A5 proprietary template: '$fci'"
note "FCI: $fci"

# Selecting the ISD by its AID gives the same FCI.
run "$CARDLET" with -- opensc-tool -c default -s '00 A4 04 00 08 A0 00 00 01 51 00 00 00 00'
expect_rc 0 "opensc-tool select by AID"
expect_out "Received \(SW1=0x90, SW2=0x00\)" "SELECT by AID answers 90 00"
fci2=$(grep -E '^([0-9A-F]{2} )+' <<<"$OUT" | sed -E 's/^(([0-9A-F]{2} )+).*/\1/' | tr -d '\n' | sed 's/ *$//')
[[ $fci2 == "$fci" ]] || fail "FCI by AID '$fci2' differs from the default one '$fci'"

# An unknown AID is not found.
run "$CARDLET" with -- opensc-tool -c default -s '00 A4 04 00 05 F0 01 02 03 04 00'
expect_out "SW1=0x6A, SW2=0x82" "SELECT of an absent AID answers 6A 82"
echo ok
