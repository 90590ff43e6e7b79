// slapos.cookbook:wrapper — writes a #!/bin/sh script that sets the
// environment and execs the command line. docs/recipes/wrapper.md.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "kiln/recipe.hpp"
#include "kiln_common/hash.h"
#include "wrapper_script.h"

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;
using kiln_wrapper::BadInput;

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

kiln_wrapper::WrapperSpec spec_of(const Part& part) {
  kiln_wrapper::WrapperSpec spec;
  try {
    spec.args = kiln_wrapper::shell_split(part.get("command-line"));
  } catch (const BadInput& e) {
    throw Failure("option 'command-line': " + std::string(e.what()));
  }
  if (spec.args.empty()) throw Failure("option 'command-line' is empty");
  try {
    spec.environment = kiln_wrapper::parse_environment(part.get("environment", ""));
  } catch (const BadInput& e) {
    throw Failure("option 'environment': " + std::string(e.what()));
  }
  spec.wait_for_files = words(part.get("wait-for-files", ""));
  std::vector<std::string> pid = words(part.get("pidfile", ""));
  if (pid.size() > 1) throw Failure("option 'pidfile': expected one path");
  if (!pid.empty()) spec.pidfile = pid[0];
  spec.pass_extra_args = part.get_bool("parameters-extra", false);
  return spec;
}

// Concatenated contents of the hash-files; nullopt if one is missing and
// `must_exist` is false.
std::optional<std::string> hash_contents(const Part& part, bool must_exist) {
  std::string all;
  for (const std::string& path : words(part.get("hash-files", ""))) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (!must_exist) return std::nullopt;
      throw Failure("option 'hash-files': cannot read '" + path + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    all += text.str();
  }
  return all;
}

bool has_hash_files(const Part& part) {
  return !words(part.get("hash-files", "")).empty();
}

std::string wrapper_file(const Part& part) {
  std::string path = part.get("wrapper-path");
  if (!has_hash_files(part)) return path;
  return kiln_wrapper::hashed_path(path, *hash_contents(part, true));
}

// Writes the script beside its final place, then renames it there.
void write_script(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw Failure("cannot create the directory of " + path + ": " + ec.message());
  std::string tmp = path + ".kiln-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw Failure("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0755);
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Failure("cannot write " + path);
  }
}

class Wrapper : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    spec_of(part);  // validates command-line, environment, pidfile
    std::string path = part.get("wrapper-path");
    if (path.find_first_not_of(" \t\r\n") == std::string::npos)
      throw Failure("option 'wrapper-path' is empty");
    if (!has_hash_files(part)) {
      part.add_path(path);
      return;
    }
    // A change of the hashed files' contents changes the options, so the part
    // is reinstalled under its new name (the old wrapper is removed).
    if (std::optional<std::string> contents = hash_contents(part, false))
      part.set("__hash_files__", kiln_common::md5_hex(*contents));
  }
  void install(Part& part) override {
    std::string path = wrapper_file(part);
    part.add_path(path);
    write_script(path, kiln_wrapper::render_script(spec_of(part)));
    part.info("wrote " + path);
  }
  void update(Part& part) override {
    write_script(wrapper_file(part), kiln_wrapper::render_script(spec_of(part)));
  }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "wrapper", "1",
    kiln::sdk::entry<Wrapper>(
        "default", "Writes a shell wrapper (slapos.cookbook:wrapper)",
        {{"command-line", true, nullptr, "command and arguments (shell syntax)"},
         {"wrapper-path", true, nullptr, "path of the script"},
         {"environment", false, nullptr, "KEY=VALUE lines exported by the script"},
         {"wait-for-files", false, nullptr, "files that must exist before the command runs"},
         {"pidfile", false, nullptr, "refuse to start when its process runs; holds the pid"},
         {"hash-files", false, nullptr, "files whose contents go into the script's name"},
         {"parameters-extra", false, nullptr, "pass the script's arguments on (default false)"}}));
