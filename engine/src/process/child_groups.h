// The process groups of the children process::run() has running, killed when
// this process is interrupted: SIGINT, SIGTERM and SIGHUP, when their action
// is the default one (termination), first SIGKILL every registered group,
// then terminate as before. A Ctrl-C of `kiln node` then leaves none of the
// children's descendants behind (PR_SET_PDEATHSIG only reaches the direct
// child, not the `sleep` a shell started).
#pragma once

#include <sys/types.h>

namespace kiln::process {

// Registers `pgid` for its lifetime. Thread-safe; the signal handler is
// installed on first use. REQUIRES: the group's leader is not reaped while
// registered (its pgid could be reused). Past k_max_groups groups at once,
// the extra ones are not tracked (they still die with PR_SET_PDEATHSIG).
class TrackedGroup {
 public:
  static constexpr int k_max_groups = 256;

  explicit TrackedGroup(pid_t pgid);
  ~TrackedGroup() { release(); }
  TrackedGroup(const TrackedGroup&) = delete;
  TrackedGroup& operator=(const TrackedGroup&) = delete;

  // Unregisters now (before reaping the leader).
  void release();

 private:
  int m_slot = -1;
};

}  // namespace kiln::process
