// Helpers for the profile unit tests (*_test.cc beside this file); not part of
// libkiln. An in-memory ProfileSource, a one-call pipeline, an isolated runner
// for inputs that might crash, and the reference oracle for comparisons.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "profile/file_source.h"
#include "profile/lexer.h"
#include "profile/raw_config.h"
#include "profile/resolve.h"
#include "profile/source.h"
#include "profile/substitute.h"
#include "util/pystr.h"

namespace kiln::profile::testing {

// Profile files by absolute path and URL; counts every read.
class MemorySource : public ProfileSource {
 public:
  std::map<std::string, std::string> files;  // absolute path -> text
  std::map<std::string, std::string> urls;   // URL -> text
  std::map<std::string, Error> url_errors;   // URL -> error fetch_url returns
  std::map<std::string, int> reads;          // normalised path or URL -> reads
  std::vector<std::string> read_order;       // every read, in order

  // `path` is looked up (and counted) normalised, as a file system would.
  Expected<std::string> read_file(const std::string& path) override {
    std::string key = util::path_normpath(path);
    ++reads[key];
    read_order.push_back(path);
    auto it = files.find(key);
    if (it == files.end()) return Error(ErrorCode::k_not_found, "cannot open " + path);
    return it->second;
  }
  Expected<std::string> fetch_url(const std::string& url) override {
    ++reads[url];
    read_order.push_back(url);
    if (auto e = url_errors.find(url); e != url_errors.end()) return e->second;
    auto it = urls.find(url);
    if (it == urls.end()) return Error(ErrorCode::k_network, "404 Not Found: " + url);
    return it->second;
  }
  Expected<std::string> git_checkout(const std::string& location) override {
    return Error(ErrorCode::k_vcs, "no git in tests: " + location);
  }
};

// A condition callback for profiles that must not use conditional sections.
inline ConditionFn no_conditions() {
  return [](std::string_view source, int) -> Expected<bool> {
    return Error(ErrorCode::k_condition, "unexpected condition " + std::string(source));
  };
}

// load_profile + raw_view + (expand_all or substitute_all) over `source`.
inline Expected<Resolved> run_pipeline(ProfileSource& source, const std::string& profile, bool raw,
                                       std::vector<std::string> assignments = {},
                                       const ConditionFn& condition = no_conditions()) {
  ResolveRequest req;
  req.profile = profile;
  req.cwd = "/cwd";
  req.python_executable = "/usr/bin/python3";
  req.assignments = std::move(assignments);
  Expected<LoadedProfile> loaded = load_profile(source, condition, req);
  if (!loaded.ok()) return loaded.error();
  Expected<RawConfig> view = raw_view(*loaded);
  if (!view.ok()) return view.error();
  return raw ? expand_all(*view) : substitute_all(*view);
}

// The value of section:option in a result, or "<missing>".
inline std::string value_of(const Resolved& r, const std::string& section,
                            const std::string& option) {
  auto s = r.sections.find(section);
  if (s == r.sections.end()) return "<missing section>";
  auto o = s->second.find(option);
  return o == s->second.end() ? "<missing>" : o->second;
}

// Runs `body` in a forked child so that a crash (stack overflow, abort) fails
// the test instead of killing the test binary. True when the child returned
// true; `*how` describes the child's end.
inline bool run_isolated(const std::function<bool()>& body, std::string* how) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    *how = "fork failed";
    return false;
  }
  if (pid == 0) {
    // Die by the signal itself, without the test framework's crash report.
    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) std::signal(sig, SIG_DFL);
    ::_exit(body() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    *how = "child killed by signal " + std::to_string(WTERMSIG(status));
    return false;
  }
  *how = "child exited with status " + std::to_string(WEXITSTATUS(status));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A fresh directory under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "kiln-test-XXXXXX").string();
    if (::mkdtemp(templ.data())) m_path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }
  // Writes `text` to path()/relative, creating directories.
  void write(const std::string& relative, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(m_path) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

 private:
  std::string m_path;
};

// ../shared/oracle/resolve.py next to the repository (this file is
// <repo>/engine/src/profile/test_support.h), or "" when it or /usr/bin/python3
// is missing.
inline std::string oracle_script() {
  namespace fs = std::filesystem;
  fs::path repo = fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  fs::path script = repo.parent_path() / "shared" / "oracle" / "resolve.py";
  std::error_code ec;
  if (!fs::exists("/usr/bin/python3", ec) || !fs::exists(script, ec)) return "";
  return script.string();
}

// The oracle's JSON for `profile` (an absolute path), or nullopt when the
// oracle is not available.
inline std::optional<nlohmann::json> run_oracle(const std::string& profile, bool raw) {
  std::string script = oracle_script();
  if (script.empty()) return std::nullopt;
  std::string cmd = "/usr/bin/python3 '" + script + "' " + (raw ? "--raw " : "") + "'" + profile +
                    "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
}

// The sections of `r` (without [buildout] and the empty [versions]) as the
// oracle's JSON, for comparisons.
inline nlohmann::json user_sections(const Resolved& r) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, options] : r.sections)
    if (name != "buildout" && !(name == "versions" && options.empty())) out[name] = options;
  return out;
}
inline nlohmann::json user_sections(const nlohmann::json& oracle) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, options] : oracle.items())
    if (name != "buildout" && name != "__errors__" && !(name == "versions" && options.empty()))
      out[name] = options;
  return out;
}

}  // namespace kiln::profile::testing
