#!/bin/sh
# Regenerates the archives software.cfg downloads over file:// URLs and pins
# their md5sums (and the instance template's) in software.cfg:
#
#   hello-src.tar.gz   src/  as hello-server-1.0.0/...
#   hello-data.tar.gz  data/ as hello-data/...
#
# The archives are reproducible (sorted names, fixed mtime/owner/modes, gzip
# without a timestamp), so running this on unchanged sources changes nothing.
# tests/software_hello_test.cpp checks that they match src/ and data/.
# Needs GNU tar and gzip. Run it after any change to src/, data/ or
# instance.cfg.in, and commit the results.
set -eu
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pack DIR TOP ARCHIVE: DIR's files under TOP/ in ARCHIVE (tar.gz).
pack() {
  mkdir "$tmp/$2"
  (cd "$1" && tar -cf - .) | (cd "$tmp/$2" && tar -xf -)
  tar -C "$tmp" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --mode='u+rwX,go+rX,go-w' --format=ustar -cf - "$2" | gzip -9n > "$3.tmp"
  mv -f "$3.tmp" "$3"
  echo "make-tarballs: $3 ($(md5sum < "$3" | cut -d' ' -f1))"
}

pack src hello-server-1.0.0 hello-src.tar.gz
pack data hello-data hello-data.tar.gz

md5() { md5sum < "$1" | cut -d' ' -f1; }

# Pins md5sum = ... in the section [$1] of software.cfg to $2.
pin() {
  awk -v section="[$1]" -v sum="$2" '
    /^\[/ { in_section = ($0 == section) }
    in_section && /^md5sum *=/ { $0 = "md5sum = " sum }
    { print }' software.cfg > "$tmp/software.cfg"
  cat "$tmp/software.cfg" > software.cfg
}

pin hello "$(md5 hello-src.tar.gz)"
pin hello-data "$(md5 hello-data.tar.gz)"
pin instance-profile "$(md5 instance.cfg.in)"
echo "make-tarballs: md5sums pinned in software.cfg"
