// slapos.cookbook:mkdirectory — every option but `recipe` and `mode` names a
// directory to create. The directories hold user data: never removed by an
// uninstall (no add_path). docs/recipes/mkdirectory.md.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "kiln/recipe.hpp"
#include "kiln_common/options.h"
#include "kiln_common/text.h"

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;
using kiln_common::parse_octal_mode;
using kiln_common::trimmed;

// "0700", "700" or "0o700" (default 0700).
mode_t parse_mode(const Part& part) {
  return static_cast<mode_t>(parse_octal_mode(part.get("mode", "0700"), "0700"));
}

// Options that are not directories: the recipe, the mode, and what the
// engine or buildout add (names starting with '_').
bool is_directory_option(const std::string& name) {
  return name != "recipe" && name != "mode" && !name.empty() && name[0] != '_';
}

// The directories to create, sorted (parents before children), without
// empty values; relative paths are taken from the build directory.
std::vector<std::string> directories(const Part& part) {
  std::set<std::string> out;
  for (const auto& [name, value] : part.options()) {
    if (!is_directory_option(name)) continue;
    std::string path = trimmed(value);
    if (path.empty()) continue;
    if (path.find('\n') != std::string::npos)
      throw Failure("option '" + name + "': expected one directory, got several lines");
    if (path[0] != '/') path = part.build_directory() + "/" + path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    out.insert(path);
  }
  return {out.begin(), out.end()};
}

// mkdir -p: the directory itself gets `mode` exactly (umask ignored), missing
// parents 0777 minus the umask (as Python's os.makedirs); directories that
// already exist are left alone.
void make_directories(const fs::path& path, mode_t mode, bool leaf = true) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return;
  if (path.has_parent_path() && path.parent_path() != path)
    make_directories(path.parent_path(), 0777, false);
  if (!leaf) {
    if (::mkdir(path.c_str(), mode) == 0 || (errno == EEXIST && fs::is_directory(path, ec))) return;
    throw Failure("cannot create directory " + path.string() + ": " + std::strerror(errno));
  }
  if (::mkdir(path.c_str(), mode) == 0) {
    ::chmod(path.c_str(), mode);
    return;
  }
  int err = errno;
  if (err == EEXIST && fs::is_directory(path, ec)) return;
  if (err == EEXIST) err = ENOTDIR;
  throw Failure("cannot create directory " + path.string() + ": " + std::strerror(err));
}

class MkDirectory : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    parse_mode(part);
    directories(part);
  }
  void install(Part& part) override {
    mode_t mode = parse_mode(part);
    for (const std::string& dir : directories(part)) {
      part.debug("creating " + dir);
      make_directories(fs::path(dir).lexically_normal(), mode);
    }
  }
  // Directories removed by hand come back on the next run, as in SlapOS.
  void update(Part& part) override { install(part); }
};

}  // namespace

KILN_RECIPE_PLUGIN("mkdirectory", "1",
                   kiln::sdk::entry<MkDirectory>(
                       "default", "Creates directories (slapos.cookbook:mkdirectory)",
                       {{"mode", false, nullptr, "octal mode of created directories (0700)"}}));
