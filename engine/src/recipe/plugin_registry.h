// Finding and loading recipe plugins (kiln-recipe-<name>.so) with dlopen,
// checking their ABI version and struct sizes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/recipe_abi.h"

namespace kiln::recipe {

struct LoadedPlugin {
  std::string name;  // as the file names it (kiln-recipe-<name>.so)
  std::string path;  // the file
  const KilnRecipePlugin* descriptor = nullptr;
  void* handle = nullptr;  // dlopen handle; kept open for the process's life

  // The entry called `entry`, nullptr if none.
  const KilnRecipeEntry* find_entry(const std::string& entry) const;
};

// The directories searched, in order: KILN_RECIPE_PATH (colon-separated),
// then, for a kiln run from its build tree, that tree's recipes/; for an
// installed one, <dir of the kiln binary>/../lib/kiln/recipes and the
// configured <prefix>/lib/kiln/recipes.
std::vector<std::string> default_search_path();

// Loads plugins on first use and keeps them loaded. Thread-safe.
class PluginRegistry {
 public:
  explicit PluginRegistry(std::vector<std::string> search_path = default_search_path());
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // The plugin `name`: k_not_found listing the directories searched; k_invalid
  // for a file that is not a plugin or was built for another ABI version.
  Expected<const LoadedPlugin*> load(const std::string& name);
  // Every plugin file found (first of each name wins), loaded; the ones that
  // fail to load are returned as errors.
  std::vector<Expected<const LoadedPlugin*>> load_all();
  const std::vector<std::string>& search_path() const { return m_search_path; }

 private:
  Expected<const LoadedPlugin*> load_file(const std::string& name, const std::string& path);

  std::vector<std::string> m_search_path;
  std::map<std::string, std::unique_ptr<LoadedPlugin>> m_loaded;
  std::map<std::string, Error> m_failed;
  struct Lock;
  std::unique_ptr<Lock> m_lock;
};

// Checks a plugin descriptor against this host's ABI: "" when it fits, else why.
std::string check_descriptor(const KilnRecipePlugin* d);

}  // namespace kiln::recipe
