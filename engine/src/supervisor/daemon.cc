// run_supervisor(): the pid file lock (one supervisor per root), the control
// socket, detaching as a daemon, then the event loop.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "kiln/supervisor.h"
#include "supervisor/control_socket.h"
#include "supervisor/supervisor_loop.h"

namespace kiln {

namespace {

// How long `kiln supervisor --daemon` waits for the daemon to answer.
constexpr int k_ready_timeout_ms = 60000;

std::string pid_file_path(const std::string& root) {
  return root + "/run/supervisor.pid";
}

std::string read_pid(int fd) {
  char buf[32] = {0};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The locked pid file's descriptor; k_invalid when another supervisor holds it.
Expected<int> lock_pid_file(const std::string& root) {
  std::string path = pid_file_path(root);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error(ErrorCode::k_io, std::string("cannot open: ") + strerror(errno), path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::string pid = read_pid(fd);
    ::close(fd);
    return Error(ErrorCode::k_invalid, "a supervisor is already running for " + root +
                                           (pid.empty() ? "" : " (pid " + pid + ")"));
  }
  return fd;
}

void write_pid(int fd) {
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
}

// In the calling process: waits for the daemon's "ready" byte.
Status wait_ready(int fd, const std::string& root) {
  pollfd p{fd, POLLIN, 0};
  char byte = 0;
  bool ready = ::poll(&p, 1, k_ready_timeout_ms) > 0 && ::read(fd, &byte, 1) == 1 && byte == 'R';
  ::close(fd);
  if (ready) return {};
  return Error(ErrorCode::k_io,
               "the supervisor did not start; see " + root + "/log/supervisor.log");
}

// Forks twice; returns in the daemon (true) or in the caller (false, after
// the daemon said it is ready or failed: `*status`).
bool detach(const std::string& root, int* ready_fd, Status* status) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *status = Error(ErrorCode::k_io, std::string("cannot create a pipe: ") + strerror(errno));
    return false;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    *status = Error(ErrorCode::k_io, std::string("cannot fork: ") + strerror(errno));
    return false;
  }
  if (pid > 0) {
    ::close(fds[1]);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    *status = wait_ready(fds[0], root);
    return false;
  }
  ::close(fds[0]);
  ::setsid();
  if (::fork() != 0) ::_exit(0);  // the daemon is not a session leader
  std::string log = root + "/log/supervisor.log";
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (null_fd >= 0) ::dup2(null_fd, 0);
  if (log_fd >= 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
  }
  *ready_fd = fds[1];
  return true;
}

}  // namespace

Status run_supervisor(const SupervisorOptions& given) {
  SupervisorOptions options = given;
  std::error_code ec;
  options.root = std::filesystem::absolute(options.root, ec).lexically_normal().string();
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  for (const char* sub : {"/run", "/log/services"}) {
    std::filesystem::create_directories(options.root + sub, ec);
    if (ec) return Error(ErrorCode::k_io, "cannot create: " + ec.message(), options.root + sub);
  }
  Expected<int> lock = lock_pid_file(options.root);
  if (!lock.ok()) return lock.error();
  // Read before detaching: a services.json that cannot be read or parsed
  // fails the start on the terminal (exit 1) instead of a supervisor that
  // runs nothing with a warning in its log.
  Expected<std::vector<ServiceSpec>> services = read_service_set(options.root);
  if (!services.ok()) {
    ::close(*lock);
    return Error(services.error().code,
                 "cannot start the supervisor: " + services.error().to_string());
  }
  Expected<int> listen_fd = supervisor::listen_unix(supervisor_socket_path(options.root));
  if (!listen_fd.ok()) {
    ::close(*lock);
    return listen_fd.error();
  }
  int ready_fd = -1;
  if (options.daemon) {
    Status status;
    if (!detach(options.root, &ready_fd, &status)) {
      ::close(*lock);
      ::close(*listen_fd);
      return status;
    }
  }
  write_pid(*lock);
  supervisor::SupervisorLoop loop(options);
  Status started = loop.start(*listen_fd, *services);
  if (!started.ok()) return started;
  std::fprintf(stderr, "kiln supervisor: running for %s (pid %d)\n", options.root.c_str(),
               static_cast<int>(::getpid()));
  std::fflush(stderr);
  if (ready_fd >= 0) {
    (void)!::write(ready_fd, "R", 1);
    ::close(ready_fd);
  }
  loop.run();
  if (::ftruncate(*lock, 0) != 0) {
  }
  ::close(*lock);
  std::fprintf(stderr, "kiln supervisor: stopped\n");
  return {};
}

}  // namespace kiln
