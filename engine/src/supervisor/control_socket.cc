#include "supervisor/control_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace kiln::supervisor {

namespace {

using Clock = std::chrono::steady_clock;

Error os_error(ErrorCode code, const std::string& what, const std::string& path) {
  return Error(code, what + ": " + strerror(errno), path);
}

Expected<sockaddr_un> address(const std::string& path) {
  sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return Error(ErrorCode::k_invalid,
                 "socket path too long (" + std::to_string(path.size()) + " bytes; at most " +
                     std::to_string(sizeof addr.sun_path - 1) + "): use a shorter --root",
                 path);
  }
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Waits for `events` on fd until `deadline`; false on timeout.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

}  // namespace

Expected<int> listen_unix(const std::string& path) {
  Expected<sockaddr_un> addr = address(path);
  if (!addr.ok()) return addr.error();
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return os_error(ErrorCode::k_io, "cannot create a socket", path);
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&*addr), sizeof *addr) != 0 || ::listen(fd, 64) != 0) {
    Error e = os_error(ErrorCode::k_io, "cannot listen", path);
    ::close(fd);
    return e;
  }
  return fd;
}

Expected<std::string> exchange(const std::string& path, const std::string& request,
                               std::chrono::milliseconds timeout) {
  Expected<sockaddr_un> addr = address(path);
  if (!addr.ok()) return addr.error();
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return os_error(ErrorCode::k_io, "cannot create a socket", path);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&*addr), sizeof *addr) != 0) {
    ErrorCode code =
        (errno == ENOENT || errno == ECONNREFUSED) ? ErrorCode::k_not_found : ErrorCode::k_io;
    return os_error(code, "cannot connect", path);
  }
  Clock::time_point deadline = Clock::now() + timeout;
  std::string_view out = request;
  while (!out.empty()) {
    if (!wait_fd(fd.get(), POLLOUT, deadline)) return Error(ErrorCode::k_io, "timed out", path);
    ssize_t n = ::send(fd.get(), out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return os_error(ErrorCode::k_io, "cannot send", path);
    out.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string reply;
  char buf[65536];
  while (reply.find('\n') == std::string::npos) {
    if (!wait_fd(fd.get(), POLLIN, deadline)) return Error(ErrorCode::k_io, "timed out", path);
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return os_error(ErrorCode::k_io, "cannot read the reply", path);
    if (n == 0) return Error(ErrorCode::k_io, "the supervisor closed the connection", path);
    reply.append(buf, static_cast<std::size_t>(n));
  }
  reply.resize(reply.find('\n'));
  return reply;
}

}  // namespace kiln::supervisor
