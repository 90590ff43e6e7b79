#include "supervisor/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

extern char** environ;  // POSIX

namespace kiln::supervisor {

namespace {

struct Pipe {
  int read = -1, write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
};

// Why the child could not exec: the step and errno, written on the status
// pipe (close-on-exec: EOF means the exec succeeded).
struct ExecFailure {
  int step;  // 0: cannot enter cwd, 1: execve
  int error;
};

[[noreturn]] void fail(int status_fd, int step) {
  ExecFailure f{step, errno};
  ssize_t ignored = ::write(status_fd, &f, sizeof f);
  (void)ignored;
  ::_exit(127);
}

// "cannot run PATH: ..." for an exec error; for ENOENT on a script whose
// interpreter is missing, names the interpreter.
std::string exec_error(const std::string& path, int error) {
  std::string why = strerror(error);
  if (error == ENOENT && ::access(path.c_str(), F_OK) == 0) {
    char head[256] = {0};
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? ::read(fd, head, sizeof head - 1) : -1;
    if (fd >= 0) ::close(fd);
    std::string first(head, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (first.rfind("#!", 0) == 0) {
      first = first.substr(
          2, first.find('\n') == std::string::npos ? std::string::npos : first.find('\n') - 2);
      std::size_t b = first.find_first_not_of(" \t");
      std::size_t e = b == std::string::npos ? b : first.find_first_of(" \t\r", b);
      std::string interpreter = b == std::string::npos ? "" : first.substr(b, e - b);
      return "cannot run " + path + ": its interpreter " + interpreter + ": " + why;
    }
  }
  return "cannot run " + path + ": " + why;
}

// The child: its own group, default signals, /dev/null, the output pipe;
// waits until the parent registered its group, then execs.
[[noreturn]] void child(const ServiceSpec& spec, const std::string& cwd, Pipe& out, Pipe& go,
                        Pipe& status) {
  ::setpgid(0, 0);
  struct sigaction dfl;
  ::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::close(go.write);
  char byte;
  while (::read(go.read, &byte, 1) < 0 && errno == EINTR) {
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out.write, 1) < 0 ||
      ::dup2(out.write, 2) < 0) {
    ::_exit(127);
  }
  // Everything but the status pipe (close-on-exec) is closed.
  int status_fd = ::dup2(status.write, 3) < 0 ? -1 : 3;
  ::close_range(4, ~0U, 0);
  if (status_fd < 0) ::_exit(127);
  status.write = 3;
  ::fcntl(3, F_SETFD, FD_CLOEXEC);
  if (::chdir(cwd.c_str()) != 0) fail(status.write, 0);
  char* argv[] = {const_cast<char*>(spec.path.c_str()), nullptr};
  ::execve(spec.path.c_str(), argv, environ);
  fail(status.write, 1);
}

}  // namespace

Expected<Spawned> spawn_service(const ServiceSpec& spec, Keeper& keeper) {
  Pipe out, go, status;
  if (!out.open() || !go.open() || !status.open()) {
    return Error(ErrorCode::k_io, std::string("cannot create a pipe: ") + strerror(errno));
  }
  std::string cwd = spec.cwd;
  if (cwd.empty()) cwd = spec.path.substr(0, spec.path.rfind('/') + 1);
  pid_t pid = ::fork();
  if (pid < 0) return Error(ErrorCode::k_io, std::string("cannot fork: ") + strerror(errno));
  if (pid == 0) child(spec, cwd, out, go, status);
  ::setpgid(pid, pid);  // both sides set it: no window where it is not a group
  keeper.add(pid);
  ::close(go.write);  // the child's read() returns: it may exec now
  go.write = -1;
  // Wait for the exec (the status pipe closes) or its failure: a program
  // that cannot be run is an error at once, not a service that exits 127.
  ::close(status.write);
  status.write = -1;
  ExecFailure failure{};
  ssize_t got;
  while ((got = ::read(status.read, &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int wait_status;
    while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
    }
    keeper.remove(pid);
    if (failure.step == 0) {
      return Error(ErrorCode::k_io,
                   "cannot enter " + cwd + ": " + std::string(strerror(failure.error)));
    }
    return Error(ErrorCode::k_io, exec_error(spec.path, failure.error));
  }
  Spawned s;
  s.pid = pid;
  s.output = out.read;
  out.read = -1;
  ::fcntl(s.output, F_SETFL, ::fcntl(s.output, F_GETFL) | O_NONBLOCK);
  return s;
}

}  // namespace kiln::supervisor
