#include "process/child_groups.h"

#include <signal.h>

#include <atomic>
#include <mutex>

namespace kiln::process {

namespace {

std::atomic<pid_t> g_groups[TrackedGroup::k_max_groups];

// Async-signal-safe: atomics, kill and raise only.
void on_terminating_signal(int sig) {
  for (std::atomic<pid_t>& g : g_groups) {
    pid_t pgid = g.load();
    if (pgid > 0) ::kill(-pgid, SIGKILL);
  }
  // SA_RESETHAND restored the default action: the signal, pending until this
  // handler returns, then terminates the process as it would have.
  ::raise(sig);
}

void install_handlers() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
    struct sigaction action {};
    action.sa_handler = on_terminating_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &action, nullptr);
  }
}

}  // namespace

TrackedGroup::TrackedGroup(pid_t pgid) {
  static std::once_flag installed;
  std::call_once(installed, install_handlers);
  for (int i = 0; i < k_max_groups; ++i) {
    pid_t none = 0;
    if (g_groups[i].compare_exchange_strong(none, pgid)) {
      m_slot = i;
      return;
    }
  }
}

void TrackedGroup::release() {
  if (m_slot >= 0) g_groups[m_slot].store(0);
  m_slot = -1;
}

}  // namespace kiln::process
