// plone.recipe.command — `command` on install, `update-command` on update,
// both with /bin/sh -c in the build directory. docs/recipes/command.md.
#include <sstream>
#include <string>
#include <vector>

#include "kiln/recipe.hpp"

namespace {

using kiln::sdk::Failure;
using kiln::sdk::Part;

// Whitespace-separated paths of `location`; relative ones are taken from the
// build directory.
std::vector<std::string> owned_paths(const Part& part) {
  std::istringstream in(part.get("location", ""));
  std::vector<std::string> out;
  for (std::string path; in >> path;) {
    if (path[0] != '/') path = part.build_directory() + "/" + path;
    out.push_back(path);
  }
  return out;
}

// Runs `option` (a shell command) if it is set and not blank. A failure stops
// the build only with stop-on-error; otherwise it is a warning, as in plone.
void execute(Part& part, const std::string& option) {
  std::string command = part.get(option, "");
  if (command.find_first_not_of(" \t\r\n") == std::string::npos) return;
  bool stop = part.get_bool("stop-on-error", false);
  part.info("running " + option);
  int status = part.run({"/bin/sh", "-c", command}, {}, part.build_directory());
  if (status == 0) return;
  std::string message =
      "option '" + option + "': the command failed with exit status " + std::to_string(status);
  if (stop) throw Failure(message);
  part.warning(message + " (ignored: stop-on-error is false)");
}

class Command : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    part.get_bool("stop-on-error", false);  // validates the option
    for (const std::string& path : owned_paths(part)) part.add_path(path);
  }
  void install(Part& part) override { execute(part, "command"); }
  void update(Part& part) override { execute(part, "update-command"); }
};

}  // namespace

KILN_RECIPE_PLUGIN("command", "1",
                   kiln::sdk::entry<Command>(
                       "default", "Runs shell commands (plone.recipe.command)",
                       {{"command", false, nullptr, "shell command run on install"},
                        {"update-command", false, nullptr, "shell command run on update"},
                        {"location", false, nullptr, "paths the part owns (removed on uninstall)"},
                        {"stop-on-error", false, nullptr,
                         "fail the part when a command fails (default false)"}}));
