// End-to-end tests of the `kiln` command line: the real binary, its output
// and exit status.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_kiln.h"

using kiln_test::contains;
using kiln_test::count_lines;
using kiln_test::data_path;
using kiln_test::run_kiln;
using kiln_test::RunResult;
using nlohmann::json;

namespace {

const std::vector<std::string> k_subcommands = {"resolve", "annotate"};

// Signs that an exception escaped to the C++ runtime instead of becoming an error.
void check_no_crash(const RunResult& r) {
  CHECK_FALSE(r.signaled);
  CHECK_FALSE(contains(r.err, "terminate"));
  CHECK_FALSE(contains(r.err, "what()"));
  CHECK_FALSE(contains(r.err, "Aborted"));
}

json parse_json(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  INFO("output: " << text);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

}  // namespace

TEST_CASE("kiln --help lists the sub-commands", "[cli]") {
  RunResult r = run_kiln({"--help"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  for (const std::string& sub : k_subcommands) CHECK(contains(r.out, sub));
  CHECK(contains(r.out, "--config"));
  CHECK(contains(r.out, "--offline"));
}

TEST_CASE("every sub-command has --help", "[cli]") {
  for (const std::string& sub : k_subcommands) {
    RunResult r = run_kiln({sub, "--help"});
    INFO(sub << ": " << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, sub));
    CHECK(contains(r.out, "profile"));
  }
  RunResult r = run_kiln({"resolve", "--help"});
  CHECK(contains(r.out, "--json"));
  CHECK(contains(r.out, "--raw"));
}

TEST_CASE("kiln with no arguments fails with usage on stderr", "[cli]") {
  RunResult r = run_kiln({});
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  check_no_crash(r);
  CHECK(contains(r.err, "subcommand"));
  CHECK(contains(r.err, "--help"));
}

TEST_CASE("an unknown sub-command fails", "[cli]") {
  RunResult r = run_kiln({"frobnicate"});
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  check_no_crash(r);
  CHECK(contains(r.err, "frobnicate"));
}

TEST_CASE("resolve without a profile fails", "[cli]") {
  RunResult r = run_kiln({"resolve"});
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  check_no_crash(r);
  CHECK(contains(r.err, "profile"));
}

TEST_CASE("resolve prints the sections of a profile", "[cli]") {
  RunResult r = run_kiln({"resolve", data_path("basic/software.cfg")});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  for (const char* section : {"[buildout]", "[settings]", "[template]", "[hello]", "[goodbye]"}) {
    CHECK(contains("\n" + r.out, std::string("\n") + section + "\n"));
  }
  CHECK(contains(r.out, "message = Hello, Kiln!\n"));
  CHECK(contains(r.out, "message = Goodbye, everyone.\n"));
  // A multi-line value (+= appended a line) is printed indented.
  CHECK(contains(r.out, "flags =\n    -O2\n    -g\n"));
  // The unresolvable reference is reported, the run still succeeds.
  CHECK(contains(r.err, "escaped:missing"));  // a warning on stderr
}

TEST_CASE("resolve --json is canonical JSON with the resolved values", "[cli]") {
  RunResult r = run_kiln({"resolve", "--json", data_path("basic/software.cfg")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  json j = parse_json(r.out);
  CHECK(j["hello"]["message"] == "Hello, Kiln!");
  CHECK(j["hello"]["recipe"] == "kiln.test:echo");
  CHECK(j["goodbye"]["message"] == "Goodbye, everyone.");
  CHECK(j["template"]["message"] == "Hello, nobody!");
  CHECK(j["settings"]["flags"] == "-O2\n-g");
  CHECK(j["buildout"]["parts"] == "hello\ngoodbye");
  CHECK(j["buildout"]["directory"] == data_path("basic"));
  CHECK_FALSE(j["buildout"].contains("extends"));
  CHECK(j["escaped"]["literal"] == "${hello:message}");  // $$ escape
  CHECK(j["escaped"]["missing"] == "${nowhere:value}");
  CHECK(j["__errors__"].contains("escaped:missing"));
  CHECK(j["__errors__"].size() == 1);
  // The oracle's layout: sorted keys, one-space indent, trailing newline.
  CHECK(r.out == j.dump(1) + "\n");
}

TEST_CASE("resolve --raw stops before substitution", "[cli]") {
  RunResult r = run_kiln({"resolve", "--json", "--raw", data_path("basic/software.cfg")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  json j = parse_json(r.out);
  CHECK(j["hello"]["message"] == "${settings:greeting}, ${:who}!");  // from the macro
  CHECK(j["hello"]["who"] == "${settings:who}");
  CHECK_FALSE(j.contains("__errors__"));
}

TEST_CASE("command-line assignments override the profile", "[cli]") {
  RunResult r = run_kiln({"resolve", "--json", data_path("basic/software.cfg"), "settings:who=CLI",
                          "settings:flags+=-Wall"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  json j = parse_json(r.out);
  CHECK(j["hello"]["message"] == "Hello, CLI!");
  CHECK(j["settings"]["flags"] == "-O2\n-g\n-Wall");
}

TEST_CASE("a relative profile path is relative to the working directory", "[cli]") {
  kiln_test::RunOptions options;
  options.cwd = data_path("basic");
  RunResult r = run_kiln({"resolve", "--json", "software.cfg"}, options);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(parse_json(r.out)["buildout"]["directory"] == data_path("basic"));
}

TEST_CASE("conditional sections follow the host and -D", "[cli]") {
  RunResult r = run_kiln({"resolve", "--json", data_path("basic/software.cfg")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(parse_json(r.out)["platform"]["kernel"] == "Linux");  // the tests run on Linux

  r = run_kiln({"-D", "linux=false", "resolve", "--json", data_path("basic/software.cfg")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_FALSE(parse_json(r.out).contains("platform"));

  r = run_kiln({"-D", "linux", "resolve", data_path("basic/software.cfg")});  // no '='
  CHECK(r.status != 0);
  CHECK(contains(r.err, "NAME=VALUE"));
}

TEST_CASE("a missing profile is one error line naming it", "[cli]") {
  std::string missing = data_path("no-such-dir/nothing.cfg");
  for (const std::string& sub : k_subcommands) {
    RunResult r = run_kiln({sub, missing});
    INFO(sub << ": " << r.err);
    CHECK(r.status != 0);
    check_no_crash(r);
    CHECK(count_lines(r.err) == 1);
    CHECK(contains(r.err, missing));
    CHECK(r.out.empty());
  }
}

TEST_CASE("resolve --json on a missing profile prints __fatal__ and exits 2", "[cli]") {
  std::string missing = data_path("nothing.cfg");
  RunResult r = run_kiln({"resolve", "--json", missing});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  check_no_crash(r);
  json j = parse_json(r.out);
  REQUIRE(j.is_object());
  CHECK(j.size() == 1);
  REQUIRE(j.contains("__fatal__"));
  CHECK(contains(j["__fatal__"].get<std::string>(), missing));
}

TEST_CASE("an extends that does not exist names the file that extends it", "[cli]") {
  RunResult r = run_kiln({"resolve", data_path("broken/extends-missing.cfg")});
  INFO(r.err);
  CHECK(r.status != 0);
  check_no_crash(r);
  CHECK(count_lines(r.err) == 1);
  CHECK(contains(r.err, "not-there.cfg"));
}

TEST_CASE("recursive extends is an error, not a hang or a crash", "[cli]") {
  RunResult r = run_kiln({"resolve", "--json", data_path("broken/cycle-a.cfg")});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  check_no_crash(r);
  CHECK(parse_json(r.out).contains("__fatal__"));
}

TEST_CASE("annotate shows where each value came from", "[cli]") {
  RunResult r = run_kiln({"annotate", data_path("basic/software.cfg")});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "[hello]"));
  CHECK(contains(r.out, "base.cfg:"));
  CHECK(contains(r.out, "software.cfg:"));
}

TEST_CASE("the README's example profile resolves", "[cli]") {
  RunResult r = run_kiln(
      {"resolve", "--json", std::string(KILN_TEST_DATA) + "/../../profiles/hello/software.cfg"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  json j = parse_json(r.out);
  CHECK_FALSE(j.contains("__errors__"));
  CHECK(j["buildout"]["parts"].get<std::string>().find("greeting") != std::string::npos);
}
