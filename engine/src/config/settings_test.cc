#include "config/settings.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using kiln::ErrorCode;
using kiln::Expected;
using kiln::config::Environment;
using kiln::config::Settings;

namespace {

Environment test_env() {
  Environment env;
  env.home = "/home/ann";
  env.cwd = "/work";
  env.cpu_count = 3;
  return env;
}

Settings base_settings() {
  Expected<Settings> s = kiln::config::default_settings(test_env());
  REQUIRE(s.ok());
  return *s;
}

Expected<Settings> parse(const std::string& text, const std::string& file = "/etc/kiln/kiln.ini") {
  return kiln::config::parse_settings(text, file, base_settings(), test_env());
}

// The error of a parse that must fail.
kiln::Error parse_error(const std::string& text) {
  Expected<Settings> s = parse(text);
  REQUIRE_FALSE(s.ok());
  return s.error();
}

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kiln-settings-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    m_path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }
  std::string write(const std::string& name, const std::string& text) const {
    fs::path p = m_path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path m_path;
};

}  // namespace

TEST_CASE("defaults come from the environment", "[settings]") {
  Environment env = test_env();
  Expected<Settings> s = kiln::config::default_settings(env);
  REQUIRE(s.ok());
  CHECK(s->root == "/home/ann/.local/share/kiln");
  CHECK(s->cache_dir == "/home/ann/.cache/kiln");
  CHECK(s->jobs == 3);
  CHECK_FALSE(s->offline);
  CHECK(s->newest);
  CHECK(s->source_file.empty());

  env.kiln_root = "state/kiln";  // relative: against the current directory
  env.xdg_cache_home = "/var/cache/ann";
  s = kiln::config::default_settings(env);
  REQUIRE(s.ok());
  CHECK(s->root == "/work/state/kiln");
  CHECK(s->cache_dir == "/var/cache/ann/kiln");

  env.xdg_cache_home = "relative/cache";  // ignored, as the XDG spec says
  s = kiln::config::default_settings(env);
  REQUIRE(s.ok());
  CHECK(s->cache_dir == "/home/ann/.cache/kiln");
}

TEST_CASE("no root without $KILN_ROOT or a home directory", "[settings]") {
  Environment env = test_env();
  env.home.reset();
  Expected<Settings> s = kiln::config::default_settings(env);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_invalid);
  env.kiln_root = "/srv/kiln";
  s = kiln::config::default_settings(env);
  REQUIRE(s.ok());
  CHECK(s->cache_dir == "/srv/kiln/cache");
}

TEST_CASE("every key of [kiln] is read", "[settings]") {
  Expected<Settings> s = parse(
      "# Kiln settings\n"
      "[kiln]\n"
      "root = /srv/kiln\n"
      "; a comment\n"
      "cache-dir = /var/cache/kiln\n"
      "jobs = 12\n"
      "offline = true\n"
      "newest = no\n");
  REQUIRE(s.ok());
  CHECK(s->root == "/srv/kiln");
  CHECK(s->cache_dir == "/var/cache/kiln");
  CHECK(s->jobs == 12);
  CHECK(s->offline);
  CHECK_FALSE(s->newest);
  CHECK(s->source_file == "/etc/kiln/kiln.ini");
}

TEST_CASE("keys not in the file keep their defaults", "[settings]") {
  Expected<Settings> s = parse("[kiln]\njobs = 2\n");
  REQUIRE(s.ok());
  CHECK(s->jobs == 2);
  CHECK(s->root == "/home/ann/.local/share/kiln");
  CHECK(s->cache_dir == "/home/ann/.cache/kiln");
  CHECK_FALSE(s->offline);
  CHECK(s->newest);
}

TEST_CASE("relative paths are relative to the file's directory", "[settings]") {
  Expected<Settings> s = parse("[kiln]\nroot = state\ncache-dir = ../cache/./kiln\n");
  REQUIRE(s.ok());
  CHECK(s->root == "/etc/kiln/state");
  CHECK(s->cache_dir == "/etc/cache/kiln");

  s = parse("[kiln]\nroot = state\n", "conf/kiln.ini");  // relative file: against cwd
  REQUIRE(s.ok());
  CHECK(s->root == "/work/conf/state");
  CHECK(s->source_file == "/work/conf/kiln.ini");

  s = parse("[kiln]\ncache-dir = ~/cache\n");
  REQUIRE(s.ok());
  CHECK(s->cache_dir == "/home/ann/cache");
}

TEST_CASE("booleans accept the usual spellings", "[settings]") {
  for (const char* yes : {"true", "True", "yes", "on", "1"}) {
    Expected<Settings> s = parse(std::string("[kiln]\noffline = ") + yes + "\n");
    REQUIRE(s.ok());
    CHECK(s->offline);
  }
  for (const char* no : {"false", "FALSE", "no", "off", "0"}) {
    Expected<Settings> s = parse(std::string("[kiln]\nnewest = ") + no + "\n");
    REQUIRE(s.ok());
    CHECK_FALSE(s->newest);
  }
}

TEST_CASE("an inline semicolon comment is dropped, a # is not", "[settings]") {
  Expected<Settings> s = parse("[kiln]\njobs = 3 ; three\n");
  REQUIRE(s.ok());
  CHECK(s->jobs == 3);
  kiln::Error e = parse_error("[kiln]\njobs = 3 # three\n");
  CHECK(e.line == 2);
}

TEST_CASE("bad values are errors naming file and line", "[settings]") {
  kiln::Error e = parse_error("[kiln]\n\njobs = abc\n");
  CHECK(e.code == ErrorCode::k_parse);
  CHECK(e.file == "/etc/kiln/kiln.ini");
  CHECK(e.line == 3);
  CHECK(e.to_string().rfind("/etc/kiln/kiln.ini:3: jobs:", 0) == 0);
  CHECK_THAT(e.message, Catch::Contains("'abc'"));

  e = parse_error("[kiln]\njobs = 4\noffline = maybe\n");
  CHECK(e.line == 3);
  CHECK_THAT(e.message, Catch::Contains("offline") && Catch::Contains("'maybe'"));

  CHECK(parse_error("[kiln]\njobs = 0\n").line == 2);
  CHECK(parse_error("[kiln]\njobs = -2\n").line == 2);
  CHECK(parse_error("[kiln]\njobs = 5000\n").line == 2);
  CHECK(parse_error("[kiln]\njobs = 4x\n").line == 2);
  CHECK(parse_error("[kiln]\nroot =\n").line == 2);
}

TEST_CASE("unknown keys and sections are errors", "[settings]") {
  kiln::Error e = parse_error("[kiln]\njobs = 2\ncache_dir = /tmp\n");
  CHECK(e.line == 3);
  CHECK_THAT(e.message, Catch::Contains("unknown key 'cache_dir'"));

  e = parse_error("[kiln]\njobs = 2\n[buildout]\nparts = a\n");
  CHECK(e.line == 4);
  CHECK_THAT(e.message, Catch::Contains("[buildout]"));

  e = parse_error("jobs = 2\n[kiln]\n");
  CHECK(e.line == 1);
  CHECK_THAT(e.message, Catch::Contains("outside"));
}

TEST_CASE("a repeated key or a continuation line is an error", "[settings]") {
  CHECK(parse_error("[kiln]\njobs = 2\noffline = no\njobs = 3\n").line == 4);
  CHECK(parse_error("[kiln]\nroot = /a\n  /b\n").line == 3);
}

TEST_CASE("syntax errors name the first bad line", "[settings]") {
  kiln::Error e = parse_error("[kiln]\njobs = 2\nthis is not an option\nbogus = 1\n");
  CHECK(e.code == ErrorCode::k_parse);
  CHECK(e.line == 3);
  CHECK_THAT(e.message, Catch::Contains("syntax error"));

  e = parse_error("[kiln]\nbogus = 1\nnot an option\n");  // the handler's error comes first
  CHECK(e.line == 2);
  CHECK_THAT(e.message, Catch::Contains("bogus"));

  CHECK(parse_error("[kiln\njobs = 2\n").line == 1);
}

TEST_CASE("a line too long for inih is an error, not a cut value", "[settings]") {
  std::string longpath = "/" + std::string(250, 'd');
  kiln::Error e = parse_error("[kiln]\njobs = 2\nroot = " + longpath + "\n");
  CHECK(e.line == 3);
  CHECK_THAT(e.message, Catch::Contains("longer than"));

  std::string fits = "/" + std::string(180, 'd');
  Expected<Settings> s = parse("[kiln]\nroot = " + fits + "\n");
  REQUIRE(s.ok());
  CHECK(s->root == fits);
}

TEST_CASE("an empty file gives the defaults", "[settings]") {
  Expected<Settings> s = parse("");
  REQUIRE(s.ok());
  CHECK(s->jobs == 3);
  CHECK(s->source_file == "/etc/kiln/kiln.ini");
}

TEST_CASE("load_settings: --config must exist", "[settings]") {
  TempDir dir;
  Environment env = test_env();
  env.kiln_root = (dir.path() / "root").string();
  std::string missing = (dir.path() / "nope.ini").string();
  Expected<Settings> s = kiln::config::load_settings(missing, env);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_not_found);
  CHECK(s.error().file == missing);

  s = kiln::config::load_settings(dir.path().string(), env);  // a directory
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_io);
}

TEST_CASE("load_settings: --config, then $KILN_CONFIG, then <root>/kiln.ini", "[settings]") {
  TempDir dir;
  Environment env = test_env();
  env.kiln_root = (dir.path() / "root").string();
  std::string explicit_file = dir.write("a/explicit.ini", "[kiln]\njobs = 5\n");
  std::string env_file = dir.write("b/env.ini", "[kiln]\njobs = 6\ncache-dir = c\n");

  // Nothing: the defaults.
  Expected<Settings> s = kiln::config::load_settings("", env);
  REQUIRE(s.ok());
  CHECK(s->jobs == 3);
  CHECK(s->source_file.empty());
  CHECK(s->root == (dir.path() / "root").string());

  // <root>/kiln.ini, which may move the root.
  std::string root_file = dir.write("root/kiln.ini", "[kiln]\njobs = 7\nroot = elsewhere\n");
  s = kiln::config::load_settings("", env);
  REQUIRE(s.ok());
  CHECK(s->jobs == 7);
  CHECK(s->source_file == root_file);
  CHECK(s->root == (dir.path() / "root" / "elsewhere").string());

  // $KILN_CONFIG wins over <root>/kiln.ini.
  env.kiln_config = env_file;
  s = kiln::config::load_settings("", env);
  REQUIRE(s.ok());
  CHECK(s->jobs == 6);
  CHECK(s->cache_dir == (dir.path() / "b" / "c").string());

  // --config wins over $KILN_CONFIG.
  s = kiln::config::load_settings(explicit_file, env);
  REQUIRE(s.ok());
  CHECK(s->jobs == 5);
  CHECK(s->source_file == explicit_file);

  // A $KILN_CONFIG that does not exist is an error, not a silent fallback.
  env.kiln_config = (dir.path() / "missing.ini").string();
  s = kiln::config::load_settings("", env);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_not_found);
}

TEST_CASE("load_settings: errors in the file name it", "[settings]") {
  TempDir dir;
  Environment env = test_env();
  env.kiln_root = (dir.path() / "root").string();
  std::string file = dir.write("root/kiln.ini", "[kiln]\noffline = maybe\n");
  Expected<Settings> s = kiln::config::load_settings("", env);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().to_string().rfind(file + ":2: offline", 0) == 0);
}
