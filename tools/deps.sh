#!/usr/bin/env bash
# Installs the Debian packages cardlet needs to build, test and demo, if any are missing.
# Used by `make check` and `make demo`, so a fresh Debian 12 machine needs nothing else.
set -euo pipefail

PKGS=(
  build-essential pkg-config clang libclang-rt-14-dev
  libssl-dev zlib1g-dev libpcsclite-dev check
  pcscd pcsc-tools opensc python3-pyscard
  vsmartcard-vpcd vsmartcard-vpicc python3-pycryptodome
  python3 openjdk-17-jdk-headless lua5.4 util-linux procps psmisc
)

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $st == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "deps: installing missing Debian packages: ${missing[*]}"
SUDO=
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# pcscd's package may try to start its service; policy-rc.d keeps it from doing so on machines that honour it.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# A system pcscd started by the install would hold /run/pcscd; tests run their own in a private namespace,
# so a running one is harmless, but we never start one ourselves.
echo "deps: done"
