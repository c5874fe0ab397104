#!/usr/bin/env bash
# `cardlet with` finds its driver without being told: beside the binary in the build tree (BIN/../lib), and in the
# installed layout of `make install` (PREFIX/bin/cardlet, PREFIX/lib/cardlet/libifdcardlet.so).
. "$(dirname "$0")/lib.sh"
need_namespaces; need_driver; need_card_daemon

prefix=$E2E_TMP/usr
mkdir -p "$prefix/bin" "$prefix/lib/cardlet"
install -m 0755 "$CARDLET" "$prefix/bin/cardlet"
install -m 0644 "$CARDLET_DRIVER" "$prefix/lib/cardlet/libifdcardlet.so"

run env -u CARDLET_DRIVER "$prefix/bin/cardlet" with -v -- sh -c 'echo "image=$CARDLET_IMAGE"'
expect_rc 0 "installed layout"
expect_out "driver $prefix/lib/cardlet/libifdcardlet.so" "driver found under PREFIX/lib/cardlet"
dir=$(sed -n 's/.*kept \(\/[^ ]*\) .*/\1/p' <<<"$OUT" | head -1)
[[ -n $dir ]] && rm -rf "$dir"   # -v keeps the logs

run env -u CARDLET_DRIVER "$CARDLET" with -v -- true
expect_rc 0 "build layout"
expect_out "driver $(cd "$(dirname "$CARDLET_DRIVER")" && pwd)/libifdcardlet.so" "driver found beside the binary"
dir=$(sed -n 's/.*kept \(\/[^ ]*\) .*/\1/p' <<<"$OUT" | head -1)
[[ -n $dir ]] && rm -rf "$dir"

# $CARDLET_DRIVER wins over both; a wrong one is an error, not a silent fallback.
run env CARDLET_DRIVER=/nonexistent/libifdcardlet.so "$prefix/bin/cardlet" with -- true
expect_rc 1 "\$CARDLET_DRIVER honoured"
expect_out "reader driver not found: /nonexistent/libifdcardlet.so" "\$CARDLET_DRIVER named"
echo ok
