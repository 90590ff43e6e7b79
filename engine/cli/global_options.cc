#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <vector>

#include "commands.h"
#include "config/settings.h"
#include "profile/loader.h"
#include "util/pystr.h"

namespace kiln::cli {

namespace {

// An explicit empty value (`--root "$UNSET"`) is refused rather than taken
// as "not given": it must not fall back to the user's real root.
std::string not_empty(const std::string& value) {
  return value.empty() ? "an empty value is not allowed" : "";
}

}  // namespace

void add_global_options(CLI::App& app, GlobalOptions& g) {
  // An empty $KILN_CONFIG counts as unset (CLI11 skips empty variables).
  app.add_option("--config", g.config_file, "Kiln settings file (kiln.ini)")
      ->envname("KILN_CONFIG")
      ->check(not_empty);
  app.add_option("-D,--define", g.defines,
                 "Value of a name used by conditional sections, e.g. -D python=2.7 -D linux=false")
      ->type_name("NAME=VALUE");
  app.add_option("--cache-dir", g.cache_dir, "Cache for remote and git profiles")->check(not_empty);
  app.add_flag("-o,--offline", g.offline, "Never touch the network; use cached copies only");
  app.add_flag("-N,--non-newest", g.non_newest,
               "Use cached copies of remote profiles when present");
  app.add_option("--root", g.root, "Kiln's state directory (default: kiln.ini's root)")
      ->check(not_empty);
  app.add_option("-j,--jobs", g.jobs, "Parts built at once (default: number of cores)")
      ->check(CLI::Range(1, config::k_max_jobs));
}

bool resolve_root_and_jobs(const GlobalOptions& g, std::string* root, int* jobs) {
  Expected<config::Settings> settings = config::load_settings(g.config_file);
  if (!settings.ok()) {
    print_error(settings.error());
    return false;
  }
  // The one place the root is decided. kiln.ini's root and $KILN_ROOT are
  // already absolute (load_settings); a relative --root is made absolute here,
  // against the working directory, because the paths derived from it are
  // written into files read from elsewhere (a partition's buildout.cfg
  // extends <root>/software/...).
  if (root) {
    *root = settings->root;
    if (!g.root.empty()) {
      std::string cwd;
      if (!util::path_isabs(g.root)) {
        std::vector<char> buf(4096);
        if (::getcwd(buf.data(), buf.size()) == nullptr) {
          print_error(Error(ErrorCode::k_io,
                            "cannot make --root absolute: the working directory is unknown",
                            g.root));
          return false;
        }
        cwd = buf.data();
      }
      *root = util::path_normpath(util::path_join(cwd, g.root));
    }
  }
  if (jobs) *jobs = g.jobs > 0 ? g.jobs : settings->jobs;
  return true;
}

Status check_profile_path(const std::string& path) {
  if (path.empty()) return Error(ErrorCode::k_invalid, "the profile path is empty");
  if (profile::is_url(path)) return {};
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return Error(ErrorCode::k_not_found, "no such profile file", path);
    return {};  // the loader says why it cannot be read
  }
  if (S_ISDIR(sb.st_mode))
    return Error(ErrorCode::k_invalid, "is a directory, expected a profile file", path);
  return {};
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

int exit_status_of(const Error& error) {
  ErrorCode c = error.code;
  bool profile_error =
      c == ErrorCode::k_parse || c == ErrorCode::k_cycle || c == ErrorCode::k_condition;
  return profile_error ? k_exit_usage : k_exit_failed;
}

void print_error(const Error& error) {
  std::cerr << "kiln: " << error.to_string() << "\n";
}

}  // namespace kiln::cli
