#!/usr/bin/env bash
# APDU scripts through the real stack: a scriptor script and an apdutool script pass `cardlet script --check`;
# a wrong expectation fails with the right file:line; pcsc-tools' own scriptor runs the same scriptor file.
. "$(dirname "$0")/lib.sh"
need_namespaces; need_driver; need_card_daemon

cat >"$E2E_TMP/isd.txt" <<'SCR'
# The card manager, in scriptor's format (expectations are our "< ..." lines)
00 A4 04 00 00
< 6F .. 84 08 A0 00 00 01 51 00 00 00 A5 ... 90 00
# GET DATA of an object the card does not have
80 CA 00 FE 00
< 6A 88
# An instruction nobody knows
80 7E 00 00
< 6D 00
reset
< OK: 3B ...
00A4040008A000000151000000 \
  00
< 6F ... 90 00
SCR

cat >"$E2E_TMP/isd.apdu" <<'APD'
// The same card manager, in the Java Card kit's apdutool format
powerup;
echo "select the ISD";
/* CLA INS P1 P2 Lc data Le */
0x00 0xA4 0x04 0x00 0x08 0xA0 0x00 0x00 0x01 0x51 0x00 0x00 0x00 0x00; // expect: 6F ... 90 00
0x80 0xCA 0x00 0xFE 0x00 0x00;
// expect: 6A 88
powerdown;
APD

note "scriptor format"
run "$CARDLET" with -- "$CARDLET" script --check "$E2E_TMP/isd.txt"
expect_rc 0 "scriptor script --check"
expect_out "^> 00 A4 04 00 00$" "scriptor-style command echo"
expect_out "^< 6F [0-9A-F]{2} 84 08 A0 00 00 01 51 00 00 00" "scriptor-style response"
expect_out "^([0-9A-F]{2} )+90 00 : Normal processing\.$" "scriptor-style SW text after the wrapped data"
expect_out "^> RESET$" "reset shown"
expect_out "isd.txt: 4 commands sent, 5 responses checked, 0 mismatches" "summary"

note "--reader: exact name or unique prefix; an unknown one is an error listing the readers"
run "$CARDLET" with -- "$CARDLET" script --check --reader "Cardlet Virtual" "$E2E_TMP/isd.txt"
expect_rc 0 "--reader prefix"
run "$CARDLET" with -- "$CARDLET" script --reader "No Such Reader" "$E2E_TMP/isd.txt"
expect_rc 1 "--reader unknown"
expect_out 'reader "No Such Reader" not found; readers:' "unknown reader named"
expect_out "^    $READER_PREFIX 00 00\$" "the readers there are listed"

note "a script on standard input (-), as scriptor reads one"
run "$CARDLET" with -- sh -c 'printf "80 CA 00 FE 00\n< 6A 88\n80 CA 00 FE 00\n< 90 00\n" | "$0" script --check -' "$CARDLET"
expect_rc 1 "stdin script with one wrong expectation"
expect_out "<stdin>:3: response mismatch" "stdin named in messages"
expect_out "<stdin>: 2 commands sent, 2 responses checked, 1 mismatch" "stdin summary"

note "apdutool format"
run "$CARDLET" with -- "$CARDLET" script --check "$E2E_TMP/isd.apdu"
expect_rc 0 "apdutool script --check"
expect_out "^select the ISD$" "echo"
expect_out "^CLA: 00, INS: a4, P1: 04, P2: 00, Lc: 08, a0, 00, 00, 01, 51, 00, 00, 00, Le: [0-9a-f]{2}, 6f, .*, SW1: 90, SW2: 00$" "apdutool-style line"
expect_out "^CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 88$" "apdutool-style error line"

note "apdutool transcript (--expected): the kit's recorded output lines are compared exchange by exchange"
printf 'powerup;\n0x80 0xCA 0x00 0xFE 0x00 0x00;\n0x80 0x7E 0x00 0x00 0x00 0x00;\npowerdown;\n' >"$E2E_TMP/t.apdu"
cat >"$E2E_TMP/t.expected" <<'EXP'
Connected. (chatter of the kit's tool: ignored)
CLA: 80, INS: ca, P1: 00, P2: fe, Lc: 00, Le: 00, SW1: 6a, SW2: 88
CLA: 80, INS: 7e, P1: 00, P2: 00, Lc: 00, Le: 00, SW1: 6d, SW2: 00
EXP
run "$CARDLET" with -- "$CARDLET" script --expected "$E2E_TMP/t.expected" "$E2E_TMP/t.apdu"
expect_rc 0 "transcript matches"
expect_out "2 commands sent, 2 responses checked, 0 mismatches" "transcript checked"
sed 's/SW1: 6d/SW1: 6e/' "$E2E_TMP/t.expected" >"$E2E_TMP/t2.expected"
run "$CARDLET" with -- "$CARDLET" script --expected "$E2E_TMP/t2.expected" "$E2E_TMP/t.apdu"
expect_rc 1 "transcript differs"
expect_out "t.apdu:3: response differs from .*t2.expected:3" "file:line of both"

note "a wrong expectation fails, naming file:line, expected and got"
sed 's/^< 6A 88$/< 90 00/' "$E2E_TMP/isd.txt" >"$E2E_TMP/wrong.txt"
run "$CARDLET" with -- "$CARDLET" script --check "$E2E_TMP/wrong.txt"
expect_rc 1 "wrong expectation"
expect_out "wrong.txt:5: response mismatch \(expectation on line 6\)" "file:line of the failing command"
expect_out "expected: 90 00" "expected shown"
expect_out "got: +6A 88" "got shown"
expect_out "1 mismatch" "summary counts it"
sed 's|// expect: 6A 88|// expect: 6A 82|' "$E2E_TMP/isd.apdu" >"$E2E_TMP/wrong.apdu"
run "$CARDLET" with -- "$CARDLET" script --check "$E2E_TMP/wrong.apdu"
expect_rc 1 "wrong apdutool expectation"
expect_out "wrong.apdu:6: response mismatch \(expectation on line 7\)" "apdutool file:line"
# Without --check the same script runs and exits 0: expectations are only checked on request.
run "$CARDLET" with -- "$CARDLET" script "$E2E_TMP/wrong.txt"
expect_rc 0 "no --check"

if command -v scriptor >/dev/null; then
  note "pcsc-tools' scriptor runs the same commands (without our '<' expectation lines, which it would send)"
  grep -v '^<' "$E2E_TMP/isd.txt" | grep -v '\\$' | grep -v '^  00' >"$E2E_TMP/plain.txt"
  run "$CARDLET" with -- scriptor "$E2E_TMP/plain.txt"
  expect_rc 0 "scriptor"
  expect_out "^< 6F .*" "scriptor gets the FCI"
  expect_out "^< 6A 88 : " "scriptor gets 6A 88"
  expect_out "^< OK: 3B" "scriptor resets"
  # Our output for the same file has the same "> " and "< " lines as scriptor's (SW texts aside).
  ours=$("$CARDLET" with -- "$CARDLET" script "$E2E_TMP/plain.txt" 2>/dev/null | grep -E '^[<>]' | sed 's/ : .*//; s/ *$//')
  theirs=$(grep -E '^[<>]' <<<"$OUT" | sed 's/ : .*//; s/ *$//')
  [[ $ours == "$theirs" ]] || fail "cardlet script and scriptor differ:"$'\n'"ours:"$'\n'"$ours"$'\n'"scriptor:"$'\n'"$theirs"
fi
echo ok
