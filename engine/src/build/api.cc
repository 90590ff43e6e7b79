// The public build API (kiln/build.h) over build/, recipe/ and deploy/.
#include <unistd.h>

#include <filesystem>

#include "build/builder.h"
#include "build/host_services.h"
#include "build/part_discovery.h"
#include "kiln/build.h"
#include "profile/resolve.h"
#include "recipe/recipe_name.h"
#include "util/atomic_file.h"
#include "util/file_lock.h"
#include "util/file_text.h"
#include "util/hash.h"

namespace kiln {

namespace fs = std::filesystem;

namespace {

build::OutputMode mode_of(BuildOutputMode m) {
  return m == BuildOutputMode::k_quiet  ? build::OutputMode::k_quiet
         : m == BuildOutputMode::k_json ? build::OutputMode::k_json
                                        : build::OutputMode::k_normal;
}

build::HostServicesOptions services_options(const BuildOptions& o) {
  build::HostServicesOptions s;
  s.cache_dir = o.profile.cache_dir;
  s.offline = o.profile.offline;
  s.newest = o.profile.newest;
  return s;
}

bool is_url(const std::string& s) {
  return s.find("://") != std::string::npos;
}

}  // namespace

std::string canonical_software_url(const std::string& url) {
  if (is_url(url) || url.empty()) return url;  // fs::absolute("") throws
  std::error_code ec;
  fs::path abs = fs::absolute(url, ec);
  if (ec) return url;
  fs::path p = fs::weakly_canonical(abs, ec);
  return ec ? abs.string() : p.string();
}

Expected<BuildSummary> build_profile(const std::string& profile, const BuildOptions& options) {
  recipe::PluginRegistry plugins;
  build::RealHostServices services(services_options(options));
  build::BuildOutput output(mode_of(options.output));
  build::BuildRequest req;
  req.profile = profile;
  req.profile_options = options.profile;
  req.only = options.parts;
  req.jobs = options.jobs;
  req.dry_run = options.dry_run;
  req.shared_directory = options.shared_directory;
  Expected<build::BuildReport> r = build::run_build(req, plugins, services, output);
  if (!r.ok()) return r.error();
  return BuildSummary{r->directory, r->installed, r->updated, r->uninstalled};
}

std::string software_release_directory(const std::string& root, const std::string& url) {
  return root + "/software/" + util::md5_hex(canonical_software_url(url));
}

Expected<BuildSummary> build_software_release(const std::string& root, const std::string& url,
                                              BuildOptions options) {
  if (url.empty()) return Error(ErrorCode::k_invalid, "the software release profile path is empty");
  std::string canonical = canonical_software_url(url);
  // Checked before anything is written under the root.
  std::error_code stat_ec;
  if (!is_url(canonical) && !fs::exists(canonical, stat_ec))
    return Error(ErrorCode::k_not_found, "no such software release profile", canonical);
  if (!is_url(canonical) && fs::is_directory(canonical, stat_ec))
    return Error(ErrorCode::k_invalid, "is a directory, expected a profile file", url);
  std::string dir = software_release_directory(root, url);
  Expected<util::FileLock> lock =
      util::FileLock::acquire(dir + "/.lock", options.wait_for_lock, [&](const std::string& who) {
        if (options.output != BuildOutputMode::k_json)
          std::fprintf(stderr, "kiln: waiting for %s, which is building %s\n", who.c_str(),
                       dir.c_str());
      });
  if (!lock.ok()) return lock.error();
  std::string completed = dir + "/.completed";
  std::string profile = dir + "/buildout.cfg";
  std::string text = "# Written by kiln software: the release " + canonical +
                     "\n[buildout]\nextends = " + canonical + "\n";
  if (util::read_file_text(profile) != text)
    if (Status st = util::write_file_atomic(profile, text); !st.ok()) return st.error();
  if (options.shared_directory.empty()) options.shared_directory = root + "/shared";
  if (!options.dry_run) {
    std::error_code ec;
    fs::remove(completed, ec);  // building: not complete until it succeeds
  }
  Expected<BuildSummary> r = build_profile(profile, options);
  if (!r.ok() || options.dry_run) return r;
  if (Status st = util::write_file_atomic(completed, canonical + "\n"); !st.ok()) return st.error();
  return r;
}

Expected<std::string> part_graph_dot(const std::string& profile, const BuildOptions& options) {
  Expected<profile::LoadedProfile> loaded =
      profile::load_with_options(profile, options.profile, false);
  if (!loaded.ok()) return loaded.error();
  Expected<profile::RawConfig> raw = profile::raw_view(*loaded);
  if (!raw.ok()) return raw.error();
  recipe::PluginRegistry plugins;
  build::RealHostServices services(services_options(options));
  build::BuildOutput output(build::OutputMode::k_quiet);
  build::PartLogSink log(output, "init", "");
  build::DiscoveryOptions d{
      options.parts, loaded->directory,
      options.shared_directory.empty() ? loaded->directory + "/shared" : options.shared_directory};
  Expected<build::Discovered> found = build::discover_parts(*raw, plugins, services, log, d);
  if (!found.ok()) return found.error();
  std::string out = "digraph parts {\n  rankdir=LR;\n  node [shape=box];\n";
  for (const build::Part& p : found->parts)
    out += "  \"" + p.name + "\" [label=\"" + p.name + "\\n" + p.recipe.written + "\"];\n";
  for (const build::Part& p : found->parts)
    for (const std::string& d : p.deps) out += "  \"" + d + "\" -> \"" + p.name + "\";\n";
  return out + "}\n";
}

std::vector<RecipePluginInfo> list_recipe_plugins(std::vector<std::string>* search_path) {
  recipe::PluginRegistry plugins;
  if (search_path) *search_path = plugins.search_path();
  std::vector<RecipePluginInfo> out;
  for (const Expected<const recipe::LoadedPlugin*>& p : plugins.load_all()) {
    RecipePluginInfo info;
    if (!p.ok()) {
      info.error = p.error().to_string();
      out.push_back(std::move(info));
      continue;
    }
    const KilnRecipePlugin* d = (*p)->descriptor;
    info.name = (*p)->name;
    info.version = d->version;
    info.path = (*p)->path;
    for (std::size_t i = 0; i < d->entry_count; ++i) {
      RecipeEntryInfo e{
          d->entries[i].name, d->entries[i].description ? d->entries[i].description : "", {}};
      for (std::size_t j = 0; j < d->entries[i].option_count; ++j) {
        const KilnOptionSpec& o = d->entries[i].options[j];
        e.options.push_back({o.name, o.default_value ? o.default_value : "",
                             o.description ? o.description : "", o.required != 0,
                             o.default_value != nullptr});
      }
      info.entries.push_back(std::move(e));
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<RecipeAliasInfo> list_recipe_aliases() {
  std::vector<RecipeAliasInfo> out;
  for (const recipe::RecipeAlias& a : recipe::recipe_aliases())
    out.push_back({a.written, a.plugin, a.entry});
  return out;
}

}  // namespace kiln
