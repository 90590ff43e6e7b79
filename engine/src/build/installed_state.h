// What a build directory has installed (zc.buildout's .installed.cfg), kept
// as JSON in <directory>/.kiln/installed.json and always replaced
// atomically, so a kill at any moment leaves either the old or the new file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln::build {

struct InstalledPart {
  std::string recipe;     // plugin:entry@version
  std::string signature;  // Part::signature at install time
  std::map<std::string, std::string> options;
  std::vector<std::string> paths;  // what uninstall removes
  std::vector<std::string> deps;
};

struct InstalledState {
  std::vector<std::string> order;              // installed parts, install order
  std::map<std::string, InstalledPart> parts;  // by name
  // Parts whose install started but did not finish (killed): the paths to
  // remove before anything else happens.
  std::map<std::string, std::vector<std::string>> pending;

  void record(const std::string& name, InstalledPart part);  // appends to order if new
  void forget(const std::string& name);
};

// An absent file is an empty state; a corrupt one is a k_parse error naming it.
Expected<InstalledState> load_state(const std::string& path);
Status save_state(const std::string& path, const InstalledState& state);

}  // namespace kiln::build
