// Instances: requests recorded in a root, converged by the node into
// partitions (<root>/instance/<partition-id>/) whose services run under the
// supervisor, with promises and published connection parameters.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kiln/build.h"
#include "kiln/error.h"

namespace kiln {

enum class InstanceState { k_started, k_stopped, k_destroyed };
const char* instance_state_name(InstanceState state);
Expected<InstanceState> parse_instance_state(const std::string& text);

struct InstanceRequest {
  std::string name;
  std::string software;  // path (made absolute) or URL of the release's software.cfg
  std::string type = "default";
  nlohmann::json parameters = nlohmann::json::object();  // instance parameters
  InstanceState state = InstanceState::k_started;
};

// Records the desired instance in <root>/state/instances.json (atomic write
// under a lock: safe against other kiln processes). Re-requesting updates it.
// A name is 1 to 255 bytes, not "." or "..", without '/' or control
// characters (it names the instance in files and on the console).
Status request_instance(const std::string& root, const InstanceRequest& request);

struct NodeOptions {
  BuildOptions build;  // jobs, caches, output mode for the builds
  bool force = false;  // process every partition, even unchanged ones
};

struct NodeReport {
  int processed = 0;
  int skipped = 0;
  int failed = 0;          // build or deploy errors
  int promise_failed = 0;  // started instances whose promises failed or services gave up
};

// Converges the root: builds missing releases, deploys every requested
// instance into its partition, registers services with the supervisor
// (started if needed), runs promises, collects connection parameters.
// Per-instance failures are recorded (kiln show) and counted, not returned.
Expected<NodeReport> run_node(const std::string& root, const NodeOptions& options);

// `kiln node promise`: runs the promises of every started partition.
Expected<NodeReport> run_node_promises(const std::string& root);

struct PromiseResult {
  std::string name;
  bool ok = false;
  std::string output;  // last lines
};

struct InstanceInfo {
  InstanceRequest request;
  std::string partition;  // "" until allocated
  std::string status;     // new, ok, failing (promises or services), error (deploy failed)
  std::string error;      // why, when status is error or a service gave up
  nlohmann::json connection = nlohmann::json::object();
  std::vector<PromiseResult> promises;
  nlohmann::json services = nlohmann::json::array();  // from the supervisor, when it runs
};

Expected<InstanceInfo> show_instance(const std::string& root, const std::string& name);
// The names of the requested instances; an error when the root state cannot
// be read (a missing state is no instance).
Expected<std::vector<std::string>> list_instances(const std::string& root);
nlohmann::json to_json(const InstanceInfo& info);

}  // namespace kiln
