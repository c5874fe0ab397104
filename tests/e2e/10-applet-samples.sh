#!/usr/bin/env bash
# The whole chain, through PC/SC: the sample applets (applets/samples/*: javac, our converter -> build/applets/*.cap)
# installed into a fresh image (`cardlet image install`), then each sample's test.script passes
# `cardlet script --check` against `cardlet card` behind pcscd and our driver.
. "$(dirname "$0")/lib.sh"
need_namespaces; need_driver; need_card_daemon
"$CARDLET" image --help >/dev/null 2>&1 || skip "cardlet image (install) is not in this build yet"
CAPS=$(cd "$(dirname "$CARDLET")/../applets" 2>/dev/null && pwd) || skip "no applets built (make applets; needs a JDK)"
SAMPLES=$E2E_DIR/../../applets/samples

# name: packages to load (in order), then instances "CLASS_AID[:install params]"
declare -A LOAD=(
  [hello]="hello"
  [wallet]="wallet"
  [points-server]="points-server"
  [points-client]="points-server points-client"
)
declare -A INSTANCES=(
  [hello]="F063617264010101"
  [wallet]="F063617264020101:C90431323334"
  [points-server]="F063617264030101"
  [points-client]="F063617264030101 F063617264040101"
)

# install_sample NAME IMAGE: loads NAME's packages into IMAGE and creates its instances, as its test.script expects.
install_sample() {
  local name=$1 img=$2 pkg paid inst aid args
  for pkg in ${LOAD[$name]}; do
    [[ -f $CAPS/$pkg.cap ]] || skip "$CAPS/$pkg.cap not built (make applets; a JDK is needed)"
    # This package's instances: those whose class AID starts with the package AID of its cap.conf.
    paid=$(sed -n 's/^aid[[:space:]]\{1,\}\([0-9A-Fa-f]*\).*/\1/p' "$SAMPLES/$pkg/cap.conf")
    args=()
    for inst in ${INSTANCES[$name]}; do
      aid=${inst%%:*}
      [[ $aid == "$paid"* ]] || continue
      args+=(--applet "$aid")
      [[ $inst == *:* ]] && args+=(--params "${inst#*:}")
    done
    run "$CARDLET" image install "$img" "$CAPS/$pkg.cap" "${args[@]}"
    expect_rc 0 "$name: install $pkg"
  done
}

ran=0
for name in hello wallet points-server points-client; do
  [[ -f $SAMPLES/$name/test.script ]] || continue
  img=$E2E_TMP/$name.img
  install_sample "$name" "$img"
  note "$name: test.script"
  run "$CARDLET" with --card "$img" -- "$CARDLET" script --check "$SAMPLES/$name/test.script"
  expect_rc 0 "$name: test.script --check"
  expect_out "0 mismatches" "$name: every response as expected"
  ran=$((ran + 1))
done
((ran > 0)) || skip "no sample applets found under $SAMPLES"
echo "ok ($ran samples)"
