#!/usr/bin/env bash
# From a fresh clone to a working `kiln`: installs the Debian packages Kiln
# needs, configures and builds into build/, then runs Kiln on the example
# profile. Run from anywhere; as root or with sudo available.
#
#   KILN_CMAKE_FLAGS   extra CMake flags, e.g. "-DKILN_WERROR=ON" (word-split)
#   KILN_BUILD_TYPE    CMake build type of a new build/ (default RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${KILN_BUILD_TYPE:-RelWithDebInfo}" \
  ${KILN_CMAKE_FLAGS:-}
cmake --build build

echo "setup: build/engine/kiln resolve profiles/hello/software.cfg"
build/engine/kiln resolve profiles/hello/software.cfg
