// Running the git program (never through a shell).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kiln/error.h"

namespace kiln::vcs {

struct GitResult {
  int exit_code = -1;
  std::string out;  // everything git wrote to stdout
  std::string err;  // everything git wrote to stderr

  bool ok() const { return exit_code == 0; }
  // First non-empty line of `err` ("" if none), for error messages.
  std::string first_error_line() const;
};

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Runs `git <args...>` found on PATH, with stdin from /dev/null, capturing
// stdout and stderr, and waits for it. The child environment is ours minus
// the variables that would redirect git to another repository (GIT_DIR,
// GIT_WORK_TREE, GIT_INDEX_FILE, ...), plus GIT_TERMINAL_PROMPT=0 (never ask
// for credentials), a low-speed abort for http transports unless the user set
// one, and `extra_env`. A non-zero exit status is a GitResult, not an Error;
// an Error{k_vcs} means git could not be run at all (not installed, fork
// failure). Thread-safe; never throws.
Expected<GitResult> run_git(const std::vector<std::string>& args, const EnvVars& extra_env = {});

}  // namespace kiln::vcs
