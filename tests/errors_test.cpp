// Bad input through the real binary: every fatal problem is ONE clear line on
// stderr naming file:line, a non-zero exit, and no crash; unresolvable
// references are reported but not fatal.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_kiln.h"

using kiln_test::contains;
using kiln_test::data_path;
using kiln_test::run_kiln;
using kiln_test::RunResult;

namespace {

// One fatal error: exit 2, exactly one line on stderr that starts with
// "kiln: <file>:<line>: ", no output, no sign of a crash.
void check_fatal(const RunResult& r, const std::string& file, int line) {
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK_FALSE(r.signaled);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.rfind("kiln: " + file + ":" + std::to_string(line) + ": ", 0) == 0);
  CHECK_FALSE(contains(r.err, "terminate"));
  CHECK_FALSE(contains(r.err, "what()"));
}

std::string temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-e2e-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

}  // namespace

TEST_CASE("a bad section header names file:line and what was expected", "[errors]") {
  std::string f = data_path("errors/bad-header.cfg");
  RunResult r = run_kiln({"resolve", f});
  check_fatal(r, f, 3);
  CHECK(contains(r.err, "bad section header"));
  CHECK(contains(r.err, "'[a'"));
}

TEST_CASE("a line that is not an option names file:line", "[errors]") {
  std::string f = data_path("errors/bad-option.cfg");
  RunResult r = run_kiln({"resolve", f});
  check_fatal(r, f, 3);
  CHECK(contains(r.err, "expected `name = value`"));
  CHECK(contains(r.err, "this line is not an option"));
}

TEST_CASE("an unknown section in a reference is reported with file:line, not fatal", "[errors]") {
  std::string f = data_path("errors/unknown-section.cfg");
  RunResult r = run_kiln({"resolve", f});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "x = ${nope:y}"));
  CHECK(contains(r.err, f + ":4: [a] x: ${nope:y}: section [nope] does not exist"));
  RunResult j = run_kiln({"resolve", "--json", f});
  CHECK(j.status == 0);
  CHECK(contains(j.out, "\"a:x\": \"" + f + ":4:"));
}

TEST_CASE("a cycle in references names the whole chain", "[errors]") {
  std::string f = data_path("errors/ref-cycle.cfg");
  RunResult r = run_kiln({"resolve", f});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.err, f + ":4: [a] x: circular reference: ${a:x} -> ${b:y} -> ${a:x}"));
}

TEST_CASE("a cycle in macros names the chain at the `<=` line", "[errors]") {
  std::string f = data_path("errors/macro-cycle.cfg");
  RunResult r = run_kiln({"resolve", f});
  check_fatal(r, f, 4);
  CHECK(contains(r.err, "macro loop: [a] -> [b] -> [a]"));
}

TEST_CASE("a condition Kiln cannot evaluate is an error, never a silent false", "[errors]") {
  std::string f = data_path("errors/bad-condition.cfg");
  RunResult r = run_kiln({"resolve", f});
  check_fatal(r, f, 3);
  CHECK(contains(r.err, "in the condition of section [a]"));
}

TEST_CASE("an unreachable URL in extends names the extends line", "[errors]") {
  std::string f = data_path("errors/unreachable.cfg");
  std::string cache = temp_dir();
  RunResult r = run_kiln({"--cache-dir", cache, "resolve", f});
  check_fatal(r, f, 2);
  CHECK(contains(r.err, "cannot download http://127.0.0.1:9/unreachable.cfg"));
  std::filesystem::remove_all(cache);
}

TEST_CASE("offline with nothing cached says what to do, without touching the network", "[errors]") {
  std::string f = data_path("errors/offline-miss.cfg");
  std::string cache = temp_dir();
  RunResult r = run_kiln({"--offline", "--cache-dir", cache, "resolve", f});
  check_fatal(r, f, 2);
  CHECK(
      contains(r.err, "offline: http://127.0.0.1:9/never-cached.cfg is not in the extends cache"));
  std::filesystem::remove_all(cache);
}

TEST_CASE("a bad git ref names the extends line and the ref", "[errors]") {
  std::string dir = temp_dir();
  std::string repo = dir + "/repo";
  std::string git = "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main";
  std::string setup = "mkdir -p " + repo + " && cd " + repo + " && " + git + " init -q && " +
                      "printf '[buildout]\\nparts =\\n[a]\\nx = 1\\n' > a.cfg && " + git +
                      " add a.cfg && " + git + " commit -qm init";
  REQUIRE(std::system(setup.c_str()) == 0);
  std::string profile = dir + "/p.cfg";
  std::ofstream(profile) << "[buildout]\nextends = git+file://" << repo
                         << "@no-such-branch#a.cfg\n";
  RunResult r = run_kiln({"--cache-dir", dir + "/cache", "resolve", profile});
  check_fatal(r, profile, 2);
  CHECK(contains(r.err, "no-such-branch"));

  std::ofstream(profile) << "[buildout]\nextends = git+file://" << repo << "@main#a.cfg\n";
  RunResult ok = run_kiln({"--cache-dir", dir + "/cache", "resolve", profile});
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(contains(ok.out, "[a]\nx = 1\n"));
  std::filesystem::remove_all(dir);
}
