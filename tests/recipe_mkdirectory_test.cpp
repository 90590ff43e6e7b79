// E2E tests of the `mkdirectory` recipe (slapos.cookbook:mkdirectory).
#include <catch2/catch.hpp>
#include <string>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::crashed;
using kiln_recipe_test::exists;
using kiln_recipe_test::mode_of;
using kiln_recipe_test::write_file;
using kiln_test::RunResult;

namespace {

std::string profile(const std::string& options) {
  return "[buildout]\nparts = directory\n\n[directory]\nrecipe = slapos.cookbook:mkdirectory\n" +
         options;
}

}  // namespace

TEST_CASE("mkdirectory: every option is a directory, mode 0700 by default",
          "[recipe][mkdirectory]") {
  Build b;
  b.profile(profile("etc = " + (b / "srv/etc") + "\nservice = ${:etc}/service\n" +
                    "var = var\nempty =\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(mode_of(b / "srv/etc") == 0700);
  CHECK(mode_of(b / "srv/etc/service") == 0700);
  CHECK(mode_of(b / "var") == 0700);
  CHECK_FALSE(exists(b / "recipe"));
}

TEST_CASE("mkdirectory: mode applies to the created directories only", "[recipe][mkdirectory]") {
  Build b;
  std::filesystem::create_directories(b / "existing");
  std::filesystem::permissions(b / "existing", std::filesystem::perms(0755));
  b.profile(profile("mode = 0750\na = " + (b / "existing") + "\nb = " + (b / "existing/new") +
                    "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(mode_of(b / "existing") == 0755);
  CHECK(mode_of(b / "existing/new") == 0750);
}

TEST_CASE("mkdirectory: directories survive removing the part and come back on update",
          "[recipe][mkdirectory]") {
  Build b;
  b.profile(profile("data = " + (b / "srv/data") + "\nlog = " + (b / "srv/log") + "\n"));
  REQUIRE(b.install().status == 0);
  write_file(b / "srv/data/user-file", "precious\n");
  std::filesystem::remove(b / "srv/log");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(exists(b / "srv/log"));
  b.profile("[buildout]\nparts =\n");
  r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(exists(b / "srv/data/user-file"));
  CHECK(exists(b / "srv/log"));
}

TEST_CASE("mkdirectory: bad input is refused", "[recipe][mkdirectory]") {
  Build b;
  std::string expected;
  SECTION("bad mode") {
    b.profile(profile("mode = 0999\na = " + (b / "a") + "\n"));
    expected = "mode";
  }
  SECTION("a file in the way") {
    write_file(b / "file", "x\n");
    b.profile(profile("a = " + (b / "file") + "\n"));
    expected = b / "file";
  }
  SECTION("a file in the way of a parent") {
    write_file(b / "file", "x\n");
    b.profile(profile("a = " + (b / "file/sub") + "\n"));
    expected = "file";
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "directory"));
  CHECK(contains(r.err, expected));
  CHECK_FALSE(exists(b / "a"));
}
