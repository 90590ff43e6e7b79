#!/usr/bin/env bash
# From a fresh clone to a working `kiln`: installs the Debian packages Kiln
# needs, configures and builds into build/, runs Kiln on the example profile,
# then does Kiln's main job: requests an instance of the example software
# release software/hello/, deploys it with `kiln node` (the release is built,
# the instance's server runs under Kiln's supervisor) and asks the URL it
# published. Run from anywhere; as root or with sudo available.
#
#   KILN_CMAKE_FLAGS   extra CMake flags, e.g. "-DKILN_WERROR=ON" (word-split)
#   KILN_BUILD_TYPE    CMake build type of a new build/ (default RelWithDebInfo)
#   KILN_SETUP_ROOT    Kiln root the release is built in (default $KILN_ROOT,
#                      else ~/.local/share/kiln, Kiln's own default)
#   KILN_SETUP_PORT    port of the hello instance (default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${KILN_BUILD_TYPE:-RelWithDebInfo}" \
  ${KILN_CMAKE_FLAGS:-}
cmake --build build

echo "setup: build/engine/kiln resolve profiles/hello/software.cfg"
build/engine/kiln resolve profiles/hello/software.cfg

# Kiln's main job: an instance of the hello software release. kiln node
# builds the release (<root>/software/<md5 of the profile's path>/), deploys
# the instance into a partition, starts its server under Kiln's supervisor,
# checks its promise and records the URL it publishes.
root="${KILN_SETUP_ROOT:-${KILN_ROOT:-$HOME/.local/share/kiln}}"
profile="$(pwd -P)/software/hello/software.cfg"
port="${KILN_SETUP_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
kiln() {
  echo "setup: kiln $*"
  build/engine/kiln --root "$root" "$@"
}
kiln request hello "$profile" --param port="$port"
kiln node
kiln show hello
url="$(build/engine/kiln --root "$root" show hello --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["connection"]["url"])')"
echo "setup: the instance published url = $url"
echo "setup: curl $url"
curl -fsS --noproxy "*" --retry 5 --retry-connrefused --retry-delay 1 "$url"
echo "setup: the instance is running under Kiln's supervisor (root $root):"
echo "setup:   build/engine/kiln --root $root ctl status"
echo "setup:   build/engine/kiln --root $root request hello $profile --state destroyed && build/engine/kiln --root $root node"
