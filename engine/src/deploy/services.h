// Hands the services of started partitions to the root's supervisor.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kiln/error.h"

namespace kiln::deploy {

// Writes <root>/run/services.json with the services of `started` (partition
// id, directory), starts the supervisor when there is something to run and
// none answers, and reloads it: only added, removed or changed services are
// started, stopped or restarted.
Status sync_services(const std::string& root,
                     const std::vector<std::pair<std::string, std::string>>& started);

// Removes the services of `partitions` from services.json and reloads the
// supervisor (when one runs): they are stopped.
Status stop_partition_services(const std::string& root, const std::vector<std::string>& partitions);

// Waits (at most `timeout`) until no service of `partitions` is still
// stopping (a restart stops the old process first) or starting (running for
// less than the supervisor's start time), so that promises see the new
// services really up. No supervisor: returns at once.
void wait_services_settled(const std::string& root, const std::vector<std::string>& partitions,
                           std::chrono::milliseconds timeout);

// Gives the services of `partitions` that the supervisor gave up on (exited
// too fast too often) a fresh start, as slapgrid starts a processed
// partition's process group. Running services are left alone.
void restart_given_up_services(const std::string& root, const std::vector<std::string>& partitions);

// Partition id -> why it is not healthy, for the partitions among
// `partitions` with a long-running service (etc/service) the supervisor gave
// up on or that keeps exiting at once (in backoff). No supervisor: empty.
std::map<std::string, std::string> unhealthy_partitions(const std::string& root,
                                                        const std::vector<std::string>& partitions);

}  // namespace kiln::deploy
