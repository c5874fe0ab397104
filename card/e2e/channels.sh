#!/usr/bin/env bash
# The APDU layer through the whole PC/SC stack (pyscard -> pcscd -> our driver -> cardlet card):
# logical channels (card-assigned and explicit, further interindustry classes, close), SELECT on a
# channel, extended-length commands and responses, GET STATUS, and malformed commands answered
# 67 00 / 6E 00 without disturbing the card. Run by `make e2e` (card/module.mk).
. "$(dirname "$0")/../../tests/e2e/lib.sh"
need_pyscard; need_namespaces; need_driver; need_card_daemon

cin=$(rand_hex 6)
cat >"$E2E_TMP/channels.py" <<'PY'
import sys
from smartcard.System import readers
from smartcard.CardConnection import CardConnection

cin = bytes.fromhex(sys.argv[1])
conn = readers()[0].createConnection()
conn.connect(CardConnection.T1_protocol)

def tx(hexcmd, want_sw, what):
    data, sw1, sw2 = conn.transmit(list(bytes.fromhex(hexcmd.replace(" ", ""))))
    sw = (sw1 << 8) | sw2
    if sw != want_sw:
        sys.exit("%s: %s answered %04X, want %04X" % (what, hexcmd, sw, want_sw))
    return bytes(data)

def tlv(buf, tag):
    """First top-level BER-TLV with a 1- or 2-byte tag; lengths 1, 81, 82 forms."""
    i = 0
    while i < len(buf):
        t = buf[i]; i += 1
        if t & 0x1F == 0x1F:
            t = (t << 8) | buf[i]; i += 1
        n = buf[i]; i += 1
        if n == 0x81:
            n = buf[i]; i += 1
        elif n == 0x82:
            n = (buf[i] << 8) | buf[i + 1]; i += 2
        if t == tag:
            return buf[i:i + n]
        i += n
    sys.exit("tag %X not found in %s" % (tag, buf.hex()))

isd = bytes.fromhex("A000000151000000")
tx("80E29000%02X45%02X%s" % (2 + len(cin), len(cin), cin.hex()), 0x9000, "STORE DATA CIN")

# card-assigned channel: 1, with the ISD (default application) selected there
ch = tx("0070000001", 0x9000, "MANAGE CHANNEL open")
assert ch == b"\x01", ch
assert tlv(tx("01CA004500", 0x9000, "GET DATA on channel 1"), 0x45) == cin
# Le 00 (Ne 256, a maximum) gets the byte too, as clients that always send Le 00 expect; no Le: 6C 01
assert tx("0070000000", 0x9000, "MANAGE CHANNEL open, Le 00") == b"\x02"
tx("00700000", 0x6C01, "MANAGE CHANNEL open without Le")
tx("00708002", 0x9000, "MANAGE CHANNEL close 2")
# explicit channel 7, addressed with a further interindustry class (0x43)
tx("00700007", 0x9000, "MANAGE CHANNEL open 7")
fci = tlv(tx("43A4040008" + isd.hex() + "00", 0x9000, "SELECT ISD on channel 7"), 0x6F)
assert tlv(fci, 0x84) == isd
tx("00700007", 0x6A86, "opening an open channel")
tx("00708007", 0x9000, "MANAGE CHANNEL close 7")
tx("43CA004500", 0x6881, "command on a closed channel")
tx("00708000", 0x6A81, "closing the basic channel")

# extended lengths: an extended GET STATUS and GET DATA, then an extended command with 300 bytes of data
st = tx("80F2800200 0002 4F00 0000", 0x9000, "extended GET STATUS")
e3 = tlv(st, 0xE3)
assert tlv(e3, 0x4F) == isd
assert len(tlv(tx("80CA9F7F000000", 0x9000, "extended GET DATA CPLC"), 0x9F7F)) == 42
tx("80CA0045" + "00012C" + "00" * 300 + "0000", 0x6700, "GET DATA with a 300-byte data field")

# malformed lengths and classes: refused, the card keeps answering
tx("00A4040002AA", 0x6700, "Lc longer than the data")
tx("00A4040001AABBCC", 0x6700, "trailing bytes")
tx("00A404000000", 0x6700, "half an extended length")
tx("FFCA004500", 0x6E00, "CLA FF")
assert tlv(tx("80CA004500", 0x9000, "GET DATA after the errors"), 0x45) == cin
tx("01708001", 0x9000, "channel 1 closes itself")
print("channels ok")
PY

run "$CARDLET" with -- "$PY3" "$E2E_TMP/channels.py" "$cin"
expect_rc 0 "channels, extended lengths and malformed commands through PC/SC"
expect_out "^channels ok$" "the client script completed"
echo ok
