#include "util/atomic_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "util/scratch_dir.h"

namespace fs = std::filesystem;
using kiln::ErrorCode;
using kiln::util::ScratchDir;
using kiln::util::write_file_atomic;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Names of the entries of `dir` (to check that no temporary file is left).
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("write_file_atomic creates, then replaces, a file", "[util]") {
  ScratchDir tmp;
  std::string path = tmp / "out.cfg";
  REQUIRE(write_file_atomic(path, "first\n").ok());
  CHECK(slurp(path) == "first\n");
  REQUIRE(write_file_atomic(path, std::string("second\0binary", 13)).ok());
  CHECK(slurp(path) == std::string("second\0binary", 13));
  REQUIRE(write_file_atomic(path, "").ok());
  CHECK(fs::file_size(path) == 0);
  CHECK(entries(tmp.path()) == std::vector<std::string>{"out.cfg"});
}

TEST_CASE("write_file_atomic creates missing parent directories", "[util]") {
  ScratchDir tmp;
  std::string path = tmp / "a/b/c/file";
  REQUIRE(write_file_atomic(path, "x").ok());
  CHECK(slurp(path) == "x");
}

TEST_CASE("write_file_atomic gives the new file the usual permissions", "[util]") {
  ScratchDir tmp;
  std::string path = tmp / "perm";
  REQUIRE(write_file_atomic(path, "x").ok());
  mode_t mask = ::umask(0);
  ::umask(mask);
  auto perms = static_cast<unsigned>(fs::status(path).permissions());
  CHECK(perms == (0666u & ~static_cast<unsigned>(mask)));
}

TEST_CASE("write_file_atomic removes the temporary file when the rename fails", "[util]") {
  ScratchDir tmp;
  fs::create_directory(tmp.path() / "target");
  fs::create_directory(tmp.path() / "target" / "child");  // a non-empty directory
  kiln::Status st = write_file_atomic(tmp / "target", "x");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::k_io);
  CHECK_THAT(st.error().message, Catch::Contains("cannot rename"));
  CHECK(entries(tmp.path()) == std::vector<std::string>{"target"});
}

TEST_CASE("write_file_atomic reports a parent that is not a directory", "[util]") {
  ScratchDir tmp;
  REQUIRE(write_file_atomic(tmp / "file", "x").ok());
  kiln::Status st = write_file_atomic(tmp / "file/below", "y");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::k_io);
  CHECK_THAT(st.error().message, Catch::Contains(tmp / "file"));
  CHECK(slurp(tmp / "file") == "x");
  CHECK(entries(tmp.path()) == std::vector<std::string>{"file"});
}

TEST_CASE("write_file_atomic rejects an empty path", "[util]") {
  kiln::Status st = write_file_atomic("", "x");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::k_invalid);
}
