// Kiln's build engine: build a profile's parts in its directory, or a
// software release into <root>/software/<md5 of URL>/, with recipe plugins.
#pragma once

#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/profile.h"

namespace kiln {

enum class BuildOutputMode { k_normal, k_quiet, k_json };

struct BuildOptions {
  ProfileOptions profile;          // assignments, defines, cache_dir, offline
  std::vector<std::string> parts;  // only these parts (and what they need); "" = all
  int jobs = 1;                    // parts built at once
  bool dry_run = false;            // say what would be done, and why
  BuildOutputMode output = BuildOutputMode::k_normal;
  std::string shared_directory;  // shared parts; "" = <directory>/shared
  bool wait_for_lock = true;     // software: wait for another build of the release
};

struct BuildSummary {
  std::string directory;  // where the parts were built
  int installed = 0, updated = 0, uninstalled = 0;
};

// Builds `profile` (path or URL) in its [buildout] directory.
Expected<BuildSummary> build_profile(const std::string& profile, const BuildOptions& options);

// A release's identity: a local path made absolute and normalised; a URL
// (anything with "://") as it is.
std::string canonical_software_url(const std::string& url);

// The directory of a software release under `root`.
std::string software_release_directory(const std::string& root, const std::string& url);

// Builds the release `url` (path or URL) under `root`: takes the release's
// lock, builds, writes `.completed` only after a full success. Shared parts
// go to <root>/shared.
Expected<BuildSummary> build_software_release(const std::string& root, const std::string& url,
                                              BuildOptions options);

// The part graph of `profile` in Graphviz dot (recipes are initialised).
Expected<std::string> part_graph_dot(const std::string& profile, const BuildOptions& options);

struct RecipeOptionInfo {
  std::string name, default_value, description;
  bool required = false;
  bool has_default = false;
};
struct RecipeEntryInfo {
  std::string name, description;
  std::vector<RecipeOptionInfo> options;
};
struct RecipePluginInfo {
  std::string name, version, path, error;  // error: why it could not be loaded
  std::vector<RecipeEntryInfo> entries;
};
struct RecipeAliasInfo {
  std::string written, plugin, entry;
};
// Every plugin on the search path, and the SlapOS/buildout names mapped.
std::vector<RecipePluginInfo> list_recipe_plugins(std::vector<std::string>* search_path = nullptr);
std::vector<RecipeAliasInfo> list_recipe_aliases();

}  // namespace kiln
