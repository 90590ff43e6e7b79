// End-to-end tests of how the `kiln` command line treats bad usage: empty,
// missing or wrong paths, extra arguments, exit statuses (README.md, "Exit
// status": 2 = bad command line), and a relative --root.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_kiln.h"
#include "util/scratch_dir.h"

using kiln_test::contains;
using kiln_test::count_lines;
using kiln_test::data_path;
using kiln_test::RunOptions;
using kiln_test::RunResult;

namespace {

std::string release_basic() {
  return data_path("release-basic/software.cfg");
}

// Exit status 2, one `kiln: ` line on stderr, no crash.
void check_usage_error(const RunResult& r) {
  CHECK_FALSE(r.signaled);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("kiln: ", 0) == 0);
  CHECK(count_lines(r.err) == 1);
  CHECK_FALSE(contains(r.err, "terminate"));
}

bool is_empty_dir(const std::string& dir) {
  std::error_code ec;
  return !std::filesystem::exists(dir, ec) || std::filesystem::is_empty(dir, ec);
}

// A scratch root; stops its supervisor, if any, at the end.
class Root {
 public:
  Root() : m_dir("kiln-cli-usage") {}
  ~Root() { kiln({"ctl", "shutdown"}); }
  std::string root() const { return m_dir / "root"; }
  std::string operator/(const std::string& rel) const { return m_dir / rel; }
  RunResult kiln(std::vector<std::string> args, RunOptions o = {}) const {
    args.insert(args.begin(), {"--root", root(), "--cache-dir", m_dir / "cache"});
    return kiln_test::run_kiln(args, o);
  }

 private:
  kiln::util::ScratchDir m_dir;
};

}  // namespace

TEST_CASE("cli usage: an empty profile or release path is an error, not a crash", "[cli]") {
  Root r;
  const std::vector<std::vector<std::string>> commands = {
      {"software", ""}, {"request", "a", ""},  {"resolve", ""},    {"resolve", "--json", ""},
      {"annotate", ""}, {"install", "-c", ""}, {"graph", "-c", ""}};
  for (const std::vector<std::string>& args : commands) {
    RunResult res = r.kiln(args);
    INFO(args[0] << ": " << res.out << res.err);
    check_usage_error(res);
    CHECK(contains(res.err, "empty"));
  }
  CHECK(is_empty_dir(r.root()));
}

TEST_CASE("cli usage: a relative --root is made absolute, a deploy from it works", "[cli]") {
  Root r;
  std::filesystem::create_directories(r / "cwd");
  RunOptions in_cwd;
  in_cwd.cwd = r / "cwd";
  auto kiln = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", "relroot", "--cache-dir", r / "cache"});
    return kiln_test::run_kiln(args, in_cwd);
  };
  RunResult req =
      kiln({"request", "a", release_basic(), "--param", "message=x", "--param", "expect=x"});
  INFO(req.out << req.err);
  REQUIRE(req.status == 0);
  RunResult node = kiln({"node"});
  INFO(node.out << node.err);
  CHECK(node.status == 0);
  std::string root = r / "cwd/relroot";
  std::ifstream cfg(root + "/instance/slappart0/buildout.cfg");
  std::string text((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  CHECK(contains(text, root + "/software/"));
  RunResult show = kiln({"show", "a", "--json"});
  REQUIRE(show.status == 0);
  nlohmann::json info = nlohmann::json::parse(show.out);
  CHECK(info["connection"]["message"] == "x");
  CHECK(kiln({"ctl", "shutdown"}).status == 0);
}

TEST_CASE("cli usage: an explicit empty --root, --config or --cache-dir is refused", "[cli]") {
  kiln::util::ScratchDir home("kiln-cli-home");
  RunOptions o;
  o.env["HOME"] = home.path().string();
  o.env["KILN_ROOT"] = std::nullopt;  // the default root would be under $HOME
  for (const char* flag : {"--root", "--config", "--cache-dir"}) {
    RunResult r = kiln_test::run_kiln({flag, "", "request", "a", release_basic()}, o);
    INFO(flag << ": " << r.out << r.err);
    check_usage_error(r);
    CHECK(contains(r.err, flag));
  }
  CHECK(is_empty_dir(home.path().string()));
  // An empty variable is an unset one: the defaults apply.
  o.env["KILN_CONFIG"] = "";
  o.env["KILN_ROOT"] = "";
  RunResult r = kiln_test::run_kiln({"resolve", release_basic()}, o);
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("cli usage: ctl shutdown and reload take no argument, status of nothing is one error",
          "[cli]") {
  Root r;
  RunResult started = r.kiln({"supervisor", "--daemon"});
  INFO(started.out << started.err);
  REQUIRE(started.status == 0);
  for (const char* action : {"shutdown", "reload"}) {
    RunResult res = r.kiln({"ctl", action, "slappart1"});
    INFO(action << ": " << res.out << res.err);
    check_usage_error(res);
    CHECK(contains(res.err, "takes no argument"));
    CHECK(r.kiln({"ctl", "status"}).status == 0);  // the supervisor still runs
  }
  RunResult status = r.kiln({"ctl", "status", "nope"});
  CHECK(status.status == 1);
  CHECK(status.out.empty());
  CHECK(contains(status.err, "no service or partition named 'nope'"));
  CHECK(r.kiln({"ctl", "shutdown"}).status == 0);
}

TEST_CASE("cli usage: every command-line error exits 2 with one kiln: line", "[cli]") {
  const std::string s = release_basic();
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"resolve"},
      {"resolve", "--bogus", s},
      {"-j", "0", "resolve", s},
      {"-j", "4097", "resolve", s},
      {"--jobs", "x", "resolve", s},
      {"ctl", "status", "a", "b"},
      {"ctl", "frob"},
      {"node", "bogus"},
      {"request", "a"},
      {"supervisor", "--log-keep", "1001"},
      {"--config", "/nowhere/kiln.ini", "resolve", s},
      {"--config", "/nowhere/kiln.ini", "annotate", s},
      {"--config", "/nowhere/kiln.ini", "graph", "-c", s},
      {"--config", "/nowhere/kiln.ini", "install", "-c", s},
      {"--config", "/nowhere/kiln.ini", "software", s},
      {"--config", "/nowhere/kiln.ini", "request", "a", s},
      {"--config", "/nowhere/kiln.ini", "node"},
      {"--config", "/nowhere/kiln.ini", "show"},
      {"--config", "/nowhere/kiln.ini", "ctl", "status"},
      {"--config", "/nowhere/kiln.ini", "supervisor"},
  };
  for (const std::vector<std::string>& args : bad) {
    std::string line;
    for (const std::string& a : args) line += a + " ";
    RunResult r = kiln_test::run_kiln(args);
    INFO(line << "-> " << r.status << ": " << r.err);
    check_usage_error(r);
  }
  // --help and --version still succeed; -j has kiln.ini's bound.
  RunResult help = kiln_test::run_kiln({"--help"});
  CHECK(help.status == 0);
  CHECK(contains(help.out, "Exit status: 0 success"));
  CHECK(kiln_test::run_kiln({"ctl", "--help"}).status == 0);
  CHECK(kiln_test::run_kiln({"--version"}).status == 0);
  CHECK(kiln_test::run_kiln({"-j", "4096", "resolve", s}).status == 0);
}

TEST_CASE("cli usage: a missing, directory or bad profile exits 2 for every profile command",
          "[cli]") {
  kiln::util::ScratchDir dir("kiln-cli-profile");
  std::string bad = dir / "bad.cfg";
  std::ofstream(bad) << "[buildout\nparts =\n";
  std::string missing = dir / "missing.cfg";
  std::string directory = dir.path().string();
  RunOptions in_dir;
  in_dir.cwd = directory;
  for (const std::string& profile : {bad, missing, directory}) {
    const std::vector<std::vector<std::string>> commands = {{"resolve", profile},
                                                            {"annotate", profile},
                                                            {"graph", "-c", profile},
                                                            {"install", "-c", profile}};
    for (const std::vector<std::string>& args : commands) {
      RunResult r = kiln_test::run_kiln(args, in_dir);
      INFO(args[0] << " " << profile << ": " << r.err);
      check_usage_error(r);
      CHECK(contains(r.err, profile));
      if (profile == directory) CHECK(contains(r.err, "is a directory, expected a profile file"));
    }
  }
  // install and graph default to ./buildout.cfg.
  for (const char* cmd : {"install", "graph"}) {
    RunResult r = kiln_test::run_kiln({cmd}, in_dir);
    INFO(cmd << ": " << r.err);
    check_usage_error(r);
    CHECK(contains(r.err, "buildout.cfg"));
  }
}

TEST_CASE("cli usage: software or request of a directory is refused, the root left untouched",
          "[cli]") {
  Root r;
  std::filesystem::create_directories(r / "release");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"software", r / "release"}, {"request", "x", r / "release"}}) {
    RunResult res = r.kiln(args);
    INFO(args[0] << ": " << res.out << res.err);
    check_usage_error(res);
    CHECK(contains(res.err, r / "release" + ": is a directory, expected a profile file"));
  }
  CHECK(is_empty_dir(r.root()));
}

TEST_CASE("cli usage: supervisor --log-max-bytes 0 is refused", "[cli]") {
  Root r;
  RunResult res = r.kiln({"supervisor", "--daemon", "--log-max-bytes", "0"});
  INFO(res.out << res.err);
  check_usage_error(res);
  CHECK(contains(res.err, "--log-max-bytes"));
  CHECK(r.kiln({"ctl", "status"}).status == 1);  // no supervisor was started
}
