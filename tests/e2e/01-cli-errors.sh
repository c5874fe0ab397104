#!/usr/bin/env bash
# Bad command lines of `cardlet with` and `cardlet script` get a clear message and exit 2; scripts that do not
# parse name file:line and exit 2 before anything is sent; setup failures of `cardlet with` name what failed.
. "$(dirname "$0")/lib.sh"

note "cardlet with: usage errors"
run "$CARDLET" with;                                   expect_rc 2 "with, no command"; expect_out 'no command given' "with"
run "$CARDLET" with --bogus -- true;                   expect_rc 2 "--bogus";          expect_out "unknown option '--bogus'" "--bogus"
run "$CARDLET" with --card;                            expect_rc 2 "--card w/o value"; expect_out "needs a value" "--card"
run "$CARDLET" with --timeout 0 -- true;               expect_rc 2 "--timeout 0";      expect_out "--timeout wants seconds" "--timeout"
run "$CARDLET" with --timeout 5x -- true;              expect_rc 2 "--timeout 5x";     expect_out "got '5x'" "--timeout"
run "$CARDLET" with --size -5 -- true;                 expect_rc 2 "--size -5";        expect_out "--size wants a positive" "--size"
run "$CARDLET" with --reader-driver foo -- true;       expect_rc 2 "--reader-driver";  expect_out "'cardlet' or 'vpcd'" "--reader-driver"
run "$CARDLET" with --no-card --vicc -- true;          expect_rc 2 "--no-card --vicc"; expect_out "cannot be combined" "--no-card"
run "$CARDLET" with --help;                            expect_rc 0 "--help";           expect_out "usage: cardlet with" "--help"

note "cardlet with: setup failures name what failed, exit 1, leave nothing behind"
before=$(ls -d /tmp/cardlet-with.* 2>/dev/null | wc -l)
run "$CARDLET" with --driver /nonexistent/libifdx.so -- true
expect_rc 1 "missing driver"; expect_out "reader driver not found: /nonexistent/libifdx.so" "missing driver"
need_namespaces
CARDLET_PCSCD=/bin/false run "$CARDLET" with --no-card --timeout 3 -- true
expect_rc 1 "pcscd failing"; expect_out "pcscd did not start: it exited with status 1" "pcscd failing"
need_driver
# A "driver" pcscd cannot load: pcscd runs but has no reader.
cp /etc/hostname "$E2E_TMP/notadriver.so" 2>/dev/null || echo x >"$E2E_TMP/notadriver.so"
run "$CARDLET" with --driver "$E2E_TMP/notadriver.so" --no-card --timeout 0.5 -- true
expect_rc 1 "unloadable driver"; expect_out "no reader: pcscd .*notadriver.so did not load" "unloadable driver"
run "$CARDLET" with --no-card -- /nonexistent/cmd
expect_rc 127 "missing CMD"; expect_out "cannot run '/nonexistent/cmd'" "missing CMD"
run "$CARDLET" with --no-card -- sh -c 'exit 7'
expect_rc 7 "CMD's status passes through"
if "$CARDLET" card --help >/dev/null 2>&1; then
  # A card daemon that cannot start (not an image): "no card", its exit status and its own words; file untouched.
  echo "not a card image" >"$E2E_TMP/bad.img"
  run "$CARDLET" with --card "$E2E_TMP/bad.img" --timeout 3 -- true
  expect_rc 1 "bad image"; expect_out "no card: the card daemon exited with status [0-9]+" "bad image"
  expect_out "cardlet card: .*bad.img" "the card daemon's own message is shown"
  [[ $(cat "$E2E_TMP/bad.img") == "not a card image" ]] || fail "the bad image was changed"
fi
after=$(ls -d /tmp/cardlet-with.* 2>/dev/null | wc -l)
# Other runs may be active at the same time; ours must not add to them.
((after <= before)) || note "warning: /tmp/cardlet-with.* count grew from $before to $after (parallel runs?)"

note "cardlet script: usage errors"
printf '00 A4 04 00 00\n< 90 00\n' >"$E2E_TMP/ok.txt"
run "$CARDLET" script;                                 expect_rc 2 "script, no file";  expect_out "no script file given" "script"
run "$CARDLET" script --frob x;                        expect_rc 2 "--frob";           expect_out "unknown option '--frob'" "--frob"
run "$CARDLET" script --format xml "$E2E_TMP/ok.txt";  expect_rc 2 "--format xml";     expect_out "scriptor or apdutool" "--format"
run "$CARDLET" script --protocol T=2 "$E2E_TMP/ok.txt"; expect_rc 2 "--protocol T=2";  expect_out "T=0 or T=1" "--protocol"
run "$CARDLET" script "$E2E_TMP/missing.txt";          expect_rc 2 "missing file";     expect_out "missing.txt" "missing file"

note "cardlet script: parse errors say file:line and what, exit 2, nothing sent (no pcscd needed to fail)"
printf '# ok\n00 A4 04 00 00\n< 90 00\n00 A4 0G 00\n' >"$E2E_TMP/bad1.txt"
run "$CARDLET" script "$E2E_TMP/bad1.txt";  expect_rc 2 "bad hex"; expect_out "bad1.txt:4: not a hex APDU.*'0G'" "bad hex"
printf '00 A4 04 00 00\n< 90 0Z\n' >"$E2E_TMP/bad2.txt"
run "$CARDLET" script --check "$E2E_TMP/bad2.txt"; expect_rc 2 "bad expectation"; expect_out "bad2.txt:2: bad expected response" "bad expectation"
printf 'powerup;\n// two data bytes announced, one given\n0x80 0xCA 0x00 0x45 0x02 0x01 0x00;\n' >"$E2E_TMP/bad3.apdu"
run "$CARDLET" script "$E2E_TMP/bad3.apdu"; expect_rc 2 "Lc mismatch"; expect_out "bad3.apdu:3: Lc is 0x02" "Lc mismatch"
printf 'powerup;\nfrobnicate;\n' >"$E2E_TMP/bad4.apdu"
run "$CARDLET" script "$E2E_TMP/bad4.apdu"; expect_rc 2 "unknown statement"; expect_out "bad4.apdu:2: unknown statement 'frobnicate'" "stmt"
# The good file is not sent when another file on the command line does not parse.
run env PCSCLITE_CSOCK_NAME="$E2E_TMP/none.comm" "$CARDLET" script "$E2E_TMP/ok.txt" "$E2E_TMP/bad1.txt"
expect_rc 2 "one bad file among good ones"; expect_no_out "cannot reach pcscd" "nothing sent"
echo "ok"
