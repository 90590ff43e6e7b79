// Crash safety and locking with the real binary: kill -9 during a cmmi
// build, two `kiln software` of one release at once.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::contains;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;
using kiln_recipe_test::sh;
using kiln_recipe_test::write_file;

namespace {

// `kiln args...` started in the background (output to files in `dir`).
class Background {
 public:
  Background(const std::vector<std::string>& args, const std::string& dir) {
    std::vector<std::string> a{KILN_BINARY};
    a.insert(a.end(), args.begin(), args.end());
    std::string out = dir + "/bg.out", err = dir + "/bg.err";
    m_pid = ::fork();
    if (m_pid == 0) {
      int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::setenv("KILN_ROOT", "/nonexistent/kiln-e2e-root", 1);
      ::unsetenv("KILN_CONFIG");
      std::vector<char*> argv;
      for (std::string& s : a) argv.push_back(s.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Background() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      wait();
    }
  }
  void kill9() { ::kill(m_pid, SIGKILL); }
  int wait() {
    int st = 0;
    if (m_pid > 0) ::waitpid(m_pid, &st, 0);
    m_pid = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

 private:
  pid_t m_pid = -1;
};

bool wait_for(const std::string& path, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A source tree whose `make` writes $(MARK) then takes `seconds`.
std::string make_slow_source(const Build& b, int seconds) {
  std::string src = b / "src/slow-1.0";
  write_file(src + "/configure",
             "#!/bin/sh\nprefix=/usr/local\nfor a; do case $a in --prefix=*) "
             "prefix=${a#--prefix=};; esac; done\n"
             "printf 'PREFIX=%s\\n' \"$prefix\" > config.mk\n");
  write_file(src + "/Makefile",
             "include config.mk\nall:\n\ttouch $(MARK)\n\tsleep " + std::to_string(seconds) +
                 "\n\techo built > built\ninstall:\n\tmkdir -p $(PREFIX)/bin\n\tcp built "
                 "$(PREFIX)/bin/slow\n");
  REQUIRE(sh("chmod +x configure && cd .. && tar czf ../slow-1.0.tar.gz slow-1.0", src).status ==
          0);
  return b / "slow-1.0.tar.gz";
}

}  // namespace

TEST_CASE("kill -9 during a cmmi build: the next run completes and the state matches the disk",
          "[build][crash]") {
  Build b;
  std::string tarball = make_slow_source(b, 2);
  b.profile("[buildout]\nparts = slow\n\n[slow]\nrecipe = slapos.recipe.cmmi\nurl = file://" +
            tarball + "\nmake-options = MARK=${buildout:directory}/make-started\n");
  {
    Background kiln({"--cache-dir", b / ".cache", "install", "-c", b.cfg()}, b.path());
    REQUIRE(wait_for(b / "make-started", 60));
    kiln.kill9();
    kiln.wait();
  }
  // The interrupted install is recorded as pending, not as installed.
  nlohmann::json s = nlohmann::json::parse(read_file(b / ".kiln/installed.json"));
  CHECK(s["pending"].contains("slow"));
  CHECK_FALSE(s["parts"].contains("slow"));

  kiln_test::RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "interrupted install of slow"));
  CHECK(read_file(b / "parts/slow/bin/slow") == "built\n");
  CHECK_FALSE(exists(b / "parts/slow__compile__"));
  s = nlohmann::json::parse(read_file(b / ".kiln/installed.json"));
  CHECK(s["pending"].empty());
  REQUIRE(s["parts"].contains("slow"));
  for (const auto& p : s["parts"]["slow"]["paths"]) {
    if (p.get<std::string>().find("__compile__") != std::string::npos) continue;
    CHECK(exists(p.get<std::string>()));
  }
  // And a third run has nothing to do.
  r = b.install();
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "0 installed, 1 updated, 0 uninstalled"));
}

TEST_CASE("two kiln software of one release at once: the second waits or refuses",
          "[build][lock]") {
  Build b;
  std::string root = b / "root";
  b.profile(
      "[buildout]\nparts = slow\n\n[slow]\nrecipe = plone.recipe.command\nstop-on-error = true\n"
      "command = touch " +
      b.path() + "/started && sleep 2 && touch ${buildout:directory}/done\n");
  Background first({"--root", root, "software", b.cfg()}, b.path());
  REQUIRE(wait_for(b / "started", 60));

  kiln_test::RunResult refused =
      kiln_test::run_kiln({"software", b.cfg(), "--root", root, "--no-wait"});
  CHECK(refused.status == 1);
  CHECK(contains(refused.err, "locked by process"));

  kiln_test::RunResult waited = kiln_test::run_kiln({"software", b.cfg(), "--root", root});
  CHECK(first.wait() == 0);
  INFO(waited.out << waited.err);
  CHECK(waited.status == 0);
  CHECK(contains(waited.err, "waiting for process"));
  CHECK(contains(waited.out, "0 installed, 1 updated"));  // the first one built it
  // The release directory is named by the md5 of the profile's absolute path.
  kiln_test::RunResult md5 = sh("printf %s '" + b.cfg() + "' | md5sum | cut -c1-32");
  std::string hash = md5.out.substr(0, 32);
  CHECK(exists(root + "/software/" + hash + "/.completed"));
  CHECK(exists(root + "/software/" + hash + "/done"));
}

TEST_CASE("the cleanup of an interrupted install removes the extraction temporaries it left",
          "[build][crash]") {
  // What a kill -9 during an extraction leaves: the part pending, its
  // destination not there yet, the temporary beside it half full.
  Build b;
  write_file(b / "src/pkg-1.0/README", "readme\n");
  REQUIRE(sh("tar czf ../pkg.tar.gz pkg-1.0", b / "src").status == 0);
  b.profile(
      "[buildout]\nparts = x\n\n[x]\nrecipe = slapos.recipe.build:download-unpacked\n"
      "url = " +
      (b / "pkg.tar.gz") + "\n");
  write_file(b / "parts/x.kiln-tmp/pkg-1.0/README", "half\n");
  write_file(b / "parts/gone.kiln-tmp/left", "half\n");
  write_file(b / ".kiln/installed.json",
             "{\"format\": 1, \"order\": [], \"parts\": {}, \"pending\": {\"gone\": [\"" +
                 (b / "parts/gone") + "\"]}}");
  kiln_test::RunResult r = b.install();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "interrupted install of gone"));
  CHECK_FALSE(exists(b / "parts/gone.kiln-tmp"));
  CHECK_FALSE(exists(b / "parts/x.kiln-tmp"));
  CHECK(read_file(b / "parts/x/README") == "readme\n");
  nlohmann::json s = nlohmann::json::parse(read_file(b / ".kiln/installed.json"));
  CHECK(s["pending"].empty());
}
