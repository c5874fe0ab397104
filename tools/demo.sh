#!/usr/bin/env bash
# The guided demo behind `make demo`: a cardlet card driven by the standard PC/SC tools, each through
# `cardlet with`, which starts a private pcscd (own mount namespace) with the cardlet reader, inserts the
# card, runs the tool and stops everything again. Nothing here touches a system pcscd.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CARDLET=$PWD/$BUILD/bin/cardlet
export CARDLET_DRIVER=$PWD/$BUILD/lib/libifdcardlet.so
DEMO=$BUILD/demo
IMG=$DEMO/card.img
rm -rf "$DEMO"; mkdir -p "$DEMO"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1. A card image: the card's persistent memory (created on first use)"
echo "image: $IMG"

step "2. pcsc_scan sees the cardlet reader and the card's ATR"
show "$CARDLET" with --card "$IMG" -- pcsc_scan -c -n

step "3. opensc-tool: SELECT the default application (the card manager) and read the CPLC"
show "$CARDLET" with --card "$IMG" -- opensc-tool -c default -s '00 A4 04 00 00' -s '80 CA 9F 7F 00'

step "4. Personalise: STORE DATA of the card image number (CIN), kept in the image"
show "$CARDLET" with --card "$IMG" -- opensc-tool -c default -s '00 A4 04 00 00' \
  -s '80 E2 80 00 0A 45 08 C0 FF EE 00 00 00 00 01'

step "5. A new session (new pcscd, new card daemon, same image): a checked APDU script"
show "$CARDLET" with --card "$IMG" -- "$CARDLET" script --check tools/demo/isd.script

step "6. scriptor (pcsc-tools) drives the same card"
printf '00 A4 04 00 00\n80 CA 00 45 00\n' > "$DEMO/scriptor.txt"
show "$CARDLET" with --card "$IMG" -- scriptor "$DEMO/scriptor.txt"

step "7. Applets: Java sources -> javac -> our converter -> CAP files (make applets did this)"
ls -l "$BUILD"/applets/*.cap
show "$CARDLET" cap dump "$BUILD/applets/hello.cap" | sed -n '1,40p'
echo "   ... (cardlet cap dump prints every component; shortened here)"

step "8. Install the hello and wallet applets into the card image, as a card maker does before issuance"
show "$CARDLET" image install "$IMG" "$BUILD/applets/hello.cap" --applet F063617264010101
show "$CARDLET" image install "$IMG" "$BUILD/applets/wallet.cap" --applet F063617264020101 --params C90431323334
show "$CARDLET" image info "$IMG"

step "9. The applets run on the card's Java Card VM, through pcscd, driven by their checked scripts"
show "$CARDLET" with --card "$IMG" -- "$CARDLET" script --check applets/samples/hello/test.script
show "$CARDLET" with --card "$IMG" -- "$CARDLET" script --check applets/samples/wallet/test.script

printf '\nDone. Try your own: %s with --card %s -- opensc-tool -c default -s "00 A4 04 00 00"\n' "$CARDLET" "$IMG"
