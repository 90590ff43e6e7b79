// Promises: the executables in a partition's etc/promise/, each run with a
// timeout; exit 0 means kept.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kiln/deploy.h"

namespace kiln::deploy {

inline constexpr std::chrono::seconds k_promise_timeout{20};

// Runs every promise of `partition_dir` (the regular files of etc/promise,
// sorted by name; none → empty). A promise that is not executable, cannot be
// started, fails or times out is not ok; its output (last lines) says why.
// What a promise starts in the background is killed when it exits. Never
// fails as a whole.
std::vector<PromiseResult> run_promises(const std::string& partition_dir,
                                        std::chrono::seconds timeout = k_promise_timeout);

}  // namespace kiln::deploy
