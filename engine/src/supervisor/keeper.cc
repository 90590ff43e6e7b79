#include "supervisor/keeper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "supervisor/memory_trim.h"

namespace kiln::supervisor {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// During the grace, the groups are checked after 10 ms, then at doubling
// intervals up to this: a group that ends at once is seen at once, a
// stubborn one costs a few wakeups a second instead of one every 20 ms.
constexpr milliseconds k_first_check{10};
constexpr milliseconds k_max_check_interval{500};

// Sends `sig` to every live group; false when none is left.
bool signal_groups(const std::set<pid_t>& groups, int sig) {
  std::set<pid_t> live = live_groups(groups);
  for (pid_t g : live) ::kill(-g, sig);
  return !live.empty();
}

void apply_line(const std::string& line, std::set<pid_t>& groups) {
  if (line.size() < 2) return;
  pid_t pgid = static_cast<pid_t>(std::strtol(line.c_str() + 1, nullptr, 10));
  if (pgid <= 1) return;
  if (line[0] == '+') groups.insert(pgid);
  if (line[0] == '-') groups.erase(pgid);
}

[[noreturn]] void keeper_main(int fd, std::chrono::milliseconds grace) {
  ::setsid();  // away from the supervisor's terminal and process group
  ::prctl(PR_SET_NAME, "kiln-keeper");
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  trim_clean_file_pages();
  std::set<pid_t> groups;
  std::string pending;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      apply_line(pending.substr(0, nl), groups);
      pending.erase(0, nl + 1);
    }
  }
  if (signal_groups(groups, SIGTERM)) {
    Clock::time_point deadline = Clock::now() + grace;
    milliseconds interval = k_first_check;
    while (true) {
      Clock::time_point now = Clock::now();
      if (now >= deadline) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(interval, deadline - now));
      if (!signal_groups(groups, 0)) break;
      interval = std::min(interval * 2, k_max_check_interval);
    }
    signal_groups(groups, SIGKILL);
  }
  ::_exit(0);
}

}  // namespace

std::set<pid_t> live_groups(const std::set<pid_t>& groups) {
  std::set<pid_t> candidates;  // with a member, maybe only zombies
  for (pid_t g : groups) {
    if (::kill(-g, 0) == 0 || errno == EPERM) candidates.insert(g);
  }
  std::set<pid_t> live;
  if (candidates.empty()) return live;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return candidates;
  while (dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char path[300], buf[512];
    std::snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    const char* close_paren = std::strrchr(buf, ')');
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (close_paren && std::sscanf(close_paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
        candidates.count(pgrp) && state != 'Z' && state != 'X') {
      live.insert(pgrp);
      if (live.size() == candidates.size()) break;
    }
  }
  ::closedir(proc);
  return live;
}

bool group_alive(pid_t pgid) {
  return !live_groups({pgid}).empty();
}

Keeper::~Keeper() {
  close();
}

Status Keeper::spawn(std::chrono::milliseconds grace) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::k_io,
                 std::string("cannot create the keeper's pipe: ") + strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Error(ErrorCode::k_io, std::string("cannot fork the keeper: ") + strerror(errno));
  }
  if (pid == 0) {
    // Keep only the pipe (as fd 3): the pid file's lock, the socket and the
    // services' pipes must not outlive the supervisor in here.
    int in = ::dup2(fds[0], 3) < 0 ? fds[0] : 3;
    ::close_range(in + 1, ~0U, 0);
    if (in != 3) ::close_range(3, static_cast<unsigned>(in - 1), 0);
    keeper_main(in, grace);
  }
  ::close(fds[0]);
  m_fd = fds[1];
  m_pid = pid;
  for (pid_t g : m_groups) send('+', g);
  return {};
}

void Keeper::send(char op, pid_t pgid) {
  if (m_fd < 0) return;
  char line[32];
  int n = std::snprintf(line, sizeof line, "%c%d\n", op, static_cast<int>(pgid));
  // Shorter than PIPE_BUF: written whole or not at all.
  while (::write(m_fd, line, static_cast<std::size_t>(n)) < 0 && errno == EINTR) {
  }
}

void Keeper::add(pid_t pgid) {
  m_groups.insert(pgid);
  send('+', pgid);
}

void Keeper::remove(pid_t pgid) {
  if (m_groups.erase(pgid)) send('-', pgid);
}

void Keeper::on_exited() {
  m_pid = 0;
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

void Keeper::close() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

}  // namespace kiln::supervisor
