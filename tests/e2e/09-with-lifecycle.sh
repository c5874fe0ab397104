#!/usr/bin/env bash
# `cardlet with` stops everything it started: on SIGTERM and SIGINT (passed to CMD, then cleanup), and even when
# it is killed outright (its helpers die with it). `--card IMAGE` keeps the card's state from one run to the next.
. "$(dirname "$0")/lib.sh"
need_namespaces; need_driver; need_card_daemon

# Starts `cardlet with -- sh` in the background; sets WITH_PID, DIR, PCSCD_PID, CARD_PID once CMD runs.
start_with() {
  local mark=$E2E_TMP/dir.$1
  "$CARDLET" with -- sh -c "echo \$\$ >$mark.pid; echo \"\$CARDLET_WITH_DIR\" >$mark.tmp; mv $mark.tmp $mark; exec sleep 60" \
    >"$E2E_TMP/with.$1.log" 2>&1 &
  WITH_PID=$!
  e2e_on_exit "kill -9 $WITH_PID 2>/dev/null"
  for _ in $(seq 100); do [[ -s $mark ]] && break; sleep 0.05; done
  [[ -s $mark ]] || fail "$1: CMD never ran: $(cat "$E2E_TMP/with.$1.log")"
  DIR=$(cat "$mark")
  CMD_PID=$(cat "$mark.pid")
  PCSCD_PID=$(pgrep -f -- "-c $DIR/reader.conf" | head -1)
  CARD_PID=$(pgrep -f -- "--reader unix:$DIR/card.sock" | head -1)
  [[ -n $PCSCD_PID && -n $CARD_PID ]] || fail "$1: pcscd ($PCSCD_PID) or card daemon ($CARD_PID) not found for $DIR"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_gone() { for _ in $(seq 100); do gone "$1" && return 0; sleep 0.05; done; return 1; }

for sig in TERM INT; do
  note "SIG$sig to cardlet with"
  start_with "$sig"
  kill -s "$sig" "$WITH_PID"
  wait_gone "$WITH_PID" || fail "cardlet with still running 5 s after SIG$sig"
  wait "$WITH_PID"; rc=$?
  want=$((128 + $(kill -l "$sig")))
  ((rc == want)) || fail "SIG$sig: exit status $rc, want $want (CMD's, killed by the forwarded signal)"
  wait_gone "$PCSCD_PID" || fail "SIG$sig: pcscd $PCSCD_PID still running"
  wait_gone "$CARD_PID" || fail "SIG$sig: card daemon $CARD_PID still running"
  [[ ! -e $DIR ]] || fail "SIG$sig: $DIR left behind"
done

note "kill -9 of cardlet with: pcscd, the card daemon and CMD die with it"
start_with KILL
{ kill -9 "$WITH_PID"; wait "$WITH_PID"; } 2>/dev/null
wait_gone "$PCSCD_PID" || fail "pcscd $PCSCD_PID outlived its cardlet with"
wait_gone "$CARD_PID" || fail "card daemon $CARD_PID outlived its cardlet with"
wait_gone "$CMD_PID" || fail "CMD $CMD_PID outlived its cardlet with"

rm -rf "$DIR"   # nobody was left to remove it

note "--card keeps state across runs; the image path is in \$CARDLET_IMAGE"
cin=$(rand_hex 8)
img=$E2E_TMP/persist.img
printf '80 E2 80 00 0A 45 08 %s\n< 90 00\n' "$(spaced "$cin")" >"$E2E_TMP/store.txt"
printf '80 CA 00 45 00\n< 45 08 %s 90 00\n' "$(spaced "$cin")" >"$E2E_TMP/get.txt"
run "$CARDLET" with --card "$img" -- sh -c 'echo "image=$CARDLET_IMAGE"; "$0" script --check "$1"' "$CARDLET" "$E2E_TMP/store.txt"
expect_rc 0 "STORE DATA CIN"; expect_out "image=$img" "CARDLET_IMAGE"
[[ -f $img ]] || fail "--card $img was not kept"
run "$CARDLET" with --card "$img" -- "$CARDLET" script --check "$E2E_TMP/get.txt"
expect_rc 0 "the CIN stored in the first run is there in the second"
# A fresh default image does not have it: the check must be able to fail.
run "$CARDLET" with -- "$CARDLET" script --check "$E2E_TMP/get.txt"
expect_rc 1 "a fresh card has no CIN"
echo ok
