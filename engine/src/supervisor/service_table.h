// The supervisor's services and their state machine: start, stop, restart
// with backoff, reload, output to the logs. Driven by the event loop
// (supervisor_loop.cc), which reaps children and calls on_child_exit(),
// calls on_timers() at next_deadline() and on_output() when a pipe is ready.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiln/supervisor.h"
#include "supervisor/keeper.h"
#include "supervisor/log_writer.h"
#include "supervisor/protocol.h"
#include "supervisor/restart_policy.h"
#include "supervisor/service_set.h"

namespace kiln::supervisor {

using Clock = std::chrono::steady_clock;

class ServiceTable {
 public:
  ServiceTable(const SupervisorOptions& options, Keeper& keeper);
  ~ServiceTable();
  ServiceTable(const ServiceTable&) = delete;
  ServiceTable& operator=(const ServiceTable&) = delete;

  // Applies a new desired set (see ServiceSetDiff).
  ServiceSetDiff reload(const std::vector<ServiceSpec>& desired);
  // start/stop/restart of a name, a partition or "all"; the names affected.
  Expected<std::vector<std::string>> control(Command command, const std::string& target);
  // Stops every service for good (shutdown).
  void stop_all();
  // No service runs and no leftover process group remains.
  bool all_stopped() const;

  // Whether `pid` was one of our services (then handled).
  bool on_child_exit(pid_t pid, int wait_status);
  void on_timers();
  std::optional<Clock::time_point> next_deadline() const;

  std::vector<int> output_fds() const;
  void on_output(int fd);

  std::vector<ServiceStatus> status() const;

 private:
  enum class After { k_nothing, k_start, k_remove };
  struct Service {
    ServiceSpec spec;
    ServiceState state = ServiceState::k_stopped;
    pid_t pid = 0;
    // While stopping: the group signalled (the leader's pid); the service
    // stays stopping until no live member is left, even after the leader
    // exited. `killed`: SIGKILL sent after the grace.
    pid_t stop_group = 0;
    bool killed = false;
    Clock::time_point started{};
    double start_wall = 0;
    int restarts = 0;
    int fast_exits = 0;
    std::string last_exit, reason;
    std::optional<Clock::time_point> deadline;  // backoff, SIGKILL or running
    After after_stop = After::k_nothing;
    std::optional<ServiceSpec> next_spec;  // applied when it has stopped
    std::shared_ptr<LogWriter> log;
  };
  struct Leftover {  // a group whose leader exited
    pid_t pgid;
    Clock::time_point kill_at;
    bool killed = false;
  };

  void add(const ServiceSpec& spec);
  void start(Service& s);
  void stop(Service& s, After after);
  void finish_stop(Service& s);
  void on_stop_deadline(Service& s, Clock::time_point now);
  // Finishes the stops whose group is gone (or given up on).
  void check_stopping(Clock::time_point now);
  void restart_after_exit(Service& s, std::chrono::milliseconds ran);
  void collect_leftovers(pid_t pgid);
  void check_leftovers(Clock::time_point now);
  std::vector<Service*> match(const std::string& target);
  void close_output(int fd);

  SupervisorOptions m_options;
  RestartPolicy m_policy;
  Keeper& m_keeper;
  std::map<std::string, Service> m_services;
  std::map<pid_t, std::string> m_by_pid;
  std::map<int, std::shared_ptr<LogWriter>> m_outputs;
  std::vector<Leftover> m_leftovers;
};

}  // namespace kiln::supervisor
