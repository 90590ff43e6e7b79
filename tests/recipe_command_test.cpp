// E2E tests of the `command` recipe (plone.recipe.command).
#include <catch2/catch.hpp>
#include <string>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::crashed;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;
using kiln_test::RunResult;

namespace {

std::string profile(const std::string& options) {
  return "[buildout]\nparts = x\n\n[x]\nrecipe = plone.recipe.command\n" + options;
}

}  // namespace

TEST_CASE("command: command runs with sh in the build directory on install", "[recipe][command]") {
  Build b;
  b.profile(profile("command = pwd > out; echo \"$((1 + 2))\" >> out\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "out") == b.path() + "\n3\n");
}

TEST_CASE("command: update-command runs on update, command does not", "[recipe][command]") {
  Build b;
  b.profile(profile("command = echo install >> " + (b / "log") +
                    "\nupdate-command = echo update >> " + (b / "log") + "\n"));
  REQUIRE(b.install().status == 0);
  CHECK(read_file(b / "log") == "install\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "log") == "install\nupdate\n");
}

TEST_CASE("command: without update-command an update runs nothing", "[recipe][command]") {
  Build b;
  b.profile(profile("command = echo install >> " + (b / "log") + "\n"));
  REQUIRE(b.install().status == 0);
  REQUIRE(b.install().status == 0);
  CHECK(read_file(b / "log") == "install\n");
}

TEST_CASE("command: location paths are owned and removed with the part", "[recipe][command]") {
  Build b;
  b.profile(profile("location = " + (b / "made") + "\n  " + (b / "also.txt") +
                    "\ncommand = mkdir -p " + (b / "made") + " && touch " + (b / "also.txt") +
                    " " + (b / "not-owned") + "\n"));
  REQUIRE(b.install().status == 0);
  REQUIRE(exists(b / "made"));
  REQUIRE(exists(b / "also.txt"));
  b.profile("[buildout]\nparts =\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_FALSE(exists(b / "made"));
  CHECK_FALSE(exists(b / "also.txt"));
  CHECK(exists(b / "not-owned"));
}

TEST_CASE("command: a failing command is only a warning by default", "[recipe][command]") {
  Build b;
  SECTION("stop-on-error unset") { b.profile(profile("command = echo ran > ran; exit 3\n")); }
  SECTION("stop-on-error = false") {
    b.profile(profile("command = echo ran > ran; exit 3\nstop-on-error = false\n"));
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(exists(b / "ran"));
  CHECK(contains(r.out + r.err, "exit status 3"));
}

TEST_CASE("command: stop-on-error = true fails the part with the exit status",
          "[recipe][command]") {
  Build b;
  b.profile(profile("command = exit 7\nstop-on-error = true\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "x"));
  CHECK(contains(r.err, "exit status 7"));
}

TEST_CASE("command: stop-on-error = yes also fails on a failing update-command",
          "[recipe][command]") {
  Build b;
  b.profile(profile("command = true\nupdate-command = false\nstop-on-error = yes\n"));
  REQUIRE(b.install().status == 0);
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK(contains(r.err, "update-command"));
}

TEST_CASE("command: a stop-on-error that is not a boolean is refused", "[recipe][command]") {
  Build b;
  b.profile(profile("command = touch ran\nstop-on-error = sometimes\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "stop-on-error"));
  CHECK(contains(r.err, "sometimes"));
  CHECK_FALSE(exists(b / "ran"));
}
