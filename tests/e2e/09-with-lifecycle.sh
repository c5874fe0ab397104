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
  for _ in $(seq 200); do [[ -s $mark ]] && break; sleep 0.05; done
  [[ -s $mark ]] || fail "$1: CMD never ran: $(cat "$E2E_TMP/with.$1.log")"
  DIR=$(cat "$mark")
  CMD_PID=$(cat "$mark.pid")
  PCSCD_PID=$(pgrep -f -- "-c $DIR/reader.conf" | head -1)
  CARD_PID=$(pgrep -f -- "--reader unix:$DIR/card.sock" | head -1)
  [[ -n $PCSCD_PID && -n $CARD_PID ]] || fail "$1: pcscd ($PCSCD_PID) or card daemon ($CARD_PID) not found for $DIR"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_gone() { for _ in $(seq 200); do gone "$1" && return 0; sleep 0.05; done; return 1; }

for sig in TERM INT; do
  note "SIG$sig to cardlet with"
  start_with "$sig"
  kill -s "$sig" "$WITH_PID"
  wait_gone "$WITH_PID" || fail "cardlet with still running 10 s after SIG$sig"
  wait "$WITH_PID"; rc=$?
  want=$((128 + $(kill -l "$sig")))
  ((rc == want)) || fail "SIG$sig: exit status $rc, want $want (CMD's, killed by the forwarded signal)"
  wait_gone "$PCSCD_PID" || fail "SIG$sig: pcscd $PCSCD_PID still running"
  wait_gone "$CARD_PID" || fail "SIG$sig: card daemon $CARD_PID still running"
  [[ ! -e $DIR ]] || fail "SIG$sig: $DIR left behind"
done

note "^C typed at a terminal reaches CMD itself (same process group): CMD decides, cardlet with does not kill it"
cat >"$E2E_TMP/ctrl_c.py" <<'PY'
import os, pty, select, signal, sys, time
cardlet = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cardlet, [cardlet, "with", "--", "sh", "-c",
                       'trap "echo got-int" INT; echo ready; while :; do sleep 0.05; done'])
out = b""
def read_for(seconds, until=None, count=1):
    global out
    end = time.time() + seconds
    while time.time() < end and not (until and out.count(until) >= count):
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
read_for(10, b"ready")
if b"ready" not in out:
    sys.exit("CMD did not start: %r" % out)
for i in range(3):
    os.write(fd, b"\x03")
    read_for(2, b"got-int", i + 1)
running = os.waitpid(pid, os.WNOHANG) == (0, 0)
print("interrupts seen by CMD: %d; cardlet with running: %s" % (out.count(b"got-int"), running))
os.kill(pid, signal.SIGTERM)   # from kill(), not the terminal: passed on to CMD, which has no TERM trap
end = time.time() + 10
while True:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done or time.time() > end:
        break
    read_for(0.05)   # keep the pty drained so nothing blocks on output
if not done:
    os.kill(pid, signal.SIGKILL)
    _, st = os.waitpid(pid, 0)
print("exit status after SIGTERM: %d" % os.waitstatus_to_exitcode(st))
PY
run "$PY3" "$E2E_TMP/ctrl_c.py" "$CARDLET"
expect_rc 0 "pty scenario"
expect_out "interrupts seen by CMD: 3; cardlet with running: True" "three ^C handled by CMD, nothing killed"
expect_out "exit status after SIGTERM: 143" "SIGTERM passed on to CMD"

note "kill -9 of cardlet with: pcscd, the card daemon and CMD die with it"
start_with KILL
{ kill -9 "$WITH_PID"; wait "$WITH_PID"; } 2>/dev/null
wait_gone "$PCSCD_PID" || fail "pcscd $PCSCD_PID outlived its cardlet with"
wait_gone "$CARD_PID" || fail "card daemon $CARD_PID outlived its cardlet with"
wait_gone "$CMD_PID" || fail "CMD $CMD_PID outlived its cardlet with"

rm -rf "$DIR"   # nobody was left to remove it

note "a card daemon that dies while CMD runs fails the run, even when CMD exits 0"
run "$CARDLET" with -- sh -c 'kill -9 $(pgrep -f -- "card --card $CARDLET_IMAGE --reader $CARDLET_READER"); sleep 0.2; exit 0'
expect_rc 1 "card daemon killed during CMD"
expect_out "the card daemon killed by signal 9 \(Killed\) while CMD ran" "named"

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
