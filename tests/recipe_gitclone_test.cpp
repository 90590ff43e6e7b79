// E2E tests of the `gitclone` recipe (slapos.recipe.build:gitclone) against
// local repositories the tests create.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "recipe_plugin_util.h"
#include "run_kiln.h"
#include "util/scratch_dir.h"

using kiln_recipe_test::contains;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;
using kiln_recipe_test::write_file;
using kiln_test::RunResult;

namespace {

namespace fs = std::filesystem;

// `sh -c script` in cwd; fails the test unless it succeeds. Returns stdout.
std::string shell(const std::string& script, const std::string& cwd) {
  kiln_test::RunOptions o;
  o.cwd = cwd;
  RunResult r = kiln_test::run_program("/bin/sh", {"-c", script}, o);
  INFO(script << "\n" << r.out << r.err);
  REQUIRE(r.status == 0);
  return r.out;
}

const char* const k_git = "git -c user.name=t -c user.email=t@example.com ";

// A repository (branch master, file f) and a build directory.
class Fixture {
 public:
  Fixture() {
    fs::create_directories(m_dir / "repo");
    fs::create_directories(m_dir / "build");
    shell("git init -q -b master .", repo());
    m_first = commit("f", "one");
    m_second = commit("f", "two");
  }

  std::string repo() const { return m_dir / "repo"; }
  std::string first() const { return m_first; }
  std::string second() const { return m_second; }
  std::string operator/(const std::string& rel) const { return m_dir / ("build/" + rel); }

  // Writes file=text in the repository (on the current branch), commits it
  // and returns the commit id.
  std::string commit(const std::string& file, const std::string& text) const {
    write_file(repo() + "/" + file, text + "\n");
    shell(std::string(k_git) + "add -A && " + k_git + "commit -q -m " + text, repo());
    std::string id = shell("git rev-parse HEAD", repo());
    return id.substr(0, id.find('\n'));
  }

  RunResult run(const std::string& options, const std::string& more = "") const {
    write_file(m_dir / "build/buildout.cfg",
               "[buildout]\nparts = x\n\n[x]\n"
               "recipe = slapos.recipe.build:gitclone\n" +
                   options + more);
    return install();
  }
  RunResult install() const {
    return kiln_test::run_kiln({"install", "-c", m_dir / "build/buildout.cfg"});
  }
  void profile(const std::string& text) const { write_file(m_dir / "build/buildout.cfg", text); }
  std::string head(const std::string& checkout) const {
    std::string id = shell("git rev-parse HEAD", checkout);
    return id.substr(0, id.find('\n'));
  }

 private:
  kiln::util::ScratchDir m_dir{"kiln-gitclone-e2e"};
  std::string m_first, m_second;
};

}  // namespace

TEST_CASE("gitclone: clones master into parts/<part>", "[recipe][gitclone]") {
  Fixture f;
  RunResult r = f.run("repository = " + f.repo() + "\n");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "parts/x/f") == "two\n");
  CHECK(f.head(f / "parts/x") == f.second());
}

TEST_CASE("gitclone: location is set at init for other parts", "[recipe][gitclone]") {
  Fixture f;
  f.profile("[buildout]\nparts = y\n\n[x]\nrecipe = slapos.recipe.build:gitclone\nrepository = " +
            f.repo() +
            "\n\n[y]\nrecipe = plone.recipe.command\nstop-on-error = true\n"
            "command = cp ${x:location}/f " +
            (f / "copied") + "\n");
  RunResult r = f.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "copied") == "two\n");
}

TEST_CASE("gitclone: a branch is checked out", "[recipe][gitclone]") {
  Fixture f;
  shell("git checkout -q -b dev", f.repo());
  f.commit("g", "on-dev");
  shell("git checkout -q master", f.repo());
  RunResult r = f.run("repository = " + f.repo() + "\nbranch = dev\n");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "parts/x/g") == "on-dev\n");
}

TEST_CASE("gitclone: a revision wins over the branch and is not updated", "[recipe][gitclone]") {
  Fixture f;
  std::string options = "repository = " + f.repo() + "\nrevision = " + f.first() + "\n";
  RunResult r = f.run(options);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "parts/x/f") == "one\n");
  f.commit("f", "three");
  r = f.run(options);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "parts/x/f") == "one\n");
  CHECK(f.head(f / "parts/x") == f.first());
}

TEST_CASE("gitclone: update fetches and resets to the branch", "[recipe][gitclone]") {
  Fixture f;
  std::string options = "repository = " + f.repo() + "\n";
  REQUIRE(f.run(options).status == 0);
  write_file(f / "parts/x/f", "local change\n");
  std::string third = f.commit("f", "three");
  RunResult r = f.run(options);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "parts/x/f") == "three\n");
  CHECK(f.head(f / "parts/x") == third);
}

TEST_CASE("gitclone: develop keeps local changes, and a modified checkout on uninstall",
          "[recipe][gitclone]") {
  Fixture f;
  std::string options = "repository = " + f.repo() + "\ndevelop = true\n";
  REQUIRE(f.run(options).status == 0);
  write_file(f / "parts/x/f", "local change\n");
  f.commit("f", "three");
  RunResult r = f.run(options);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "parts/x/f") == "local change\n");
  f.profile("[buildout]\nparts =\n");
  r = f.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(read_file(f / "parts/x/f") == "local change\n");
}

TEST_CASE("gitclone: an unmodified develop checkout is removed on uninstall",
          "[recipe][gitclone]") {
  Fixture f;
  REQUIRE(f.run("repository = " + f.repo() + "\ndevelop = true\n").status == 0);
  REQUIRE(exists(f / "parts/x/f"));
  f.profile("[buildout]\nparts =\n");
  RunResult r = f.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_FALSE(exists(f / "parts/x"));
}

TEST_CASE("gitclone: a plain checkout is removed on uninstall, even modified",
          "[recipe][gitclone]") {
  Fixture f;
  REQUIRE(f.run("repository = " + f.repo() + "\n").status == 0);
  write_file(f / "parts/x/f", "local change\n");
  f.profile("[buildout]\nparts =\n");
  RunResult r = f.install();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_FALSE(exists(f / "parts/x"));
}

TEST_CASE("gitclone: depth makes a shallow clone", "[recipe][gitclone]") {
  Fixture f;
  RunResult r =
      f.run("repository = file://" + f.repo() + "\ndepth = 1\nignore-ssl-certificate = true\n");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(shell("git rev-list --count HEAD", f / "parts/x") == "1\n");
  CHECK(read_file(f / "parts/x/f") == "two\n");
}

TEST_CASE("gitclone: location and git-command options", "[recipe][gitclone]") {
  Fixture f;
  RunResult r = f.run("repository = " + f.repo() + "\nlocation = " + (f / "elsewhere") +
                      "\ngit-command = /usr/bin/git\n");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(f / "elsewhere/f") == "two\n");
  CHECK_FALSE(exists(f / "parts/x"));
}

TEST_CASE("gitclone: errors name the option", "[recipe][gitclone]") {
  Fixture f;
  SECTION("missing repository") {
    RunResult r = f.run("branch = master\n");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "repository"));
  }
  SECTION("repository that does not exist") {
    RunResult r = f.run("repository = " + (f / "no-such-repo") + "\n");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, f / "no-such-repo"));
    CHECK_FALSE(exists(f / "parts/x"));
  }
  SECTION("unknown branch") {
    RunResult r = f.run("repository = " + f.repo() + "\nbranch = nope\n");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "'nope'"));
  }
  SECTION("unknown revision") {
    RunResult r = f.run("repository = " + f.repo() + "\nrevision = 0123456789abcdef\n");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "revision"));
    CHECK(contains(r.err, "0123456789abcdef"));
    CHECK_FALSE(exists(f / "parts/x"));
  }
  SECTION("bad depth") {
    RunResult r = f.run("repository = " + f.repo() + "\ndepth = deep\n");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "depth"));
    CHECK(contains(r.err, "deep"));
  }
  SECTION("bad develop") {
    RunResult r = f.run("repository = " + f.repo() + "\ndevelop = maybe\n");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "develop"));
  }
}
