// E2E tests of the `download-unpacked` recipe (slapos.recipe.build:download-unpacked
// and its `hexagonit` entry, hexagonit.recipe.download).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "net/test_http_server.h"
#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::crashed;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;
using kiln_recipe_test::sh;
using kiln_recipe_test::write_file;
using kiln_test::RunResult;

namespace {

// src/pkg-1.0/{README,bin/tool} packed as <name> (tar.gz, zip, ...) in the build dir.
std::string make_archive(const Build& b, const std::string& name, const std::string& pack) {
  write_file(b / "src/pkg-1.0/README", "readme\n");
  write_file(b / "src/pkg-1.0/bin/tool", "tool\n");
  RunResult r = sh(pack + " " + (b / name) + " pkg-1.0 >/dev/null", b / "src");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return b / name;
}

std::string profile(const std::string& recipe, const std::string& options) {
  return "[buildout]\nparts = x\n\n[x]\nrecipe = " + recipe + "\n" + options;
}

const std::string k_unpacked = "slapos.recipe.build:download-unpacked";
const std::string k_hexagonit = "hexagonit.recipe.download";

}  // namespace

TEST_CASE("download-unpacked: tar.gz with one top-level directory is stripped",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  b.profile(profile(k_unpacked, "url = file://" + archive + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "parts/x/README") == "readme\n");
  CHECK(read_file(b / "parts/x/bin/tool") == "tool\n");
  CHECK_FALSE(exists(b / "parts/x/pkg-1.0"));
  CHECK_FALSE(exists(b / "parts/x.download"));
}

TEST_CASE("download-unpacked: strip-top-level-dir = false keeps the directory",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  b.profile(profile(k_unpacked, "url = " + archive + "\nstrip-top-level-dir = false\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "parts/x/pkg-1.0/README") == "readme\n");
}

TEST_CASE("download-unpacked: several top-level entries are not stripped",
          "[recipe][download-unpacked]") {
  Build b;
  write_file(b / "src/a/1", "1\n");
  write_file(b / "src/b", "2\n");
  REQUIRE(sh("tar cJf " + (b / "two.tar.xz") + " a b", b / "src").status == 0);
  b.profile(profile(k_unpacked, "url = " + (b / "two.tar.xz") + "\n"));
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "parts/x/a/1") == "1\n");
  CHECK(read_file(b / "parts/x/b") == "2\n");
}

TEST_CASE("download-unpacked: strip-top-level-dir = true refuses several top-level entries",
          "[recipe][download-unpacked]") {
  Build b;
  write_file(b / "src/a/same", "from a\n");
  write_file(b / "src/b/same", "from b\n");
  REQUIRE(sh("tar czf " + (b / "two.tar.gz") + " a b", b / "src").status == 0);
  SECTION("download-unpacked") {
    b.profile(
        profile(k_unpacked, "url = " + (b / "two.tar.gz") + "\nstrip-top-level-dir = true\n"));
  }
  SECTION("hexagonit") {
    b.profile(
        profile(k_hexagonit, "url = " + (b / "two.tar.gz") + "\nstrip-top-level-dir = true\n"));
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err,
                 "Unable to strip top level directory because there are more than one "
                 "element in the root of the package"));
  CHECK_FALSE(exists(b / "parts/x"));
  CHECK_FALSE(exists(b / "parts/x.download"));
  CHECK_FALSE(exists(b / "parts/x.kiln-tmp"));
}

TEST_CASE("download-unpacked: a temporary left by a killed extraction is removed",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  SECTION("into the part directory") {
    b.profile(profile(k_unpacked, "url = " + archive + "\n"));
    write_file(b / "parts/x.kiln-tmp/pkg-1.0/README", "half\n");
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/x/README") == "readme\n");
    CHECK_FALSE(exists(b / "parts/x.kiln-tmp"));
  }
  SECTION("a shared part") {
    b.profile(profile(k_unpacked, "url = " + archive + "\nshared = true\n"));
    REQUIRE(b.install().status == 0);
    RunResult found = sh("ls -d " + (b / "shared/x/*"));
    REQUIRE(found.status == 0);
    std::string location = found.out.substr(0, found.out.find('\n'));
    REQUIRE(exists(location + "/README"));
    // As if a kill -9 had happened during the extraction: nothing recorded,
    // the shared directory not there yet, its temporary half full.
    REQUIRE(sh("rm -rf .kiln " + location, b.path()).status == 0);
    write_file(location + ".kiln-tmp/pkg-1.0/README", "half\n");
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(location + "/README") == "readme\n");
    CHECK_FALSE(exists(location + ".kiln-tmp"));
  }
  RunResult left = sh("find . -name '*kiln-tmp*'", b.path());
  CHECK(left.out.empty());
}

TEST_CASE("download-unpacked: zip over http into destination, location for other parts",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.zip", "zip -qr");
  std::string body = read_file(archive);
  kiln::net::TestHttpServer server([body](httplib::Server& s) {
    s.Get("/pkg.zip", [body](const httplib::Request&, httplib::Response& res) {
      res.set_content(body, "application/zip");
    });
  });
  b.profile("[buildout]\nparts = use\n\n[x]\nrecipe = " + k_unpacked +
            "\nurl = " + server.url("/pkg.zip") + "\ndestination = " + (b / "opt/pkg") +
            "\n\n[use]\nrecipe = plone.recipe.command\nstop-on-error = true\n"
            "command = echo ${x:location} ${x:target} > " +
            (b / "refs") + "\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "opt/pkg/bin/tool") == "tool\n");
  CHECK(read_file(b / "refs") == (b / "opt/pkg") + " " + (b / "opt/pkg") + "\n");
}

TEST_CASE("download-unpacked: bad input fails cleanly and leaves nothing",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  std::string expected;
  SECTION("md5sum mismatch") {
    b.profile(
        profile(k_unpacked, "url = " + archive + "\nmd5sum = " + std::string(32, 'a') + "\n"));
    expected = archive;
  }
  SECTION("not an archive") {
    write_file(b / "plain.tar.gz", "this is not an archive\n");
    b.profile(profile(k_unpacked, "url = " + (b / "plain.tar.gz") + "\n"));
    expected = "plain.tar.gz";
  }
  SECTION("404") {
    kiln::net::TestHttpServer server([](httplib::Server&) {});
    b.profile(profile(k_unpacked, "url = " + server.url("/none.tar.gz") + "\n"));
    expected = server.url("/none.tar.gz");
    RunResult r = b.install();
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, expected));
    CHECK_FALSE(exists(b / "parts/x"));
    return;
  }
  SECTION("bad strip-top-level-dir") {
    b.profile(profile(k_unpacked, "url = " + archive + "\nstrip-top-level-dir = maybe\n"));
    expected = "strip-top-level-dir";
  }
  SECTION("no url") {
    b.profile(profile(k_unpacked, "destination = " + (b / "d") + "\n"));
    expected = "url";
  }
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK_FALSE(crashed(r));
  CHECK(contains(r.err, expected));
  CHECK(contains(r.err, "x"));
  CHECK_FALSE(exists(b / "parts/x"));
  CHECK_FALSE(exists(b / "parts/x.download"));
}

TEST_CASE("download-unpacked: removing the part removes the directory",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  b.profile(profile(k_unpacked, "url = " + archive + "\n"));
  REQUIRE(b.install().status == 0);
  REQUIRE(exists(b / "parts/x/README"));
  b.profile("[buildout]\nparts =\n");
  RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_FALSE(exists(b / "parts/x"));
}

TEST_CASE("download-unpacked:hexagonit does not strip by default", "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  SECTION("default") {
    b.profile(profile(k_hexagonit, "url = " + archive + "\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/x/pkg-1.0/README") == "readme\n");
  }
  SECTION("strip-top-level-dir = true") {
    b.profile(profile("download-unpacked:hexagonit",
                      "url = " + archive + "\nstrip-top-level-dir = true\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/x/README") == "readme\n");
  }
}

TEST_CASE("download-unpacked:hexagonit download-only keeps the file as is",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  std::string body = read_file(archive);
  SECTION("file name from the url") {
    b.profile(profile(k_hexagonit, "url = file://" + archive + "\ndownload-only = true\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "parts/x/pkg.tar.gz") == body);
  }
  SECTION("filename, destination and mode") {
    b.profile(profile(k_hexagonit,
                      "url = " + archive + "\ndownload-only = true\n" +
                          "filename = keep.tgz\nmode = 0600\ndestination = " + (b / "dl") + "\n"));
    RunResult r = b.install();
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(b / "dl/keep.tgz") == body);
    CHECK(kiln_recipe_test::mode_of(b / "dl/keep.tgz") == 0600);
  }
}

TEST_CASE("download-unpacked: shared = true extracts under the shared directory, reused",
          "[recipe][download-unpacked]") {
  Build b;
  std::string archive = make_archive(b, "pkg.tar.gz", "tar czf");
  std::string cfg = "[buildout]\nparts = use\n\n[x]\nrecipe = " + k_unpacked +
                    "\nshared = true\nurl = " + archive +
                    "\n\n[use]\nrecipe = command\nstop-on-error = true\ncommand = echo "
                    "${x:location} > " +
                    (b / "location") + "\n";
  b.profile(cfg);
  RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::string location = read_file(b / "location");
  REQUIRE(!location.empty());
  location.pop_back();
  CHECK(location.rfind(b / "shared/x/", 0) == 0);
  CHECK(read_file(location + "/README") == "readme\n");
  b.profile("[buildout]\nparts =\n");
  REQUIRE(b.install().status == 0);
  CHECK(exists(location + "/README"));
  b.profile(cfg);  // installed again: the shared copy is reused
  r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(b / "location") == location + "\n");
}

TEST_CASE("download-unpacked: two builds extracting one shared part at once extract it once",
          "[recipe][download-unpacked]") {
  Build b;
  std::string body = read_file(make_archive(b, "pkg.tar.gz", "tar czf"));
  std::atomic<int> requests{0};
  kiln::net::TestHttpServer server([&](httplib::Server& s) {
    s.Get("/pkg.tar.gz", [&](const httplib::Request&, httplib::Response& res) {
      ++requests;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // both builds start meanwhile
      res.set_content(body, "application/gzip");
    });
  });
  std::string cfg = "[buildout]\nparts = x\n\n[x]\nrecipe = " + k_unpacked +
                    "\nshared = true\nurl = " + server.url("/pkg.tar.gz") + "\n";
  write_file(b / "one/buildout.cfg", cfg);
  write_file(b / "two/buildout.cfg", cfg);
  auto install = [&](const std::string& dir) {  // caches of their own: no sharing there
    return kiln_test::run_kiln({"--cache-dir", b / (dir + "/cache"), "--root", b / "root",
                                "install", "-c", b / (dir + "/buildout.cfg")});
  };
  RunResult one, two;
  std::thread a([&] { one = install("one"); });
  std::thread c([&] { two = install("two"); });
  a.join();
  c.join();
  INFO(one.out << one.err << two.out << two.err);
  CHECK(one.status == 0);
  CHECK(two.status == 0);
  CHECK(requests.load() == 1);
  CHECK(contains(one.out + two.out, "shared part already extracted"));
}
