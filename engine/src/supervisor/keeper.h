// The keeper: a small process forked by the supervisor that outlives it and
// kills every service's process group when the supervisor dies, kill -9
// included. The supervisor registers each group ("+pgid\n") on a pipe before
// the service execs and unregisters it ("-pgid\n") once the group is gone.
// When the pipe reaches EOF (the supervisor exited or died), the keeper sends
// SIGTERM to the registered groups, SIGKILL after the grace, and exits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <set>

#include "kiln/error.h"

namespace kiln::supervisor {

// Whether process group `pgid` has a member that is not a zombie (zombies do
// not count: PID 1 may never reap them). Cheap when the group is empty
// (kill(2)); else one scan of /proc.
bool group_alive(pid_t pgid);
// The groups among `groups` that have a live member: one scan of /proc.
std::set<pid_t> live_groups(const std::set<pid_t>& groups);

class Keeper {
 public:
  Keeper() = default;
  ~Keeper();
  Keeper(const Keeper&) = delete;
  Keeper& operator=(const Keeper&) = delete;

  // Forks the keeper (REQUIRES: a single-threaded caller) and registers the
  // groups already known. The keeper closes every descriptor but its pipe.
  Status spawn(std::chrono::milliseconds grace);
  void add(pid_t pgid);
  void remove(pid_t pgid);
  // The keeper's pid (0 = none); the supervisor reaps it and calls
  // on_exited() then spawn() again.
  pid_t pid() const { return m_pid; }
  void on_exited();
  // Closes the pipe: the keeper kills what is still registered and exits.
  void close();

 private:
  void send(char op, pid_t pgid);

  int m_fd = -1;
  pid_t m_pid = 0;
  std::set<pid_t> m_groups;
};

}  // namespace kiln::supervisor
