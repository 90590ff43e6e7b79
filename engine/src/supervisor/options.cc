#include "supervisor/options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace kiln::supervisor {

namespace {

Error bad_value(std::string_view name, const std::string& value, const char* expected) {
  return Error(ErrorCode::k_invalid, std::string(name) + ": '" + value + "' is not " + expected);
}

// A whole decimal integer in [low, high].
bool parse_integer(const std::string& s, long long low, long long high, long long* out) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v > static_cast<unsigned long long>(high)) return false;
  *out = static_cast<long long>(v);
  return *out >= low;
}

}  // namespace

const std::vector<Flag>& supervisor_flags() {
  static const std::vector<Flag> flags = {
      {"--daemon", nullptr, "Detach; log to <root>/log/supervisor.log"},
      {"--stop-grace", "SECONDS", "Seconds between SIGTERM and SIGKILL (default 10, at most 3600)"},
      {"--max-fast-exits", "N",
       "Exits within 1 s of starting, in a row, before giving up (default 10)"},
      {"--log-max-bytes", "N",
       "Rotate a service's log past this many bytes (default 10 MiB, at least 1)"},
      {"--log-keep", "N", "Rotated logs kept (default 3, at most 1000)"},
  };
  return flags;
}

Status apply_supervisor_flag(SupervisorOptions* options, std::string_view name,
                             const std::string& value) {
  long long n = 0;
  if (name == "--daemon") {
    options->daemon = true;
  } else if (name == "--stop-grace") {
    char* end = nullptr;
    errno = 0;
    double seconds = value.empty() ? -1 : std::strtod(value.c_str(), &end);
    if (value.empty() || errno != 0 || *end != '\0' || !std::isfinite(seconds) || seconds < 0 ||
        seconds > 3600) {
      return bad_value(name, value, "a number of seconds in [0, 3600]");
    }
    options->stop_grace = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  } else if (name == "--max-fast-exits") {
    if (!parse_integer(value, 1, 1000000, &n)) return bad_value(name, value, "in [1, 1000000]");
    options->max_fast_exits = static_cast<int>(n);
  } else if (name == "--log-max-bytes") {
    // 0 would rotate on every write.
    if (!parse_integer(value, 1, (1LL << 62), &n))
      return bad_value(name, value, "a byte count of at least 1");
    options->log_max_bytes = static_cast<std::uint64_t>(n);
  } else if (name == "--log-keep") {
    if (!parse_integer(value, 0, 1000, &n)) return bad_value(name, value, "in [0, 1000]");
    options->log_keep = static_cast<int>(n);
  } else {
    return Error(ErrorCode::k_invalid, "unknown option '" + std::string(name) + "'");
  }
  return {};
}

Expected<SupervisorOptions> parse_supervisor_args(const std::vector<std::string>& args) {
  SupervisorOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    bool inline_value = false;
    if (std::size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    bool takes_value = name == "--root";
    bool known = takes_value;
    for (const Flag& f : supervisor_flags()) {
      if (name == f.name) {
        known = true;
        takes_value = f.value_name != nullptr;
      }
    }
    if (!known) {
      return Error(ErrorCode::k_invalid, "unknown argument '" + args[i] + "'");
    }
    if (takes_value && !inline_value) {
      if (i + 1 >= args.size()) return Error(ErrorCode::k_invalid, name + " needs a value");
      value = args[++i];
    } else if (!takes_value && inline_value) {
      return Error(ErrorCode::k_invalid, name + " takes no value");
    }
    if (name == "--root") {
      options.root = value;
      continue;
    }
    Status s = apply_supervisor_flag(&options, name, value);
    if (!s.ok()) return s.error();
  }
  return options;
}

std::string supervisor_usage() {
  std::string out =
      std::string("Usage: ") + k_daemon_name +
      " --root DIR [options]\n"
      "Runs the services of <root>/run/services.json (one supervisor per root; started by\n"
      "`kiln supervisor`, see docs/supervisor.md).\n\n"
      "  --root DIR                 Kiln's state directory\n";
  for (const Flag& f : supervisor_flags()) {
    std::string left = std::string(f.name) + (f.value_name ? std::string(" ") + f.value_name : "");
    left.resize(std::max<std::size_t>(left.size() + 1, 27), ' ');
    out += "  " + left + f.help + "\n";
  }
  return out;
}

}  // namespace kiln::supervisor
