// Runs a DAG of tasks on up to N threads, each task after the ones it
// depends on, in list order among the ready ones.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln::build {

struct Task {
  std::string name;
  std::vector<std::size_t> deps;  // indexes of earlier tasks
  std::function<Status()> run;    // called on a worker thread
};

struct TaskOutcome {
  enum State { k_not_run, k_done, k_failed } state = k_not_run;
  Error error;  // k_failed
};

// Runs `tasks` with at most `jobs` at once (jobs < 1 means 1). After the
// first failure no new task starts; the running ones finish. Tasks whose
// dependencies did not succeed are not run. REQUIRES: deps point to earlier
// tasks (so the graph has no cycle). Blocks until everything stopped.
std::vector<TaskOutcome> run_tasks(const std::vector<Task>& tasks, int jobs);

}  // namespace kiln::build
