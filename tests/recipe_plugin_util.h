// Helpers of the recipe plugin e2e tests (tests/recipe_*_test.cpp): a build
// directory with a buildout.cfg, `kiln install` on it, files on disk.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_kiln.h"
#include "util/scratch_dir.h"

namespace kiln_recipe_test {

using kiln_test::contains;

inline void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(path, ec));
}

// Permission bits of path (-1 if it does not exist).
inline int mode_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// Runs `sh -c script` (to build archives etc.); returns the exit status.
inline kiln_test::RunResult sh(const std::string& script, const std::string& cwd = {}) {
  kiln_test::RunOptions o;
  o.cwd = cwd;
  return kiln_test::run_program("/bin/sh", {"-c", script}, o);
}

// A build directory: buildout.cfg written by profile(), `kiln install` run by
// install(), with a download cache of its own.
class Build {
 public:
  Build() : m_dir("kiln-recipe-e2e") {}
  std::string operator/(const std::string& rel) const { return m_dir / rel; }
  std::string path() const { return m_dir.path().string(); }
  std::string cfg() const { return m_dir / "buildout.cfg"; }

  void profile(const std::string& text) const { write_file(cfg(), text); }

  kiln_test::RunResult install(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"--cache-dir", m_dir / ".cache", "install", "-c", cfg()};
    args.insert(args.end(), extra.begin(), extra.end());
    return kiln_test::run_kiln(args);
  }

 private:
  kiln::util::ScratchDir m_dir;
};

// Signs that something crashed instead of failing cleanly.
inline bool crashed(const kiln_test::RunResult& r) {
  return r.signaled || contains(r.err, "terminate called") || contains(r.err, "what()");
}

}  // namespace kiln_recipe_test
