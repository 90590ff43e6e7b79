// E2E tests of the `download` recipe (slapos.recipe.build:download).
#include <catch2/catch.hpp>
#include <string>

#include "net/test_http_server.h"
#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::crashed;
using kiln_recipe_test::exists;
using kiln_recipe_test::mode_of;
using kiln_recipe_test::read_file;
using kiln_recipe_test::write_file;
using kiln_test::RunResult;

namespace {

// md5/sha256 of "hello\n".
const std::string k_hello_md5 = "b1946ac92492d2347c6235b4d2611184";
const std::string k_hello_sha256 =
    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

std::string profile(const std::string& options) {
  return "[buildout]\nparts = x\n\n[x]\nrecipe = slapos.recipe.build:download\n" + options;
}

}  // namespace

TEST_CASE("download: file:// with md5sum lands at parts/<part>/<part>", "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  b.profile(profile("url = file://" + (b / "src/hello.txt") + "\nmd5sum = " + k_hello_md5 + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "parts/x/x") == "hello\n");
}

TEST_CASE("download: target and location are set at init for other parts", "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  b.profile(
      "[buildout]\nparts = use\n\n"
      "[x]\nrecipe = download\nurl = " +
      (b / "src/hello.txt") +
      "\nfilename = greeting.txt\nmode = 0750\n\n"
      "[use]\nrecipe = plone.recipe.command\nstop-on-error = true\n"
      "command = echo '${x:target} ${x:location} ${x:filename}' > " +
      (b / "refs") + " && cat ${x:target} >> " + (b / "refs") + "\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "refs") ==
        (b / "parts/x/greeting.txt") + " " + (b / "parts/x") + " greeting.txt\nhello\n");
  CHECK(mode_of(b / "parts/x/greeting.txt") == 0750);
}

TEST_CASE("download: over http with sha256sum into destination", "[recipe][download]") {
  kiln::net::TestHttpServer server([](httplib::Server& s) {
    s.Get("/f.txt", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello\n", "text/plain");
    });
  });
  Build b;
  b.profile(profile("url = " + server.url("/f.txt") + "\nsha256sum = " + k_hello_sha256 +
                    "\ndestination = " + (b / "out/dir/f.txt") + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "out/dir/f.txt") == "hello\n");
  CHECK_FALSE(exists(b / "parts/x"));
}

TEST_CASE("download: a checksum mismatch fails, names part and url, leaves no file",
          "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  std::string url = "file://" + (b / "src/hello.txt");
  SECTION("md5sum") {
    b.profile(profile("url = " + url + "\nmd5sum = 00000000000000000000000000000000\n"));
  }
  SECTION("sha256sum") {
    b.profile(profile("url = " + url + "\nsha256sum = " + std::string(64, '0') + "\n"));
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "x"));
  CHECK(contains(r.err, url));
  CHECK_FALSE(exists(b / "parts/x/x"));
}

TEST_CASE("download: HTTP 404 fails and names the url", "[recipe][download]") {
  kiln::net::TestHttpServer server([](httplib::Server& s) {
    s.Get("/missing", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  });
  Build b;
  b.profile(profile("url = " + server.url("/missing") + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, server.url("/missing")));
  CHECK(contains(r.err, "x"));
  CHECK_FALSE(exists(b / "parts/x/x"));
}

TEST_CASE("download: a missing file:// source fails", "[recipe][download]") {
  Build b;
  b.profile(profile("url = file://" + (b / "nowhere.txt") + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, "nowhere.txt"));
}

TEST_CASE("download: bad options are refused by name", "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  std::string url = "url = " + (b / "src/hello.txt") + "\n";
  std::string option;
  SECTION("no url") {
    b.profile(profile("md5sum = " + k_hello_md5 + "\n"));
    option = "url";
  }
  SECTION("bad mode") {
    b.profile(profile(url + "mode = rwx\n"));
    option = "mode";
  }
  SECTION("filename with a slash") {
    b.profile(profile(url + "filename = a/b\n"));
    option = "filename";
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, option));
  CHECK(contains(r.err, "x"));
  CHECK_FALSE(exists(b / "parts/x/x"));
}

TEST_CASE("download: update re-downloads only without md5sum or sha256sum", "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  std::string url = "url = file://" + (b / "src/hello.txt") + "\n";
  SECTION("without md5sum: the new content arrives") {
    b.profile(profile(url));
    REQUIRE(b.install().status == 0);
    write_file(b / "src/hello.txt", "changed\n");
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/x/x") == "changed\n");
  }
  SECTION("with md5sum: nothing is fetched again") {
    b.profile(profile(url + "md5sum = " + k_hello_md5 + "\n"));
    REQUIRE(b.install().status == 0);
    write_file(b / "src/hello.txt", "changed\n");
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/x/x") == "hello\n");
  }
  SECTION("with sha256sum: nothing is fetched again, the good file stays") {
    b.profile(profile(url + "sha256sum = " + k_hello_sha256 + "\n"));
    REQUIRE(b.install().status == 0);
    write_file(b / "src/hello.txt", "changed\n");
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "0 installed, 1 updated, 0 uninstalled"));
    CHECK(read_file(b / "parts/x/x") == "hello\n");
  }
}

TEST_CASE("download: removing the part removes the file", "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  b.profile(profile("url = " + (b / "src/hello.txt") + "\n"));
  REQUIRE(b.install().status == 0);
  REQUIRE(exists(b / "parts/x/x"));
  b.profile("[buildout]\nparts =\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_FALSE(exists(b / "parts/x"));
}

TEST_CASE("download: shared = true downloads once under the shared directory and keeps it",
          "[recipe][download]") {
  Build b;
  write_file(b / "src/hello.txt", "hello\n");
  b.profile(
      "[buildout]\nparts = use\n\n"
      "[x]\nrecipe = download\nshared = true\nurl = " +
      (b / "src/hello.txt") +
      "\n\n[use]\nrecipe = command\nstop-on-error = true\ncommand = echo ${x:target} > " +
      (b / "target") + "\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::string target = read_file(b / "target");
  REQUIRE(!target.empty());
  target.pop_back();
  CHECK(target.rfind(b / "shared/x/", 0) == 0);
  CHECK(read_file(target) == "hello\n");
  CHECK_FALSE(exists(b / "parts/x"));
  b.profile("[buildout]\nparts =\n");
  REQUIRE(b.install().status == 0);
  CHECK(exists(target));
}
