// The gitclone recipe (slapos.recipe.build:gitclone): a git checkout of
// `repository` at `branch` or a pinned `revision` in the part's location.
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "gitclone_commands.h"
#include "kiln/recipe.hpp"
#include "kiln_common/text.h"

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;
using kiln_common::trimmed;
using kiln_gitclone::GitOptions;

// No credential prompt can be answered during a build.
const std::vector<std::string> k_git_env = {"GIT_TERMINAL_PROMPT=0"};

GitOptions read_options(Part& part) {
  GitOptions o;
  o.git = trimmed(part.get("git-command", "git"));
  if (o.git.empty()) o.git = "git";
  o.repository = trimmed(part.get("repository"));
  if (o.repository.empty()) throw Failure("option 'repository' is empty");
  o.branch = trimmed(part.get("branch", "master"));
  if (o.branch.empty()) o.branch = "master";
  o.revision = trimmed(part.get("revision", ""));
  o.depth = trimmed(part.get("depth", ""));
  std::string why = kiln_gitclone::check_depth(o.depth);
  if (!why.empty()) throw Failure("option 'depth': " + why + ", got '" + o.depth + "'");
  o.ignore_ssl_certificate = part.get_bool("ignore-ssl-certificate", false);
  return o;
}

void git(Part& part, const std::vector<std::string>& argv, const std::string& what) {
  int code = part.run(argv, k_git_env);
  if (code != 0)
    throw Failure(what + " failed with exit status " + std::to_string(code) +
                  " (git's output is in the part's log)");
}

void checkout_revision(Part& part, const GitOptions& o, const std::string& location) {
  git(part, kiln_gitclone::reset_argv(o, location, o.revision),
      "option 'revision': checking out '" + o.revision + "' of " + o.repository);
}

void fetch_and_reset(Part& part, const GitOptions& o, const std::string& location) {
  git(part, kiln_gitclone::fetch_argv(o, location),
      "fetching branch '" + o.branch + "' of " + o.repository);
  git(part, kiln_gitclone::reset_argv(o, location, "FETCH_HEAD"),
      "resetting " + location + " to branch '" + o.branch + "'");
}

bool is_checkout(const std::string& location) {
  std::error_code ec;
  return fs::exists(fs::path(location) / ".git", ec);
}

// A checkout already at location (a develop checkout kept by an earlier
// uninstall, say): reused, brought to the wanted commit unless develop.
void reuse_checkout(Part& part, const GitOptions& o, const std::string& location) {
  if (part.get_bool("develop", false)) {
    part.info("develop: existing checkout " + location + " left as it is");
    return;
  }
  part.info("existing checkout " + location + ": updated");
  if (!o.revision.empty()) {
    git(part, kiln_gitclone::fetch_argv(o, location), "fetching " + o.repository);
    checkout_revision(part, o, location);
  } else {
    fetch_and_reset(part, o, location);
  }
}

class GitClone : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    read_options(part);  // validates early
    part.get_bool("develop", false);
    std::string parts = part.section_option("buildout", "parts-directory")
                            .value_or(part.build_directory() + "/parts");
    std::string location = part.get("location", parts + "/" + part.name());
    if (location.empty() || location[0] != '/') location = part.build_directory() + "/" + location;
    part.set("location", location);
    part.add_path(location);
  }

  void install(Part& part) override {
    GitOptions o = read_options(part);
    std::string location = part.get("location");
    std::error_code ec;
    if (is_checkout(location)) return reuse_checkout(part, o, location);
    if (fs::exists(location, ec) && !fs::is_empty(location, ec))
      throw Failure("location " + location + " exists and is not a git checkout");
    fs::remove(location, ec);
    fs::create_directories(fs::path(location).parent_path(), ec);
    git(part, kiln_gitclone::clone_argv(o, location),
        "cloning " + o.repository + " (branch '" + o.branch + "')");
    if (!o.revision.empty()) checkout_revision(part, o, location);
  }

  void update(Part& part) override {
    GitOptions o = read_options(part);
    if (!o.revision.empty() || part.get_bool("develop", false)) return;
    fetch_and_reset(part, o, part.get("location"));
  }

  void uninstall(Part& part) override {
    std::string location = part.get("location", "");
    if (location.empty() || !part.get_bool("develop", false) || !is_checkout(location)) return;
    GitOptions o = read_options(part);
    int code = part.run({"sh", "-c", kiln_gitclone::clean_check_script(o)}, k_git_env, location);
    if (code == 0) return;
    part.warning("develop checkout " + location +
                 " has local changes or unpushed commits: left in place");
    part.keep_path(location);
  }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "gitclone", "1.0",
    kiln::sdk::entry<GitClone>(
        "default", "git checkout (slapos.recipe.build:gitclone)",
        {{"repository", true, nullptr, "URL or path of the repository"},
         {"branch", false, nullptr, "branch to check out (default master)"},
         {"revision", false, nullptr, "commit to check out (wins over branch; no updates)"},
         {"location", false, nullptr, "checkout directory (default parts/<part>)"},
         {"develop", false, nullptr, "keep local changes: no updates, kept on uninstall"},
         {"depth", false, nullptr, "shallow clone depth (ignored with a revision)"},
         {"git-command", false, nullptr, "git program (default git)"},
         {"ignore-ssl-certificate", false, nullptr, "do not verify HTTPS certificates"}}));
