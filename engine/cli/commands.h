// Sub-commands of the `kiln` command line. Each registers itself on the
// CLI11 app and runs through the public library API; no logic lives here.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiln/build.h"
#include "kiln/profile.h"

namespace kiln::cli {

// Exit statuses (README.md, "Exit status"): 0 success; 1 the work failed (a
// build, a deploy, the supervisor); 2 bad command line: unknown command or
// option, a bad or missing argument, a bad settings file, a profile path that
// is empty, missing or a directory, a profile that does not parse; 3 `kiln
// node`: deployed, but a promise fails.
inline constexpr int k_exit_failed = 1;
inline constexpr int k_exit_usage = 2;

// Options shared by every command that reads profiles.
struct GlobalOptions {
  std::string config_file;           // --config: kiln.ini
  std::vector<std::string> defines;  // -D NAME=VALUE
  std::string cache_dir;
  bool offline = false;
  bool non_newest = false;
  std::string root;  // --root: Kiln's state directory ("" = kiln.ini's)
  int jobs = 0;      // -j: parts built at once (0 = kiln.ini's, default: cores)
};

// Adds the global options to `app`.
void add_global_options(CLI::App& app, GlobalOptions& global);
// ProfileOptions from the global options and kiln.ini; on a bad -D, prints the
// error and returns false.
bool make_profile_options(const GlobalOptions& global, ProfileOptions* out);

// Each returns the callback to run when the sub-command was chosen; the
// callback returns the process exit status.
using Command = std::function<int()>;
Command add_resolve_command(CLI::App& app, const GlobalOptions& global);
Command add_annotate_command(CLI::App& app, const GlobalOptions& global);
Command add_install_command(CLI::App& app, const GlobalOptions& global);
Command add_software_command(CLI::App& app, const GlobalOptions& global);
Command add_graph_command(CLI::App& app, const GlobalOptions& global);
Command add_recipes_command(CLI::App& app, const GlobalOptions& global);
Command add_supervisor_command(CLI::App& app, const GlobalOptions& global);
Command add_ctl_command(CLI::App& app, const GlobalOptions& global);
Command add_request_command(CLI::App& app, const GlobalOptions& global);
Command add_node_command(CLI::App& app, const GlobalOptions& global);
Command add_show_command(CLI::App& app, const GlobalOptions& global);

// The root and job count from the flags and kiln.ini; false after printing
// an error.
bool resolve_root_and_jobs(const GlobalOptions& global, std::string* root, int* jobs);

// A profile (or software release) given on the command line: an error when
// it is empty, or a local path that does not exist or is a directory. URLs
// pass unchecked.
Status check_profile_path(const std::string& path);

// 2 for an error in a profile's text (syntax, extends cycle, condition),
// else 1.
int exit_status_of(const Error& error);

// Prints "kiln: <message>" on stderr.
void print_error(const Error& error);

}  // namespace kiln::cli
