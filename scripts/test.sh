#!/usr/bin/env bash
# Runs every test: the unit tests, the end-to-end tests of the kiln binary and
# the parity check against the reference resolver (needs ../shared). Configures
# and builds build/ first when needed.
#
#   KILN_CMAKE_FLAGS   extra CMake flags for the configure step (word-split);
#                      when set, build/ is (re)configured with them
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build/CMakeCache.txt ] || [ -n "${KILN_CMAKE_FLAGS:-}" ]; then
  # shellcheck disable=SC2086
  cmake -S . -B build -G Ninja ${KILN_CMAKE_FLAGS:-}
fi
cmake --build build
ctest --test-dir build --output-on-failure -j2
