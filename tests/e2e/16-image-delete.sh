#!/usr/bin/env bash
# `cardlet image delete`: an instance goes first, then its package; a package with an instance, an AID the
# image does not hold and a malformed AID are refused and leave the image files as they were.
. "$(dirname "$0")/lib.sh"
CAP=$(dirname "$CARDLET")/../applets/hello.cap
[[ -f $CAP ]] || skip "hello.cap not built (make applets)"
img=$E2E_TMP/card.img
PKG=F0636172640101 INST=F063617264010101

run "$CARDLET" image install "$img" "$CAP" --applet $INST
expect_rc 0 "install"

before=$(md5sum "$img" "$img.wal" 2>/dev/null)
run "$CARDLET" image delete "$img" $PKG
expect_rc 1 "package with an instance"
expect_out "instance of this package exists" "refused with a reason"
run "$CARDLET" image delete "$img" F0636172640101FF
expect_rc 1 "an AID the image does not hold"
expect_out "F0636172640101FF" "the message names the AID"
run "$CARDLET" image delete "$img" F0636172
expect_rc 2 "an AID of 4 bytes"
[[ $(md5sum "$img" "$img.wal" 2>/dev/null) == "$before" ]] || fail "a refused delete changed the image files"

run "$CARDLET" image delete "$img" $INST
expect_rc 0 "delete the instance"
run "$CARDLET" image info "$img"
expect_no_out "^instance " "no instance left"
expect_out "^package $PKG" "the package stays"
run "$CARDLET" image delete "$img" $PKG
expect_rc 0 "delete the package"
run "$CARDLET" image info "$img"
expect_no_out "^package " "no package left"

run "$CARDLET" image delete "$E2E_TMP/missing.img" $INST
expect_rc 1 "an image that does not exist"
[[ ! -e $E2E_TMP/missing.img ]] || fail "delete created an image"
echo ok
