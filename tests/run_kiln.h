// Runs the real `kiln` binary (KILN_BINARY) for the end-to-end tests and
// captures what it printed and how it exited.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace kiln_test {

struct RunResult {
  int status = -1;  // exit status; 128 + signal number when killed by a signal
  bool signaled = false;
  std::string out;  // stdout
  std::string err;  // stderr
};

struct RunOptions {
  std::string cwd;  // "" = the test's own working directory
  // Changes to the environment: a value sets the variable, nullopt unsets it.
  std::map<std::string, std::optional<std::string>> env;
};

// The environment the tests start kiln in: no user kiln.ini is read
// (KILN_CONFIG unset, KILN_ROOT a directory that holds none).
inline std::map<std::string, std::optional<std::string>> hermetic_env() {
  return {{"KILN_CONFIG", std::nullopt}, {"KILN_ROOT", std::string("/nonexistent/kiln-e2e-root")}};
}

// Runs `binary args...` and waits for it; throws std::runtime_error only when
// the process cannot be started.
inline RunResult run_program(const std::string& binary, const std::vector<std::string>& args,
                             const RunOptions& options = {}) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  // Everything the child needs is prepared before fork().
  std::vector<std::string> argv_s{binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::map<std::string, std::string> env_map;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    std::size_t eq = kv.find('=');
    if (eq != std::string::npos) env_map[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : options.env) {
    if (v) {
      env_map[k] = *v;
    } else {
      env_map.erase(k);
    }
  }
  std::vector<std::string> env_s;
  for (const auto& [k, v] : env_map) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  RunResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus)) {
    r.status = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    r.signaled = true;
    r.status = 128 + WTERMSIG(wstatus);
  }
  return r;
}

// Runs kiln in the hermetic environment plus `extra_env`.
inline RunResult run_kiln(const std::vector<std::string>& args, RunOptions options = {}) {
  std::map<std::string, std::optional<std::string>> env = hermetic_env();
  for (auto& [k, v] : options.env) env[k] = v;
  options.env = std::move(env);
  return run_program(KILN_BINARY, args, options);
}

// Path of a file under tests/data.
inline std::string data_path(const std::string& relative) {
  return std::string(KILN_TEST_DATA) + "/" + relative;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Lines of `s`, a last one without '\n' included.
inline std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  if (!s.empty() && s.back() != '\n') ++n;
  return n;
}

// Whether `pid` runs and is not a zombie (PID 1 may never reap orphans on the
// machines the tests run on, so a killed orphan can stay a zombie).
inline bool process_running(int pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  int fd = ::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return false;
  std::string stat(buf, static_cast<std::size_t>(n));
  std::size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

}  // namespace kiln_test
