#include "process/run.h"

#include "process/child_groups.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <utility>

extern char** environ;  // POSIX

namespace kiln::process {

namespace {

using Clock = std::chrono::steady_clock;

// How often timeouts, cancellation and the child's exit are checked.
constexpr int k_tick_ms = 100;
// Once the child has exited, how long descendants holding the pipe may stay
// silent before run() stops reading and returns.
constexpr std::chrono::seconds k_drain_idle{2};
// Longest line handed to on_line in one piece.
constexpr std::size_t k_max_line = std::size_t{1} << 20;
// Longest line kept in RunResult::tail.
constexpr std::size_t k_max_tail_line = 2000;
// PATH used when the child's environment has none (as execvp).
constexpr const char* k_default_path = "/bin:/usr/bin";

// What went wrong in the child before exec, sent through a close-on-exec pipe.
enum ChildStage : int { k_stage_setup = 1, k_stage_chdir = 2, k_stage_exec = 3 };
struct ChildFailure {
  int stage;
  int err;
};

// Thread-safe strerror (GNU and XSI strerror_r both handled).
[[maybe_unused]] const char* pick_message(const char* result, const char*) {
  return result;
}
[[maybe_unused]] const char* pick_message(int result, const char* buf) {
  return result == 0 ? buf : "Unknown error";
}
std::string errno_text(int err) {
  char buf[256] = {};
  return pick_message(::strerror_r(err, buf, sizeof buf), buf);
}

ErrorCode code_for(int err) {
  return err == ENOENT ? ErrorCode::k_not_found : ErrorCode::k_io;
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return m_fd; }
  void reset(int fd = -1) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }

 private:
  int m_fd = -1;
};

// Moves `fd` above 2 (close-on-exec kept), so that the child's dup2 onto
// 0..2 never finds it already there (a caller with closed standard streams).
bool raise_fd(UniqueFd& fd) {
  if (fd.get() > 2) return true;
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return false;
  fd.reset(moved);
  return true;
}

bool make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return raise_fd(read_end) && raise_fd(write_end);
}

// The executable for argv[0]: itself if it has a '/', else the first
// executable regular file named so in the PATH of the child's environment.
// A relative result is relative to the child's cwd (the child execs after
// its chdir).
Expected<std::string> find_program(const RunRequest& request) {
  const std::string& name = request.argv[0];
  if (name.find('/') != std::string::npos) return name;
  auto found = request.env.find("PATH");
  std::string_view path = k_default_path;
  if (found != request.env.end()) path = found->second;
  int err = ENOENT;
  while (true) {
    std::size_t colon = path.find(':');
    std::string dir(path.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    std::string here = candidate;  // the same file, seen from our cwd
    if (candidate[0] != '/' && !request.cwd.empty()) here = request.cwd + "/" + candidate;
    struct stat st;
    if (::stat(here.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(here.c_str(), X_OK) == 0) return candidate;
      err = EACCES;
    }
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return Error(code_for(err), "cannot run '" + name + "': " + errno_text(err));
}

// Everything the child needs, prepared before fork: between fork and exec
// the child may only make async-signal-safe calls (no allocation).
struct ChildSetup {
  const char* program;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // nullptr = inherit
  int null_fd;
  int out_fd;
  int err_fd;
  int max_fd;    // bound for closing descriptors without close_range
  pid_t parent;  // kiln's pid: the child dies with it (PR_SET_PDEATHSIG)
};

[[noreturn]] void child_fail(const ChildSetup& setup, int stage, int err) noexcept {
  ChildFailure failure{stage, err};
  ssize_t ignored = ::write(setup.err_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

// Closes every descriptor >= `from` except `keep`. Everything we open is
// close-on-exec already; this also stops descriptors that other code in this
// process opened without O_CLOEXEC from reaching the command.
void close_descriptors(int from, int keep, int max_fd) noexcept {
#ifdef SYS_close_range
  if (keep > from && ::syscall(SYS_close_range, from, keep - 1, 0) != 0) {
    for (int fd = from; fd < keep; ++fd) ::close(fd);
  }
  if (::syscall(SYS_close_range, keep + 1, ~0U, 0) == 0) return;
#endif
  for (int fd = from; fd < max_fd; ++fd) {
    if (fd != keep) ::close(fd);
  }
}

[[noreturn]] void child_exec(const ChildSetup& setup) noexcept {
  ::setpgid(0, 0);
  // If kiln is killed (kill -9 included), the command is killed too instead
  // of running on unsupervised; checked after arming in case kiln is gone.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != setup.parent) ::_exit(137);
  // Default dispositions and an empty mask: what the caller ignores or blocks
  // (SIGPIPE, signals masked in worker threads) must not reach the command.
  struct sigaction dfl;
  ::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::dup2(setup.null_fd, 0) < 0 || ::dup2(setup.out_fd, 1) < 0 || ::dup2(setup.out_fd, 2) < 0) {
    child_fail(setup, k_stage_setup, errno);
  }
  close_descriptors(3, setup.err_fd, setup.max_fd);
  if (setup.cwd != nullptr && ::chdir(setup.cwd) != 0) child_fail(setup, k_stage_chdir, errno);
  ::execve(setup.program, setup.argv, setup.envp);
  child_fail(setup, k_stage_exec, errno);
}

int max_fd_bound() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 65536;
  return static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 65536));
}

// Signals the child's process group (its pgid is its pid).
void kill_group(pid_t pgid, int sig) {
  ::kill(-pgid, sig);
}

// Whether the child has exited, without reaping it: while it is an unreaped
// zombie its pid, hence its process group id, cannot be reused, so
// kill_group() cannot reach a stranger.
bool child_exited(pid_t pid) {
  siginfo_t info;
  ::memset(&info, 0, sizeof info);
  int r;
  do {
    r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (r != 0 && errno == EINTR);
  return r != 0 || info.si_pid == pid;  // an error means there is nothing to wait for
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Kills and reaps the child unless released: run() never leaves a child
// behind, even when on_line throws.
// Its group is killed too if kiln is interrupted meanwhile (TrackedGroup).
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : m_pid(pid), m_tracked(pid) {}
  ~ChildGuard() {
    if (m_pid > 0) {
      kill_group(m_pid, SIGKILL);
      m_tracked.release();
      reap(m_pid);
    }
  }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  int reap_now() {
    m_tracked.release();
    int status = reap(m_pid);
    m_pid = -1;
    return status;
  }

 private:
  pid_t m_pid;
  TrackedGroup m_tracked;
};

// The child's output: appended to the log, split into lines for on_line and
// the tail.
class OutputSink {
 public:
  OutputSink(const RunRequest& request, int log_fd) : m_request(request), m_log_fd(log_fd) {}

  void add(const char* data, std::size_t size) {
    write_log(data, size);
    std::string_view chunk(data, size);
    while (!chunk.empty()) {
      std::size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        m_pending.append(chunk);
        while (m_pending.size() >= k_max_line) {
          std::string piece = m_pending.substr(0, k_max_line);
          m_pending.erase(0, k_max_line);
          deliver(piece);
        }
        return;
      }
      if (m_pending.empty()) {
        deliver(chunk.substr(0, nl));
      } else {
        m_pending.append(chunk.substr(0, nl));
        std::string line = std::move(m_pending);
        m_pending.clear();
        deliver(line);
      }
      chunk.remove_prefix(nl + 1);
    }
  }

  // End of output: the final partial line, if any.
  void finish() {
    if (m_pending.empty()) return;
    std::string line = std::move(m_pending);
    m_pending.clear();
    deliver(line);
  }

  std::string tail() const {
    std::string out;
    for (const std::string& line : m_tail) out += line + "\n";
    if (!m_log_error.empty()) out += m_log_error + "\n";
    return out;
  }

 private:
  void deliver(std::string_view line) {
    if (m_tail.size() == k_tail_lines) m_tail.pop_front();
    if (line.size() > k_max_tail_line) {
      m_tail.emplace_back(std::string(line.substr(0, k_max_tail_line)) + "...");
    } else {
      m_tail.emplace_back(line);
    }
    if (m_request.on_line) m_request.on_line(line);
  }

  void write_log(const char* data, std::size_t size) {
    while (m_log_fd >= 0 && size > 0) {
      ssize_t n = ::write(m_log_fd, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        m_log_error = "kiln: cannot write log file '" + m_request.log_path +
                      "': " + errno_text(n < 0 ? errno : EIO);
        m_log_fd = -1;  // closed by run()
        return;
      }
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }

  const RunRequest& m_request;
  int m_log_fd;
  std::string m_pending;
  std::deque<std::string> m_tail;
  std::string m_log_error;
};

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Expected<RunResult> run(const RunRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return Error(ErrorCode::k_invalid, "cannot run a command: empty program name");
  }
  const std::string& name = request.argv[0];
  auto failed = [&name](ErrorCode code, const std::string& what) {
    return Error(code, "cannot run '" + name + "': " + what);
  };

  Expected<std::string> program = find_program(request);
  if (!program.ok()) return program.error();
  std::vector<std::string> argv_strings = request.argv;
  std::vector<std::string> env_strings;
  env_strings.reserve(request.env.size());
  for (const auto& [key, value] : request.env) {
    if (key.empty() || key.find('=') != std::string::npos) {
      return failed(ErrorCode::k_invalid, "invalid environment variable name '" + key + "'");
    }
    env_strings.push_back(key + "=" + value);
  }
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);

  UniqueFd log_fd;
  if (!request.log_path.empty()) {
    log_fd.reset(::open(request.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (log_fd.get() < 0) {
      int err = errno;
      return failed(ErrorCode::k_io,
                    "cannot open log file '" + request.log_path + "': " + errno_text(err));
    }
  }
  UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd out_read, out_write, err_read, err_write;
  if (null_fd.get() < 0 || !raise_fd(null_fd) || !make_pipe(out_read, out_write) ||
      !make_pipe(err_read, err_write)) {
    int err = errno;
    return failed(ErrorCode::k_io, errno_text(err));
  }

  ChildSetup setup{program->c_str(), argv.data(),
                   envp.data(),      request.cwd.empty() ? nullptr : request.cwd.c_str(),
                   null_fd.get(),    out_write.get(),
                   err_write.get(),  max_fd_bound(),
                   ::getpid()};
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    return failed(ErrorCode::k_io, "fork: " + errno_text(err));
  }
  if (pid == 0) child_exec(setup);

  ChildGuard guard(pid);
  ::setpgid(pid, pid);  // also here, so the group exists before any kill_group (EACCES once exec'd)
  out_write.reset();
  err_write.reset();
  null_fd.reset();

  // Did exec succeed? The pipe closes on exec; a failing child writes why.
  ChildFailure failure{0, 0};
  ssize_t got;
  do {
    got = ::read(err_read.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  err_read.reset();
  if (got == static_cast<ssize_t>(sizeof failure)) {
    guard.reap_now();
    switch (failure.stage) {
      case k_stage_chdir:
        return failed(code_for(failure.err), "cannot change to directory '" + request.cwd +
                                                 "': " + errno_text(failure.err));
      case k_stage_exec:
        return failed(code_for(failure.err), errno_text(failure.err));
      default:
        return failed(ErrorCode::k_io, "cannot set up the child: " + errno_text(failure.err));
    }
  }

  RunResult result;
  OutputSink sink(request, log_fd.get());
  const Clock::time_point start = Clock::now();
  bool pipe_open = true;
  bool exited = false;
  bool term_sent = false;
  bool kill_sent = false;
  Clock::time_point kill_at;
  Clock::time_point last_data = start;
  int idle_ms = 1;
  char buf[65536];
  while (true) {
    Clock::time_point now = Clock::now();
    if (!exited && child_exited(pid)) {
      exited = true;
      last_data = now;
      // The child is a zombie until reaped below: its group id is not reused.
      if (request.kill_group_on_exit && !kill_sent) {
        kill_group(pid, SIGKILL);
        kill_sent = true;
      }
    }
    if (!term_sent) {
      if (request.timeout.count() > 0 && now - start >= request.timeout) {
        result.timed_out = true;
      } else if (request.cancel != nullptr && request.cancel->load()) {
        result.cancelled = true;
      }
      if (result.timed_out || result.cancelled) {
        kill_group(pid, SIGTERM);
        term_sent = true;
        kill_at = now + k_kill_grace;
      }
    }
    // After the grace, or as soon as the child itself is gone: what is left
    // of its group gets SIGKILL.
    if (term_sent && !kill_sent && (exited || now >= kill_at)) {
      kill_group(pid, SIGKILL);
      kill_sent = true;
    }
    if (exited && !pipe_open) break;

    if (!pipe_open) {  // the child closed its output but runs on
      ::poll(nullptr, 0, idle_ms);
      idle_ms = std::min(idle_ms * 2, k_tick_ms);
      continue;
    }
    pollfd pfd{out_read.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, k_tick_ms);
    if (ready > 0) {
      ssize_t n = ::read(out_read.get(), buf, sizeof buf);
      if (n > 0) {
        sink.add(buf, static_cast<std::size_t>(n));
        last_data = Clock::now();
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        pipe_open = false;
      }
    } else if (ready < 0 && errno != EINTR) {
      pipe_open = false;
    }
    if (pipe_open && exited && Clock::now() - last_data >= k_drain_idle) {
      pipe_open = false;  // descendants hold the pipe: don't wait for them
    }
    if (!pipe_open) out_read.reset();
  }
  sink.finish();

  int status = guard.reap_now();
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.tail = sink.tail();
  return result;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** p = ::environ; p != nullptr && *p != nullptr; ++p) {
    std::string_view entry(*p);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::vector<std::string> shell_argv(const std::string& script) {
  return {"/bin/sh", "-c", "set -e\n" + script};
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

}  // namespace kiln::process
