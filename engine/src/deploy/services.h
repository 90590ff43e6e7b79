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
// supervisor (when one runs), then waits (at most `timeout`) until none of
// their processes is left: k_busy when some still run after it, so that a
// partition is never emptied or reused under a live process.
Status stop_partition_services(const std::string& root, const std::vector<std::string>& partitions,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Waits (at most `timeout`) until no service of `partitions` is still
// stopping (a restart stops the old process first) or starting (running for
// less than the supervisor's start time), so that promises see the new
// services really up. No supervisor: returns at once.
void wait_services_settled(const std::string& root, const std::vector<std::string>& partitions,
                           std::chrono::milliseconds timeout);

// Removes the logs of the services of `partition` (<root>/log/services/
// <partition>-*.log and their rotations), once the partition is destroyed.
void remove_service_logs(const std::string& root, const std::string& partition);

// Starts the long-running services of `partitions` that do not run (given
// up on after exiting too fast too often, stopped with `kiln ctl stop`), as
// slapgrid starts a processed partition's process group. Running services
// are left alone.
void start_idle_services(const std::string& root, const std::vector<std::string>& partitions);

// Partition id -> why it is not healthy, for the partitions among
// `partitions` (started instances) with a long-running service (etc/service)
// that the supervisor gave up on, that keeps exiting at once (in backoff),
// that is stopped, or that no supervisor runs at all.
std::map<std::string, std::string> unhealthy_partitions(const std::string& root,
                                                        const std::vector<std::string>& partitions);

}  // namespace kiln::deploy
