#include "supervisor/service_table.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "supervisor/spawn.h"

namespace kiln::supervisor {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// How often leftover groups are checked for being gone.
constexpr milliseconds k_leftover_poll{50};
// After SIGKILL, how long a leftover group may take to vanish before it is
// forgotten (a member stuck in the kernel, an unreaped zombie).
constexpr milliseconds k_leftover_forget{2000};

double wall_now() {
  return duration_cast<std::chrono::duration<double>>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string describe_exit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "signal " + std::to_string(WTERMSIG(wait_status));
  return "unknown";
}

// Prints a timestamped event on stderr (the supervisor's log).
void note(const std::string& message) {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  std::fprintf(stderr, "%s %s\n", stamp, message.c_str());
  std::fflush(stderr);
}

// Names in the order of their text, runs of digits compared as numbers
// (slappart2 before slappart10).
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      std::size_t zi = i, zj = j;  // skip leading zeros
      while (zi + 1 < ei && a[zi] == '0') ++zi;
      while (zj + 1 < ej && b[zj] == '0') ++zj;
      if (ei - zi != ej - zj) return ei - zi < ej - zj;
      int c = a.compare(zi, ei - zi, b, zj, ej - zj);
      if (c != 0) return c < 0;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if ((i < a.size()) != (j < b.size())) return j < b.size();
  return a < b;  // equal but for leading zeros: any fixed order
}

bool is_running(ServiceState s) {
  return s == ServiceState::k_starting || s == ServiceState::k_running ||
         s == ServiceState::k_stopping;
}

}  // namespace

ServiceTable::ServiceTable(const SupervisorOptions& options, Keeper& keeper)
    : m_options(options), m_keeper(keeper) {
  m_policy.max_fast_exits = options.max_fast_exits;
}

ServiceTable::~ServiceTable() {
  for (auto& [fd, log] : m_outputs) ::close(fd);
}

void ServiceTable::add(const ServiceSpec& spec) {
  Service& s = m_services[spec.name];
  s.spec = spec;
  s.log = std::make_shared<LogWriter>(service_log_path(m_options.root, spec.name),
                                      m_options.log_max_bytes, m_options.log_keep);
  start(s);
}

void ServiceTable::start(Service& s) {
  s.deadline.reset();
  s.reason.clear();
  if (::access(s.spec.path.c_str(), X_OK) != 0) {
    s.state = ServiceState::k_fatal;
    s.reason = "cannot run " + s.spec.path + ": " + strerror(errno);
    note(s.spec.name + ": " + s.reason);
    return;
  }
  Expected<Spawned> spawned = spawn_service(s.spec, m_keeper);
  if (!spawned.ok()) {  // cannot be exec'd (a missing interpreter ...): no retry
    s.state = ServiceState::k_fatal;
    s.pid = 0;
    s.reason = spawned.error().message;
    note(s.spec.name + ": " + s.reason);
    (void)s.log->write("kiln supervisor: " + s.reason + "\n");
    return;
  }
  s.pid = spawned->pid;
  s.started = Clock::now();
  s.start_wall = wall_now();
  s.state = ServiceState::k_starting;
  s.deadline = s.started + m_policy.min_uptime;
  m_by_pid[s.pid] = s.spec.name;
  m_outputs[spawned->output] = s.log;
  note(s.spec.name + ": started (pid " + std::to_string(s.pid) + ")");
}

void ServiceTable::stop(Service& s, After after) {
  s.after_stop = after;
  if (s.state == ServiceState::k_stopping) return;
  if (s.pid > 0) {
    note(s.spec.name + ": stop requested: SIGTERM to group " + std::to_string(s.pid) +
         ", SIGKILL after " + std::to_string(m_options.stop_grace.count()) + " ms");
    ::kill(-s.pid, SIGTERM);
    s.state = ServiceState::k_stopping;
    s.stop_group = s.pid;
    s.killed = false;
    s.deadline = Clock::now() + m_options.stop_grace;
    return;
  }
  finish_stop(s);  // not running: done at once (may erase `s`)
}

void ServiceTable::finish_stop(Service& s) {
  After after = s.after_stop;
  s.after_stop = After::k_nothing;
  s.deadline.reset();
  s.state = ServiceState::k_stopped;
  if (s.stop_group > 0) m_keeper.remove(s.stop_group);
  s.stop_group = 0;
  s.killed = false;
  if (s.next_spec) {
    s.spec = *s.next_spec;
    s.next_spec.reset();
  }
  if (after == After::k_remove) {
    std::string name = s.spec.name;
    m_services.erase(name);
  } else if (after == After::k_start) {
    s.fast_exits = 0;
    start(s);
  }
}

void ServiceTable::restart_after_exit(Service& s, milliseconds ran) {
  RestartDecision d = decide_restart(m_policy, ran, s.fast_exits);
  s.fast_exits = d.fast_exits;
  if (d.give_up) {
    s.state = ServiceState::k_fatal;
    s.deadline.reset();
    // N exits in a row are N - 1 restarts (more if it had been restarted
    // before): the reason says how many, as the RESTARTS column does.
    s.reason = "exited " + std::to_string(d.fast_exits) + " times in a row less than " +
               std::to_string(m_policy.min_uptime.count()) + " ms after starting (restarted " +
               std::to_string(s.restarts) + " times; last: " + s.last_exit + "); not restarted";
    note(s.spec.name + ": " + s.reason);
  } else if (d.delay.count() == 0) {
    ++s.restarts;
    start(s);
  } else {
    s.state = ServiceState::k_backoff;
    s.deadline = Clock::now() + d.delay;
  }
}

void ServiceTable::collect_leftovers(pid_t pgid) {
  if (!group_alive(pgid)) {
    m_keeper.remove(pgid);
    return;
  }
  ::kill(-pgid, SIGTERM);
  m_leftovers.push_back({pgid, Clock::now() + m_options.stop_grace});
}

bool ServiceTable::on_child_exit(pid_t pid, int wait_status) {
  auto it = m_by_pid.find(pid);
  if (it == m_by_pid.end()) return false;
  auto found = m_services.find(it->second);
  m_by_pid.erase(it);
  bool stopping = found != m_services.end() && found->second.state == ServiceState::k_stopping;
  if (!stopping) collect_leftovers(pid);
  if (found == m_services.end()) return true;
  Service& s = found->second;
  s.pid = 0;
  s.last_exit = describe_exit(wait_status);
  milliseconds ran = duration_cast<milliseconds>(Clock::now() - s.started);
  note(s.spec.name + ": pid " + std::to_string(pid) + " ended (" + s.last_exit + ")");
  if (s.state == ServiceState::k_stopping) {
    // Stopped once the whole group is gone: until then (check_stopping) it
    // stays stopping, and SIGKILL still comes at the end of the grace.
    if (!group_alive(pid)) finish_stop(s);
  } else if (s.spec.kind == "run") {
    s.state = ServiceState::k_exited;
    s.deadline.reset();
  } else {
    restart_after_exit(s, ran);
  }
  return true;
}

void ServiceTable::check_leftovers(Clock::time_point now) {
  for (std::size_t i = 0; i < m_leftovers.size();) {
    Leftover& l = m_leftovers[i];
    bool forget = l.killed && now >= l.kill_at + k_leftover_forget;
    if (!group_alive(l.pgid) || forget) {
      m_keeper.remove(l.pgid);
      m_leftovers.erase(m_leftovers.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!l.killed && now >= l.kill_at) {
      note("group " + std::to_string(l.pgid) + ": still alive after the grace: SIGKILL");
      ::kill(-l.pgid, SIGKILL);
      l.killed = true;
    }
    ++i;
  }
}

void ServiceTable::on_timers() {
  Clock::time_point now = Clock::now();
  for (auto& [name, s] : m_services) {
    if (!s.deadline || *s.deadline > now) continue;
    s.deadline.reset();
    if (s.state == ServiceState::k_starting) {
      s.state = ServiceState::k_running;
    } else if (s.state == ServiceState::k_stopping) {
      on_stop_deadline(s, now);
    } else if (s.state == ServiceState::k_backoff) {
      ++s.restarts;
      start(s);
    }
  }
  check_leftovers(now);
  check_stopping(now);
}

void ServiceTable::on_stop_deadline(Service& s, Clock::time_point now) {
  if (!s.killed) {
    note(s.spec.name + ": group " + std::to_string(s.stop_group) + " still alive after " +
         std::to_string(m_options.stop_grace.count()) + " ms: SIGKILL");
    ::kill(-s.stop_group, SIGKILL);
    s.killed = true;
    s.deadline = now + k_leftover_forget;
  }
  // else: forgotten by check_stopping once the leader is reaped
}

void ServiceTable::check_stopping(Clock::time_point now) {
  std::vector<std::string> done;
  for (auto& [name, s] : m_services) {
    if (s.state != ServiceState::k_stopping || s.pid > 0) continue;
    bool forget = s.killed && (!s.deadline || now >= *s.deadline);
    if (forget && group_alive(s.stop_group)) {
      note(name + ": group " + std::to_string(s.stop_group) +
           " still has members after SIGKILL; forgotten");
    }
    if (forget || !group_alive(s.stop_group)) done.push_back(name);
  }
  for (const std::string& name : done) {
    auto it = m_services.find(name);
    if (it != m_services.end()) finish_stop(it->second);  // may erase it
  }
}

std::optional<Clock::time_point> ServiceTable::next_deadline() const {
  std::optional<Clock::time_point> next;
  auto consider = [&next](Clock::time_point t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [name, s] : m_services) {
    if (s.deadline) consider(*s.deadline);
  }
  bool poll_groups = !m_leftovers.empty();
  for (const auto& [name, s] : m_services) {
    if (s.state == ServiceState::k_stopping && s.pid == 0) poll_groups = true;
  }
  if (poll_groups) consider(Clock::now() + k_leftover_poll);
  return next;
}

std::vector<ServiceTable::Service*> ServiceTable::match(const std::string& target) {
  std::vector<Service*> out;
  for (auto& [name, s] : m_services) {
    if (s.after_stop == After::k_remove) continue;  // on its way out
    if (target == "all" || name == target || s.spec.partition == target) out.push_back(&s);
  }
  return out;
}

Expected<std::vector<std::string>> ServiceTable::control(Command command,
                                                         const std::string& target) {
  std::vector<Service*> matched = match(target);
  if (matched.empty()) {
    return Error(ErrorCode::k_not_found, "no service or partition named '" + target + "'");
  }
  std::vector<std::string> names;
  for (Service* s : matched) names.push_back(s->spec.name);
  for (Service* s : matched) {
    if (command == Command::k_stop) {
      stop(*s, After::k_nothing);
    } else if (command == Command::k_restart) {
      stop(*s, After::k_start);
    } else if (s->state == ServiceState::k_stopping) {
      s->after_stop = After::k_start;
    } else if (!is_running(s->state)) {
      s->fast_exits = 0;
      start(*s);
    }
  }
  return names;
}

ServiceSetDiff ServiceTable::reload(const std::vector<ServiceSpec>& desired) {
  std::vector<ServiceSpec> current;
  for (const auto& [name, s] : m_services) {
    if (s.after_stop != After::k_remove) current.push_back(s.next_spec.value_or(s.spec));
  }
  ServiceSetDiff diff = diff_service_sets(current, desired);
  for (const std::string& name : diff.removed) stop(m_services.at(name), After::k_remove);
  for (const ServiceSpec& spec : diff.added) {
    auto it = m_services.find(spec.name);
    if (it == m_services.end()) {
      add(spec);
    } else {  // still stopping on its way out: comes back with the new spec
      it->second.next_spec = spec;
      it->second.after_stop = After::k_start;
    }
  }
  for (const ServiceSpec& spec : diff.changed) {
    Service& s = m_services.at(spec.name);
    s.next_spec = spec;
    stop(s, After::k_start);
  }
  return diff;
}

void ServiceTable::stop_all() {
  for (auto& [name, s] : m_services) stop(s, After::k_nothing);
}

bool ServiceTable::all_stopped() const {
  for (const auto& [name, s] : m_services) {
    if (s.state == ServiceState::k_stopping) return false;
  }
  return m_by_pid.empty() && m_leftovers.empty();
}

std::vector<int> ServiceTable::output_fds() const {
  std::vector<int> fds;
  for (const auto& [fd, log] : m_outputs) fds.push_back(fd);
  return fds;
}

void ServiceTable::close_output(int fd) {
  ::close(fd);
  m_outputs.erase(fd);
}

void ServiceTable::on_output(int fd) {
  auto it = m_outputs.find(fd);
  if (it == m_outputs.end()) return;
  std::shared_ptr<LogWriter> log = it->second;
  char buf[65536];
  for (int round = 0; round < 16; ++round) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      (void)log->write(std::string_view(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && (errno == EINTR)) continue;
    if (n < 0 && errno == EAGAIN) return;
    close_output(fd);  // EOF: every writer is gone
    return;
  }
}

std::vector<ServiceStatus> ServiceTable::status() const {
  std::vector<ServiceStatus> out;
  Clock::time_point now = Clock::now();
  for (const auto& [name, s] : m_services) {
    ServiceStatus st;
    st.name = name;
    st.partition = s.spec.partition;
    st.kind = s.spec.kind;
    st.state = s.state;
    st.pid = s.pid;
    st.start_time = s.start_wall;
    if (s.pid > 0) st.uptime = std::chrono::duration<double>(now - s.started).count();
    st.restarts = s.restarts;
    st.last_exit = s.last_exit;
    st.reason = s.reason;
    st.log_path = s.log->path();
    out.push_back(std::move(st));
  }
  std::sort(out.begin(), out.end(), [](const ServiceStatus& a, const ServiceStatus& b) {
    return natural_less(a.name, b.name);
  });
  return out;
}

}  // namespace kiln::supervisor
