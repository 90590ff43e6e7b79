// End-to-end tests of kiln.ini as the `kiln` command reads it: --config,
// $KILN_CONFIG, <root>/kiln.ini (docs/settings.md).
#include <catch2/catch.hpp>
#include <string>

#include "run_kiln.h"

using kiln_test::contains;
using kiln_test::data_path;
using kiln_test::run_kiln;
using kiln_test::RunOptions;
using kiln_test::RunResult;

namespace {

RunOptions with_env(const std::string& name, const std::string& value) {
  RunOptions options;
  options.env[name] = value;
  return options;
}

}  // namespace

TEST_CASE("settings: --config reads a valid kiln.ini", "[cli][settings]") {
  RunResult r = run_kiln(
      {"--config", data_path("settings/good.ini"), "resolve", data_path("basic/software.cfg")});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "message = Hello, Kiln!"));
}

TEST_CASE("settings: --config naming a missing file is an error", "[cli][settings]") {
  std::string missing = data_path("settings/missing.ini");
  RunResult r = run_kiln({"--config", missing, "resolve", data_path("basic/software.cfg")});
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK(contains(r.err, missing));
  CHECK(r.out.empty());
}

TEST_CASE("a bad value in kiln.ini names file and line", "[cli][settings]") {
  std::string ini = data_path("settings/bad-jobs.ini");
  RunResult r = run_kiln({"--config", ini, "resolve", data_path("basic/software.cfg")});
  INFO(r.err);
  CHECK(r.status != 0);
  CHECK(contains(r.err, ini + ":3:"));
  CHECK(contains(r.err, "abc"));
}

TEST_CASE("$KILN_CONFIG is read when --config is absent", "[cli][settings]") {
  std::string ini = data_path("settings/unknown-key.ini");
  RunResult r =
      run_kiln({"resolve", data_path("basic/software.cfg")}, with_env("KILN_CONFIG", ini));
  INFO(r.err);
  CHECK(r.status != 0);
  CHECK(contains(r.err, ini + ":3:"));
  CHECK(contains(r.err, "colour"));

  // --config wins over $KILN_CONFIG.
  RunOptions options = with_env("KILN_CONFIG", ini);
  r = run_kiln(
      {"--config", data_path("settings/good.ini"), "resolve", data_path("basic/software.cfg")},
      options);
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("<root>/kiln.ini is read from $KILN_ROOT", "[cli][settings]") {
  // tests/data/settings/root holds a kiln.ini with an unknown key.
  std::string root = data_path("settings/root");
  RunResult r = run_kiln({"resolve", data_path("basic/software.cfg")}, with_env("KILN_ROOT", root));
  INFO(r.err);
  CHECK(r.status != 0);
  CHECK(contains(r.err, root + "/kiln.ini:2:"));

  // A root without kiln.ini means the defaults.
  r = run_kiln({"resolve", data_path("basic/software.cfg")},
               with_env("KILN_ROOT", data_path("basic")));
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("offline = true in kiln.ini keeps kiln off the network", "[cli][settings]") {
  // http://kiln.invalid/ cannot resolve anyway; offline must refuse before trying.
  RunResult r = run_kiln({"--config", data_path("settings/offline.ini"), "resolve", "--json",
                          "http://kiln.invalid/software.cfg"});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "offline"));
}
