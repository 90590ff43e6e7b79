// kiln install / software / graph: build parts through the library API.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "commands.h"

namespace kiln::cli {

namespace {

struct BuildArgs {
  std::vector<std::string> parts;
  bool dry_run = false;
  bool quiet = false;
  bool json = false;
  bool no_wait = false;
};

void add_output_flags(CLI::App* cmd, BuildArgs* a) {
  cmd->add_flag("-n,--dry-run", a->dry_run,
                "Say what would be installed, updated or removed, and why");
  cmd->add_flag("-q,--quiet", a->quiet, "Print only warnings and errors");
  cmd->add_flag("--json", a->json, "One JSON object per line for each event");
}

// BuildOptions from the global flags and kiln.ini; false after an error.
bool make_build_options(const GlobalOptions& g, const BuildArgs& a, BuildOptions* o,
                        std::string* root) {
  if (!make_profile_options(g, &o->profile)) return false;
  if (!resolve_root_and_jobs(g, root, &o->jobs)) return false;
  o->parts = a.parts;
  o->dry_run = a.dry_run;
  o->output = a.json    ? BuildOutputMode::k_json
              : a.quiet ? BuildOutputMode::k_quiet
                        : BuildOutputMode::k_normal;
  o->wait_for_lock = !a.no_wait;
  if (!root->empty()) o->shared_directory = *root + "/shared";
  return true;
}

int report(const Expected<BuildSummary>& r, const BuildArgs& a, const char* what) {
  if (!r.ok()) {
    print_error(r.error());
    return exit_status_of(r.error());
  }
  if (!a.quiet && !a.json) {
    std::cout << (a.dry_run ? "Plan for" : what) << " " << r->directory << ": " << r->installed
              << " installed, " << r->updated << " updated, " << r->uninstalled << " uninstalled"
              << (a.dry_run ? " (dry run: nothing done)" : "") << "\n";
  }
  return 0;
}

// Whether `e` says that a part named on the command line has no section: a
// bad argument (exit 2), not a failed build.
bool names_missing_part(const Error& e, const std::vector<std::string>& parts) {
  if (e.code != ErrorCode::k_not_found) return false;
  for (const std::string& name : parts)
    if (e.message == "part [" + name + "]: section [" + name + "] does not exist") return true;
  return false;
}

}  // namespace

Command add_install_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BuildArgs>();
  auto profile = std::make_shared<std::string>("buildout.cfg");
  CLI::App* cmd = app.add_subcommand(
      "install", "Build a profile's parts in its directory (default ./buildout.cfg)");
  cmd->add_option("-c,--profile", *profile, "The profile (path or URL)");
  cmd->add_option("parts", args->parts, "Only these parts (and the parts they need)");
  add_output_flags(cmd, args.get());
  return [&global, args, profile]() {
    BuildOptions o;
    std::string root;
    if (!make_build_options(global, *args, &o, &root)) return k_exit_usage;
    if (global.root.empty()) o.shared_directory.clear();  // <directory>/shared
    if (Status s = check_profile_path(*profile); !s.ok()) {
      print_error(s.error());
      return k_exit_usage;
    }
    Expected<BuildSummary> built = build_profile(*profile, o);
    if (!built.ok() && names_missing_part(built.error(), args->parts)) {
      print_error(built.error());
      return k_exit_usage;
    }
    return report(built, *args, "Built");
  };
}

Command add_software_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BuildArgs>();
  auto url = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("software", "Build a software release into <root>/software/<md5 of URL>/");
  cmd->add_option("url", *url, "The release's profile (path or URL)")->required();
  cmd->add_flag("--no-wait", args->no_wait,
                "Fail at once if another kiln is building this release");
  add_output_flags(cmd, args.get());
  return [&global, args, url]() {
    BuildOptions o;
    std::string root;
    if (!make_build_options(global, *args, &o, &root)) return k_exit_usage;
    if (Status s = check_profile_path(*url); !s.ok()) {
      print_error(s.error());
      return k_exit_usage;
    }
    return report(build_software_release(root, *url, o), *args, "Software release");
  };
}

Command add_graph_command(CLI::App& app, const GlobalOptions& global) {
  auto profile = std::make_shared<std::string>("buildout.cfg");
  auto dot = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("graph", "Print the part graph (dependencies first)");
  cmd->add_option("-c,--profile", *profile, "The profile (path or URL)");
  cmd->add_flag("--dot", *dot, "Graphviz dot (the default and only format for now)");
  // `dot` is captured: CLI11 writes through the reference while parsing.
  return [&global, profile, dot]() {
    BuildOptions o;
    BuildArgs a;
    std::string root;
    if (!make_build_options(global, a, &o, &root)) return k_exit_usage;
    if (Status s = check_profile_path(*profile); !s.ok()) {
      print_error(s.error());
      return k_exit_usage;
    }
    Expected<std::string> g = part_graph_dot(*profile, o);
    if (!g.ok()) {
      print_error(g.error());
      return exit_status_of(g.error());
    }
    std::cout << *g;
    return 0;
  };
}

Command add_recipes_command(CLI::App& app, const GlobalOptions&) {
  CLI::App* cmd = app.add_subcommand("recipes", "List the recipe plugins found and their options");
  (void)cmd;
  return []() {
    std::vector<std::string> path;
    std::vector<RecipePluginInfo> plugins = list_recipe_plugins(&path);
    std::cout << "Search path:\n";
    for (const std::string& d : path) std::cout << "  " << d << "\n";
    int bad = 0;
    for (const RecipePluginInfo& p : plugins) {
      if (!p.error.empty()) {
        std::cout << "\n(unusable) " << p.error << "\n";
        ++bad;
        continue;
      }
      std::cout << "\n" << p.name << " " << p.version << "  (" << p.path << ")\n";
      for (const RecipeEntryInfo& e : p.entries) {
        std::cout << "  " << p.name << (e.name == "default" ? "" : ":" + e.name) << " — "
                  << e.description << "\n";
        for (const RecipeOptionInfo& o : e.options)
          std::cout << "      " << o.name << (o.required ? " (required)" : "")
                    << (o.has_default ? " [default: " + o.default_value + "]" : "") << "  "
                    << o.description << "\n";
      }
    }
    std::cout << "\nSlapOS/buildout names:\n";
    for (const RecipeAliasInfo& a : list_recipe_aliases())
      std::cout << "  " << a.written << " -> " << a.plugin
                << (a.entry == "default" ? "" : ":" + a.entry) << "\n";
    return bad ? 1 : 0;
  };
}

}  // namespace kiln::cli
