#!/usr/bin/env bash
# Benchmark: `kiln resolve` on the largest corpus profile against the reference
# oracle and against merely reading its files with `cat`. See bench/README.md.
#
#   BENCH_PROFILE   profile under ../shared/corpus/slapos (default software/nextcloud/software.cfg)
#   BENCH_RUNS      timed runs per command (default 20; the oracle gets a quarter, at least 5)
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=../shared
ROOT=$SHARED/corpus/slapos
PROFILE=${BENCH_PROFILE:-software/nextcloud/software.cfg}
RUNS=${BENCH_RUNS:-20}
ORACLE_RUNS=$(( RUNS / 4 > 5 ? RUNS / 4 : 5 ))
BUILD=build-release
KILN=$BUILD/engine/kiln
PY=/usr/bin/python3

if [ ! -d "$ROOT" ]; then
  echo "bench: $ROOT not found (../shared must sit beside the repository)" >&2
  exit 1
fi

# A Release build of kiln only, kept apart from the test build in build/.
if [ ! -f $BUILD/CMakeCache.txt ]; then
  cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release -DKILN_TESTS=OFF
fi
cmake --build $BUILD --target kiln

echo "== parity and oracle/kiln (check_corpus.py --bench)"
$PY $SHARED/oracle/check_corpus.py --kiln $KILN --root $ROOT \
  --list <(echo "$PROFILE") --bench "$PROFILE"

mapfile -t FILES < <($PY bench/closure_files.py "$ROOT/$PROFILE")
echo "== $PROFILE: ${#FILES[@]} files in its extends closure," \
  "$(cat "${FILES[@]}" | wc -c) bytes"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CAT_CMD="cat ${FILES[*]}"
KILN_CMD="$KILN resolve --json $ROOT/$PROFILE"
ORACLE_CMD="$PY $SHARED/oracle/resolve.py $ROOT/$PROFILE"

# median_ms NAME RUNS COMMAND: writes the median wall time in ms to $tmp/NAME.
median_ms() {
  local name=$1 runs=$2 cmd=$3
  if command -v hyperfine > /dev/null; then
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/$name.json" "$cmd" > /dev/null
    $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"] * 1000)' \
      "$tmp/$name.json" > "$tmp/$name"
  else
    local i t0 t1
    $cmd > /dev/null 2>&1 || true
    : > "$tmp/$name.runs"
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s%N)
      $cmd > /dev/null 2>&1 || true
      t1=$(date +%s%N)
      echo $(( t1 - t0 )) >> "$tmp/$name.runs"
    done
    $PY -c 'import statistics,sys; print(statistics.median(int(l) for l in open(sys.argv[1])) / 1e6)' \
      "$tmp/$name.runs" > "$tmp/$name"
  fi
}

if command -v hyperfine > /dev/null; then tool="hyperfine $(hyperfine --version | cut -d' ' -f2)"
else tool="a date +%s%N loop (install hyperfine for better numbers)"; fi
echo "== median wall times, $tool: $RUNS runs (oracle $ORACLE_RUNS)"
median_ms cat "$RUNS" "$CAT_CMD"
median_ms kiln "$RUNS" "$KILN_CMD"
median_ms oracle "$ORACLE_RUNS" "$ORACLE_CMD"

$PY - "$tmp" <<'PYEOF'
import sys
d = sys.argv[1]
t = {n: float(open(f'{d}/{n}').read()) for n in ('cat', 'kiln', 'oracle')}
print(f"cat of the closure    {t['cat']:9.2f} ms")
print(f"kiln resolve --json  {t['kiln']:9.2f} ms")
print(f"oracle resolve.py    {t['oracle']:9.2f} ms")
print(f"kiln/cat    {t['kiln'] / t['cat']:7.2f}x")
print(f"oracle/kiln {t['oracle'] / t['kiln']:7.2f}x")
PYEOF
