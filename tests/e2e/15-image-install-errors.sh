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

# --params that start with C9 are GlobalPlatform install parameters: a C9 length that does not match
# the bytes after it is refused with both numbers, not taken as raw applet data; the image stays as it was.
for bad in C90531323334 C903313233343536 C9 C98105313233343536; do
  run "$CARDLET" image install "$img" --applet F063617264010101 --instance F06361726401010103 --params "$bad"
  expect_rc 2 "--params $bad"
  expect_out "C9.*(declares|length)" "--params $bad: the message names the C9 length"
  [[ $(md5sum "$img" "$img.wal" 2>/dev/null) == "$before" ]] || fail "--params $bad changed the image files"
done
run "$CARDLET" image install "$img" --applet F063617264010101 --instance F06361726401010103 --params C90431323334
expect_rc 0 "a C9 block of the right length"

# One instance per call: an option given twice is refused by name (the second --applet used to replace the
# first silently, creating only one instance), and the image stays as it was.
before=$(md5sum "$img" "$img.wal" 2>/dev/null)
for twice in "--applet F063617264010101 --applet F063617264010101 --instance F06361726401010104" \
             "--applet F063617264010101 --instance F06361726401010104 --instance F06361726401010105" \
             "--applet F063617264010101 --instance F06361726401010104 --params C900 --params C900"; do
  # shellcheck disable=SC2086 # the options are split on purpose
  run "$CARDLET" image install "$img" $twice
  expect_rc 2 "$twice"
  expect_out "given twice" "$twice: the message names the repeated option"
  [[ $(md5sum "$img" "$img.wal" 2>/dev/null) == "$before" ]] || fail "$twice changed the image files"
done

# --default: the instance takes channel 0 from the card manager (GlobalPlatform's CardReset privilege):
# right after power-on it answers without a SELECT; the card manager stays selectable by its AID;
# a second default instance is refused.
need_namespaces; need_driver; need_card_daemon
dimg=$E2E_TMP/default.img
run "$CARDLET" image install "$dimg" "$CAP" --applet F063617264010101 --default
expect_rc 0 "install with --default"
printf '%s\n' '80 01 00 00 0F' '< 48 65 6C 6C 6F 2C 20 63 61 72 64 6C 65 74 21 90 00' \
  '00 A4 04 00 08 A0 00 00 01 51 00 00 00 00' '< 6F ... 90 00' >"$E2E_TMP/default.script"
run "$CARDLET" with --card "$dimg" -- "$CARDLET" script --check "$E2E_TMP/default.script"
expect_rc 0 "the default instance answers at power-on, the ISD by its AID"
run "$CARDLET" image install "$dimg" --applet F063617264010101 --instance F06361726401010102 --default
expect_rc 1 "a second default instance"
expect_out "already selected by default" "refused with a reason"

# --instance: a second instance of the same class under its own AID (a random last byte: no AID an
# implementation could have hard-coded), reached by that AID through pcscd, with state of its own: each
# instance's COUNT sees only the commands it answered itself.
iimg=$E2E_TMP/instance.img
tail=$(rand_hex 1)
inst=F063617264010101$tail
run "$CARDLET" image install "$iimg" "$CAP" --applet F063617264010101
expect_rc 0 "first instance (AID = class AID)"
run "$CARDLET" image install "$iimg" --applet F063617264010101 --instance "$inst"
expect_rc 0 "second instance with --instance"
run "$CARDLET" image info "$iimg"
expect_out "^instance $inst" "info lists the --instance AID"
printf '%s\n' "00 A4 04 00 09 $(spaced "$inst")" '< 90 00' \
  '80 01 00 00 0F' '< 48 65 6C 6C 6F 2C 20 63 61 72 64 6C 65 74 21 90 00' \
  '80 02 00 00 03 0A 0B 0C 03' '< 0A 0B 0C 90 00' \
  '80 03 00 00 02' '< 00 03 90 00' \
  '00 A4 04 00 08 F0 63 61 72 64 01 01 01' '< 90 00' \
  '80 03 00 00 02' '< 00 01 90 00' >"$E2E_TMP/instance.script"
run "$CARDLET" with --card "$iimg" -- "$CARDLET" script --check "$E2E_TMP/instance.script"
expect_rc 0 "the --instance AID selects its own instance through PC/SC"
echo ok
