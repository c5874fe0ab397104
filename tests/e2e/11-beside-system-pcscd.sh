#!/usr/bin/env bash
# `cardlet with` beside a running "system" pcscd: the private one gets its own /run/pcscd (bound over the existing
# one inside its namespace), clients under `cardlet with` see only the cardlet reader, and the system pcscd keeps
# serving its own clients untouched. The "system" is simulated in a mount namespace of this test, so the host's
# /run is never touched.
. "$(dirname "$0")/lib.sh"
need_namespaces; need_driver; need_card_daemon; need_vpcd; need_cmd pcsc_scan
unshare -m true 2>/dev/null || skip "needs root for the simulated system pcscd's namespace"

port=$($PY3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$E2E_TMP/sys"
cat >"$E2E_TMP/sys/reader.conf" <<CONF
FRIENDLYNAME "System Reader"
DEVICENAME /dev/null:$port
LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID $port
CONF

cat >"$E2E_TMP/inner.sh" <<'INNER'
set -u
mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir /run/pcscd || { echo "cannot prepare /run"; exit 1; }
pcscd -f -c "$E2E_TMP/sys/reader.conf" >"$E2E_TMP/sys/pcscd.log" 2>&1 &
sys=$!
trap 'kill $sys 2>/dev/null; wait $sys 2>/dev/null' EXIT
for _ in $(seq 100); do [[ -S /run/pcscd/pcscd.comm ]] && break; sleep 0.05; done
[[ -S /run/pcscd/pcscd.comm ]] || { echo "system pcscd did not start"; exit 1; }
unset PCSCLITE_CSOCK_NAME
echo "== system before"; pcsc_scan -r 2>&1
echo "== private"; "$CARDLET" with -- pcsc_scan -r 2>&1
echo "== system after"; pcsc_scan -r 2>&1
kill -0 $sys && echo "system pcscd alive"
INNER
run env E2E_TMP="$E2E_TMP" CARDLET="$CARDLET" CARDLET_DRIVER="$CARDLET_DRIVER" unshare -m bash "$E2E_TMP/inner.sh"
expect_rc 0 "scenario"
before=$(sed -n '/^== system before/,/^== private/p' <<<"$OUT")
private=$(sed -n '/^== private/,/^== system after/p' <<<"$OUT")
after=$(sed -n '/^== system after/,$p' <<<"$OUT")
grep -q "System Reader 00 00" <<<"$before" || fail "the system pcscd's client does not see its reader:"$'\n'"$OUT"
grep -q "$READER_PREFIX 00 00" <<<"$private" || fail "cardlet with's client does not see the cardlet reader:"$'\n'"$OUT"
! grep -q "System Reader" <<<"$private" || fail "cardlet with's client sees the system reader:"$'\n'"$OUT"
grep -q "System Reader 00 00" <<<"$after" || fail "the system pcscd lost its reader after cardlet with:"$'\n'"$OUT"
! grep -q "$READER_PREFIX" <<<"$after" || fail "the system pcscd shows the cardlet reader:"$'\n'"$OUT"
expect_out "system pcscd alive" "the system pcscd survives cardlet with"
note "$OUT"
echo ok
