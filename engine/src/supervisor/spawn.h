// Starting one run of a service: fork, own process group, output to a pipe,
// exec. Like process::run's child (engine/src/process/run.cc) but without
// waiting: the supervisor's event loop reaps the child.
#pragma once

#include <sys/types.h>

#include "kiln/error.h"
#include "kiln/supervisor.h"
#include "supervisor/keeper.h"

namespace kiln::supervisor {

struct Spawned {
  pid_t pid = 0;    // also the process group id
  int output = -1;  // read end of the stdout+stderr pipe, non-blocking, close-on-exec
};

// Starts spec.path (no arguments) in spec.cwd (default: the executable's
// directory) with the supervisor's environment, stdin from /dev/null. The
// group is registered with `keeper` before the program runs, so that the
// keeper can kill it even if the supervisor dies right after the fork.
// A program that cannot be executed exits 127 after writing why to its
// output. REQUIRES: a single-threaded caller.
Expected<Spawned> spawn_service(const ServiceSpec& spec, Keeper& keeper);

}  // namespace kiln::supervisor
