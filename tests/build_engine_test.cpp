// End-to-end tests of the build engine with the real binary: incremental
// rebuilds, removal, crash safety, locking, plugin loading errors.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;
using kiln_recipe_test::write_file;

namespace {

// Three command parts; b reads a's output; each appends its name to `log`
// when it is installed.
std::string abc_profile(const std::string& a_value, const std::string& parts = "a b c") {
  std::string part_tpl =
      "recipe = plone.recipe.command\nstop-on-error = true\nlocation = "
      "${buildout:directory}/${:_buildout_section_name_}.out\n";
  return "[buildout]\nparts = " + parts + "\n\n[a]\n" + part_tpl + "value = " + a_value +
         "\ncommand = echo ${:value} > ${:location} && echo a >> ${buildout:directory}/log\n\n"
         "[b]\n" +
         part_tpl +
         "command = cat ${a:location} > ${:location} && echo b >> ${buildout:directory}/log\n\n"
         "[c]\n" +
         part_tpl + "command = echo c > ${:location} && echo c >> ${buildout:directory}/log\n";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    out.push_back(text.substr(pos, nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}

nlohmann::json state_of(const Build& b) {
  return nlohmann::json::parse(read_file(b / ".kiln/installed.json"));
}

// Every path the state records exists, and there is no pending install.
void check_state_matches_disk(const Build& b) {
  nlohmann::json s = state_of(b);
  CHECK(s["pending"].empty());
  for (const auto& [name, part] : s["parts"].items())
    for (const auto& p : part["paths"]) {
      INFO(name << " " << p.get<std::string>());
      CHECK(exists(p.get<std::string>()));
    }
}

}  // namespace

TEST_CASE("changing one option rebuilds that part and the parts referencing it, only", "[build]") {
  Build b;
  b.profile(abc_profile("1"));
  kiln_test::RunResult r = b.install({"-j", "2"});
  REQUIRE(r.status == 0);
  std::vector<std::string> first = lines(read_file(b / "log"));
  std::sort(first.begin(), first.end());
  CHECK(first == std::vector<std::string>{"a", "b", "c"});
  CHECK(read_file(b / "b.out") == "1\n");

  // Nothing changed: nothing reinstalled.
  r = b.install();
  REQUIRE(r.status == 0);
  CHECK(lines(read_file(b / "log")).size() == 3);

  b.profile(abc_profile("2"));
  r = b.install({"-j", "2"});
  REQUIRE(r.status == 0);
  std::vector<std::string> all = lines(read_file(b / "log"));
  REQUIRE(all.size() == 5);
  CHECK(all[3] == "a");  // b needs a: a first
  CHECK(all[4] == "b");
  CHECK(read_file(b / "b.out") == "2\n");
  CHECK(read_file(b / "c.out") == "c\n");
  CHECK(contains(r.out, "Uninstalling a: options changed (command, value)"));
  CHECK(contains(r.out, "Uninstalling b: part a it depends on changed"));
  check_state_matches_disk(b);
}

TEST_CASE("a part removed from the profile: its files go, nothing else", "[build]") {
  Build b;
  b.profile(abc_profile("1"));
  REQUIRE(b.install().status == 0);
  b.profile(abc_profile("1", "a b"));
  kiln_test::RunResult r = b.install();
  REQUIRE(r.status == 0);
  CHECK_FALSE(exists(b / "c.out"));
  CHECK(exists(b / "a.out"));
  CHECK(exists(b / "b.out"));
  CHECK(lines(read_file(b / "log")).size() == 3);  // a and b were not rebuilt
  CHECK_FALSE(state_of(b)["parts"].contains("c"));
  check_state_matches_disk(b);
}

TEST_CASE("a dry run says what would change and why, and changes nothing", "[build]") {
  Build b;
  b.profile(abc_profile("1"));
  REQUIRE(b.install().status == 0);
  std::string before = read_file(b / ".kiln/installed.json");
  b.profile(abc_profile("2", "a b"));
  kiln_test::RunResult r = b.install({"--dry-run"});
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "would uninstall c (no longer a part)"));
  CHECK(contains(r.out, "would uninstall a (options changed (command, value))"));
  CHECK(contains(r.out, "would install b (part a it depends on changed)"));
  CHECK(read_file(b / ".kiln/installed.json") == before);
  CHECK(read_file(b / "a.out") == "1\n");
  CHECK(exists(b / "c.out"));
}

TEST_CASE("a failed install leaves no record and removes what it created", "[build]") {
  Build b;
  b.profile(
      "[buildout]\nparts = bad\n\n[bad]\nrecipe = plone.recipe.command\nstop-on-error = true\n"
      "location = ${buildout:directory}/made\n"
      "command = mkdir -p ${:location} && touch ${:location}/f && exit 3\n");
  kiln_test::RunResult r = b.install();
  CHECK(r.status != 0);
  CHECK(contains(r.err, "part [bad]"));
  CHECK(contains(r.err, "buildout.cfg:5"));
  CHECK_FALSE(exists(b / "made"));
  CHECK_FALSE(state_of(b)["parts"].contains("bad"));
  CHECK(state_of(b)["pending"].empty());
}

TEST_CASE("independent parts run at the same time with -j2", "[build]") {
  // Each part waits (up to 20 s) for the other to have started: only
  // possible when both run at once.
  Build b;
  std::string part =
      "recipe = plone.recipe.command\nstop-on-error = true\n"
      "command = touch ${buildout:directory}/${:me}; i=0; "
      "while [ ! -e ${buildout:directory}/${:other} ] && [ $i -lt 200 ]; do sleep 0.1; "
      "i=$((i+1)); done; test -e ${buildout:directory}/${:other}\n";
  b.profile("[buildout]\nparts = p q\n\n[p]\n" + part + "me = p\nother = q\n\n[q]\n" + part +
            "me = q\nother = p\n");
  kiln_test::RunResult r = b.install({"-j", "2"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
}

TEST_CASE("plugins that cannot be used are refused with a clear error", "[build][plugin]") {
  Build b;
  kiln_test::RunOptions o;
  o.env["KILN_RECIPE_PATH"] = std::string(KILN_TEST_RECIPE_DIR);
  auto install = [&] { return kiln_test::run_kiln({"install", "-c", b.cfg()}, o); };
  SECTION("wrong ABI version") {
    b.profile("[buildout]\nparts = x\n\n[x]\nrecipe = badabi\n");
    kiln_test::RunResult r = install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "buildout.cfg:5"));
    CHECK(contains(r.err, "part [x]"));
    CHECK(contains(r.err, "kiln-recipe-badabi.so"));
    CHECK(contains(r.err, "recipe ABI version 99"));
    CHECK(contains(r.err, "this kiln has version 1"));
  }
  SECTION("not a plugin") {
    b.profile("[buildout]\nparts = x\n\n[x]\nrecipe = notaplugin\n");
    kiln_test::RunResult r = install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "does not export kiln_recipe_plugin"));
  }
  SECTION("missing plugins and entries are all listed before anything runs") {
    b.profile(
        "[buildout]\nparts = x y z ok\n\n[x]\nrecipe = nosuch\n\n[y]\nrecipe = command:nope\n\n"
        "[z]\nrecipe = zc.recipe.egg\n\n[ok]\nrecipe = plone.recipe.command\ncommand = touch "
        "${buildout:directory}/ran\n");
    kiln_test::RunResult r = install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "3 problems with recipes"));
    CHECK(contains(r.err, "buildout.cfg:5: part [x]"));
    CHECK(contains(r.err, "no recipe plugin 'nosuch'"));
    CHECK(contains(r.err, "buildout.cfg:8: part [y]"));
    CHECK(contains(r.err, "has no entry 'nope'"));
    CHECK(contains(r.err, "zc.recipe.egg' is not supported by Kiln"));
    CHECK_FALSE(exists(b / "ran"));
  }
  SECTION("one part's init error does not hide the other recipe problems") {
    std::string sections =
        "[r]\nrecipe = slapos.recipe.build:download\n\n[e]\nrecipe = zc.recipe.egg\n\n"
        "[u]\nrecipe = nosuch.recipe\n\n[c]\nrecipe = slapos.recipe.cmmi\n";
    b.profile("[buildout]\nparts = r e u c\n\n" + sections);
    kiln_test::RunResult r = install();
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "4 problems with recipes"));
    CHECK(contains(r.err,
                   "part [r] (recipe slapos.recipe.build:download): required option "
                   "'url' is missing"));
    CHECK(contains(r.err, "buildout.cfg:8: part [e]"));
    CHECK(contains(r.err, "zc.recipe.egg' is not supported by Kiln"));
    CHECK(contains(r.err, "buildout.cfg:11: part [u]"));
    CHECK(contains(r.err, "no recipe plugin 'nosuch.recipe'"));
    CHECK(contains(r.err, "part [c] (recipe slapos.recipe.cmmi): init failed"));
    // The recipes are looked up before any init: a failing first part hides
    // none of them (r's options are checked at its init, which never comes).
    b.profile("[buildout]\nparts = c r e u\n\n" + sections);
    r = install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "3 problems with recipes"));
    CHECK(contains(r.err, "buildout.cfg:8: part [e]"));
    CHECK(contains(r.err, "buildout.cfg:11: part [u]"));
    CHECK(contains(r.err, "part [c] (recipe slapos.recipe.cmmi): init failed"));
  }
  SECTION("a required option is missing") {
    b.profile("[buildout]\nparts = x\n\n[x]\nrecipe = slapos.recipe.build:download\n");
    kiln_test::RunResult r = install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "buildout.cfg:5"));
    CHECK(contains(r.err, "required option 'url' is missing"));
  }
}

TEST_CASE("kiln graph --dot shows the parts and their dependencies", "[build]") {
  Build b;
  b.profile(abc_profile("1"));
  kiln_test::RunResult r = kiln_test::run_kiln({"graph", "--dot", "-c", b.cfg()});
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "digraph parts {"));
  CHECK(contains(r.out, "\"a\" -> \"b\";"));
  CHECK_FALSE(contains(r.out, "-> \"c\""));
  CHECK_FALSE(exists(b / "a.out"));  // nothing installed
}

TEST_CASE("kiln recipes lists the plugins, their options and the SlapOS names", "[build]") {
  kiln_test::RunResult r = kiln_test::run_kiln({"recipes"});
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "cmmi"));
  CHECK(contains(r.out, "slapos.recipe.cmmi -> cmmi"));
  CHECK(contains(r.out, "(required)"));
}

TEST_CASE("a failed install leaves alone what was there before it started", "[build]") {
  Build b;
  write_file(b / "mine.txt", "precious\n");
  b.profile(
      "[buildout]\nparts = bad\n\n[bad]\nrecipe = plone.recipe.command\nstop-on-error = true\n"
      "location = ${buildout:directory}/mine.txt ${buildout:directory}/made\n"
      "command = mkdir ${buildout:directory}/made && exit 1\n");
  kiln_test::RunResult r = b.install();
  CHECK(r.status == 1);
  CHECK(read_file(b / "mine.txt") == "precious\n");
  CHECK_FALSE(exists(b / "made"));
}

TEST_CASE("values that are not UTF-8 are built and recorded, never a crash", "[build]") {
  Build b;
  b.profile(
      "[buildout]\nparts = t\n\n[t]\nrecipe = slapos.recipe.template\ninline = caf\xe9\n"
      "output = ${buildout:directory}/out\n");
  kiln_test::RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(read_file(b / "out") == "caf\xe9");
  r = b.install();
  CHECK(r.status == 0);
  CHECK(contains(r.out, "0 installed, 1 updated"));
}

TEST_CASE("a build stops on parts without recipe and on values it cannot resolve", "[build]") {
  Build b;
  SECTION("a part without recipe") {
    b.profile("[buildout]\nparts = norecipe\n\n[norecipe]\nfoo = bar\n");
    kiln_test::RunResult r = b.install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "buildout.cfg:5: part [norecipe] has no recipe option"));
  }
  SECTION("a value referencing a broken part") {
    b.profile(
        "[buildout]\nparts =\nx = ${p:output}\n\n[p]\n<= missing-macro\n"
        "recipe = plone.recipe.command\n");
    kiln_test::RunResult r = b.install();
    CHECK(r.status == 1);
    CHECK(contains(r.err, "buildout.cfg:3"));
    CHECK(contains(r.err, "missing-macro"));
  }
}

TEST_CASE("kiln install NAME without a section is a usage error and builds nothing",
          "[build][cli]") {
  Build b;
  b.profile(abc_profile("1"));
  kiln_test::RunResult r = b.install({"a", "nosuchpart"});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "part [nosuchpart]: section [nosuchpart] does not exist"));
  CHECK_FALSE(exists(b / "a.out"));
  // A name in [buildout] parts without a section stays a failed build.
  b.profile("[buildout]\nparts = nosuchpart\n");
  r = b.install();
  CHECK(r.status == 1);
  CHECK(contains(r.err, "[buildout] parts: section [nosuchpart] does not exist"));
}

// Each error line names its file:line once, and a name in `parts` without a
// section says where `parts` is.
TEST_CASE("build errors name the file and line once", "[build]") {
  Build b;
  auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(what); pos != std::string::npos;
         pos = text.find(what, pos + 1))
      ++n;
    return n;
  };
  SECTION("an unknown recipe") {
    b.profile("[buildout]\nparts = a\n\n[a]\nrecipe = no.such.recipe\n");
    kiln_test::RunResult r = b.install();
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "kiln: " + b.cfg() + ":5: part [a]"));
    CHECK(count(r.err, "buildout.cfg:5") == 1);
  }
  SECTION("a Python-only recipe") {
    b.profile("[buildout]\nparts = a\n\n[a]\nrecipe = zc.recipe.egg\n");
    kiln_test::RunResult r = b.install();
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "kiln: " + b.cfg() + ":5: part [a]"));
    CHECK(count(r.err, "buildout.cfg:5") == 1);
  }
  SECTION("a part whose section does not exist") {
    b.profile(
        "[buildout]\ndevelop =\nparts = a missing\n\n[a]\nrecipe = plone.recipe.command\n"
        "command = true\n");
    kiln_test::RunResult r = b.install();
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "kiln: " + b.cfg() + ":3: "));
    CHECK(contains(r.err, "[missing]"));
    CHECK(contains(r.err, "does not exist"));
    CHECK(count(r.err, "buildout.cfg:3") == 1);
  }
}
