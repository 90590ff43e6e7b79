// Building a profile's parts in its directory, incrementally: zc.buildout's
// `install` command with parallel parts and crash-safe state.
#pragma once

#include <string>
#include <vector>

#include "build/build_output.h"
#include "kiln/error.h"
#include "kiln/profile.h"
#include "recipe/part_context.h"
#include "recipe/plugin_registry.h"

namespace kiln::build {

struct BuildRequest {
  std::string profile;             // path or URL
  ProfileOptions profile_options;  // assignments, defines, caches, offline
  std::vector<std::string> only;   // parts to build ("" = [buildout] parts)
  int jobs = 1;
  bool dry_run = false;
  std::string shared_directory;  // root of shared parts ("" = <directory>/shared)
};

struct BuildReport {
  std::string directory;  // buildout:directory
  int installed = 0, updated = 0, uninstalled = 0;
};

// What a run would do, per part, and why (also printed by --dry-run).
struct PlanStep {
  enum Kind { k_install, k_update, k_uninstall } kind;
  std::string part;
  std::string reason;
};

// Runs the build. On failure the state is consistent: every part recorded
// is installed; what the failed part created is removed. REQUIRES:
// services, plugins and output outlive the call.
Expected<BuildReport> run_build(const BuildRequest& request, recipe::PluginRegistry& plugins,
                                recipe::HostServices& services, BuildOutput& output);

// <directory>/.kiln/<name>.json: `name` is "installed" unless [buildout]
// installed names another file (nested builds such as switch-softwaretype).
std::string state_path(const std::string& directory, const std::string& name = "installed");

}  // namespace kiln::build
