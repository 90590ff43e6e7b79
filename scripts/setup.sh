#!/usr/bin/env bash
# From a fresh clone to a working `kiln`: installs the Debian packages Kiln
# needs, configures and builds into build/, runs Kiln on the example profile,
# then builds the example software release software/hello/ with it and runs
# the release's server for a moment to show it answers. Run from anywhere; as
# root or with sudo available.
#
#   KILN_CMAKE_FLAGS   extra CMake flags, e.g. "-DKILN_WERROR=ON" (word-split)
#   KILN_BUILD_TYPE    CMake build type of a new build/ (default RelWithDebInfo)
#   KILN_SETUP_ROOT    Kiln root the release is built in (default $KILN_ROOT,
#                      else ~/.local/share/kiln, Kiln's own default)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${KILN_BUILD_TYPE:-RelWithDebInfo}" \
  ${KILN_CMAKE_FLAGS:-}
cmake --build build

echo "setup: build/engine/kiln resolve profiles/hello/software.cfg"
build/engine/kiln resolve profiles/hello/software.cfg

# The software release: <root>/software/<md5 of the profile's absolute path>/.
root="${KILN_SETUP_ROOT:-${KILN_ROOT:-$HOME/.local/share/kiln}}"
profile="$(pwd -P)/software/hello/software.cfg"
echo "setup: build/engine/kiln software $profile --root $root"
build/engine/kiln software "$profile" --root "$root"
release="$root/software/$(printf '%s' "$profile" | md5sum | cut -d' ' -f1)"
if [ ! -f "$release/.completed" ]; then
  echo "setup: $release/.completed is missing: the release did not build" >&2
  exit 1
fi
echo "setup: software release built in $release"
echo "setup:   server  $release/parts/hello/bin/hello-server"
echo "setup:   wrapper $release/bin/hello-server-wrapper"

# Its wrapped server on a free port (--port 0: the kernel picks one, printed
# as "listening on URL"), asked once with curl, then stopped with SIGTERM.
log="$(mktemp)"
"$release/bin/hello-server-wrapper" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
  url="$(sed -n 's|.*listening on \(http://[^ ]*\)$|\1|p' "$log")"
  if [ -n "$url" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "setup: the server did not start:" >&2
  cat "$log" >&2
  exit 1
fi
echo "setup: curl $url"
curl -fsS --noproxy "*" "$url"
kill -TERM "$pid"
wait "$pid"
echo "setup: the server answered and stopped cleanly"
