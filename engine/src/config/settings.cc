#include "config/settings.h"

#include <ini.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "util/pystr.h"

namespace kiln::config {

namespace {

std::optional<std::string> get_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> passwd_home() {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &result) != 0 || result == nullptr ||
      pw.pw_dir == nullptr || pw.pw_dir[0] == '\0') {
    return std::nullopt;
  }
  return std::string(pw.pw_dir);
}

// `path` made absolute against `base`, `~` and `~/...` against the home
// directory, then normalised.
Expected<std::string> absolute_path(const std::string& path, const std::string& base,
                                    const Environment& env) {
  std::string p = path;
  if (p == "~" || p.rfind("~/", 0) == 0) {
    if (!env.home || env.home->empty()) {
      return Error(ErrorCode::k_invalid, "'" + path + "' uses ~ but no home directory is known");
    }
    p = *env.home + p.substr(1);
  }
  return util::path_normpath(util::path_join(base, p));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<bool> parse_bool(std::string_view value) {
  std::string v = lower(value);
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return std::nullopt;
}

std::optional<int> parse_jobs(std::string_view value) {
  int n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > k_max_jobs) {
    return std::nullopt;
  }
  return n;
}

// State shared by the line reader and the handler inih calls. inih's handler
// is not told the line number (Debian builds it with INI_HANDLER_LINENO=0), so
// the reader hands inih one whole line at a time and counts them: when the
// handler runs, `line` is the line it is looking at.
struct ParseState {
  std::string_view text;
  std::size_t pos = 0;
  int line = 0;
  Settings settings;
  const Environment* env = nullptr;
  std::string dir;  // directory of the file: base of relative paths
  std::set<std::string> seen;
  std::optional<Error> first_error;  // the first problem the reader or handler found
  std::string file;

  void fail(std::string message) {
    if (!first_error) first_error = Error(ErrorCode::k_parse, std::move(message), file, line);
  }
};

// fgets-like reader over ParseState::text. A line that does not fit inih's
// buffer (inih would cut it and read the rest as a new line) is an error,
// and inih is given an empty comment line instead.
char* read_line(char* str, int num, void* stream) {
  auto* st = static_cast<ParseState*>(stream);
  if (st->pos >= st->text.size()) return nullptr;
  std::size_t nl = st->text.find('\n', st->pos);
  std::size_t end = nl == std::string_view::npos ? st->text.size() : nl + 1;
  std::string_view line = st->text.substr(st->pos, end - st->pos);
  st->pos = end;
  ++st->line;
  std::size_t room = static_cast<std::size_t>(num) - 1;  // bytes inih can take, NUL aside
  std::size_t content = line.size() - (line.ends_with('\n') ? 1 : 0);
  if (content + 1 > room) {
    st->fail("line longer than " + std::to_string(room - 1) + " characters");
    line = ";\n";
  }
  std::memcpy(str, line.data(), line.size());
  str[line.size()] = '\0';
  return str;
}

int handle_option(void* user, const char* section, const char* name, const char* value) {
  auto* st = static_cast<ParseState*>(user);
  std::string key(name);
  std::string_view v(value);
  if (std::strcmp(section, "kiln") != 0) {
    st->fail(section[0] == '\0'
                 ? "'" + key + "' is outside the [kiln] section"
                 : "unknown section [" + std::string(section) + "] (kiln.ini only has [kiln])");
    return 0;
  }
  static const std::set<std::string> known = {"root", "cache-dir", "jobs", "offline", "newest"};
  if (known.count(key) == 0) {
    st->fail("unknown key '" + key + "' (known: root, cache-dir, jobs, offline, newest)");
    return 0;
  }
  if (!st->seen.insert(key).second) {
    st->fail("'" + key + "' is given twice (repeated key or continuation line)");
    return 0;
  }
  if (v.empty()) {
    st->fail("'" + key + "' has an empty value");
    return 0;
  }
  if (key == "root" || key == "cache-dir") {
    Expected<std::string> p = absolute_path(std::string(v), st->dir, *st->env);
    if (!p.ok()) {
      st->fail(p.error().message);
      return 0;
    }
    (key == "root" ? st->settings.root : st->settings.cache_dir) = *p;
  } else if (key == "jobs") {
    std::optional<int> n = parse_jobs(v);
    if (!n) {
      st->fail("jobs: expected a whole number from 1 to " + std::to_string(k_max_jobs) + ", got '" +
               std::string(v) + "'");
      return 0;
    }
    st->settings.jobs = *n;
  } else {
    std::optional<bool> b = parse_bool(v);
    if (!b) {
      st->fail(key + ": expected true or false (yes/no, on/off, 1/0), got '" + std::string(v) +
               "'");
      return 0;
    }
    (key == "offline" ? st->settings.offline : st->settings.newest) = *b;
  }
  return 1;
}

bool is_regular_file(const std::string& path) {
  struct stat sb {};
  return ::stat(path.c_str(), &sb) == 0 && S_ISREG(sb.st_mode);
}

bool exists(const std::string& path) {
  struct stat sb {};
  return ::stat(path.c_str(), &sb) == 0;
}

Expected<Settings> read_settings_file(const std::string& path, Settings base,
                                      const Environment& env) {
  if (!exists(path)) return Error(ErrorCode::k_not_found, "settings file not found", path);
  if (!is_regular_file(path)) return Error(ErrorCode::k_io, "not a regular file", path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) {
    return Error(ErrorCode::k_io, std::string("cannot read: ") + std::strerror(errno), path);
  }
  return parse_settings(text.str(), path, std::move(base), env);
}

}  // namespace

Environment Environment::from_process() {
  Environment env;
  env.kiln_config = get_env("KILN_CONFIG");
  env.kiln_root = get_env("KILN_ROOT");
  env.home = get_env("HOME");
  if (!env.home || env.home->empty()) env.home = passwd_home();
  env.xdg_cache_home = get_env("XDG_CACHE_HOME");
  std::vector<char> buf(4096);
  if (::getcwd(buf.data(), buf.size()) != nullptr) env.cwd = buf.data();
  env.cpu_count = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return env;
}

Expected<Settings> default_settings(const Environment& env) {
  Settings s;
  bool has_home = env.home && !env.home->empty();
  if (env.kiln_root && !env.kiln_root->empty()) {
    s.root = util::path_normpath(util::path_join(env.cwd, *env.kiln_root));
  } else if (has_home) {
    s.root = util::path_normpath(util::path_join(*env.home, ".local/share/kiln"));
  } else {
    return Error(ErrorCode::k_invalid, "cannot choose Kiln's root: set $KILN_ROOT or $HOME");
  }
  // XDG: a relative $XDG_CACHE_HOME is to be ignored.
  if (env.xdg_cache_home && util::path_isabs(*env.xdg_cache_home)) {
    s.cache_dir = util::path_normpath(util::path_join(*env.xdg_cache_home, "kiln"));
  } else if (has_home) {
    s.cache_dir = util::path_normpath(util::path_join(*env.home, ".cache/kiln"));
  } else {
    s.cache_dir = util::path_normpath(util::path_join(s.root, "cache"));
  }
  s.jobs = std::clamp(env.cpu_count, 1, k_max_jobs);
  return s;
}

Expected<Settings> parse_settings(std::string_view text, const std::string& file, Settings base,
                                  const Environment& env) {
  ParseState st;
  st.text = text;
  st.settings = std::move(base);
  st.env = &env;
  st.file = file;
  std::string abs_file = util::path_join(env.cwd, file);
  st.dir = std::string(util::path_dirname(abs_file));
  int rc = ini_parse_stream(read_line, &st, handle_option, &st);
  if (rc == -2) return Error(ErrorCode::k_internal, "inih: out of memory", file);
  if (rc != 0 && !(st.first_error && st.first_error->line <= rc)) {
    return Error(ErrorCode::k_parse,
                 "syntax error: expected [kiln], key = value or a comment (# or ;)", file, rc);
  }
  if (st.first_error) return *st.first_error;
  st.settings.source_file = util::path_normpath(abs_file);
  return st.settings;
}

Expected<Settings> load_settings(const std::string& explicit_path, const Environment& env) {
  Expected<Settings> defaults = default_settings(env);
  if (!defaults.ok()) return defaults;
  if (!explicit_path.empty()) return read_settings_file(explicit_path, *defaults, env);
  if (env.kiln_config && !env.kiln_config->empty()) {
    return read_settings_file(*env.kiln_config, *defaults, env);
  }
  std::string implicit = util::path_join(defaults->root, "kiln.ini");
  if (!exists(implicit)) return defaults;
  return read_settings_file(implicit, *defaults, env);
}

}  // namespace kiln::config
