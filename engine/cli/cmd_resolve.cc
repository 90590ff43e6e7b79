// kiln resolve [--raw] [--json] PROFILE [section:option=value ...]
#include <iostream>
#include <memory>

#include "commands.h"

namespace kiln::cli {

namespace {
struct ResolveArgs {
  bool raw = false;
  bool json = false;
  std::string profile;
  std::vector<std::string> assignments;
};
}  // namespace

Command add_resolve_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ResolveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "resolve", "Print the merged configuration of a profile (extends, macros, ${} resolved)");
  cmd->add_flag("--raw", args->raw, "Stop before ${} substitution (macros expanded)");
  cmd->add_flag("--json", args->json,
                "Canonical JSON (as ../shared/oracle/resolve.py); exit 2 on a fatal error");
  cmd->add_option("profile", args->profile, "Profile path or URL")->required();
  cmd->add_option("assignments", args->assignments,
                  "Overrides: section:option=value, section:option+=value")
      ->type_name("SECTION:OPTION=VALUE");
  return [args, &global]() {
    ProfileOptions options;
    if (!make_profile_options(global, &options)) return k_exit_usage;
    options.assignments = args->assignments;
    Status checked = check_profile_path(args->profile);
    Expected<ResolvedProfile> r =
        !checked.ok()
            ? Expected<ResolvedProfile>(checked.error())
            : resolve_profile(args->profile, options,
                              args->raw ? ResolveMode::k_raw : ResolveMode::k_substituted);
    if (!r.ok()) {
      print_error(r.error());
      if (args->json) std::cout << fatal_json(r.error());
      return k_exit_usage;
    }
    if (args->json) {
      std::cout << to_canonical_json(*r);
      return 0;
    }
    std::cout << to_text(*r);
    // Unresolved references are normal (recipes compute many values at build
    // time): reported, not fatal.
    for (const auto& [option, reason] : r->errors) {
      std::cerr << "kiln: warning: " << option << " kept unresolved: " << reason << "\n";
    }
    return 0;
  };
}

Command add_annotate_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ResolveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "annotate", "Show every option of a profile with the files and lines it came from");
  cmd->add_option("profile", args->profile, "Profile path or URL")->required();
  cmd->add_option("assignments", args->assignments, "Overrides: section:option=value")
      ->type_name("SECTION:OPTION=VALUE");
  return [args, &global]() {
    ProfileOptions options;
    if (!make_profile_options(global, &options)) return k_exit_usage;
    options.assignments = args->assignments;
    // As resolve: every error is in the profile or how it was named.
    Status checked = check_profile_path(args->profile);
    Expected<std::string> r = !checked.ok() ? Expected<std::string>(checked.error())
                                            : annotate_profile(args->profile, options);
    if (!r.ok()) {
      print_error(r.error());
      return k_exit_usage;
    }
    std::cout << *r;
    return 0;
  };
}

}  // namespace kiln::cli
