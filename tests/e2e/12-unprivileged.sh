#!/usr/bin/env bash
# `cardlet with` for a normal user: no CAP_SYS_ADMIN, so the private mount namespace comes with a user namespace
# (us mapped to root inside). Run as root, this test drops to nobody to exercise that path; the card works as usual.
. "$(dirname "$0")/lib.sh"
need_driver; need_card_daemon; need_cmd opensc-tool setpriv
[[ $(id -u) == 0 ]] || skip "must start as root to drop to an unprivileged user"
setpriv --reuid=65534 --regid=65534 --clear-groups unshare -rm true 2>/dev/null ||
  skip "unprivileged user namespaces are disabled here"
# nobody must be able to reach the binary and the driver.
setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$CARDLET" -a -r "$CARDLET_DRIVER" ||
  skip "$CARDLET or $CARDLET_DRIVER not readable by nobody"

run setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp TMPDIR=/tmp \
  "$CARDLET" with -- sh -c 'id -u; opensc-tool -c default -s "00 A4 04 00 00"'
expect_rc 0 "cardlet with as nobody"
expect_out "^65534$" "CMD runs as the user, not as root"
expect_out "^6F [0-9A-F]{2} 84 08 A0 00 00 01 51 00 00 00" "the ISD answers"
expect_out "Received \(SW1=0x90, SW2=0x00\)" "90 00"
echo ok
