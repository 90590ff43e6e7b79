// libFuzzer target for the profile engine: lexer, extends loader, merge,
// macros and substitution, end to end (see README.md).
//
// The input is split on k_separator into up to 4 files, served in memory as
// /fuzz/p0.cfg ... /fuzz/p3.cfg (and as http://fuzz/p0.cfg ... for remote
// extends). p0.cfg is the profile; it extends the others by name, through a
// `[buildout] extends` line put before its text (its own `extends`, if any,
// wins, as a repeated option does). Other local paths read as empty files,
// except names holding "missing". Conditional sections are evaluated by
// evaluate_condition with a fixed platform and an in-memory host.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile/annotate.h"
#include "profile/condition.h"
#include "profile/resolve.h"
#include "profile/source.h"
#include "profile/substitute.h"
#include "util/pystr.h"

namespace {

using kiln::ErrorCode;
using kiln::Expected;
namespace profile = kiln::profile;

constexpr std::string_view k_separator = "\n%%%%\n";
constexpr std::size_t k_max_files = 4;

class FuzzSource : public profile::ProfileSource {
 public:
  explicit FuzzSource(std::map<std::string, std::string> files) : m_files(std::move(files)) {}

  // Paths other than the input's files are empty profiles, so that the
  // extends of real profiles (../../component/...) do not stop the pipeline;
  // a name holding "missing" does not exist.
  Expected<std::string> read_file(const std::string& path) override {
    auto it = m_files.find(kiln::util::path_normpath(path));
    if (it != m_files.end()) return it->second;
    if (path.find("missing") != std::string::npos)
      return kiln::Error(ErrorCode::k_not_found, "no file " + path);
    return std::string();
  }
  Expected<std::string> fetch_url(const std::string& url) override {
    constexpr std::string_view prefix = "http://fuzz/";
    if (url.compare(0, prefix.size(), prefix) != 0)
      return kiln::Error(ErrorCode::k_network, "no network: " + url);
    return read_file("/fuzz/" + url.substr(prefix.size()));
  }
  Expected<std::string> git_checkout(const std::string& location) override {
    return kiln::Error(ErrorCode::k_vcs, "no git: " + location);
  }

 private:
  std::map<std::string, std::string> m_files;
};

// A host with a few fixed paths, for os.path.* and open() in conditions.
class FuzzHost : public profile::HostProbe {
 public:
  bool exists(const std::string& path) const override { return is_dir(path) || is_file(path); }
  bool is_dir(const std::string& path) const override { return path == "/" || path == "/etc"; }
  bool is_file(const std::string& path) const override { return path == "/etc/os-release"; }
  bool access(const std::string& path, int mode) const override {
    return exists(path) && (mode & 2) == 0;
  }
  std::optional<std::string> read_file(const std::string& path) const override {
    if (path == "/etc/os-release") return std::string("ID=debian\nVERSION_ID=\"12\"\n");
    return std::nullopt;
  }
};

std::vector<std::string_view> split_input(std::string_view data) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < k_max_files) {
    std::size_t p = data.find(k_separator);
    if (p == std::string_view::npos) break;
    parts.push_back(data.substr(0, p));
    data.remove_prefix(p + k_separator.size());
  }
  parts.push_back(data);
  return parts;
}

void run_pipeline(profile::ProfileSource& source, const profile::ConditionFn& condition,
                  bool track_history) {
  profile::ResolveRequest req;
  req.profile = "/fuzz/p0.cfg";
  req.cwd = "/fuzz";
  req.python_executable = "/usr/bin/python3";
  req.track_history = track_history;
  Expected<profile::LoadedProfile> loaded = profile::load_profile(source, condition, req);
  if (!loaded.ok()) return;
  if (track_history) {
    std::string text = profile::annotate(*loaded);
    (void)text;
    return;
  }
  Expected<profile::RawConfig> raw = profile::raw_view(*loaded);
  if (!raw.ok()) return;
  Expected<profile::Resolved> expanded = profile::expand_all(*raw);
  (void)expanded;
  Expected<profile::Resolved> substituted = profile::substitute_all(*raw);
  (void)substituted;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts = split_input(input);

  std::map<std::string, std::string> files;
  std::string extends;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string name = "p" + std::to_string(i) + ".cfg";
    files["/fuzz/" + name] = std::string(parts[i]);
    extends += " " + name;
  }
  std::string main;
  if (!extends.empty()) main = "[buildout]\nextends =" + extends + "\n";
  main += parts[0];
  files["/fuzz/p0.cfg"] = std::move(main);

  FuzzSource source(std::move(files));
  const profile::Platform platform;  // fixed, not the host's
  const FuzzHost host;
  profile::ConditionFn condition = [&](std::string_view src, int) -> Expected<bool> {
    return profile::evaluate_condition(src, platform, host);
  };
  run_pipeline(source, condition, /*track_history=*/false);
  run_pipeline(source, condition, /*track_history=*/true);
  return 0;
}
