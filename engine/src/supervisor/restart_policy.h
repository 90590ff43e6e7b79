// When a service that exited is restarted: at once if it had run long
// enough, else after an exponential backoff, and never again after too many
// fast exits in a row. Pure.
#pragma once

#include <chrono>

namespace kiln::supervisor {

struct RestartPolicy {
  std::chrono::milliseconds min_uptime{1000};  // a shorter run is a "fast exit"
  std::chrono::milliseconds first_delay{100};  // after the first fast exit
  std::chrono::milliseconds max_delay{5000};   // the doubling stops here
  int max_fast_exits = 10;                     // consecutive fast exits before giving up
};

struct RestartDecision {
  bool give_up = false;
  std::chrono::milliseconds delay{0};  // before restarting (when !give_up)
  int fast_exits = 0;                  // the new count of consecutive fast exits
};

// `run_time`: how long the run that just ended lasted; `fast_exits`: the
// consecutive fast exits before it.
RestartDecision decide_restart(const RestartPolicy& policy, std::chrono::milliseconds run_time,
                               int fast_exits);

}  // namespace kiln::supervisor
