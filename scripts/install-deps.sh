#!/bin/sh
# Installs every build, test and benchmark dependency of Kiln from Debian packages.
# Idempotent: packages already present are left as they are. Run as root or with sudo.
set -eu

PACKAGES="
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libinih-dev libcurl4-openssl-dev libarchive-dev
  libboost-dev libboost-filesystem-dev libboost-system-dev
  nlohmann-json3-dev catch2 libcli11-dev libcpp-httplib-dev
  python3 python3-zc.buildout
  clang libclang-rt-14-dev clang-format
  hyperfine supervisor
"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
