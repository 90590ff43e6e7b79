// The desired and observed state of a root's instances:
// <root>/state/instances.json, read and rewritten atomically under
// <root>/state/instances.lock so several kiln processes can share it.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kiln/deploy.h"
#include "kiln/error.h"

namespace kiln::deploy {

struct InstanceRecord {
  InstanceRequest request;
  std::string partition;  // "" = none allocated
  std::string status = "new";
  std::string error;
  nlohmann::json connection = nlohmann::json::object();
  std::vector<PromiseResult> promises;
};

struct RootState {
  std::map<std::string, InstanceRecord> instances;

  // The lowest slappartN used by no instance.
  std::string free_partition() const;
};

// Runs `change` on the current state under the lock and writes the result
// atomically if it returns ok. A missing file is an empty state.
Status update_root_state(const std::string& root, const std::function<Status(RootState&)>& change);
// A snapshot (under the lock, so never a half-written one).
Expected<RootState> read_root_state(const std::string& root);

}  // namespace kiln::deploy
