// substitute_all: ${section:option} substitution and the `$$` escape, over
// profiles loaded from an in-memory source (load_profile + raw_view). Values
// and the sets of `errors` keys were checked with ../shared/oracle/resolve.py;
// Kiln's error messages are its own (the reference's name no location).
#include "profile/substitute.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "profile/test_support.h"

using kiln::ErrorCode;
using kiln::Expected;
using kiln::profile::Resolved;
using kiln::profile::testing::MemorySource;
using kiln::profile::testing::run_isolated;
using kiln::profile::testing::run_pipeline;
using kiln::profile::testing::value_of;

namespace {

Resolved substituted(const std::string& text) {
  MemorySource src;
  src.files["/w/s.cfg"] = text;
  Expected<Resolved> r = run_pipeline(src, "/w/s.cfg", /*raw=*/false);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(*r);
}

std::vector<std::string> error_keys(const Resolved& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.errors) out.push_back(k);
  return out;
}

std::string error_of(const Resolved& r, const std::string& key) {
  auto it = r.errors.find(key);
  return it == r.errors.end() ? "<no error>" : it->second;
}

}  // namespace

TEST_CASE("substitute: ${section:option}, ${:option} and nested references", "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts = ${a:x}\n"
      "[a]\nx = 1\nself = ${:x}\nnested = ${b:y}\nboth = ${:x}${b:z}${:x}\n"
      "multi = ${:x}\n  ${b:z}\n"
      "[b]\ny = ${a:self}-${:z}\nz = 2\n");
  CHECK(r.errors.empty());
  CHECK(value_of(r, "buildout", "parts") == "1");
  CHECK(value_of(r, "a", "self") == "1");
  CHECK(value_of(r, "a", "nested") == "1-2");
  CHECK(value_of(r, "b", "y") == "1-2");
  CHECK(value_of(r, "a", "both") == "121");
  CHECK(value_of(r, "a", "multi") == "1\n2");
}

TEST_CASE("substitute: _buildout_section_name_", "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts =\n"
      "[a]\nname = ${:_buildout_section_name_}\nother = ${b:_buildout_section_name_}\n"
      "[b]\nv = 1\n");
  CHECK(r.errors.empty());
  CHECK(value_of(r, "a", "name") == "a");
  // zc.buildout's quirk: the name is the referencing section's, not b's.
  CHECK(value_of(r, "a", "other") == "a");
  // Not an option of its own.
  CHECK(value_of(r, "b", "_buildout_section_name_") == "<missing>");
}

TEST_CASE("substitute: the $$ escape", "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts =\n"
      "[a]\nx = 1\n"
      "lit = $${b:c}\n"
      "plain = $$PATH\n"
      "mixed = ${:plain} $$HOME ${:lit}\n"
      "esc = $${a:x} $$PATH ${a:x}\n"
      "ref-lit = ${:lit}\n"
      "ref-plain = ${:plain}\n"
      "triple = $$${:plain}\n"
      "quad = $$$$\n"
      "quad2 = $$$${:plain}\n"
      "odd = $${:plain\n"
      "dollar = ${:plain}$\n");
  CHECK(r.errors.empty());
  CHECK(value_of(r, "a", "lit") == "${b:c}");    // escaped, never substituted
  CHECK(value_of(r, "a", "plain") == "$$PATH");  // no "${": untouched
  CHECK(value_of(r, "a", "esc") == "${a:x} $PATH 1");
  CHECK(value_of(r, "a", "mixed") == "$$PATH $HOME ${b:c}");
  CHECK(value_of(r, "a", "ref-lit") == "${b:c}");  // not substituted again
  CHECK(value_of(r, "a", "ref-plain") == "$$PATH");
  CHECK(value_of(r, "a", "triple") == "$$$PATH");
  CHECK(value_of(r, "a", "quad") == "$$$$");
  CHECK(value_of(r, "a", "quad2") == "$${:plain}");
  CHECK(value_of(r, "a", "odd") == "${:plain");
  CHECK(value_of(r, "a", "dollar") == "$$PATH$");
}

TEST_CASE("substitute: a ${ without } stays literal", "[profile]") {
  Resolved r = substituted("[buildout]\nparts =\n[a]\nx = 1\nu = ${a:x\nv = }${a:x}${\n");
  CHECK(r.errors.empty());
  CHECK(value_of(r, "a", "u") == "${a:x");
  CHECK(value_of(r, "a", "v") == "}1${");
}

TEST_CASE("substitute: unknown section and option are per-option errors", "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts =\n"     // 1-2
      "[a]\n"                     // 3
      "x = 1\n"                   // 4
      "miss-s = ${nope:x}\n"      // 5
      "miss-o = ${a:nope}\n"      // 6
      "esc = ${nope:x} $$HOME\n"  // 7
      "ok = ${:x}\n");            // 8
  CHECK(error_keys(r) == std::vector<std::string>{"a:esc", "a:miss-o", "a:miss-s"});
  // The option keeps its raw value (with the same $$ -> $).
  CHECK(value_of(r, "a", "miss-s") == "${nope:x}");
  CHECK(value_of(r, "a", "miss-o") == "${a:nope}");
  CHECK(value_of(r, "a", "esc") == "${nope:x} $HOME");
  CHECK(value_of(r, "a", "ok") == "1");
  std::string s = error_of(r, "a:miss-s");
  CHECK_THAT(s, Catch::StartsWith("/w/s.cfg:5: "));
  CHECK_THAT(s, Catch::Contains("nope") && Catch::Contains("does not exist"));
  std::string o = error_of(r, "a:miss-o");
  CHECK_THAT(o, Catch::StartsWith("/w/s.cfg:6: "));
  CHECK_THAT(o, Catch::Contains("'nope'") && Catch::Contains("[a]"));
}

TEST_CASE("substitute: an error deep down is reported for every option that needs it",
          "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts =\n"             // 1-2
      "[a]\nx = ${b:x}\n"                 // 3-4
      "[b]\nx = ${:y}\n"                  // 5-6
      "y = ok ${a:nope}\n"                // 7
      "z = ${:y} ${nope:q}\n"             // 8
      "[c]\nuse = ${b:x} and ${b:z}\n");  // 9-10
  CHECK(error_keys(r) == std::vector<std::string>{"a:x", "b:x", "b:y", "b:z", "c:use"});
  // Located where the missing option is referenced.
  for (const auto& [key, message] : r.errors) {
    INFO(key);
    CHECK_THAT(message, Catch::StartsWith("/w/s.cfg:7: "));
  }
  CHECK(value_of(r, "c", "use") == "${b:x} and ${b:z}");
}

TEST_CASE("substitute: a circular reference is an error naming the chain", "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts =\n"        // 1-2
      "[a]\n"                        // 3
      "self-loop = ${:self-loop}\n"  // 4
      "circ1 = ${:circ2}\n"          // 5
      "circ2 = ${b:circ}\n"          // 6
      "fine = ok\n"                  // 7
      "[b]\ncirc = ${a:circ1}\n");   // 8-9
  CHECK(error_keys(r) == std::vector<std::string>{"a:circ1", "a:circ2", "a:self-loop", "b:circ"});
  CHECK(value_of(r, "a", "circ1") == "${:circ2}");
  CHECK(value_of(r, "a", "fine") == "ok");
  std::string c = error_of(r, "a:circ1");
  CHECK_THAT(c, Catch::StartsWith("/w/s.cfg:5: "));
  CHECK_THAT(c, Catch::Contains("circular reference"));
  CHECK_THAT(c, Catch::Contains("${a:circ1} -> ${a:circ2} -> ${b:circ} -> ${a:circ1}"));
  CHECK_THAT(error_of(r, "a:self-loop"), Catch::Contains("${a:self-loop} -> ${a:self-loop}"));
  CHECK_THAT(error_of(r, "b:circ"), Catch::StartsWith("/w/s.cfg:9: "));
}

TEST_CASE("substitute: invalid reference syntax", "[profile]") {
  Resolved r = substituted(
      "[buildout]\nparts =\n"  // 1-2
      "[a]\n"                  // 3
      "three = ${a:b:c}\n"     // 4
      "one = ${a}\n"           // 5
      "slash = ${a/b:c}\n"     // 6
      "empty = ${:}\n"         // 7
      "opt = ${a:b/c}\n"       // 8
      "space = ${a :x}\n"      // 9: a valid name: section "a "
      "x = 1\n");
  CHECK(error_keys(r) ==
        std::vector<std::string>{"a:empty", "a:one", "a:opt", "a:slash", "a:space", "a:three"});
  for (const char* k : {"three", "one", "slash", "empty", "opt", "space"}) {
    INFO(k);
    CHECK(value_of(r, "a", k) != "<missing>");
    CHECK_THAT(value_of(r, "a", k), Catch::StartsWith("${"));
  }
  CHECK_THAT(error_of(r, "a:three"), Catch::StartsWith("/w/s.cfg:4: "));
  CHECK_THAT(error_of(r, "a:three"), Catch::Contains("${a:b:c}") && Catch::Contains("colons"));
  CHECK_THAT(error_of(r, "a:one"), Catch::Contains("${a}") && Catch::Contains("colon"));
  CHECK_THAT(error_of(r, "a:slash"), Catch::StartsWith("/w/s.cfg:6: "));
  CHECK_THAT(error_of(r, "a:slash"), Catch::Contains("${a/b:c}") && Catch::Contains("invalid"));
  CHECK_THAT(error_of(r, "a:empty"), Catch::Contains("${:}"));
  CHECK_THAT(error_of(r, "a:opt"), Catch::Contains("option name") && Catch::Contains("invalid"));
  CHECK_THAT(error_of(r, "a:space"), Catch::Contains("[a ]"));
}

TEST_CASE("substitute: a long reference chain within the limit resolves", "[profile]") {
  std::string text = "[buildout]\nparts =\n[a]\n";
  for (int i = 0; i < 900; ++i)
    text += "v" + std::to_string(i) + " = ${:v" + std::to_string(i + 1) + "}\n";
  text += "v900 = end\n";
  Resolved r = substituted(text);
  CHECK(r.errors.empty());
  CHECK(value_of(r, "a", "v0") == "end");
}

TEST_CASE("substitute: a 5000-deep reference chain is an error, not a crash", "[profile]") {
  // The reference stops with RecursionError (fatal).
  auto deep_options = [] {
    std::string text = "[buildout]\nparts =\n[a]\n";
    for (int i = 0; i < 5000; ++i)
      text += "v" + std::to_string(i) + " = ${:v" + std::to_string(i + 1) + "}\n";
    return text + "v5000 = end\n";
  };
  auto deep_sections = [] {
    std::string text = "[buildout]\nparts =\n";
    for (int i = 0; i < 5000; ++i)
      text += "[s" + std::to_string(i) + "]\nv = ${s" + std::to_string(i + 1) + ":v}\n";
    return text + "[s5000]\nv = end\n";
  };
  for (const std::string& text : {deep_options(), deep_sections()}) {
    std::string how;
    bool fine = run_isolated(
        [&] {
          MemorySource src;
          src.files["/w/s.cfg"] = text;
          Expected<Resolved> r = run_pipeline(src, "/w/s.cfg", false);
          return !r.ok() && r.error().code == ErrorCode::k_reference &&
                 r.error().message.find("deeper than") != std::string::npos;
        },
        &how);
    INFO(how);
    CHECK(fine);
  }
}

TEST_CASE("substitute: [buildout] defaults and standard directories", "[profile]") {
  MemorySource src;
  src.files["/w/main.cfg"] =
      "[buildout]\nparts = ${a:x}\nextends = sub/b.cfg\nbin-directory = ${:directory}/mybin\n"
      "[a]\nx = 1\n";
  src.files["/w/sub/b.cfg"] =
      "[buildout]\neggs-directory = e\ndownload-cache = dl\nparts-directory = p\n";
  Expected<Resolved> sub = run_pipeline(src, "/w/main.cfg", false);
  REQUIRE(sub.ok());
  CHECK(sub->errors.empty());
  CHECK(value_of(*sub, "buildout", "directory") == "/w");
  CHECK(value_of(*sub, "buildout", "bin-directory") == "/w/mybin");
  CHECK(value_of(*sub, "buildout", "parts-directory") == "/w/p");  // under directory
  CHECK(value_of(*sub, "buildout", "develop-eggs-directory") == "/w/develop-eggs");
  // The cache directories are relative to the file that sets them.
  CHECK(value_of(*sub, "buildout", "eggs-directory") == "/w/sub/e");
  CHECK(value_of(*sub, "buildout", "download-cache") == "/w/sub/dl");
  CHECK(value_of(*sub, "buildout", "installed") == "/w/.installed.cfg");
  CHECK(value_of(*sub, "buildout", "executable") == "/usr/bin/python3");
  CHECK(value_of(*sub, "buildout", "offline") == "false");
  CHECK(value_of(*sub, "buildout", "newest") == "true");
  CHECK(value_of(*sub, "buildout", "versions") == "versions");
  CHECK(sub->sections.count("versions") == 1);
  CHECK(value_of(*sub, "buildout", "parts") == "1");

  // The raw view: no substitution; `installed` stays relative.
  Expected<Resolved> raw = run_pipeline(src, "/w/main.cfg", true);
  REQUIRE(raw.ok());
  CHECK(value_of(*raw, "buildout", "bin-directory") == "${:directory}/mybin");
  CHECK(value_of(*raw, "buildout", "parts-directory") == "/w/p");
  CHECK(value_of(*raw, "buildout", "installed") == ".installed.cfg");
  CHECK(value_of(*raw, "buildout", "parts") == "${a:x}");
}

TEST_CASE("substitute: a remote profile has no [buildout] directory", "[profile]") {
  MemorySource src;
  src.urls["http://x/a.cfg"] = "[buildout]\nparts =\n[s]\nd = ${buildout:directory}\n";
  Expected<Resolved> r = run_pipeline(src, "http://x/a.cfg", false);
  REQUIRE(r.ok());
  CHECK(r->errors.count("buildout:directory") == 1);
  CHECK(r->errors.count("s:d") == 1);
  CHECK(value_of(*r, "s", "d") == "${buildout:directory}");
  CHECK(value_of(*r, "buildout", "bin-directory") == "/cwd/bin");  // from the raw view
}

TEST_CASE("substitute: a relative cache directory in a remote profile is refused", "[profile]") {
  MemorySource src;
  src.urls["http://x/a.cfg"] = "[buildout]\nparts =\neggs-directory = eggs\n";
  Expected<Resolved> r = run_pipeline(src, "http://x/a.cfg", true);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::k_invalid);
  CHECK(r.error().file == "http://x/a.cfg");
  CHECK(r.error().line == 3);
  CHECK_THAT(r.error().message, Catch::Contains("eggs-directory") && Catch::Contains("eggs"));
  // An absolute one is fine.
  src.urls["http://x/a.cfg"] = "[buildout]\nparts =\neggs-directory = /var/eggs\n";
  Expected<Resolved> ok = run_pipeline(src, "http://x/a.cfg", true);
  REQUIRE(ok.ok());
  CHECK(value_of(*ok, "buildout", "eggs-directory") == "/var/eggs");
}
