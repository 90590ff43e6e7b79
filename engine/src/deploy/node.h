// `kiln node`: converge a root to what was requested (see kiln/deploy.h).
#pragma once

#include <string>

#include "kiln/deploy.h"

namespace kiln::deploy {

// The node's run (kiln::run_node).
Expected<NodeReport> run_node_impl(const std::string& root, const NodeOptions& options);

// <root>/instance/<partition>
std::string partition_directory(const std::string& root, const std::string& partition);

// What makes a partition's last successful run still valid: the request
// and the release's instance profile. Kept in <partition>/.timestamp.
std::string deploy_digest(const InstanceRequest& request, const std::string& instance_profile);

}  // namespace kiln::deploy
