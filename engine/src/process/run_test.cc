#include "process/run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "util/scratch_dir.h"

namespace fs = std::filesystem;
using kiln::ErrorCode;
using kiln::process::current_environment;
using kiln::process::run;
using kiln::process::RunRequest;
using kiln::process::RunResult;
using kiln::process::shell_argv;
using kiln::process::shell_quote;
using kiln::util::ScratchDir;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& text, fs::perms perms) {
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
}

// A request for a shell script, with the caller's environment.
RunRequest shell(const std::string& script) {
  RunRequest request;
  request.argv = shell_argv(script);
  request.env = current_environment();
  return request;
}

// Runs `request` (which must start) and collects its output lines.
RunResult run_collect(RunRequest request, std::vector<std::string>& lines) {
  request.on_line = [&lines](std::string_view line) { lines.emplace_back(line); };
  auto result = run(request);
  if (!result.ok()) FAIL(result.error().to_string());
  return *result;
}

std::vector<std::string> output_of(RunRequest request) {
  std::vector<std::string> lines;
  run_collect(std::move(request), lines);
  return lines;
}

// State letter of a process from /proc (0 if it does not exist).
char process_state(const std::string& stat_path) {
  std::string stat = slurp(stat_path);
  std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return 0;
  return stat[paren + 2];
}

// A live (not zombie) process with this pid.
bool alive(long pid) {
  char state = process_state("/proc/" + std::to_string(pid) + "/stat");
  return state != 0 && state != 'Z' && state != 'X';
}

// Live processes whose process group is `pgid`.
int live_members(long pgid) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = slurp(entry.path().string() + "/stat");
    std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 2));
    char state = 0;
    long ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z' && state != 'X') ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("run reports exit codes, a non-zero exit is not an Error", "[process]") {
  auto ok = run(shell("true"));
  REQUIRE(ok.ok());
  CHECK(ok->exit_code == 0);
  CHECK(ok->signal == 0);
  CHECK_FALSE(ok->timed_out);
  CHECK_FALSE(ok->cancelled);

  auto three = run(shell("exit 3"));
  REQUIRE(three.ok());
  CHECK(three->exit_code == 3);
  CHECK(three->signal == 0);

  // set -e is prepended: the first failing command ends the script.
  auto set_e = run(shell("false\nexit 7"));
  REQUIRE(set_e.ok());
  CHECK(set_e->exit_code == 1);
}

TEST_CASE("run gives the child exactly the environment it was given", "[process]") {
  RunRequest request;
  request.argv = {"env"};  // found through the default PATH
  request.env = {{"KILN_A", "1"}, {"KILN_B", "x y=z"}, {"KILN_EMPTY", ""}};
  std::vector<std::string> lines = output_of(request);
  std::sort(lines.begin(), lines.end());
  CHECK(lines == std::vector<std::string>{"KILN_A=1", "KILN_B=x y=z", "KILN_EMPTY="});
}

TEST_CASE("current_environment mirrors the process environment", "[process]") {
  ::setenv("KILN_PROCESS_TEST_VAR", "a=b c", 1);
  auto env = current_environment();
  CHECK(env.at("KILN_PROCESS_TEST_VAR") == "a=b c");
  CHECK(env.at("PATH") == std::getenv("PATH"));
  ::unsetenv("KILN_PROCESS_TEST_VAR");
}

TEST_CASE("run starts the child in cwd, or in ours", "[process]") {
  ScratchDir tmp;
  RunRequest request = shell("pwd");
  request.cwd = tmp.path().string();
  CHECK(output_of(request) == std::vector<std::string>{tmp.path().string()});

  request.cwd = "";
  CHECK(output_of(request) == std::vector<std::string>{fs::current_path().string()});

  // A relative program path is taken from the child's cwd.
  write_file(tmp / "hello.sh", "#!/bin/sh\necho hello \"$@\"\n", fs::perms(0755));
  RunRequest relative;
  relative.argv = {"./hello.sh", "there"};
  relative.env = current_environment();
  relative.cwd = tmp.path().string();
  CHECK(output_of(relative) == std::vector<std::string>{"hello there"});
}

TEST_CASE("run looks argv[0] up in the PATH of the child's environment", "[process]") {
  ScratchDir tmp;
  fs::create_directories(tmp / "noexec");
  fs::create_directories(tmp / "bin");
  write_file(tmp / "noexec/kiln-tool", "#!/bin/sh\necho wrong\n", fs::perms(0644));
  write_file(tmp / "bin/kiln-tool", "#!/bin/sh\necho \"tool:$*\"\n", fs::perms(0755));
  RunRequest request;
  request.argv = {"kiln-tool", "a", "b c"};
  request.env = {{"PATH", tmp / "noexec" + ":" + tmp / "bin" + ":/usr/bin:/bin"}};
  CHECK(output_of(request) == std::vector<std::string>{"tool:a b c"});

  // Not in the caller's PATH: only the child's counts.
  request.env = {{"PATH", "/usr/bin:/bin"}};
  auto missing = run(request);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::k_not_found);
}

TEST_CASE("run fails with an Error naming a program that cannot be started", "[process]") {
  ScratchDir tmp;
  RunRequest request;
  request.env = current_environment();

  request.argv = {"kiln-no-such-program", "x"};
  auto in_path = run(request);
  REQUIRE_FALSE(in_path.ok());
  CHECK(in_path.error().code == ErrorCode::k_not_found);
  CHECK(in_path.error().message == "cannot run 'kiln-no-such-program': No such file or directory");

  request.argv = {tmp / "missing"};
  auto absolute = run(request);
  REQUIRE_FALSE(absolute.ok());
  CHECK(absolute.error().code == ErrorCode::k_not_found);
  CHECK(absolute.error().message ==
        "cannot run '" + tmp / "missing" + "': No such file or directory");

  write_file(tmp / "plain", "echo hi\n", fs::perms(0644));
  request.argv = {tmp / "plain"};
  auto not_executable = run(request);
  REQUIRE_FALSE(not_executable.ok());
  CHECK(not_executable.error().code == ErrorCode::k_io);
  CHECK(not_executable.error().message == "cannot run '" + tmp / "plain" + "': Permission denied");

  request.argv = {"true"};
  request.cwd = tmp / "no-such-dir";
  auto bad_cwd = run(request);
  REQUIRE_FALSE(bad_cwd.ok());
  CHECK(bad_cwd.error().message.find("cannot run 'true': cannot change to directory '" +
                                     tmp / "no-such-dir" + "'") == 0);

  request.argv = {};
  request.cwd = "";
  auto empty = run(request);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == ErrorCode::k_invalid);

  request.argv = {"true"};
  request.log_path = tmp / "no-such-dir/log";
  auto bad_log = run(request);
  REQUIRE_FALSE(bad_log.ok());
  CHECK(bad_log.error().code == ErrorCode::k_io);
}

TEST_CASE("run delivers output lines in order, with a final partial line", "[process]") {
  CHECK(output_of(shell("printf 'a\\nb\\n\\nlast'")) ==
        std::vector<std::string>{"a", "b", "", "last"});
  CHECK(output_of(shell("printf 'one\\n'")) == std::vector<std::string>{"one"});
  CHECK(output_of(shell("true")).empty());

  // Many lines across many reads: none lost, none reordered; the tail keeps
  // the last 20.
  std::vector<std::string> lines;
  RunResult result = run_collect(shell("seq 1 100000"), lines);
  REQUIRE(lines.size() == 100000);
  bool in_order = true;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != std::to_string(i + 1)) in_order = false;
  }
  CHECK(in_order);
  std::string expected_tail;
  for (int i = 99981; i <= 100000; ++i) expected_tail += std::to_string(i) + "\n";
  CHECK(result.tail == expected_tail);
}

TEST_CASE("run merges stderr into the output, in order", "[process]") {
  std::vector<std::string> lines;
  RunResult result =
      run_collect(shell("echo one; echo two >&2; echo three; echo four >&2; exit 2"), lines);
  CHECK(lines == std::vector<std::string>{"one", "two", "three", "four"});
  CHECK(result.exit_code == 2);
  CHECK(result.tail == "one\ntwo\nthree\nfour\n");
}

TEST_CASE("run appends the output to the log file", "[process]") {
  ScratchDir tmp;
  std::string log = tmp / "build.log";
  write_file(log, "earlier\n", fs::perms(0644));
  RunRequest request = shell("echo out; echo err >&2; printf partial");
  request.log_path = log;
  REQUIRE(run(request).ok());
  CHECK(slurp(log) == "earlier\nout\nerr\npartial");

  // Created when missing; works without on_line.
  request.log_path = tmp / "new.log";
  REQUIRE(run(request).ok());
  CHECK(slurp(tmp / "new.log") == "out\nerr\npartial");
}

TEST_CASE("run gives the child /dev/null as stdin and its own process group", "[process]") {
  CHECK(output_of(shell("readlink /proc/self/fd/0")) == std::vector<std::string>{"/dev/null"});
  CHECK(output_of(shell("cat; echo done")) == std::vector<std::string>{"done"});
  auto ids = output_of(shell("echo $$ $(cut -d' ' -f5 /proc/$$/stat)"));
  REQUIRE(ids.size() == 1);
  std::istringstream in(ids[0]);
  long pid = 0, pgid = 0;
  in >> pid >> pgid;
  CHECK(pid > 0);
  CHECK(pgid == pid);
}

TEST_CASE("run's timeout kills the child and its descendants", "[process]") {
  std::vector<std::string> lines;
  RunRequest request = shell("sleep 100 & echo $!; echo $$; sleep 100");
  request.timeout = std::chrono::seconds(1);
  auto start = Clock::now();
  RunResult result = run_collect(request, lines);
  double elapsed = seconds_since(start);
  CHECK(result.timed_out);
  CHECK_FALSE(result.cancelled);
  CHECK(result.signal == SIGTERM);
  CHECK(result.exit_code == 128 + SIGTERM);
  CHECK(elapsed >= 0.9);
  CHECK(elapsed < 6.0);
  REQUIRE(lines.size() == 2);
  long background = std::stol(lines[0]);
  long leader = std::stol(lines[1]);
  // The foreground sleep has no pid we know; its group (the shell's pid) is empty.
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while ((alive(background) || live_members(leader) > 0) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_FALSE(alive(background));
  CHECK_FALSE(alive(leader));
  CHECK(live_members(leader) == 0);
}

TEST_CASE("run sends SIGKILL when SIGTERM is ignored", "[process]") {
  std::vector<std::string> lines;
  RunRequest request = shell("trap '' TERM; sleep 100 & echo $!; sleep 100");
  request.timeout = std::chrono::seconds(1);
  auto start = Clock::now();
  RunResult result = run_collect(request, lines);
  double elapsed = seconds_since(start);
  CHECK(result.timed_out);
  CHECK(result.signal == SIGKILL);
  CHECK(elapsed >= 5.5);
  CHECK(elapsed < 8.0);
  REQUIRE(lines.size() == 1);
  long background = std::stol(lines[0]);
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while (alive(background) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_FALSE(alive(background));
}

TEST_CASE("run stops the child when the cancel flag is raised", "[process]") {
  std::atomic<bool> cancel{false};
  RunRequest request = shell("echo ready; sleep 100");
  request.cancel = &cancel;
  request.on_line = [&cancel](std::string_view line) {
    if (line == "ready") cancel = true;
  };
  auto start = Clock::now();
  auto result = run(request);
  REQUIRE(result.ok());
  CHECK(result->cancelled);
  CHECK_FALSE(result->timed_out);
  CHECK(result->signal == SIGTERM);
  CHECK(seconds_since(start) < 3.0);

  // Raised from another thread.
  std::atomic<bool> later{false};
  RunRequest slow = shell("sleep 100");
  slow.cancel = &later;
  std::thread raiser([&later] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    later = true;
  });
  start = Clock::now();
  auto stopped = run(slow);
  raiser.join();
  REQUIRE(stopped.ok());
  CHECK(stopped->cancelled);
  CHECK(seconds_since(start) < 3.0);
}

TEST_CASE("run kills and reaps the child when on_line throws", "[process]") {
  RunRequest request = shell("echo ready; sleep 100");
  request.on_line = [](std::string_view) { throw std::runtime_error("stop"); };
  auto start = Clock::now();
  CHECK_THROWS_WITH(run(request), "stop");
  CHECK(seconds_since(start) < 3.0);
}

TEST_CASE("run from 8 threads at once: each gets its own output", "[process]") {
  constexpr int k_threads = 8;
  constexpr int k_lines = 300;
  std::vector<std::vector<std::string>> outputs(k_threads);
  std::vector<int> exit_codes(k_threads, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([t, &outputs, &exit_codes] {
      RunRequest request =
          shell("i=0; while [ $i -lt " + std::to_string(k_lines) + " ]; do echo \"t" +
                std::to_string(t) + " $i\"; i=$((i+1)); done; exit " + std::to_string(t));
      request.on_line = [&out = outputs[t]](std::string_view line) { out.emplace_back(line); };
      auto result = run(request);
      if (result.ok()) exit_codes[t] = result->exit_code;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < k_threads; ++t) {
    std::vector<std::string> expected;
    for (int i = 0; i < k_lines; ++i)
      expected.push_back("t" + std::to_string(t) + " " + std::to_string(i));
    CHECK(outputs[t] == expected);
    CHECK(exit_codes[t] == t);
  }
}

TEST_CASE("run reports the signal that killed the child", "[process]") {
  auto killed = run(shell("kill -KILL $$"));
  REQUIRE(killed.ok());
  CHECK(killed->signal == SIGKILL);
  CHECK(killed->exit_code == 128 + SIGKILL);
  CHECK_FALSE(killed->timed_out);

  // The caller's ignored SIGPIPE is not inherited.
  auto previous = ::signal(SIGPIPE, SIG_IGN);
  auto pipe_result = run(shell("yes | head -n 1 >/dev/null; kill -PIPE $$"));
  ::signal(SIGPIPE, previous);
  REQUIRE(pipe_result.ok());
  CHECK(pipe_result->signal == SIGPIPE);
}

TEST_CASE("shell_quote round-trips through sh", "[process]") {
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  const std::vector<std::string> samples = {
      "",        "plain",      "two words",        "it's",  "''",    "$HOME",
      "${x:-y}", "\"double\"", "back\\slash",      "`id`",  "$(id)", "a;b|c&d",
      "*?[x]",   "new\nline",  " lead and trail ", "~user", "#hash"};
  for (const std::string& s : samples) {
    std::vector<std::string> lines = output_of(shell("printf '%s\\n' " + shell_quote(s)));
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) joined += (i ? "\n" : "") + lines[i];
    CHECK(joined == s);
  }
}

TEST_CASE("run leaks no descriptor into the child", "[process]") {
  ScratchDir tmp;
  // Another run in flight, so its pipes exist while this child starts.
  std::thread other([] { (void)run(shell("sleep 1")); });
  // A descriptor someone else opened without O_CLOEXEC.
  int stray = ::open("/dev/null", O_RDONLY);
  REQUIRE(stray >= 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RunRequest request;
  request.argv = {"ls", "/proc/self/fd"};
  request.env = current_environment();
  request.log_path = tmp / "log";
  std::vector<std::string> fds = output_of(request);
  ::close(stray);
  other.join();
  std::sort(fds.begin(), fds.end());
  // 0, 1, 2 and the directory ls is reading.
  CHECK(fds == std::vector<std::string>{"0", "1", "2", "3"});
}

TEST_CASE("run does not wait for a silent background process holding the output", "[process]") {
  std::vector<std::string> lines;
  auto start = Clock::now();
  RunResult result = run_collect(shell("sleep 30 & echo $!"), lines);
  double elapsed = seconds_since(start);
  CHECK(result.exit_code == 0);
  CHECK(elapsed >= 1.5);
  CHECK(elapsed < 4.0);
  REQUIRE(lines.size() == 1);
  long background = std::stol(lines[0]);
  CHECK(alive(background));  // left alone, as documented
  ::kill(static_cast<pid_t>(background), SIGKILL);
}
