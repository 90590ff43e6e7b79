// What `kiln node` writes into a partition before building it, as SlapOS's
// slapgrid does: <partition>/buildout.cfg extending the release's instance
// profile and <partition>/.kiln/slap.cfg, whose [slap-connection] and
// [slap-configuration] hold the request (every parameter as
// configuration.<key>, all of them as `configuration` JSON, the title, the
// software type, the addresses); and .kiln/parameters.json, the same data
// for the slapconfiguration recipe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kiln/deploy.h"
#include "kiln/error.h"

namespace kiln::deploy {

struct PartitionSpec {
  std::string root;
  std::string partition_id;
  std::string directory;         // <root>/instance/<partition_id>
  std::string instance_profile;  // <release>/instance.cfg (or template.cfg)
  InstanceRequest request;
};

// A value as a buildout option value: `$` doubled when the text holds `${`
// (so it is never substituted), multi-line values as an indented block.
std::string profile_value(const std::string& value);
// Whether `key` can be written as an option name.
bool valid_option_name(const std::string& key);

// The text of .kiln/slap.cfg for `spec`.
std::string slap_profile_text(const PartitionSpec& spec);
// The JSON of .kiln/parameters.json.
nlohmann::json slap_parameters(const PartitionSpec& spec);

// Writes the three files atomically. Returns the path of buildout.cfg.
Expected<std::string> write_partition_profile(const PartitionSpec& spec);

// The release's instance profile: instance.cfg, else template.cfg.
Expected<std::string> find_instance_profile(const std::string& release_dir);

}  // namespace kiln::deploy
