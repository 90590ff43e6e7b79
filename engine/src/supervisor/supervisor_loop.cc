#include "supervisor/supervisor_loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "supervisor/memory_trim.h"
#include "supervisor/protocol.h"

namespace kiln::supervisor {

namespace {

using std::chrono::milliseconds;

// A client must send its request line within this time.
constexpr milliseconds k_client_timeout{5000};

void send_reply(int fd, const std::string& reply) {
  std::string_view out = reply;
  Clock::time_point deadline = Clock::now() + milliseconds(2000);
  while (!out.empty() && Clock::now() < deadline) {
    ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      out.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else if (n < 0 && errno != EINTR) {
      return;
    }
  }
}

nlohmann::json names_json(const std::vector<std::string>& names) {
  return nlohmann::json(names);
}

}  // namespace

SupervisorLoop::SupervisorLoop(const SupervisorOptions& options)
    : m_options(options), m_table(m_options, m_keeper) {}

SupervisorLoop::~SupervisorLoop() {
  for (Client& c : m_clients) ::close(c.fd);
  if (m_signal_fd >= 0) ::close(m_signal_fd);
  if (m_listen_fd >= 0) ::close(m_listen_fd);
}

Status SupervisorLoop::start(int listen_fd, const std::vector<ServiceSpec>& services) {
  m_listen_fd = listen_fd;
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, sig);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) {
    return Error(ErrorCode::k_io, std::string("cannot block signals: ") + strerror(errno));
  }
  m_signal_fd = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (m_signal_fd < 0) {
    return Error(ErrorCode::k_io, std::string("cannot create a signalfd: ") + strerror(errno));
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  Status keeper = m_keeper.spawn(m_options.stop_grace);
  if (!keeper.ok()) return keeper;
  m_table.reload(services);
  trim_clean_file_pages();  // start-up code and data: not needed in the loop
  return {};
}

void SupervisorLoop::run() {
  while (!(m_shutting_down && m_table.all_stopped())) poll_once();
  finish();
}

void SupervisorLoop::poll_once() {
  std::vector<pollfd> fds;
  fds.push_back({m_signal_fd, POLLIN, 0});
  fds.push_back({m_listen_fd, POLLIN, 0});
  for (const Client& c : m_clients) fds.push_back({c.fd, POLLIN, 0});
  std::size_t first_output = fds.size();
  for (int fd : m_table.output_fds()) fds.push_back({fd, POLLIN, 0});
  int timeout = -1;
  std::optional<Clock::time_point> next = m_table.next_deadline();
  for (const Client& c : m_clients) {
    if (!next || c.deadline < *next) next = c.deadline;
  }
  if (next) {
    auto left = std::chrono::ceil<milliseconds>(*next - Clock::now());
    timeout = static_cast<int>(std::max<long long>(0, left.count()));
  }
  int n = ::poll(fds.data(), fds.size(), timeout);
  if (n < 0 && errno != EINTR) std::perror("kiln supervisor: poll");
  if (n > 0) {
    if (fds[0].revents) on_signals();
    for (std::size_t i = first_output; i < fds.size(); ++i) {
      if (fds[i].revents) m_table.on_output(fds[i].fd);
    }
    std::vector<Client> keep;
    for (std::size_t i = 0; i < m_clients.size(); ++i) {
      Client& c = m_clients[i];
      bool alive = Clock::now() < c.deadline;
      if (alive && fds[2 + i].revents) alive = on_client_input(c);
      if (alive) {
        keep.push_back(std::move(c));
      } else {
        ::close(c.fd);
      }
    }
    m_clients = std::move(keep);
    if (fds[1].revents) accept_clients();
  }
  m_table.on_timers();
}

void SupervisorLoop::on_signals() {
  signalfd_siginfo info;
  bool child = false;
  while (::read(m_signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo == SIGCHLD) child = true;
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) begin_shutdown();
    if (info.ssi_signo == SIGHUP)
      std::fprintf(stderr, "kiln supervisor: SIGHUP: %s", reload().c_str());
  }
  if (child) reap();
}

void SupervisorLoop::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == m_keeper.pid()) {
      m_keeper.on_exited();
      if (!m_shutting_down) {
        std::fprintf(stderr, "kiln supervisor: the keeper died; starting a new one\n");
        Status s = m_keeper.spawn(m_options.stop_grace);
        if (!s.ok()) std::fprintf(stderr, "kiln supervisor: %s\n", s.error().to_string().c_str());
      }
      continue;
    }
    m_table.on_child_exit(pid, status);  // false: an orphaned descendant, just reaped
  }
}

void SupervisorLoop::accept_clients() {
  while (true) {
    int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    m_clients.push_back({fd, {}, Clock::now() + k_client_timeout});
  }
}

bool SupervisorLoop::on_client_input(Client& c) {
  char buf[4096];
  ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  c.input.append(buf, static_cast<std::size_t>(n));
  std::size_t nl = c.input.find('\n');
  if (nl == std::string::npos) {
    if (c.input.size() <= k_max_request) return true;
    send_reply(c.fd, error_reply("request too long"));
    return false;
  }
  send_reply(c.fd, handle(c.input.substr(0, nl)));
  return false;
}

std::string SupervisorLoop::handle(const std::string& line) {
  Expected<Request> request = parse_request(line);
  if (!request.ok()) return error_reply(request.error().message);
  switch (request->command) {
    case Command::k_ping:
      return ok_reply({{"pid", ::getpid()}, {"root", m_options.root}});
    case Command::k_status: {
      nlohmann::json list = nlohmann::json::array();
      for (const ServiceStatus& s : m_table.status()) list.push_back(status_to_json(s));
      return ok_reply({{"pid", ::getpid()}, {"services", list}});
    }
    case Command::k_reload:
      return reload();
    case Command::k_shutdown:
      begin_shutdown();
      return ok_reply({{"pid", ::getpid()}});
    default:
      break;
  }
  if (m_shutting_down) return error_reply("the supervisor is shutting down");
  Expected<std::vector<std::string>> names = m_table.control(request->command, request->target);
  if (!names.ok()) return error_reply(names.error().message);
  return ok_reply({{"affected", names_json(*names)}});
}

std::string SupervisorLoop::reload() {
  if (m_shutting_down) return error_reply("the supervisor is shutting down");
  Expected<std::vector<ServiceSpec>> set = read_service_set(m_options.root);
  if (!set.ok()) return error_reply(set.error().to_string());
  ServiceSetDiff diff = m_table.reload(*set);
  std::vector<std::string> added, changed;
  for (const ServiceSpec& s : diff.added) added.push_back(s.name);
  for (const ServiceSpec& s : diff.changed) changed.push_back(s.name);
  return ok_reply({{"added", names_json(added)},
                   {"removed", names_json(diff.removed)},
                   {"changed", names_json(changed)}});
}

void SupervisorLoop::begin_shutdown() {
  if (m_shutting_down) return;
  std::fprintf(stderr, "kiln supervisor: shutting down\n");
  m_shutting_down = true;
  m_table.stop_all();
}

void SupervisorLoop::finish() {
  ::close(m_listen_fd);
  m_listen_fd = -1;
  ::unlink(supervisor_socket_path(m_options.root).c_str());
  pid_t keeper = m_keeper.pid();
  m_keeper.close();  // nothing left to kill: the keeper exits at once
  if (keeper > 0) {
    int status;
    while (::waitpid(keeper, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace kiln::supervisor
