#!/bin/sh
# Fills a libFuzzer corpus directory with the .cfg profiles of the SlapOS tree,
# one file each, plus a few multi-file inputs (three profiles joined by the
# fuzzer's separator). The profiles are test data that stays outside the
# repository: do not commit the corpus.
#
# usage: fuzz/seed.sh [CORPUS_DIR [SLAPOS_DIR]]
#   CORPUS_DIR  default: build-fuzz/corpus
#   SLAPOS_DIR  default: ../shared/corpus/slapos (beside the repository)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/build-fuzz/corpus}
slapos=${2:-$here/../shared/corpus/slapos}
if [ ! -d "$slapos" ]; then
  echo "seed.sh: $slapos not found" >&2
  exit 1
fi
mkdir -p "$corpus"

# Named after the path, so that equal basenames do not clash.
find "$slapos" -name '*.cfg' -type f | sort | while IFS= read -r f; do
  rel=${f#"$slapos"/}
  cp "$f" "$corpus/$(printf '%s' "$rel" | tr '/' '_')"
done

# The separator is "\n%%%%\n" (profile_fuzzer.cc); p0 extends p1 and p2.
find "$slapos" -name '*.cfg' -type f -size -20k | sort | awk 'NR % 7 == 0' | head -90 |
  paste -d '\n' - - - | {
    n=0
    while IFS= read -r a && IFS= read -r b && IFS= read -r c; do
      n=$((n + 1))
      { cat "$a"; printf '\n%%%%%%%%\n'; cat "$b"; printf '\n%%%%%%%%\n'; cat "$c"; } \
        > "$corpus/multi_$n.cfg"
    done
  }

echo "seed.sh: $(find "$corpus" -type f | wc -l) files in $corpus"
