// The whole profile pipeline: load (extends), merge with the [buildout]
// defaults and command-line assignments, expand macros, substitute.
#pragma once

#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/profile.h"
#include "profile/lexer.h"
#include "profile/model.h"
#include "profile/raw_config.h"
#include "profile/source.h"

namespace kiln::profile {

struct ResolveRequest {
  std::string profile;                   // path (relative to cwd) or URL
  std::vector<std::string> assignments;  // "section:option=value", "section:option+=value"
  std::string cwd;                       // for relative paths; "" = the process's
  std::string python_executable;         // [buildout] executable
  bool track_history = false;            // keep every operation (annotate)
};

struct LoadedProfile {
  Config config;  // annotated (values with history)
  SymbolTable symbols;
  std::string directory;  // [buildout] directory ("" for a remote profile)
  std::string cwd;        // the directory relative paths were taken from
};

// zc.buildout's Buildout.__init__ up to `_raw`: defaults, profile, command
// line, [versions], absolute cache directories. The result is annotated.
Expected<LoadedProfile> load_profile(ProfileSource& source, const ConditionFn& condition,
                                     const ResolveRequest& request);

// load_profile with the public options: the host's conditions, the default
// (disk, http(s), git) sources. Defined in api.cc.
Expected<LoadedProfile> load_with_options(const std::string& path,
                                          const kiln::ProfileOptions& options, bool track);

// The `_raw` view: unannotated, with bin/parts/eggs/develop-eggs absolute.
Expected<RawConfig> raw_view(const LoadedProfile& loaded);

// --raw output: every section with its macros expanded, nothing substituted.
Expected<Resolved> expand_all(const RawConfig& raw);

// Parses "section:option=value" (the option may end in + or -).
struct Assignment {
  std::string section, option, value;
};
Expected<Assignment> parse_assignment(const std::string& text);

}  // namespace kiln::profile
