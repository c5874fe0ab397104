#!/usr/bin/env bash
# pyscard (Debian's python3-pyscard) sends 10,000 APDUs on one connection: every one answered, none lost or mixed up.
. "$(dirname "$0")/lib.sh"
need_pyscard; need_namespaces; need_driver; need_card_daemon

cat >"$E2E_TMP/many.py" <<'PY'
import sys, time
from smartcard.scard import *
from pcsc_e2e import ok, open_reader

N = int(sys.argv[1])
prefix = sys.argv[2]


ctx, reader = open_reader(prefix)
h, card, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1); ok(h, "connect")

isd = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00]
select = [0x00, 0xA4, 0x04, 0x00, len(isd)] + isd + [0x00]
h, fci = SCardTransmit(card, proto, select); ok(h, "first select")
if fci[-2:] != [0x90, 0x00] or fci[0] != 0x6F:
    sys.exit("first SELECT answered %s" % bytes(fci).hex())
# Alternate three commands with different answers, so a lost or duplicated response shows as a mismatch.
cmds = [
    (select, fci),
    ([0x80, 0xCA, 0x00, 0xFE, 0x00], [0x6A, 0x88]),      # GET DATA of an absent object
    ([0x80, 0x7E, 0x00, 0x00], [0x6D, 0x00]),            # unknown instruction
]
t0 = time.monotonic()
for i in range(N):
    cmd, want = cmds[i % 3]
    h, resp = SCardTransmit(card, proto, cmd)
    if h != SCARD_S_SUCCESS:
        sys.exit("APDU %d: transmit failed: %s" % (i, SCardGetErrorMessage(h)))
    if resp != want:
        sys.exit("APDU %d: got %s, want %s" % (i, bytes(resp).hex(), bytes(want).hex()))
dt = time.monotonic() - t0
SCardDisconnect(card, SCARD_LEAVE_CARD)
SCardReleaseContext(ctx)
print("%d APDUs, %.2f s, %.0f us per APDU" % (N, dt, dt * 1e6 / N))
PY

run "$CARDLET" with -- "$PY3" "$E2E_TMP/many.py" 10000 "$READER_PREFIX"
expect_rc 0 "10,000 APDUs through pyscard"
expect_out "^10000 APDUs" "all sent"
note "$OUT"
echo ok
