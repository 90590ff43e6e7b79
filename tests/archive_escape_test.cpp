// Archives that try to write outside their target, through the real binary
// and slapos.recipe.build:download-unpacked: refused, nothing left behind.
#include <catch2/catch.hpp>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::exists;
using kiln_recipe_test::sh;

namespace {

// Writes <dir>/evil.tar.gz with Python's tarfile (it writes what it is told,
// `..` and absolute names included): one member built by `member`.
void make_archive(const Build& b, const std::string& member) {
  std::string script =
      "import io, tarfile\n"
      "t = tarfile.open('evil.tar.gz', 'w:gz')\n"
      "def add(name, data=b'x', kind=tarfile.REGTYPE, link=''):\n"
      "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data) if kind "
      "== tarfile.REGTYPE else 0\n"
      "    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n"
      "add('top/ok.txt')\n" +
      member + "\nt.close()\n";
  kiln_recipe_test::write_file(b / "make.py", script);
  REQUIRE(sh("/usr/bin/python3 make.py", b.path()).status == 0);
}

}  // namespace

TEST_CASE("archives escaping their target are refused and leave nothing", "[archive][recipe]") {
  Build b;
  std::string member, what;
  SECTION("a ../ entry") {
    member = "add('top/../../outside-dotdot')";
    what = "outside-dotdot";
  }
  SECTION("an absolute entry") {
    member = "add('" + (b / "outside-abs") + "')";
    what = "outside-abs";
  }
  SECTION("a symlink pointing out, then a file through it") {
    member = "add('top/evil', kind=tarfile.SYMTYPE, link='../../')\nadd('top/evil/outside-link')";
    what = "outside-link";
  }
  SECTION("a hard link to a file outside") {
    member = "add('top/hard', kind=tarfile.LNKTYPE, link='/etc/passwd')";
    what = "hard";
  }
  make_archive(b, member);
  b.profile("[buildout]\nparts = x\n\n[x]\nrecipe = slapos.recipe.build:download-unpacked\nurl = " +
            (b / "evil.tar.gz") + "\ndestination = " + (b / "sub/dest") + "\n");
  kiln_test::RunResult r = b.install();
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(contains(r.err, "part [x]"));
  CHECK(contains(r.err, "evil.tar.gz"));
  CHECK_FALSE(kiln_recipe_test::crashed(r));
  CHECK_FALSE(exists(b / "sub/dest"));
  CHECK_FALSE(exists(b / what));
  CHECK_FALSE(exists(b / "sub/outside-dotdot"));
  CHECK_FALSE(exists(b / "outside-link"));
  // Nothing half-extracted beside the destination either.
  if (exists(b / "sub"))
    for (const auto& e : std::filesystem::directory_iterator(b / "sub")) {
      INFO(e.path());
      CHECK(false);
    }
}
