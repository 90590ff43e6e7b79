// Kiln's own settings file, kiln.ini (docs/settings.md).
//
//   [kiln]
//   root = /srv/kiln
//   cache-dir = cache   ; relative to the directory of this file
//   jobs = 4
//   offline = false
//   newest = true
//
// Read with Debian's inih (docs/parser.md says why inih here and not for
// profiles). Unknown sections or keys and bad values are errors naming
// file:line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kiln/error.h"

namespace kiln::config {

// The most parallel jobs: kiln.ini's `jobs` and the command line's -j.
inline constexpr int k_max_jobs = 4096;

struct Settings {
  std::string root;         // Kiln's state directory (absolute)
  std::string cache_dir;    // extends and git caches (absolute)
  int jobs = 1;             // parallel jobs, >= 1
  bool offline = false;     // never touch the network
  bool newest = true;       // false: prefer cached copies of remote profiles
  std::string source_file;  // the kiln.ini read (absolute), "" when none was found
};

// What the defaults and the lookup depend on; from_process() reads the real
// environment, tests build their own.
struct Environment {
  std::optional<std::string> kiln_config;     // $KILN_CONFIG
  std::optional<std::string> kiln_root;       // $KILN_ROOT
  std::optional<std::string> home;            // $HOME (or the passwd entry)
  std::optional<std::string> xdg_cache_home;  // $XDG_CACHE_HOME
  std::string cwd;                            // base of relative paths given outside a file
  int cpu_count = 1;

  static Environment from_process();
};

// The settings with no kiln.ini: root = $KILN_ROOT or ~/.local/share/kiln,
// cache_dir = $XDG_CACHE_HOME/kiln or ~/.cache/kiln, jobs = cpu_count,
// offline = false, newest = true. k_invalid when neither $KILN_ROOT nor a home
// directory is known.
Expected<Settings> default_settings(const Environment& env);

// Applies the text of a kiln.ini (`file` names it in errors and is the base of
// its relative paths) over `base`.
Expected<Settings> parse_settings(std::string_view text, const std::string& file, Settings base,
                                  const Environment& env);

// Finds and reads kiln.ini: `explicit_path` (--config; must exist), else
// $KILN_CONFIG (must exist when set and non-empty), else <root>/kiln.ini with
// the default root (optional: the defaults when absent).
Expected<Settings> load_settings(const std::string& explicit_path, const Environment& env);
inline Expected<Settings> load_settings(const std::string& explicit_path) {
  return load_settings(explicit_path, Environment::from_process());
}

}  // namespace kiln::config
