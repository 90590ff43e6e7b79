// Test helper: a cpp-httplib server on a free loopback port, running on its
// own thread for the lifetime of the object. Handlers are registered by the
// `setup` callback before the server starts (httplib is not safe to mutate
// while listening). Header-only; used by *_test.cc files.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace kiln::net {

class TestHttpServer {
 public:
  explicit TestHttpServer(const std::function<void(httplib::Server&)>& setup) {
    setup(m_server);
    m_port = m_server.bind_to_any_port("127.0.0.1");
    if (m_port <= 0) throw std::runtime_error("cannot bind a loopback port");
    // The socket already listens: connections queue until the loop accepts.
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
  }
  ~TestHttpServer() {
    m_server.stop();
    m_thread.join();
  }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return m_port; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }

 private:
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
};

// A loopback TCP port on which nothing listens (bound, then released).
inline int unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace kiln::net
