#include <iostream>

#include "commands.h"
#include "config/settings.h"

namespace kiln::cli {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--config", g.config_file, "Kiln settings file (kiln.ini)")
      ->envname("KILN_CONFIG");
  app.add_option("-D,--define", g.defines,
                 "Value of a name used by conditional sections, e.g. -D python=2.7 -D linux=false")
      ->type_name("NAME=VALUE");
  app.add_option("--cache-dir", g.cache_dir, "Cache for remote and git profiles");
  app.add_flag("-o,--offline", g.offline, "Never touch the network; use cached copies only");
  app.add_flag("-N,--non-newest", g.non_newest,
               "Use cached copies of remote profiles when present");
  app.add_option("--root", g.root, "Kiln's state directory (default: kiln.ini's root)");
  app.add_option("-j,--jobs", g.jobs, "Parts built at once (default: number of cores)")
      ->check(CLI::Range(1, 1024));
}

bool resolve_root_and_jobs(const GlobalOptions& g, std::string* root, int* jobs) {
  Expected<config::Settings> settings = config::load_settings(g.config_file);
  if (!settings.ok()) {
    print_error(settings.error());
    return false;
  }
  if (root) *root = g.root.empty() ? settings->root : g.root;
  if (jobs) *jobs = g.jobs > 0 ? g.jobs : settings->jobs;
  return true;
}

bool make_profile_options(const GlobalOptions& g, ProfileOptions* out) {
  // kiln.ini gives the defaults; the command-line flags override them.
  Expected<config::Settings> settings = config::load_settings(g.config_file);
  if (!settings.ok()) {
    print_error(settings.error());
    return false;
  }
  for (const std::string& d : g.defines) {
    std::size_t eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      print_error(Error(ErrorCode::k_invalid, "expected -D NAME=VALUE, got '" + d + "'"));
      return false;
    }
    out->defines[d.substr(0, eq)] = d.substr(eq + 1);
  }
  out->cache_dir = g.cache_dir.empty() ? settings->cache_dir : g.cache_dir;
  out->offline = g.offline || settings->offline;
  out->newest = settings->newest && !g.non_newest;
  return true;
}

void print_error(const Error& error) {
  std::cerr << "kiln: " << error.to_string() << "\n";
}

}  // namespace kiln::cli
