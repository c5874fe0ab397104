# Shared helpers of the end-to-end tests (tests/e2e/NN-name.sh), sourced first thing.
# Contract (tests/run-e2e.sh): exit 0 pass, 77 skip (reason on the last line of stdout), anything else fail.
# Every test stops what it starts: helpers register cleanups that run on EXIT, also after a failure.
set -u
E2E_NAME=$(basename "$0" .sh)
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CARDLET:?CARDLET not set: run through tests/run-e2e.sh or make e2e}"
[[ -x $CARDLET ]] || { echo "FAIL: $CARDLET is not built"; exit 1; }
# Debian's python: a pyenv python3 earlier on PATH would not see python3-pyscard.
PY3=/usr/bin/python3
# The pyscard scripts' shared helpers (tests/e2e/pcsc_e2e.py: ok, open_reader).
export PYTHONPATH=$E2E_DIR${PYTHONPATH:+:$PYTHONPATH}
READER_PREFIX="Cardlet Virtual Reader"

_e2e_cleanups=()
e2e_on_exit() { _e2e_cleanups+=("$1"); }
_e2e_run_cleanups() {
  local rc=$? i
  for ((i = ${#_e2e_cleanups[@]} - 1; i >= 0; i--)); do eval "${_e2e_cleanups[i]}" || true; done
  exit $rc
}
trap _e2e_run_cleanups EXIT
trap 'exit 130' INT TERM

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cardlet-e2e-$E2E_NAME.XXXXXX")
e2e_on_exit 'rm -rf "$E2E_TMP"'

fail() { echo "FAIL ($E2E_NAME): $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "-- $*"; }

need_cmd() { local c; for c; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed (make deps)"; done; }
need_pyscard() { [[ -x $PY3 ]] && $PY3 -c 'import smartcard.scard' 2>/dev/null || skip "python3-pyscard not installed (make deps)"; }
need_driver() { [[ -f ${CARDLET_DRIVER:-} ]] || skip "reader driver ${CARDLET_DRIVER:-?} not built"; }
need_card_daemon() { "$CARDLET" card --help >/dev/null 2>&1 || skip "the card daemon (cardlet card) is not in this build yet"; }
need_vpcd() { [[ -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || skip "vsmartcard-vpcd not installed (make deps)"; }
need_vicc() {
  [[ -x /usr/bin/vicc && -d /usr/lib/python3/dist-packages/Cryptodome ]] ||
    skip "vsmartcard-vpicc / python3-pycryptodome not installed (make deps)"
}
# `cardlet with` needs a private mount namespace: root, or unprivileged user namespaces.
need_namespaces() {
  unshare -m true 2>/dev/null || unshare -rm true 2>/dev/null ||
    skip "no mount namespaces here (need root or unprivileged user namespaces) for cardlet with"
}

# Runs "$@", stores stdout+stderr in $OUT and the exit status in $RC (never aborts the test).
run() { OUT=$("$@" 2>&1); RC=$?; }

# expect_rc N MESSAGE: the last `run` exited with N.
expect_rc() { [[ $RC == "$1" ]] || fail "$2: exit status $RC, want $1; output:"$'\n'"$OUT"; }
# expect_out REGEX MESSAGE: the last `run`'s output matches the (extended) regex.
expect_out() { grep -qE -- "$1" <<<"$OUT" || fail "$2: output lacks /$1/; output:"$'\n'"$OUT"; }
expect_no_out() { ! grep -qE -- "$1" <<<"$OUT" || fail "$2: output has /$1/; output:"$'\n'"$OUT"; }

# Random hex bytes (n), upper case without spaces: data no implementation could have hard-coded.
rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F; }
# "0102AB" -> "01 02 AB"
spaced() { sed -E 's/(..)/\1 /g; s/ $//' <<<"$1"; }
