#!/usr/bin/env bash
# `cardlet image install` with a mistake changes nothing: a wrong applet AID names the AID, the package it
# loaded is not kept, and the corrected command then works. A CAP that is not a CAP leaves the image as it was.
. "$(dirname "$0")/lib.sh"
CAP=$(dirname "$CARDLET")/../applets/hello.cap
[[ -f $CAP ]] || skip "hello.cap not built (make applets)"
img=$E2E_TMP/card.img

run "$CARDLET" image install "$img" "$CAP" --applet F0636172640101FF
expect_rc 1 "wrong applet AID"
expect_out "F0636172640101FF" "the message names the AID"
run "$CARDLET" image info "$img"
expect_rc 0 "info after the failed install"
expect_no_out "^package " "no package left behind"

run "$CARDLET" image install "$img" "$CAP" --applet F063617264010101
expect_rc 0 "the corrected install"
run "$CARDLET" image info "$img"
expect_out "^instance F063617264010101" "instance installed"

before=$(md5sum "$img" "$img.wal" 2>/dev/null)
head -c 300 /dev/urandom >"$E2E_TMP/junk.cap"
run "$CARDLET" image install "$img" "$E2E_TMP/junk.cap"
expect_rc 1 "a file that is not a CAP"
[[ $(md5sum "$img" "$img.wal" 2>/dev/null) == "$before" ]] || fail "a refused CAP changed the image files"
echo ok
