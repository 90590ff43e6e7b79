// Finding a profile's parts the way zc.buildout does: [buildout] parts are
// initialised in order; every section with a `recipe` that gets initialised
// on the way (referenced, or named by `=>`) becomes a part, after the parts
// it needs. Each part's recipe plugin is loaded and its `init` called then,
// so that options it computes (location, target, ...) can be referenced.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "profile/raw_config.h"
#include "profile/substitute.h"
#include "recipe/part_context.h"
#include "recipe/plugin_registry.h"
#include "recipe/recipe_name.h"

namespace kiln::build {

struct Part {
  std::string name;
  recipe::RecipeName recipe;
  const recipe::LoadedPlugin* plugin = nullptr;
  const KilnRecipeEntry* entry = nullptr;
  std::string recipe_file;  // where `recipe` was set ("" if unknown)
  int recipe_line = 0;
  std::map<std::string, std::string> options;  // substituted, after init
  std::vector<std::string> declared_paths;     // add_path() in init
  std::vector<std::string> deps;               // parts needed first (earlier in order)
  std::string signature;                       // recipe identity + options + deps' signatures
};

struct DiscoveryOptions {
  std::vector<std::string> only;  // parts named on the command line ("" = [buildout] parts)
  std::string build_directory;
  std::string shared_directory;
};

struct Discovered {
  std::vector<Part> parts;              // install order
  std::vector<std::string> conf_parts;  // [buildout] parts as written
};

// Runs discovery. Errors (all fatal, naming file:line and part): a recipe
// plugin or entry that does not exist (every missing one is listed), a
// required option absent, an init that fails, an unresolvable reference in
// a part's options.
Expected<Discovered> discover_parts(const profile::RawConfig& raw, recipe::PluginRegistry& plugins,
                                    recipe::HostServices& services, recipe::PartLog& log,
                                    const DiscoveryOptions& options);

// The error prefix for a part: "file:line: part [name] (recipe R)".
Error part_error(const Part& part, const std::string& message);

}  // namespace kiln::build
