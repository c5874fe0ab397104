#!/usr/bin/env bash
# Extended length APDUs through the real stack: the extlen test applets (applets/tests/extlen,
# javacardx.apdu.ExtendedLength) installed into a fresh image, driven by pyscard through pcscd and
# our driver. 32767 bytes of random data in (the applet's SHA-256 of what it received equals ours)
# and out again (echoed byte for byte), a 32767-byte generated response, and the twin applet that
# does not implement ExtendedLength refusing extended commands with 67 00 without running process().
. "$(dirname "$0")/lib.sh"
need_pyscard; need_namespaces; need_driver; need_card_daemon
"$CARDLET" image --help >/dev/null 2>&1 || skip "cardlet image (install) is not in this build yet"
CAPS=$(cd "$(dirname "$CARDLET")/../applets" 2>/dev/null && pwd) || skip "no applets built (make applets; needs a JDK)"
[[ -f $CAPS/extlen.cap ]] || skip "$CAPS/extlen.cap not built (make applets; a JDK is needed)"

EXT=F063617264210101   # ExtEcho: implements ExtendedLength
PLAIN=F063617264210102 # Echo: does not
img=$E2E_TMP/extlen.img
run "$CARDLET" image install "$img" "$CAPS/extlen.cap" --applet "$EXT"
expect_rc 0 "install the extlen package and an ExtEcho instance"
run "$CARDLET" image install "$img" --applet "$PLAIN"
expect_rc 0 "install an Echo instance"

cat >"$E2E_TMP/extended.py" <<'PY'
import hashlib, os, sys
from smartcard.scard import *
from pcsc_e2e import ok, open_reader

prefix, ext_aid, plain_aid = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
MAX = 32767


ctx, reader = open_reader(prefix)
h, card, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1); ok(h, "connect (T=1)")

def xmit(apdu, what):
    h, resp = SCardTransmit(card, proto, list(apdu))
    ok(h, what + ": transmit of %d bytes" % len(apdu))
    if len(resp) < 2:
        sys.exit("%s: answer of %d bytes" % (what, len(resp)))
    return bytes(resp[:-2]), (resp[-2] << 8) | resp[-1]

def ext(ins, p1p2, data=b"", le=None):
    """80 INS P1 P2 in the extended form: 00 Lc(2) data, Le(2) (le 65536 -> 0000)."""
    a = bytes([0x80, ins, p1p2 >> 8, p1p2 & 0xFF])
    if data or le is not None:
        a += b"\x00"
    if data:
        a += len(data).to_bytes(2, "big") + data
    if le is not None:
        a += (le & 0xFFFF).to_bytes(2, "big")
    return a

def select(aid):
    data, sw = xmit(bytes([0, 0xA4, 4, 0, len(aid)]) + aid, "SELECT")
    if sw != 0x9000:
        sys.exit("SELECT %s: %04X" % (aid.hex(), sw))

def count():
    data, sw = xmit(bytes([0x80, 0x60, 0, 0, 2]), "COUNT")
    if sw != 0x9000 or len(data) != 2:
        sys.exit("COUNT: %s %04X" % (data.hex(), sw))
    return int.from_bytes(data, "big")

select(ext_aid)
checked = 0
# HASH: the applet digests what it received through the APDU buffer, block by block.
for n in (1, 256, 1033, 1034, 20000, MAX):
    payload = os.urandom(n)
    data, sw = xmit(ext(0x10, 0, payload, 40), "HASH %d" % n)
    if sw != 0x9000 or len(data) != 40:
        sys.exit("HASH %d: %d bytes, SW %04X" % (n, len(data), sw))
    if data[:32] != hashlib.sha256(payload).digest():
        sys.exit("HASH %d: the applet's SHA-256 differs from ours" % n)
    if int.from_bytes(data[32:34], "big") != n or data[36:38] != b"\x00\x07" or int.from_bytes(data[38:40], "big") != n:
        sys.exit("HASH %d: count/offset/length %s" % (n, data[32:].hex()))
    checked += 1
# ECHO: 32767 random bytes in, the same 32767 bytes out (sendBytesLong in pieces of 1000).
payload = os.urandom(MAX)
data, sw = xmit(ext(0x20, 1000, payload, 65536), "ECHO")
if sw != 0x9000 or data != payload:
    sys.exit("ECHO %d bytes: got %d bytes, SW %04X, equal %s" % (MAX, len(data), sw, data == payload))
checked += 1
# GEN: a 32767-byte response to a case 2E command.
data, sw = xmit(ext(0x30, MAX, le=65536), "GEN")
want = bytes(((i ^ (i >> 8) ^ 0x5A) & 0xFF) for i in range(MAX))
if sw != 0x9000 or data != want:
    sys.exit("GEN %d: got %d bytes, SW %04X" % (MAX, len(data), sw))
checked += 1
# Lc above 32767: refused by the card before the applet.
before = count()
data, sw = xmit(ext(0x10, 0, bytes(40000), 40), "HASH 40000")
if sw != 0x6700 or data:
    sys.exit("Lc 40000: SW %04X, want 6700" % sw)
if count() != before + 1:
    sys.exit("Lc 40000 reached process()")
checked += 1
# The twin without ExtendedLength: extended commands 67 00 (process() never runs), short ones work.
select(plain_aid)
before = count()
for apdu in (ext(0x10, 0, os.urandom(10), 40), ext(0x30, 300, le=65536)):
    data, sw = xmit(apdu, "extended to the plain applet")
    if sw != 0x6700 or data:
        sys.exit("plain applet, extended command: SW %04X, want 6700" % sw)
if count() != before + 1:
    sys.exit("an extended command reached the plain applet's process()")
payload = os.urandom(255)
data, sw = xmit(bytes([0x80, 0x10, 0, 0, 255]) + payload + b"\x00", "short HASH")
if sw != 0x9000 or data[:32] != hashlib.sha256(payload).digest() or data[36:38] != b"\x00\x05":
    sys.exit("plain applet, short HASH: SW %04X %s" % (sw, data.hex()))
checked += 1
SCardDisconnect(card, SCARD_LEAVE_CARD)
SCardReleaseContext(ctx)
print("%d extended APDU checks passed" % checked)
PY

run "$CARDLET" with --card "$img" -- "$PY3" "$E2E_TMP/extended.py" "$READER_PREFIX" "$EXT" "$PLAIN"
expect_rc 0 "extended APDUs through pyscard"
expect_out "^10 extended APDU checks passed" "every check ran"
note "$OUT"
echo ok
