#!/usr/bin/env bash
# The out-of-tree recipe SDK, end to end (ctest: plugin_example):
#  1. `cmake --install` of Kiln's build tree into a temporary prefix, which must
#     hold the SDK (headers, lib/cmake/Kiln), bin/kiln and the in-tree plugins;
#  2. profiles/plugin-example built against that prefix (find_package(Kiln));
#  3. the INSTALLED kiln, with KILN_RECIPE_PATH=<example build dir>, lists the
#     greeting plugin and installs a copy of the example profile.
#
#   plugin_example_test.sh SOURCE_DIR BUILD_DIR [CMAKE [GENERATOR]]
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR [CMAKE [GENERATOR]]" >&2
  exit 2
fi
src=$1
build=$2
cmake=${3:-cmake}
generator=${4:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-plugin-example.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "plugin_example: FAILED: $*" >&2
  exit 1
}

step() { echo "== $*"; }

prefix=$tmp/prefix
step "cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$tmp/install.log" ||
  { cat "$tmp/install.log"; fail "cmake --install"; }

# Where GNUInstallDirs put the libraries (lib, or lib64 on some systems).
libdir=
for d in lib lib64 lib/x86_64-linux-gnu lib/aarch64-linux-gnu; do
  if [ -f "$prefix/$d/cmake/Kiln/KilnConfig.cmake" ]; then libdir=$d; fi
done
[ -n "$libdir" ] || { find "$prefix" >&2; fail "no lib*/cmake/Kiln/KilnConfig.cmake installed"; }
for f in include/kiln/recipe_abi.h include/kiln/recipe.hpp \
  "$libdir/cmake/Kiln/KilnConfig.cmake" "$libdir/cmake/Kiln/KilnConfigVersion.cmake" \
  "$libdir/cmake/Kiln/KilnRecipe.cmake" bin/kiln \
  "$libdir/kiln/recipes/kiln-recipe-command.so" "$libdir/kiln/recipes/kiln-recipe-mkdirectory.so"; do
  [ -f "$prefix/$f" ] || { find "$prefix" >&2; fail "$f is not installed"; }
done
[ -x "$prefix/bin/kiln" ] || fail "bin/kiln is not executable"

step "configure and build profiles/plugin-example against $prefix"
example=$tmp/example-build
gen_args=()
if [ -n "$generator" ]; then gen_args=(-G "$generator"); fi
"$cmake" -S "$src/profiles/plugin-example" -B "$example" "${gen_args[@]}" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Werror" > "$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log"; fail "configuring the example"; }
# The config file found must be the installed one, not the build tree's.
grep -q "^Kiln_DIR:PATH=$prefix/" "$example/CMakeCache.txt" ||
  { grep Kiln_DIR "$example/CMakeCache.txt" >&2 || true; fail "Kiln_DIR is not under $prefix"; }
"$cmake" --build "$example" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "building the example"; }
[ -f "$example/kiln-recipe-greeting.so" ] || { ls -l "$example" >&2; fail "no kiln-recipe-greeting.so"; }
# The descriptor is exported, the recipe's own code is not (hidden visibility;
# libstdc++'s vague-linkage std:: symbols may remain).
if command -v nm > /dev/null; then
  nm -D --defined-only "$example/kiln-recipe-greeting.so" > "$tmp/symbols.txt"
  grep -q " T kiln_recipe_plugin$" "$tmp/symbols.txt" || { cat "$tmp/symbols.txt"; fail "kiln_recipe_plugin is not exported"; }
  if grep -q Greeting "$tmp/symbols.txt"; then cat "$tmp/symbols.txt"; fail "the recipe's symbols are exported"; fi
fi

kiln=$prefix/bin/kiln
export KILN_RECIPE_PATH=$example
# Hermetic: no user kiln.ini.
export KILN_ROOT=$tmp/kiln-root
unset KILN_CONFIG

step "kiln recipes"
"$kiln" recipes > "$tmp/recipes.txt" 2>&1 || { cat "$tmp/recipes.txt"; fail "kiln recipes"; }
grep -q "^greeting 1.0  ($example/kiln-recipe-greeting.so)" "$tmp/recipes.txt" ||
  { cat "$tmp/recipes.txt"; fail "kiln recipes does not list the greeting plugin"; }
grep -q "^  greeting — Writes a greeting into a file" "$tmp/recipes.txt" ||
  { cat "$tmp/recipes.txt"; fail "kiln recipes does not describe greeting"; }
grep -q "greeting \[default: Hello, world!\]" "$tmp/recipes.txt" ||
  { cat "$tmp/recipes.txt"; fail "kiln recipes does not show greeting's default"; }
# The installed kiln also searches its prefix (after the build tree it came from).
grep -q "^  .*/bin/\.\./lib/kiln/recipes$" "$tmp/recipes.txt" ||
  { cat "$tmp/recipes.txt"; fail "the search path misses <prefix>/lib/kiln/recipes"; }
grep -q "^command " "$tmp/recipes.txt" || { cat "$tmp/recipes.txt"; fail "no command plugin"; }

step "kiln install -c buildout.cfg"
work=$tmp/work
mkdir "$work"
cp "$src/profiles/plugin-example/buildout.cfg" "$work/"
(cd "$work" && "$kiln" install -c buildout.cfg) > "$tmp/install-1.log" 2>&1 ||
  { cat "$tmp/install-1.log"; fail "kiln install"; }
cat "$tmp/install-1.log"
expect() {
  local file=$1 text=$2
  [ -f "$file" ] || fail "$file was not written"
  [ "$(cat "$file")" = "$text" ] || fail "$file holds '$(cat "$file")', expected '$text'"
}
expect "$work/hello.txt" "Hello from an out-of-tree plugin!"
expect "$work/parts/farewell/greeting.txt" "Goodbye (the hello part wrote $work/hello.txt)"
grep -q '"hello"' "$work/.kiln/installed.json" || fail "hello is not in .kiln/installed.json"

step "kiln install again: nothing to do, a file changed by hand is rewritten"
echo changed > "$work/hello.txt"
(cd "$work" && "$kiln" install -c buildout.cfg) > "$tmp/install-2.log" 2>&1 ||
  { cat "$tmp/install-2.log"; fail "second kiln install"; }
grep -q "0 installed" "$tmp/install-2.log" || { cat "$tmp/install-2.log"; fail "parts reinstalled"; }
expect "$work/hello.txt" "Hello from an out-of-tree plugin!"

step "a part removed from the profile is uninstalled (its file removed)"
sed -i 's/^  farewell$//' "$work/buildout.cfg"
(cd "$work" && "$kiln" install -c buildout.cfg) > "$tmp/install-3.log" 2>&1 ||
  { cat "$tmp/install-3.log"; fail "third kiln install"; }
[ ! -e "$work/parts/farewell/greeting.txt" ] || fail "farewell's file was not removed"
expect "$work/hello.txt" "Hello from an out-of-tree plugin!"

echo "plugin_example: OK"
