#include "recipe/plugin_registry.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>

namespace kiln::recipe {

namespace fs = std::filesystem;

namespace {

const char k_prefix[] = "kiln-recipe-";
const char k_suffix[] = ".so";

std::string plugin_file(const std::string& dir, const std::string& name) {
  return dir + "/" + k_prefix + name + k_suffix;
}

std::string exe_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

struct PluginRegistry::Lock {
  std::mutex mutex;
};

std::vector<std::string> default_search_path() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("KILN_RECIPE_PATH")) {
    std::string s(env);
    std::size_t pos = 0;
    while (pos <= s.size()) {
      std::size_t colon = s.find(':', pos);
      std::string dir = s.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
      if (!dir.empty()) out.push_back(dir);
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
  }
  // A kiln run from its build tree uses that tree's plugins; an installed one
  // uses the plugins installed with it (never a build tree's).
  std::string self = exe_dir();
#ifdef KILN_BUILD_RECIPE_DIR
  std::string build_dir = fs::path(KILN_BUILD_RECIPE_DIR).parent_path().string() + "/";
  if (!self.empty() && (self + "/").compare(0, build_dir.size(), build_dir) == 0) {
    out.push_back(KILN_BUILD_RECIPE_DIR);
    return out;
  }
#endif
  if (!self.empty()) out.push_back(self + "/../lib/kiln/recipes");
#ifdef KILN_INSTALL_RECIPE_DIR
  out.push_back(KILN_INSTALL_RECIPE_DIR);
#endif
  return out;
}

const KilnRecipeEntry* LoadedPlugin::find_entry(const std::string& entry) const {
  for (std::size_t i = 0; i < descriptor->entry_count; ++i) {
    if (entry == descriptor->entries[i].name) return &descriptor->entries[i];
  }
  return nullptr;
}

std::string check_descriptor(const KilnRecipePlugin* d) {
  if (!d) return "kiln_recipe_plugin() returned NULL";
  if (d->abi_version != KILN_RECIPE_ABI_VERSION) {
    return "built for recipe ABI version " + std::to_string(d->abi_version) +
           ", this kiln has version " + std::to_string(KILN_RECIPE_ABI_VERSION) +
           " (rebuild the plugin against this kiln's SDK)";
  }
  if (d->struct_size < sizeof(KilnRecipePlugin) || d->entry_size < sizeof(KilnRecipeEntry) ||
      d->option_size < sizeof(KilnOptionSpec)) {
    return "descriptor sizes " + std::to_string(d->struct_size) + "/" +
           std::to_string(d->entry_size) + "/" + std::to_string(d->option_size) +
           " are smaller than this kiln's " + std::to_string(sizeof(KilnRecipePlugin)) + "/" +
           std::to_string(sizeof(KilnRecipeEntry)) + "/" + std::to_string(sizeof(KilnOptionSpec));
  }
  if (!d->name || !d->version || (d->entry_count > 0 && !d->entries))
    return "descriptor has no name, version or entries";
  for (std::size_t i = 0; i < d->entry_count; ++i) {
    const KilnRecipeEntry& e = d->entries[i];
    if (!e.name || !e.install) return "entry " + std::to_string(i) + " has no name or install";
    if (e.option_count > 0 && !e.options) return std::string("entry ") + e.name + " has no options";
  }
  return "";
}

PluginRegistry::PluginRegistry(std::vector<std::string> search_path)
    : m_search_path(std::move(search_path)), m_lock(std::make_unique<Lock>()) {}

PluginRegistry::~PluginRegistry() = default;  // handles stay open: code may still run

Expected<const LoadedPlugin*> PluginRegistry::load_file(const std::string& name,
                                                        const std::string& path) {
  if (auto it = m_loaded.find(name); it != m_loaded.end()) return it->second.get();
  if (auto it = m_failed.find(name); it != m_failed.end()) return it->second;
  auto fail = [&](const std::string& why) -> Expected<const LoadedPlugin*> {
    Error e(ErrorCode::k_invalid, "recipe plugin " + path + ": " + why);
    m_failed.emplace(name, e);
    return e;
  };
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return fail(std::string("cannot load: ") + ::dlerror());
  void* sym = ::dlsym(handle, KILN_RECIPE_PLUGIN_SYMBOL);
  if (!sym) {
    ::dlclose(handle);
    return fail("does not export " KILN_RECIPE_PLUGIN_SYMBOL "() (not a Kiln recipe plugin)");
  }
  auto fn = reinterpret_cast<KilnRecipePluginFn>(sym);
  const KilnRecipePlugin* d = fn();
  if (std::string why = check_descriptor(d); !why.empty()) {
    ::dlclose(handle);
    return fail(why);
  }
  auto p = std::make_unique<LoadedPlugin>();
  p->name = name;
  p->path = path;
  p->descriptor = d;
  p->handle = handle;
  const LoadedPlugin* raw = p.get();
  m_loaded.emplace(name, std::move(p));
  return raw;
}

Expected<const LoadedPlugin*> PluginRegistry::load(const std::string& name) {
  std::lock_guard<std::mutex> guard(m_lock->mutex);
  if (auto it = m_loaded.find(name); it != m_loaded.end()) return it->second.get();
  if (name.find('/') != std::string::npos || name.empty())
    return Error(ErrorCode::k_invalid, "bad recipe plugin name '" + name + "'");
  for (const std::string& dir : m_search_path) {
    std::string path = plugin_file(dir, name);
    if (::access(path.c_str(), R_OK) == 0) return load_file(name, path);
  }
  std::string dirs;
  for (const std::string& d : m_search_path) dirs += (dirs.empty() ? "" : ", ") + d;
  return Error(ErrorCode::k_not_found, "no recipe plugin '" + name + "' (looked for " + k_prefix +
                                           name + k_suffix + " in " + dirs + ")");
}

std::vector<Expected<const LoadedPlugin*>> PluginRegistry::load_all() {
  std::set<std::string> names;
  for (const std::string& dir : m_search_path) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      std::string f = e.path().filename().string();
      std::size_t pl = sizeof k_prefix - 1, sl = sizeof k_suffix - 1;
      if (f.size() > pl + sl && f.compare(0, pl, k_prefix) == 0 &&
          f.compare(f.size() - sl, sl, k_suffix) == 0)
        names.insert(f.substr(pl, f.size() - pl - sl));
    }
  }
  std::vector<Expected<const LoadedPlugin*>> out;
  for (const std::string& n : names) out.push_back(load(n));
  return out;
}

}  // namespace kiln::recipe
