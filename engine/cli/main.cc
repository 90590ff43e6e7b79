// The `kiln` command: parses the command line and runs one sub-command.
#include <cstring>
#include <iostream>
#include <vector>

#include "commands.h"

namespace {

// The first word that is neither an option nor an option's value, or nullptr.
const char* first_command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strcmp(a, "--") == 0) return nullptr;
    if (a[0] == '-') {
      bool takes_value = std::strcmp(a, "--config") == 0 || std::strcmp(a, "-D") == 0 ||
                         std::strcmp(a, "--define") == 0 || std::strcmp(a, "--cache-dir") == 0 ||
                         std::strcmp(a, "--root") == 0 || std::strcmp(a, "-j") == 0 ||
                         std::strcmp(a, "--jobs") == 0;
      if (takes_value) ++i;
      continue;
    }
    return a;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Kiln: build software and deploy instances from buildout/SlapOS profiles"};
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the sub-command too
  app.set_version_flag("--version", "kiln 0.1.0");
  app.footer(
      "Exit status: 0 success; 1 the work failed (build, deploy, supervisor); 2 bad command\n"
      "line, bad settings file, or a profile that is empty, missing, a directory or does not\n"
      "parse; 3 kiln node: deployed, but a promise fails.");
  // A bad command line is one `kiln: ` line, as every other error, and exit
  // status 2 (CLI11's own codes, 105 to 109, mean nothing to scripts).
  app.failure_message([](const CLI::App* top, const CLI::Error& e) {
    std::string help = "kiln";
    for (const CLI::App* sub : top->get_subcommands()) help += " " + sub->get_name();
    return "kiln: " + std::string(e.what()) + " (see " + help + " --help)\n";
  });
  kiln::cli::GlobalOptions global;
  kiln::cli::add_global_options(app, global);
  std::vector<kiln::cli::Command> runs;
  runs.push_back(kiln::cli::add_resolve_command(app, global));
  runs.push_back(kiln::cli::add_annotate_command(app, global));
  runs.push_back(kiln::cli::add_install_command(app, global));
  runs.push_back(kiln::cli::add_software_command(app, global));
  runs.push_back(kiln::cli::add_graph_command(app, global));
  runs.push_back(kiln::cli::add_recipes_command(app, global));
  runs.push_back(kiln::cli::add_supervisor_command(app, global));
  runs.push_back(kiln::cli::add_ctl_command(app, global));
  runs.push_back(kiln::cli::add_request_command(app, global));
  runs.push_back(kiln::cli::add_node_command(app, global));
  runs.push_back(kiln::cli::add_show_command(app, global));
  std::vector<CLI::App*> subs = app.get_subcommands({});
  if (const char* word = first_command_word(argc, argv)) {
    bool known = false;
    for (CLI::App* s : subs) known = known || s->check_name(word);
    if (!known) {
      std::cerr << "kiln: unknown command '" << word
                << "' (commands: software, install, graph, recipes, request, node, show, "
                   "supervisor, ctl, resolve, annotate; see kiln --help)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);  // prints the help, the version or the error
    return status == 0 ? 0 : kiln::cli::k_exit_usage;
  }
  for (std::size_t i = 0; i < subs.size() && i < runs.size(); ++i) {
    if (subs[i]->parsed()) return runs[i]();
  }
  return 1;
}
