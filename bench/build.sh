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
#   BENCH_JOB_RUNS   rounds of the -j1/-j2 fresh installs (default 5)
#   BENCH_ONLY       `noop` or `jobs` to run one half only
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BENCH_BUILD:-build-release}
PARTS=${BENCH_PARTS:-200}
RUNS=${BENCH_RUNS:-30}
BO_RUNS=$((RUNS / 3 > 5 ? RUNS / 3 : 5))
JOB_RUNS=${BENCH_JOB_RUNS:-5}
ONLY=${BENCH_ONLY:-}
PY=/usr/bin/python3

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
KILN_RECIPE_PATH=$(cd "$BUILD" && pwd)/recipes
export KILN_RECIPE_PATH
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
  "$(hyperfine --version), kiln $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($build_type)"

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
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/noop-kiln.json" \
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
    hyperfine -N --warmup 1 --runs "$BO_RUNS" --export-json "$tmp/noop-buildout.json" \
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
  # rounds DIR CLEAN LABEL CMD [LABEL CMD ...]: JOB_RUNS rounds, each timing every
  # command once with hyperfine (CLEAN removed from DIR before each run). Taking
  # the commands in turn, rather than all runs of one then all of the next, spreads
  # the changes of the machine's load over all of them alike. The times of LABEL
  # are appended to $tmp/LABEL.runs (seconds).
  rounds() {
    local d=$1 clean=$2 r i
    shift 2
    local -a args=("$@")
    for ((r = 1; r <= JOB_RUNS; r++)); do
      for ((i = 0; i < ${#args[@]}; i += 2)); do
        hyperfine --runs 1 --style none --export-json "$tmp/one.json" \
          --prepare "cd $d && rm -rf $clean" "${args[i + 1]}" > /dev/null
        $PY -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["times"][0])' \
          "$tmp/one.json" >> "$tmp/${args[i]}.runs"
        echo "  round $r: ${args[i]} $(tail -1 "$tmp/${args[i]}.runs") s"
      done
    done
  }
  # mid LABEL: the median of $tmp/LABEL.runs in ms.
  mid() {
    $PY -c 'import statistics,sys; print("%.1f" % (statistics.median(float(l) for l in open(sys.argv[1])) * 1000))' \
      "$tmp/$1.runs"
  }
  # bench_jobs NAME KIND [gen_parts.py options]: 8 parts, fresh installs with -j1
  # and -j2; for cc parts, the same compilations run by xargs -P1 and -P2 (through
  # sh -c, as the command recipe does): what the machine allows at that moment.
  bench_jobs() {
    local name=$1 kind=$2 d=$tmp/$1
    shift 2
    $PY bench/gen_parts.py "$kind" "$d" --parts 8 "$@"
    local -a cmds=("$name-j1" "$KILN -j 1 install -q -c $d/buildout.cfg"
      "$name-j2" "$KILN -j 2 install -q -c $d/buildout.cfg")
    if [ "$kind" = cc ]; then
      cmds+=("$name-P1" "cd $d && seq 0 7 | xargs -P1 -I{} sh -c 'cc -O2 -o prog{} src/prog{}.c'"
        "$name-P2" "cd $d && seq 0 7 | xargs -P2 -I{} sh -c 'cc -O2 -o prog{} src/prog{}.c'")
    fi
    echo "== 8 independent parts ($name): $JOB_RUNS rounds of fresh installs, -j1 and -j2"
    rounds "$d" ".kiln prog?" "${cmds[@]}"
    local j1 j2
    j1=$(mid "$name-j1")
    j2=$(mid "$name-j2")
    summary+=("8 x $name: kiln -j1 median $j1 ms, -j2 median $j2 ms, -j1/-j2 $(ratio "$j1" "$j2")x")
    if [ "$kind" = cc ]; then
      [ -x "$d/prog7" ] || { echo "bench: the cc parts built nothing" >&2; exit 1; }
      j1=$(mid "$name-P1")
      j2=$(mid "$name-P2")
      summary+=("  same without kiln (xargs): -P1 median $j1 ms, -P2 median $j2 ms, -P1/-P2 $(ratio "$j1" "$j2")x")
    fi
  }
  bench_jobs sleep sleep
  # cc -O2 of a ~1000-line file (~0.4 s of CPU), then of a ~40-line one.
  bench_jobs cc cc
  bench_jobs cc-tiny cc --functions 0
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
