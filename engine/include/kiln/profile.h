// Kiln's profile engine: read a buildout/SlapOS profile and its extends
// closure, merge, expand macros and substitute, as slapos.buildout does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln {

struct ProfileOptions {
  // Command-line assignments: "section:option=value" (or +=, -=).
  std::vector<std::string> assignments;
  // Values of the names conditional sections may use (docs/conditions.md),
  // e.g. {"python", "2.7"} or {"linux", "false"}.
  std::map<std::string, std::string> defines;
  std::string cache_dir;  // extends and git caches; "" = $XDG_CACHE_HOME/kiln
  bool offline = false;   // never touch the network
  bool newest = true;     // false (-N): prefer cached copies of remote profiles
  std::string cwd;        // base of a relative profile path; "" = current directory
};

struct ResolvedProfile {
  std::map<std::string, std::map<std::string, std::string>> sections;
  // "section:option" -> why its ${...} could not be resolved (the option keeps
  // its raw value). Empty for the raw view.
  std::map<std::string, std::string> errors;
};

enum class ResolveMode { k_raw, k_substituted };

// Resolves `profile` (path or URL). Fatal problems (missing or unreadable
// file, syntax error, recursive extends, macro loop, network) are errors that
// name the file and line.
Expected<ResolvedProfile> resolve_profile(const std::string& profile, const ProfileOptions& options,
                                          ResolveMode mode);

// The canonical JSON of ../shared/oracle/resolve.py: sorted keys, one-space
// indent, UTF-8, "__errors__" when there are errors.
std::string to_canonical_json(const ResolvedProfile& resolved);
// `{"__fatal__": "..."}`.
std::string fatal_json(const Error& error);
// A readable listing: [section] then `option = value` lines.
std::string to_text(const ResolvedProfile& resolved);

// zc.buildout's `annotate`: sorted sections and options, each value followed
// by where it came from (file:line), with its += / -= history.
Expected<std::string> annotate_profile(const std::string& profile, const ProfileOptions& options);

}  // namespace kiln
