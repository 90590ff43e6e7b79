// Interrupting kiln (Ctrl-C, SIGTERM) during a build: nothing the parts'
// commands started is left running.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "recipe_plugin_util.h"

using kiln_recipe_test::Build;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;

namespace {

int wait_for_pid(const std::string& path) {
  for (int i = 0; i < 600; ++i) {
    std::string text = exists(path) ? read_file(path) : std::string();
    if (!text.empty() && text.back() == '\n') return std::stoi(text);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

}  // namespace

TEST_CASE("SIGINT or SIGTERM to kiln during a command kills what the command started",
          "[build][interrupt]") {
  int sig = GENERATE(SIGINT, SIGTERM);
  Build b;
  // The shell is kiln's child; the sleep it starts is not (PR_SET_PDEATHSIG
  // alone would leave it running).
  b.profile(
      "[buildout]\nparts = slow\n\n[slow]\nrecipe = plone.recipe.command\n"
      "stop-on-error = true\ncommand = echo $PPID > " +
      (b / "kiln.pid") + "\n  sleep 300 & echo $! > " + (b / "sleep.pid") + "\n  wait\n");
  kiln_test::RunResult result;
  std::thread kiln([&] { result = b.install(); });
  int kiln_pid = wait_for_pid(b / "kiln.pid");
  int sleep_pid = wait_for_pid(b / "sleep.pid");
  REQUIRE(kiln_pid > 0);
  REQUIRE(sleep_pid > 0);
  REQUIRE(kiln_test::process_running(sleep_pid));
  ::kill(kiln_pid, sig);
  kiln.join();
  CHECK(result.signaled);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !kiln_test::process_running(sleep_pid);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(gone);
  if (!gone) ::kill(sleep_pid, SIGKILL);
}
