#!/usr/bin/env bash
# CAP files our converter did not make, through the real stack: the teapot load file (another
# converter's; tests/foreign/README.md) and recap.py's layouts of the samples are installed with
# `cardlet image install`, then talked to with `cardlet script --check` through pcscd and our
# driver. Run by `make e2e` (tests/foreign/module.mk), with the helpers of tests/e2e/lib.sh.
. "$(dirname "$0")/../e2e/lib.sh"
need_namespaces; need_driver; need_card_daemon
ROOT=$(cd "$E2E_DIR/../.." && pwd)
GEN=$ROOT/${BUILD:-build}/tests/foreign/gen

# The load file's bytes from its hex data file ('#' lines are comments).
grep -v '^#' "$ROOT/tests/foreign/teapot-loadfile.hex" | tr -d ' \n' | "$PY3" -c \
  'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' >"$E2E_TMP/teapot.stream"
[[ $(stat -c %s "$E2E_TMP/teapot.stream") == 831 ]] || fail "teapot load file: $(stat -c %s "$E2E_TMP/teapot.stream") bytes"

img=$E2E_TMP/teapot.img
run "$CARDLET" image install "$img" "$E2E_TMP/teapot.stream" --applet B00B5111CA01
expect_rc 0 "teapot: install"
# The conversation: the default text, then data no implementation could have hard-coded.
data=$(rand_hex 40)
dflt=$("$PY3" -c 'print(b"I am a teapot gimme some tea plz".hex().upper())')
cat >"$E2E_TMP/teapot.script" <<SCRIPT
00 A4 04 00 06 B0 0B 51 11 CA 01
< 90 00
B0 A1 00 00
< $(spaced "$dflt") 90 00
B0 A2 00 00 28 $(spaced "$data")
< $(spaced "$data") 90 00
B0 A3 00 00
< 6D 00
A0 A1 00 00
< 6E 00
reset
00 A4 04 00 06 B0 0B 51 11 CA 01
< 90 00
B0 A1 00 00
< $(spaced "$data") 90 00
SCRIPT
note "teapot: conversation through pcscd"
run "$CARDLET" with --card "$img" -- "$CARDLET" script --check "$E2E_TMP/teapot.script"
expect_rc 0 "teapot: script --check"
expect_out "0 mismatches" "teapot: every response as expected"

# recap.py's layouts of the samples: CAP 2.2 JARs with Debug and custom components, and load files
# without a Descriptor in reversed component order.
[[ -d $GEN ]] || skip "teapot passed; $GEN missing (made by tests/foreign/module.mk from the applets: a JDK is needed)"
SAMPLES=$ROOT/applets/samples
for v in hello:v22.cap hello:reorder.stream wallet:v22nodesc.cap wallet:reorder.stream; do
  name=${v%%:*} file=$GEN/${v%%:*}-${v#*:}
  [[ -f $file ]] || fail "$file missing"
  img=$E2E_TMP/$name-${v#*:}.img
  params=()
  [[ $name == wallet ]] && params=(--params C90431323334)
  run "$CARDLET" image install "$img" "$file" --applet "$(sed -n 's/^applet[[:space:]]\{1,\}[^[:space:]]*[[:space:]]\{1,\}\([0-9A-Fa-f]*\).*/\1/p' "$SAMPLES/$name/cap.conf")" "${params[@]}"
  expect_rc 0 "$name-${v#*:}: install"
  run "$CARDLET" with --card "$img" -- "$CARDLET" script --check "$SAMPLES/$name/test.script"
  expect_rc 0 "$name-${v#*:}: test.script --check"
  expect_out "0 mismatches" "$name-${v#*:}: every response as expected"
done
echo "ok (teapot and 4 recap layouts)"
