// E2E tests of the `wrapper` recipe (slapos.cookbook:wrapper): the scripts it
// writes are run.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::crashed;
using kiln_recipe_test::exists;
using kiln_recipe_test::mode_of;
using kiln_recipe_test::read_file;
using kiln_recipe_test::sh;
using kiln_recipe_test::write_file;
using kiln_test::RunResult;

namespace {

std::string profile(const std::string& options) {
  return "[buildout]\nparts = x\n\n[x]\nrecipe = slapos.cookbook:wrapper\n" + options;
}

}  // namespace

TEST_CASE("wrapper: the script passes quoted arguments and the environment",
          "[recipe][wrapper]") {
  Build b;
  b.profile(profile("wrapper-path = " + (b / "etc/service/app") +
                    "\ncommand-line = /usr/bin/printf '[%s]\\n' 'a b' \"it's\" plain \"$HOME\"\n"
                    "environment =\n  GREETING = hello world\n  EMPTY=\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::string wrapper = b / "etc/service/app";
  CHECK(mode_of(wrapper) == 0755);
  RunResult run = kiln_test::run_program(wrapper, {"ignored"});
  CHECK(run.status == 0);
  CHECK(run.out == "[a b]\n[it's]\n[plain]\n[$HOME]\n");
  write_file(b / "env.sh", "#!/bin/sh\necho \"$GREETING|${EMPTY-unset}\"\n");
  std::filesystem::permissions(b / "env.sh", std::filesystem::perms(0755));
  b.profile(profile("wrapper-path = " + wrapper + "\ncommand-line = " + (b / "env.sh") +
                    "\nenvironment = GREETING = hello world\n  EMPTY=\n"));
  REQUIRE(b.install().status == 0);
  CHECK(kiln_test::run_program(wrapper, {}).out == "hello world|\n");
}

TEST_CASE("wrapper: parameters-extra passes the wrapper's own arguments on",
          "[recipe][wrapper]") {
  Build b;
  b.profile(profile("wrapper-path = " + (b / "w") +
                    "\ncommand-line = /usr/bin/printf '<%s>' first\nparameters-extra = true\n"));
  REQUIRE(b.install().status == 0);
  CHECK(kiln_test::run_program(b / "w", {"x y", "z"}).out == "<first><x y><z>");
}

TEST_CASE("wrapper: wait-for-files blocks until the files exist", "[recipe][wrapper]") {
  Build b;
  b.profile(profile("wrapper-path = " + (b / "w") + "\ncommand-line = echo started\n" +
                    "wait-for-files =\n  " + (b / "ready1") + "\n  " + (b / "ready2") + "\n"));
  REQUIRE(b.install().status == 0);
  write_file(b / "ready1", "");
  RunResult blocked = sh("timeout 1 " + (b / "w"));
  CHECK(blocked.status == 124);
  write_file(b / "ready2", "");
  RunResult run = sh("timeout 10 " + (b / "w"));
  CHECK(run.status == 0);
  CHECK(run.out == "started\n");
}

TEST_CASE("wrapper: pidfile records the pid and refuses a second start", "[recipe][wrapper]") {
  Build b;
  b.profile(profile("wrapper-path = " + (b / "w") + "\ncommand-line = sh -c 'echo $$'\n" +
                    "pidfile = " + (b / "run/app.pid") + "\n"));
  REQUIRE(b.install().status == 0);
  std::filesystem::create_directories(b / "run");
  RunResult run = kiln_test::run_program(b / "w", {});
  CHECK(run.status == 0);
  CHECK(read_file(b / "run/app.pid") == run.out);  // exec keeps the pid
  write_file(b / "run/app.pid", std::to_string(::getpid()) + "\n");  // a live process
  RunResult again = kiln_test::run_program(b / "w", {});
  CHECK(again.status == 1);
  CHECK(contains(again.err, "Already running"));
}

TEST_CASE("wrapper: hash-files put a hash of their contents in the name", "[recipe][wrapper]") {
  Build b;
  write_file(b / "etc/app.conf", "abc");  // md5 900150983cd24fb0d6963f7d28e17f72
  b.profile(profile("wrapper-path = " + (b / "etc/service/app") +
                    "\ncommand-line = echo hi\nhash-files = " + (b / "etc/app.conf") + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(exists(b / "etc/service/app-90015098"));
  CHECK_FALSE(exists(b / "etc/service/app"));
  CHECK(kiln_test::run_program(b / "etc/service/app-90015098", {}).out == "hi\n");

  write_file(b / "etc/app.conf", "");  // md5 d41d8cd98f00b204e9800998ecf8427e
  r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(exists(b / "etc/service/app-d41d8cd9"));
  CHECK_FALSE(exists(b / "etc/service/app-90015098"));
}

TEST_CASE("wrapper: removing the part removes the script", "[recipe][wrapper]") {
  Build b;
  b.profile(profile("wrapper-path = " + (b / "bin/w") + "\ncommand-line = true\n"));
  REQUIRE(b.install().status == 0);
  REQUIRE(exists(b / "bin/w"));
  b.profile("[buildout]\nparts =\n");
  REQUIRE(b.install().status == 0);
  CHECK_FALSE(exists(b / "bin/w"));
}

TEST_CASE("wrapper: bad input is refused by option name", "[recipe][wrapper]") {
  Build b;
  std::string path = "wrapper-path = " + (b / "w") + "\n";
  std::string expected;
  SECTION("no wrapper-path") {
    b.profile(profile("command-line = true\n"));
    expected = "wrapper-path";
  }
  SECTION("no command-line") {
    b.profile(profile(path));
    expected = "command-line";
  }
  SECTION("unclosed quote") {
    b.profile(profile(path + "command-line = echo 'oops\n"));
    expected = "command-line";
  }
  SECTION("environment line without =") {
    b.profile(profile(path + "command-line = true\nenvironment = JUSTANAME\n"));
    expected = "environment";
  }
  SECTION("missing hash file") {
    b.profile(profile(path + "command-line = true\nhash-files = " + (b / "none.conf") + "\n"));
    expected = "none.conf";
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, expected));
  CHECK(contains(r.err, "x"));
  CHECK_FALSE(exists(b / "w"));
}
