// The public profile API (kiln/profile.h) over the profile/ pipeline.
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "kiln/profile.h"
#include "profile/annotate.h"
#include "profile/condition.h"
#include "profile/default_source.h"
#include "profile/resolve.h"
#include "profile/substitute.h"
#include "util/json_text.h"

namespace kiln {

namespace {

std::string python_executable() {
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

// Evaluates conditional headers against the host, computed on first use.
class HostConditions {
 public:
  explicit HostConditions(std::map<std::string, std::string> defines)
      : m_defines(std::move(defines)) {}
  Expected<bool> operator()(std::string_view source, int) {
    if (!m_platform) {
      m_platform = profile::Platform::host();
      m_platform->overrides = m_defines;
    }
    return profile::evaluate_condition(source, *m_platform, m_probe);
  }

 private:
  std::map<std::string, std::string> m_defines;
  std::optional<profile::Platform> m_platform;
  profile::RealHostProbe m_probe;
};

}  // namespace

namespace profile {
Expected<LoadedProfile> load_with_options(const std::string& path, const ProfileOptions& options,
                                          bool track) {
  profile::SourceOptions so;
  so.cache_dir = options.cache_dir;
  so.offline = options.offline;
  so.newest = options.newest;
  profile::DefaultSource source(so);
  auto conditions = std::make_shared<HostConditions>(options.defines);
  profile::ConditionFn fn = [conditions](std::string_view src, int line) {
    return (*conditions)(src, line);
  };
  profile::ResolveRequest req;
  req.profile = path;
  req.assignments = options.assignments;
  req.cwd = options.cwd;
  req.python_executable = python_executable();
  req.track_history = track;
  return profile::load_profile(source, fn, req);
}
}  // namespace profile

Expected<ResolvedProfile> resolve_profile(const std::string& path, const ProfileOptions& options,
                                          ResolveMode mode) {
  Expected<profile::LoadedProfile> loaded = profile::load_with_options(path, options, false);
  if (!loaded.ok()) return loaded.error();
  Expected<profile::RawConfig> raw = profile::raw_view(*loaded);
  if (!raw.ok()) return raw.error();
  Expected<profile::Resolved> r =
      mode == ResolveMode::k_raw ? profile::expand_all(*raw) : profile::substitute_all(*raw);
  if (!r.ok()) return r.error();
  return ResolvedProfile{std::move(r->sections), std::move(r->errors)};
}

std::string to_canonical_json(const ResolvedProfile& resolved) {
  // Python's json.dumps(sort_keys=True, indent=1, ensure_ascii=False); written
  // directly (no DOM): std::map order is code-point order for UTF-8 keys.
  std::string out = "{";
  bool first = true;
  auto object = [&](const std::string& name, const std::map<std::string, std::string>& m) {
    out += first ? "\n \"" : ",\n \"";
    first = false;
    util::append_json_string_body(out, name);
    out += "\": {";
    bool first_key = true;
    for (const auto& [k, v] : m) {
      out += first_key ? "\n  \"" : ",\n  \"";
      first_key = false;
      util::append_json_string_body(out, k);
      out += "\": \"";
      util::append_json_string_body(out, v);
      out += '"';
    }
    out += first_key ? "}" : "\n }";
  };
  bool errors_done = resolved.errors.empty();
  for (const auto& [name, options] : resolved.sections) {
    if (!errors_done && name > "__errors__") {
      object("__errors__", resolved.errors);
      errors_done = true;
    }
    object(name, options);
  }
  if (!errors_done) object("__errors__", resolved.errors);
  out += first ? "}\n" : "\n}\n";
  return out;
}

std::string fatal_json(const Error& error) {
  nlohmann::json j = {{"__fatal__", error.to_string()}};
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string to_text(const ResolvedProfile& resolved) {
  std::string out;
  for (const auto& [name, options] : resolved.sections) {
    if (!out.empty()) out += '\n';
    out += "[" + name + "]\n";
    for (const auto& [k, v] : options) {
      out += k + " =";
      if (v.find('\n') != std::string::npos) {
        std::size_t pos = 0;
        while (pos <= v.size()) {
          std::size_t nl = v.find('\n', pos);
          std::string_view line(v.data() + pos, (nl == std::string::npos ? v.size() : nl) - pos);
          out += "\n    ";
          out += line;
          if (nl == std::string::npos) break;
          pos = nl + 1;
        }
        out += '\n';
      } else {
        out += v.empty() ? "\n" : " " + v + "\n";
      }
    }
  }
  return out;
}

}  // namespace kiln

namespace kiln {

Expected<std::string> annotate_profile(const std::string& path, const ProfileOptions& options) {
  Expected<profile::LoadedProfile> loaded = profile::load_with_options(path, options, true);
  if (!loaded.ok()) return loaded.error();
  return profile::annotate(*loaded);
}

}  // namespace kiln
