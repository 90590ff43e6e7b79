#include "recipe/part_context.h"

#include <filesystem>

namespace kiln::recipe {

namespace {

const char* part_name(KilnPart* p) {
  return p->name.c_str();
}

// Keeps the first lookup the host could not do: call_entry reports it.
void lookup_failed(KilnPart* p, const Error& e) {
  if (!p->lookup_error) p->lookup_error = e;
}

const char* get_option(KilnPart* p, const char* name) {
  if (!name) return nullptr;
  Expected<std::optional<std::string>> v = p->options->get(name);
  if (!v.ok()) {
    lookup_failed(p, v.error());
    return nullptr;
  }
  return v->has_value() ? p->keep(std::move(**v)) : nullptr;
}

int set_option(KilnPart* p, const char* name, const char* value) {
  if (!name || !*name || !value) {
    p->errors.push_back("set_option: empty option name or NULL value");
    return KILN_FAILED;
  }
  p->options->set(name, value);
  return KILN_OK;
}

void each_option(KilnPart* p, void (*fn)(const char*, const char*, void*), void* data) {
  if (!fn) return;
  for (const auto& [k, v] : p->options->all()) fn(k.c_str(), v.c_str(), data);
}

const char* get_section_option(KilnPart* p, const char* section, const char* option) {
  if (!section || !option) return nullptr;
  Expected<std::optional<std::string>> v = p->options->section_option(section, option);
  if (!v.ok()) {
    lookup_failed(p, v.error());
    return nullptr;
  }
  return v->has_value() ? p->keep(std::move(**v)) : nullptr;
}

const char* substitute(KilnPart* p, const char* text) {
  if (!text) return nullptr;
  Expected<std::string> v = p->options->substitute(text);
  if (!v.ok()) {
    lookup_failed(p, v.error());
    return nullptr;
  }
  return p->keep(std::move(*v));
}

void log(KilnPart* p, int level, const char* message) {
  if (!message) return;
  std::string_view m(message);
  while (!m.empty()) {  // one line at a time
    std::size_t nl = m.find('\n');
    p->log->write(level, m.substr(0, nl));
    if (nl == std::string_view::npos) break;
    m.remove_prefix(nl + 1);
  }
}

void error(KilnPart* p, const char* message) {
  p->errors.push_back(message ? message : "(no message)");
}

// An absolute, normalised path without a trailing '/': relative ones are
// taken from the build directory.
std::string owned_path(const KilnPart* p, const std::string& path) {
  std::string s = path;
  if (s.front() != '/') s = (std::filesystem::path(p->build_directory) / s).string();
  s = std::filesystem::path(s).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

int add_path(KilnPart* p, const char* path) {
  if (!path || !*path) {
    p->errors.push_back("add_path: empty path");
    return KILN_FAILED;
  }
  std::string s = owned_path(p, path);
  for (const std::string& a : p->added_paths)
    if (a == s) return KILN_OK;
  if (p->phase != Phase::k_init && p->on_add_path) p->on_add_path(s);
  p->added_paths.push_back(s);
  return KILN_OK;
}

int keep_path(KilnPart* p, const char* path) {
  if (!path || !*path) return KILN_FAILED;
  p->kept_paths.insert(owned_path(p, path));
  return KILN_OK;
}

int fail_with(KilnPart* p, const Status& s) {
  if (s.ok()) return KILN_OK;
  p->errors.push_back(s.error().to_string());
  return KILN_FAILED;
}

int download(KilnPart* p, const char* url, const char* md5, const char* sha256,
             const char* destination) {
  if (!url || !destination) return fail_with(p, Error(ErrorCode::k_invalid, "download: NULL"));
  // A download made at init is the part's only inside the build directory
  // (never a temporary file elsewhere, whose name another process may reuse).
  if (p->phase == Phase::k_init &&
      owned_path(p, destination).rfind(p->build_directory + "/", 0) == 0)
    add_path(p, destination);
  return fail_with(
      p, p->services->download(url, md5 ? md5 : "", sha256 ? sha256 : "", destination, *p->log));
}

int extract(KilnPart* p, const char* archive, const char* destination, int strip) {
  if (!archive || !destination) return fail_with(p, Error(ErrorCode::k_invalid, "extract: NULL"));
  return fail_with(p, p->services->extract(archive, destination, strip));
}

int run(KilnPart* p, const char* const* argv, const char* const* env, const char* cwd,
        int* exit_code) {
  std::vector<std::string> a, e;
  for (; argv && *argv; ++argv) a.emplace_back(*argv);
  for (; env && *env; ++env) e.emplace_back(*env);
  if (a.empty()) return fail_with(p, Error(ErrorCode::k_invalid, "run: empty argv"));
  Expected<int> r = p->services->run(a, e, cwd ? cwd : p->build_directory, *p->log);
  if (!r.ok()) return fail_with(p, r.error());
  if (exit_code) *exit_code = *r;
  return KILN_OK;
}

const char* build_directory(KilnPart* p) {
  return p->build_directory.c_str();
}
const char* shared_directory(KilnPart* p) {
  return p->shared_directory.c_str();
}

int each_section_option(KilnPart* p, const char* section,
                        void (*fn)(const char*, const char*, void*), void* data) {
  if (!section || !fn) return KILN_FAILED;
  Expected<std::map<std::string, std::string>> all = p->options->section_options(section);
  if (!all.ok()) return KILN_FAILED;
  for (const auto& [k, v] : *all) fn(k.c_str(), v.c_str(), data);
  return KILN_OK;
}

const KilnHost k_host = {
    KILN_RECIPE_ABI_VERSION,
    sizeof(KilnHost),
    part_name,
    get_option,
    set_option,
    each_option,
    get_section_option,
    substitute,
    log,
    error,
    add_path,
    keep_path,
    download,
    extract,
    run,
    build_directory,
    shared_directory,
    each_section_option,
};

}  // namespace

Expected<std::optional<std::string>> OptionAccess::section_option(const std::string&,
                                                                  const std::string&) {
  return Error(ErrorCode::k_invalid, "other sections can only be read in init");
}
Expected<std::string> OptionAccess::substitute(const std::string&) {
  return Error(ErrorCode::k_invalid, "substitution is only available in init");
}
Expected<std::map<std::string, std::string>> OptionAccess::section_options(const std::string&) {
  return Error(ErrorCode::k_invalid, "other sections can only be read in init");
}

Expected<std::optional<std::string>> MapOptions::get(const std::string& option) {
  auto it = m_options.find(option);
  if (it == m_options.end()) return std::optional<std::string>();
  return std::optional(it->second);
}
void MapOptions::set(const std::string& option, const std::string& value) {
  m_options[option] = value;
}

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::k_init:
      return "init";
    case Phase::k_install:
      return "install";
    case Phase::k_update:
      return "update";
    case Phase::k_uninstall:
      return "uninstall";
  }
  return "?";
}

const KilnHost* host_table() {
  return &k_host;
}

Status call_entry(const KilnRecipeEntry& entry, KilnPart& part) {
  int (*fn)(const KilnHost*, KilnPart*) = nullptr;
  switch (part.phase) {
    case Phase::k_init:
      fn = entry.init;
      break;
    case Phase::k_install:
      fn = entry.install;
      break;
    case Phase::k_update:
      fn = entry.update;
      break;
    case Phase::k_uninstall:
      fn = entry.uninstall;
      break;
  }
  if (!fn) return {};
  part.errors.clear();
  part.lookup_error.reset();
  int rc = fn(&k_host, &part);
  if (part.lookup_error && !part.lookup_error->file.empty()) {
    Error e = *part.lookup_error;  // a ${} in the profile: the cause, where it is
    part.errors.clear();
    return e;
  }
  if (rc == KILN_OK) {  // errors reported but success returned: a warning at most
    part.errors.clear();
    return {};
  }
  std::string msg;
  for (const std::string& e : part.errors) msg += (msg.empty() ? "" : "; ") + e;
  if (part.lookup_error) {
    const Error& cause = *part.lookup_error;
    msg = msg.empty() ? cause.message : msg + ": " + cause.message;
    return Error(cause.code, msg);
  }
  if (msg.empty()) msg = "failed (the recipe gave no reason)";
  return Error(ErrorCode::k_invalid, msg);
}

}  // namespace kiln::recipe
