// Promises: the executables in a partition's etc/promise/, each run with a
// timeout; exit 0 means kept.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kiln/deploy.h"

namespace kiln::deploy {

inline constexpr std::chrono::seconds k_promise_timeout{20};

// Runs every promise of `partition_dir` (sorted by name; none → empty). A
// promise that cannot be started, fails or times out is not ok; its output
// (last lines) says why. Never fails as a whole.
std::vector<PromiseResult> run_promises(const std::string& partition_dir,
                                        std::chrono::seconds timeout = k_promise_timeout);

}  // namespace kiln::deploy
