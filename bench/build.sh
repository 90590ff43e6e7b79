#!/usr/bin/env bash
# Build benchmarks of `kiln install` (see bench/README.md, "Build benchmarks"):
#  1. no-op re-run of a 200-part profile (chained mkdirectory + command parts),
#     kiln against the reference zc.buildout running the same profile;
#  2. 8 independent parts that `sleep 1`, then 8 that compile a C file with
#     cc -O2 (a ~1000-line file, then a ~40-line one): a fresh install with -j1
#     against -j2; the same compilations run by xargs -P1/-P2 show what the
#     machine allows.
#
#   BENCH_BUILD      Release build directory (default build-release/, shared with
#                    bench/run.sh); configured with -DKILN_TESTS=OFF if missing
#   BENCH_PARTS      parts of the chained profile (default 200, a multiple of 4)
#   BENCH_RUNS       timed runs of the no-op re-runs (default 30; buildout a third)
#   BENCH_JOB_RUNS   timed runs of each -j1/-j2 fresh install (default 3)
#   BENCH_ONLY       `noop` or `jobs` to run one half only
#   BENCH_NICE       run the timed commands at this niceness (e.g. -10; negative
#                    needs root): on a machine shared with other builds, the
#                    figures then come closer to an idle machine's
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BENCH_BUILD:-build-release}
PARTS=${BENCH_PARTS:-200}
RUNS=${BENCH_RUNS:-30}
BO_RUNS=$((RUNS / 3 > 5 ? RUNS / 3 : 5))
JOB_RUNS=${BENCH_JOB_RUNS:-3}
ONLY=${BENCH_ONLY:-}
PY=/usr/bin/python3
HYPERFINE=(hyperfine)
if [ -n "${BENCH_NICE:-}" ]; then HYPERFINE=(nice -n "$BENCH_NICE" hyperfine); fi

if ! command -v hyperfine > /dev/null; then
  echo "bench: hyperfine is required (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKILN_TESTS=OFF
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
[ "$build_type" = Release ] || echo "bench: warning: $BUILD is a $build_type build, not Release" >&2
cmake --build "$BUILD" --target kiln kiln-recipe-command kiln-recipe-mkdirectory
KILN=$(cd "$BUILD" && pwd)/engine/kiln

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Hermetic: no user kiln.ini, plugins from this build only.
export KILN_ROOT=$tmp/kiln-root
export KILN_RECIPE_PATH=$(cd "$BUILD" && pwd)/recipes
unset KILN_CONFIG

# median NAME: the median (ms) of the first command in $tmp/NAME.json.
median() {
  $PY -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
    "$tmp/$1.json"
}
# cpu NAME: mean user+system time (ms) of $tmp/NAME.json.
cpu() {
  $PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % ((r["user"] + r["system"]) * 1000))' \
    "$tmp/$1.json"
}
ratio() { $PY -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(hyperfine --version), nice ${BENCH_NICE:-0}, kiln $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($build_type)"

summary=()

if [ "$ONLY" != jobs ]; then
  # --- 1. no-op re-run of a chained profile -------------------------------
  dir=$tmp/chain-kiln
  $PY bench/gen_parts.py chain "$dir" --parts "$PARTS" --flavor kiln
  t0=$(now_ms)
  "$KILN" install -q -c "$dir/buildout.cfg"
  first=$(($(now_ms) - t0))
  # The re-run must find every part up to date (updated, none installed).
  "$KILN" install -c "$dir/buildout.cfg" > "$tmp/rerun.txt"
  grep -q ": 0 installed, $PARTS updated, 0 uninstalled" "$tmp/rerun.txt" ||
    { tail -3 "$tmp/rerun.txt"; echo "bench: the re-run is not a no-op" >&2; exit 1; }
  echo "== $PARTS chained parts: first install ${first} ms; no-op re-run, $RUNS runs"
  "${HYPERFINE[@]}" -N --warmup 3 --runs "$RUNS" --export-json "$tmp/noop-kiln.json" \
    -n "kiln install -q ($PARTS parts, no-op)" "$KILN install -q -c $dir/buildout.cfg"
  kiln_noop=$(median noop-kiln)
  summary+=("kiln install -q, $PARTS parts, no-op: median $kiln_noop ms (user+sys $(cpu noop-kiln) ms)")

  # The reference zc.buildout on the same profile, with stand-in recipes.
  if $PY -c 'import zc.buildout' 2> /dev/null; then
    bdir=$tmp/chain-buildout
    $PY bench/gen_parts.py chain "$bdir" --parts "$PARTS" --flavor buildout
    BUILDOUT="$PY $PWD/bench/zc_buildout.py -o -q -c $bdir/buildout.cfg"
    t0=$(now_ms)
    (cd "$bdir" && $BUILDOUT)
    bfirst=$(($(now_ms) - t0))
    [ "$(cat "$bdir/srv/c1/etc/source.txt")" = "$(sed "s|$dir|$bdir|" "$dir/srv/c1/etc/source.txt")" ] ||
      { echo "bench: buildout and kiln built different files" >&2; exit 1; }
    echo "== zc.buildout, same profile: first install ${bfirst} ms; no-op re-run, $BO_RUNS runs"
    "${HYPERFINE[@]}" -N --warmup 1 --runs "$BO_RUNS" --export-json "$tmp/noop-buildout.json" \
      -n "zc.buildout -o -q ($PARTS parts, no-op)" "$BUILDOUT"
    bo_noop=$(median noop-buildout)
    summary+=("zc.buildout -o -q, same profile, no-op: median $bo_noop ms (user+sys $(cpu noop-buildout) ms)")
    summary+=("buildout/kiln no-op: $(ratio "$bo_noop" "$kiln_noop")x; first install ${bfirst} ms vs ${first} ms")
  else
    summary+=("zc.buildout: not importable by $PY (python3-zc.buildout), not compared")
  fi
fi

if [ "$ONLY" != noop ]; then
  # --- 2. independent parts: -j1 against -j2 -------------------------------
  # bench_jobs NAME KIND CLEAN [gen_parts.py options]: fresh installs, the state
  # and outputs (CLEAN) removed before each run.
  bench_jobs() {
    local name=$1 kind=$2 clean=$3 d=$tmp/$1
    shift 3
    $PY bench/gen_parts.py "$kind" "$d" --parts 8 "$@"
    echo "== 8 independent parts ($name): fresh install, -j1 against -j2, $JOB_RUNS runs"
    "${HYPERFINE[@]}" --runs "$JOB_RUNS" --export-json "$tmp/$name-j1.json" \
      --prepare "cd $d && rm -rf $clean" -n "$name -j1" "$KILN -j 1 install -q -c $d/buildout.cfg"
    "${HYPERFINE[@]}" --runs "$JOB_RUNS" --export-json "$tmp/$name-j2.json" \
      --prepare "cd $d && rm -rf $clean" -n "$name -j2" "$KILN -j 2 install -q -c $d/buildout.cfg"
    local j1 j2
    j1=$(median "$name-j1")
    j2=$(median "$name-j2")
    summary+=("8 x $name: -j1 median $j1 ms, -j2 median $j2 ms, -j1/-j2 $(ratio "$j1" "$j2")x")
    if [ "$kind" = cc ]; then
      [ -x "$d/prog7" ] || { echo "bench: the cc parts built nothing" >&2; exit 1; }
      # The same compilations without kiln (xargs -P, through sh -c as the
      # command recipe): what the machine allows right now.
      for p in 1 2; do
        "${HYPERFINE[@]}" --runs "$JOB_RUNS" --export-json "$tmp/$name-P$p.json" \
          --prepare "cd $d && rm -rf prog?" -n "$name, xargs -P$p" \
          "cd $d && seq 0 7 | xargs -P$p -I{} sh -c 'cc -O2 -o prog{} src/prog{}.c'"
      done
      j1=$(median "$name-P1")
      j2=$(median "$name-P2")
      summary+=("  same without kiln (xargs): -P1 median $j1 ms, -P2 median $j2 ms, -P1/-P2 $(ratio "$j1" "$j2")x")
    fi
  }
  bench_jobs sleep sleep ".kiln"
  # cc -O2 of a ~1000-line file (~0.4 s of CPU), then of a ~40-line one.
  bench_jobs cc cc ".kiln prog?"
  bench_jobs cc-tiny cc ".kiln prog?" --functions 0
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
