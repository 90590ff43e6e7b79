#include "supervisor/restart_policy.h"

namespace kiln::supervisor {

RestartDecision decide_restart(const RestartPolicy& policy, std::chrono::milliseconds run_time,
                               int fast_exits) {
  RestartDecision d;
  if (run_time >= policy.min_uptime) return d;  // a real run: restart at once
  d.fast_exits = fast_exits + 1;
  if (d.fast_exits >= policy.max_fast_exits) {
    d.give_up = true;
    return d;
  }
  std::chrono::milliseconds delay = policy.first_delay;
  for (int i = 1; i < d.fast_exits && delay < policy.max_delay; ++i) delay *= 2;
  d.delay = delay < policy.max_delay ? delay : policy.max_delay;
  return d;
}

}  // namespace kiln::supervisor
