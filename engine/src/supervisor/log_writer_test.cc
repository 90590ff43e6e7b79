#include "supervisor/log_writer.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/scratch_dir.h"

using kiln::supervisor::LogWriter;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("log writer: appends, creating the directory", "[supervisor]") {
  kiln::util::ScratchDir dir;
  std::string path = dir / "log/services/a.log";
  {
    LogWriter w(path, 1000, 3);
    REQUIRE(w.write("hello\n").ok());
    REQUIRE(w.write("world\n").ok());
  }
  LogWriter again(path, 1000, 3);
  REQUIRE(again.write("more\n").ok());
  CHECK(slurp(path) == "hello\nworld\nmore\n");
}

TEST_CASE("log writer: rotates by size and keeps N files", "[supervisor]") {
  kiln::util::ScratchDir dir;
  std::string path = dir / "a.log";
  LogWriter w(path, 10, 2);
  REQUIRE(w.write("0123456789").ok());  // exactly full
  REQUIRE(w.write("A").ok());           // rotates
  CHECK(slurp(path) == "A");
  CHECK(slurp(path + ".1") == "0123456789");
  REQUIRE(w.write("BCDEFGHIJK").ok());       // 11 > 10: rotates
  REQUIRE(w.write("LMNOPQRSTUVWXYZ").ok());  // larger than max: a fresh file
  CHECK(slurp(path) == "LMNOPQRSTUVWXYZ");
  CHECK(slurp(path + ".1") == "BCDEFGHIJK");
  CHECK(slurp(path + ".2") == "A");
  CHECK_FALSE(std::filesystem::exists(path + ".3"));
  REQUIRE(w.write("x").ok());
  CHECK(slurp(path + ".2") == "BCDEFGHIJK");  // "A" dropped
  CHECK_FALSE(std::filesystem::exists(path + ".3"));
}

TEST_CASE("log writer: rotates at a line boundary when the line is short", "[supervisor]") {
  kiln::util::ScratchDir dir;
  std::string path = dir / "a.log";
  LogWriter w(path, 20, 3);
  REQUIRE(w.write("line 1\nline 2\nli").ok());  // 16 bytes, ends mid-line
  REQUIRE(w.write("ne 3\nline 4\n").ok());      // the end of "line 3" stays in the file
  CHECK(slurp(path + ".1") == "line 1\nline 2\nline 3\n");
  CHECK(slurp(path) == "line 4\n");
  // A write that holds several lines past the limit: cut after the last
  // whole line that fits, each time.
  REQUIRE(w.write("line 5\nline 6\nline 7\nline 8\n").ok());
  CHECK(slurp(path + ".2") == "line 4\nline 5\n");
  CHECK(slurp(path + ".1") == "line 6\nline 7\n");
  CHECK(slurp(path) == "line 8\n");
}
