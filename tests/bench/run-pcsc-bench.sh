#!/usr/bin/env bash
# PC/SC figures for `make bench`, all in one run: round trip of a simple APDU through pcscd + our driver + the card
# daemon, the same through pcscd + vsmartcard's vpcd + our card daemon, into a Java Card applet (hello's ECHO), the
# floor (pcscd + an in-process driver that answers 90 00), and the time from card daemon start/kill to the PC/SC
# insertion/removal event.
# Prints "name: value unit" lines; a part whose tools are missing prints a "# skipped" comment instead.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
C=$PWD/$B/bin/cardlet
BENCH=$PWD/$B/bench/pcsc_bench
N=${PCSC_BENCH_APDUS:-5000}
rc=0
part() { "$@" || { echo "# failed: ${*: -3}" >&2; rc=1; }; }

if ! "$C" card --help >/dev/null 2>&1; then
  echo "# skipped pcsc_cardlet_*, pcsc_card_*_event: cardlet card not in this build"
else
  part "$C" with -- "$BENCH" rtt pcsc_cardlet "$N"
  if [[ -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]]; then
    # Few APDUs: Debian 12's vpcd may stall each one ~40 ms (two writes + delayed ACK) unless the card acks at once.
    part "$C" with --reader-driver vpcd -- "$BENCH" rtt pcsc_vpcd 100
  else
    echo "# skipped pcsc_vpcd_*: vsmartcard-vpcd not installed"
  fi
  part "$C" with --no-card -- "$BENCH" events "$C" 10
  # The same round trip into a Java Card applet (the hello sample's ECHO of 5 bytes): the VM's share on top.
  if [[ -f $PWD/$B/applets/hello.cap ]] && "$C" image --help >/dev/null 2>&1; then
    img=$(mktemp -u "${TMPDIR:-/tmp}/pcsc-bench.XXXXXX.img")
    if "$C" image install "$img" "$PWD/$B/applets/hello.cap" --applet F063617264010101 >/dev/null; then
      part "$C" with --card "$img" -- "$BENCH" rtt pcsc_applet_echo "$N" F063617264010101 80020000050102030405
    else
      echo "# failed: installing hello.cap" >&2; rc=1
    fi
    rm -f "$img" "$img.wal"
  else
    echo "# skipped pcsc_applet_echo_*: build/applets/hello.cap not built (make applets)"
  fi
fi
part "$C" with --driver "$PWD/$B/bench/libifdnull.so" --no-card -- "$BENCH" rtt pcsc_null "$N"
exit $rc
