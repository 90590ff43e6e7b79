#!/usr/bin/env bash
# Benchmark: Kiln's embedded supervisor against Debian's supervisord, both
# running the same 50 tiny services. Measures the supervisor's resident
# memory and the time from a service's crash (kill -9) to its restart.
# See bench/README.md ("Supervisor benchmark").
#
#   KILN           the kiln binary (default build/engine/kiln, built if missing);
#                  `kiln supervisor` runs the kiln-supervisor beside it (in-process
#                  if there is none)
#   BENCH_SERVICES services (default 50)
#   BENCH_CRASHES  crashes measured per supervisor (default 25)
set -euo pipefail
cd "$(dirname "$0")/.."
KILN=${KILN:-build/engine/kiln}
if [ ! -x "$KILN" ]; then
  cmake -S . -B build -G Ninja >/dev/null
  ninja -C build kiln kiln-supervisor
fi
if ! command -v supervisord >/dev/null; then
  echo "bench: supervisord not found (apt-get install -y supervisor, or scripts/install-deps.sh)" >&2
  exit 1
fi
exec /usr/bin/python3 bench/supervisor_bench.py --kiln "$KILN" \
  --services "${BENCH_SERVICES:-50}" --crashes "${BENCH_CRASHES:-25}"
