// The `kiln` command: parses the command line and runs one sub-command.
#include <iostream>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Kiln: build software and deploy instances from buildout/SlapOS profiles"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kiln 0.1.0");
  kiln::cli::GlobalOptions global;
  kiln::cli::add_global_options(app, global);
  std::vector<std::pair<CLI::App*, kiln::cli::Command>> commands;
  std::size_t before = app.get_subcommands({}).size();
  commands.emplace_back(nullptr, kiln::cli::add_resolve_command(app, global));
  commands.emplace_back(nullptr, kiln::cli::add_annotate_command(app, global));
  std::vector<CLI::App*> subs = app.get_subcommands({});
  for (std::size_t i = 0; i < commands.size(); ++i) commands[i].first = subs[before + i];
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return 1;
}
