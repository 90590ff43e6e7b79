#include "supervisor/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
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

void write_all(int fd, const std::string& s) {
  ssize_t ignored = ::write(fd, s.data(), s.size());
  (void)ignored;
}

// The child: its own group, default signals, /dev/null, the output pipe;
// waits until the parent registered its group, then execs.
[[noreturn]] void child(const ServiceSpec& spec, const std::string& cwd, Pipe& out, Pipe& go) {
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
  ::close_range(3, ~0U, 0);
  if (::chdir(cwd.c_str()) != 0) {
    write_all(2, "kiln supervisor: cannot enter " + cwd + ": " + strerror(errno) + "\n");
    ::_exit(127);
  }
  char* argv[] = {const_cast<char*>(spec.path.c_str()), nullptr};
  ::execve(spec.path.c_str(), argv, environ);
  write_all(2, "kiln supervisor: cannot run " + spec.path + ": " + strerror(errno) + "\n");
  ::_exit(127);
}

}  // namespace

Expected<Spawned> spawn_service(const ServiceSpec& spec, Keeper& keeper) {
  Pipe out, go;
  if (!out.open() || !go.open()) {
    return Error(ErrorCode::k_io, std::string("cannot create a pipe: ") + strerror(errno));
  }
  std::string cwd = spec.cwd;
  if (cwd.empty()) cwd = spec.path.substr(0, spec.path.rfind('/') + 1);
  pid_t pid = ::fork();
  if (pid < 0) return Error(ErrorCode::k_io, std::string("cannot fork: ") + strerror(errno));
  if (pid == 0) child(spec, cwd, out, go);
  ::setpgid(pid, pid);  // both sides set it: no window where it is not a group
  keeper.add(pid);
  ::close(go.write);  // the child's read() returns: it may exec now
  go.write = -1;
  Spawned s;
  s.pid = pid;
  s.output = out.read;
  out.read = -1;
  ::fcntl(s.output, F_SETFL, ::fcntl(s.output, F_GETFL) | O_NONBLOCK);
  return s;
}

}  // namespace kiln::supervisor
