// Running a child process for recipes (configure/make, shell hooks, git).
//
// run() is safe to call from several threads at once: it forks with every
// argument prepared beforehand, makes only async-signal-safe calls in the
// child, opens every descriptor close-on-exec, and never touches the parent's
// signal handlers. The child gets its own process group, so a timeout or a
// cancellation reaches everything it started (`sh -c 'a & b'`).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"

namespace kiln::process {

// Grace between SIGTERM and SIGKILL when a run times out or is cancelled.
inline constexpr std::chrono::seconds k_kill_grace{5};
// Number of output lines kept in RunResult::tail.
inline constexpr std::size_t k_tail_lines = 20;

struct RunRequest {
  // argv[0] is looked up in the PATH of `env` (default "/bin:/usr/bin") if it
  // has no '/'; relative PATH entries and paths are taken from `cwd`.
  std::vector<std::string> argv;
  // The child's COMPLETE environment (see current_environment()).
  std::map<std::string, std::string> env;
  // Working directory of the child; "" = the caller's.
  std::string cwd;
  // "" = none; otherwise stdout+stderr are appended to this file (created if
  // missing, mode 0644 less the umask).
  std::string log_path;
  // Optional: called with each complete output line (without '\n'), in order,
  // on the calling thread; a final partial line is delivered at EOF. A line
  // longer than 1 MiB is delivered in 1 MiB pieces. If it throws, the child's
  // group is killed and reaped, then the exception propagates.
  std::function<void(std::string_view line)> on_line;
  // 0 = none. On expiry: SIGTERM to the process group, SIGKILL after
  // k_kill_grace (or as soon as the child itself has exited).
  std::chrono::seconds timeout{0};
  // Optional: polled every 100 ms; when it becomes true, same kill sequence as
  // a timeout.
  const std::atomic<bool>* cancel = nullptr;
  // When the child exits, SIGKILL what is left of its process group (the
  // background processes it started), before the child is reaped. For checks
  // such as promises, which must not leave anything behind.
  bool kill_group_on_exit = false;
};

struct RunResult {
  // The exit status; 128 + signal when the child was killed by a signal.
  int exit_code = 0;
  // The signal that killed the child, 0 if it exited.
  int signal = 0;
  bool timed_out = false;
  bool cancelled = false;
  // The last k_tail_lines lines of output, '\n'-terminated, for error messages.
  std::string tail;
};

// Runs request.argv in its own process group (setpgid), stdin from /dev/null,
// stdout and stderr merged through one pipe, and waits for it. Once the child
// has exited, output is read until EOF; descendants that keep the pipe open
// without writing for 2 s are left alone (not waited for).
// Errors only when the child could not be started: k_not_found for ENOENT
// ("cannot run 'foo': No such file or directory", also a missing cwd), k_io
// otherwise (permission, log file, pipe or fork failure), k_invalid (empty
// argv, an env name that is empty or has '='). A non-zero exit is a
// RunResult, not an Error.
Expected<RunResult> run(const RunRequest& request);

// The current process environment as a map (the first of duplicate names).
std::map<std::string, std::string> current_environment();

// argv running `script` with /bin/sh -c, `set -e` prepended.
std::vector<std::string> shell_argv(const std::string& script);

// Quotes s for a POSIX shell: '...' with each ' written '\''.
std::string shell_quote(std::string_view s);

}  // namespace kiln::process
