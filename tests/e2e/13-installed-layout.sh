#!/usr/bin/env bash
# `cardlet with` finds its driver without being told: beside the binary in a build tree (BIN/../lib), and in the
# installed layout of `make install` (PREFIX/bin/cardlet, PREFIX/lib/cardlet/libifdcardlet.so). Both layouts are
# made here from copies of the binaries under test.
. "$(dirname "$0")/lib.sh"
need_namespaces; need_driver; need_card_daemon

# Runs `LAYOUT/bin/cardlet with -v` without $CARDLET_DRIVER; -v names the driver and keeps the private dir.
with_in() {
  run env -u CARDLET_DRIVER "$1/bin/cardlet" with -v -- true
  local kept
  kept=$(sed -n 's/.*kept \(\/[^ ]*\) .*/\1/p' <<<"$OUT" | head -1)
  [[ -n $kept && $kept == /tmp/cardlet-with.* ]] && rm -rf "$kept"
}

build=$E2E_TMP/build
mkdir -p "$build/bin" "$build/lib"
install -m 0755 "$CARDLET" "$build/bin/cardlet"
install -m 0644 "$CARDLET_DRIVER" "$build/lib/libifdcardlet.so"
with_in "$build"
expect_rc 0 "build layout"
expect_out "driver $build/lib/libifdcardlet.so" "driver found beside the binary (BIN/../lib)"

prefix=$E2E_TMP/usr
mkdir -p "$prefix/bin" "$prefix/lib/cardlet"
install -m 0755 "$CARDLET" "$prefix/bin/cardlet"
install -m 0644 "$CARDLET_DRIVER" "$prefix/lib/cardlet/libifdcardlet.so"
with_in "$prefix"
expect_rc 0 "installed layout"
expect_out "driver $prefix/lib/cardlet/libifdcardlet.so" "driver found under PREFIX/lib/cardlet"

# $CARDLET_DRIVER wins over both; a wrong one is an error, not a silent fallback.
run env CARDLET_DRIVER=/nonexistent/libifdcardlet.so "$prefix/bin/cardlet" with -- true
expect_rc 1 "\$CARDLET_DRIVER honoured"
expect_out "reader driver not found: /nonexistent/libifdcardlet.so" "\$CARDLET_DRIVER named"
echo ok
