// The cmmi recipe (slapos.recipe.cmmi): unpack a source archive (or use a
// local source tree), patch it, then configure, make, make install into the
// part's location, each step a `sh -c 'set -e; ...'` in the part's
// environment. `shared = true` builds once per option hash under the
// shared-parts directory.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "cmmi_logic.h"
#include "kiln/recipe.hpp"
#include "kiln_common/download.h"
#include "kiln_common/file_lock.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;

constexpr const char* k_env_section_prefix = "_kiln-environment-section.";
constexpr const char* k_download_suffix = ".download";
constexpr const char* k_completed_marker = ".completed";
constexpr const char* k_env_script = ".kiln-env.sh";

// The ABI cannot list another section's options: environment-section is read
// for these names (the variables build profiles set).
const std::vector<std::string> k_environment_names = {"PATH",
                                                      "LDFLAGS",
                                                      "PKG_CONFIG_PATH",
                                                      "CPPFLAGS",
                                                      "CFLAGS",
                                                      "CXXFLAGS",
                                                      "CMAKE_INCLUDE_PATH",
                                                      "CMAKE_LIBRARY_PATH",
                                                      "CMAKE_PROGRAM_PATH",
                                                      "M4",
                                                      "PYTHON",
                                                      "LD_LIBRARY_PATH",
                                                      "LD_RUN_PATH",
                                                      "CC",
                                                      "CXX",
                                                      "CPP",
                                                      "FC",
                                                      "AR",
                                                      "LD",
                                                      "NM",
                                                      "RANLIB",
                                                      "ACLOCAL_PATH",
                                                      "TMPDIR",
                                                      "RUSTFLAGS",
                                                      "PREFIX",
                                                      "HOME",
                                                      "C_INCLUDE_PATH",
                                                      "CPLUS_INCLUDE_PATH",
                                                      "LIBRARY_PATH",
                                                      "PKG_CONFIG",
                                                      "PERL5LIB",
                                                      "PYTHONPATH",
                                                      "LIBS",
                                                      "LANG",
                                                      "LC_ALL",
                                                      "MAKEFLAGS",
                                                      "CARGO_HOME",
                                                      "GOPATH",
                                                      "GOROOT",
                                                      "JAVA_HOME",
                                                      "SHELL",
                                                      "TERMINFO",
                                                      "OPENSSL_DIR",
                                                      "OPENSSL_ROOT_DIR",
                                                      "PERL_MM_USE_DEFAULT",
                                                      "USE_64",
                                                      "X11_CFLAGS",
                                                      "X11_LIBS",
                                                      "ZLIB_CFLAGS",
                                                      "ZLIB_LIBS"};

using Environment = std::map<std::string, std::string>;

std::string parts_directory(Part& part) {
  if (auto dir = part.section_option("buildout", "parts-directory")) return *dir;
  return part.build_directory() + "/parts";
}

// A URL (scheme://...) as it is; a relative path from the build directory.
std::string absolute(Part& part, const std::string& path) {
  if (path.empty() || path[0] == '/' || kiln_cmmi::has_url_scheme(path)) return path;
  return part.build_directory() + "/" + path;
}

// Copies the variables of environment-section into internal options (the
// other section can only be read in init).
void read_environment_section(Part& part) {
  std::string section = part.get("environment-section", "");
  if (section.empty()) return;
  int found = 0;
  for (const std::string& name : k_environment_names) {
    if (auto value = part.section_option(section, name)) {
      part.set(k_env_section_prefix + name, *value);
      ++found;
    }
  }
  if (found == 0)
    part.warning("environment-section '" + section + "': no known variable found in it");
}

// The options that key a shared build, environment-section variables included.
std::map<std::string, std::string> hash_input(Part& part) {
  std::map<std::string, std::string> in = part.options();
  const std::string prefix = k_env_section_prefix;
  for (const auto& [name, value] : part.options())
    if (name.rfind(prefix, 0) == 0) in["environment-section:" + name.substr(prefix.size())] = value;
  return in;
}

std::string compute_location(Part& part, bool shared) {
  if (!shared)
    return absolute(part, part.get("location", parts_directory(part) + "/" + part.name()));
  return kiln_common::shared_location(part, kiln_cmmi::options_hash(hash_input(part)));
}

void replace_location_marker(Part& part, const std::string& location) {
  const std::string marker = "@@LOCATION@@";
  for (auto [name, value] : part.options()) {
    if (value.find(marker) == std::string::npos) continue;
    for (std::size_t at = value.find(marker); at != std::string::npos;
         at = value.find(marker, at + location.size()))
      value.replace(at, marker.size(), location);
    part.set(name, value);
  }
}

// Expands %(VAR)s from the process environment.
std::string expand_from_process(const std::string& value, const std::string& what) {
  return kiln_cmmi::interpolate(
      value,
      [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
      },
      what);
}

// Variables the steps run with: environment-section, then `environment`.
Environment build_environment(Part& part) {
  Environment env;
  const std::string prefix = k_env_section_prefix;
  for (const auto& [name, value] : part.options()) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string key = name.substr(prefix.size());
    env[key] = expand_from_process(value, "environment-section variable " + key);
  }
  for (const auto& [key, value] :
       kiln_cmmi::parse_environment(part.get("environment", ""), "environment"))
    env[key] = expand_from_process(value, "option 'environment' (" + key + ")");
  return env;
}

std::vector<std::string> as_strings(const Environment& env) {
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// `%(option)s` from the part's options.
std::string expand_options(Part& part, const std::string& text, const std::string& option) {
  return kiln_cmmi::interpolate(
      text, [&part](const std::string& name) { return part.find(name); },
      "option '" + option + "'");
}

struct Build {
  std::string location;
  std::string prefix;
  std::string compile_dir;
  std::string work_dir;  // where the steps run
  bool from_path = false;
  Environment env;
};

void run_step(Part& part, const Build& b, const std::string& step, const std::string& command) {
  part.info(step + ": " + command);
  int code = part.run({"sh", "-c", "set -e\n" + command}, as_strings(b.env), b.work_dir);
  if (code != 0)
    throw Failure(step + " failed with exit status " + std::to_string(code) + ": " + command);
}

void run_hook(Part& part, const Build& b, const std::string& option) {
  std::string command = part.get(option, "");
  if (command.find_first_not_of(" \t\r\n") == std::string::npos) return;
  run_step(part, b, option, expand_options(part, command, option));
}

// Unpacks url into the compile directory (or uses path); sets work_dir.
void prepare_source(Part& part, Build& b) {
  if (b.from_path) {
    b.work_dir = absolute(part, part.get("path"));
    if (!fs::is_directory(b.work_dir))
      throw Failure("option 'path': " + b.work_dir + " is not a directory");
    return;
  }
  std::string url = part.get("url");
  std::string download_dir = b.compile_dir + k_download_suffix;
  std::error_code ec;
  fs::remove_all(b.compile_dir, ec);  // leftovers of a failed build
  fs::remove_all(download_dir, ec);
  fs::create_directories(download_dir);
  std::string name = url.substr(url.find_last_of('/') + 1);
  std::string archive = download_dir + "/" + (name.empty() ? "source" : name);
  part.download(url, archive, part.get("md5sum", ""), part.get("sha256sum", ""));
  part.extract(archive, b.compile_dir, KILN_STRIP_IF_SINGLE_DIR);
  fs::remove_all(download_dir, ec);
  b.work_dir = b.compile_dir;
}

void apply_patches(Part& part, const Build& b) {
  std::vector<std::string> patches = kiln_cmmi::split_words(part.get("patches", ""));
  if (patches.empty()) return;
  std::string download_dir = b.compile_dir + k_download_suffix;
  fs::create_directories(download_dir);
  std::string binary = part.get("patch-binary", "patch");
  std::string options = part.get("patch-options", "-p0");
  for (std::size_t i = 0; i < patches.size(); ++i) {
    auto [url, md5] = kiln_cmmi::split_md5_fragment(patches[i]);
    std::string file = download_dir + "/patch-" + std::to_string(i);
    part.download(absolute(part, url), file, md5);
    run_step(part, b, "patch " + url,
             binary + " " + options + " < " + kiln_cmmi::shell_quote(file));
  }
  std::error_code ec;
  fs::remove_all(download_dir, ec);
}

void run_steps(Part& part, const Build& b) {
  run_hook(part, b, "pre-configure");
  std::string configure = kiln_cmmi::configure_command(
      expand_options(part, part.get("configure-command", ""), "configure-command"),
      expand_options(part, part.get("configure-options", ""), "configure-options"), b.prefix);
  run_step(part, b, "configure", configure);
  run_hook(part, b, "pre-build");
  std::string make = expand_options(part, part.get("make-binary", "make"), "make-binary");
  std::string options = expand_options(part, part.get("make-options", ""), "make-options");
  std::string targets = expand_options(part, part.get("make-targets", "install"), "make-targets");
  std::string make_line = make + (options.empty() ? "" : " " + options);
  run_step(part, b, "make", make_line);
  run_hook(part, b, "pre-install");
  run_step(part, b, "make " + targets, make_line + " " + targets);
  run_hook(part, b, "post-install");
}

// Writes <work dir>/.kiln-env.sh: the whole environment of the steps + cd.
std::string write_env_script(const Build& b) {
  Environment all;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    std::size_t eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : b.env) all[k] = v;
  std::string path = b.work_dir + "/" + k_env_script;
  std::ofstream out(path, std::ios::trunc);
  out << kiln_cmmi::environment_script(all, b.work_dir);
  return out ? path : std::string();
}

void build(Part& part, Build& b) {
  b.env = build_environment(part);
  prepare_source(part, b);
  try {
    fs::create_directories(b.location);
    apply_patches(part, b);
    run_steps(part, b);
  } catch (const Failure& f) {
    part.keep_path(b.work_dir);
    std::string script = write_env_script(b);
    throw Failure(std::string(f.what()) + "; the compile directory " + b.work_dir + " is kept" +
                  (script.empty() ? "" : ": `. " + script + "` reproduces the environment"));
  }
  std::error_code ec;
  if (!b.from_path && !part.get_bool("keep-compile-dir", false)) fs::remove_all(b.compile_dir, ec);
}

void build_shared(Part& part, Build& b) {
  fs::create_directories(fs::path(b.location).parent_path());
  kiln_common::FileLock lock(part, b.location + ".lock");
  std::string marker = b.location + "/" + k_completed_marker;
  if (fs::exists(marker)) {
    part.info("shared part already built in " + b.location + ": reused");
    return;
  }
  std::error_code ec;
  fs::remove_all(b.location, ec);  // an unfinished build
  build(part, b);
  std::ofstream out(marker, std::ios::trunc);
  if (!(out << "kiln cmmi\n")) throw Failure("cannot write " + marker);
}

class Cmmi : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    bool has_url = part.has("url"), has_path = part.has("path");
    if (has_url == has_path)
      throw Failure(std::string("exactly one of the options 'url' and 'path' is required (") +
                    (has_url ? "both are set" : "neither is set") + ")");
    bool shared = part.get_bool("shared", false);
    read_environment_section(part);
    std::string location = compute_location(part, shared);
    part.set("location", location);
    if (!part.has("prefix")) part.set("prefix", location);
    std::string compile_dir = part.get("compile-directory", location + "__compile__");
    part.set("compile-directory", compile_dir);
    replace_location_marker(part, location);
    if (!shared) part.add_path(location);
    part.add_path(compile_dir);
    part.add_path(compile_dir + k_download_suffix);
  }

  void install(Part& part) override {
    Build b;
    b.location = part.get("location");
    b.prefix = part.get("prefix");
    b.compile_dir = part.get("compile-directory");
    b.from_path = part.has("path");
    if (part.get_bool("shared", false))
      build_shared(part, b);
    else
      build(part, b);
  }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "cmmi", "1.0",
    kiln::sdk::entry<Cmmi>(
        "default", "configure, make, make install (slapos.recipe.cmmi)",
        {{"url", false, nullptr, "source archive URL or path (or use 'path')"},
         {"md5sum", false, nullptr, "expected MD5 of the archive"},
         {"sha256sum", false, nullptr, "expected SHA-256 of the archive"},
         {"path", false, nullptr, "local source directory, built in place (or use 'url')"},
         {"location", false, nullptr, "install directory (default parts/<part>)"},
         {"prefix", false, nullptr, "--prefix given to configure (default: location)"},
         {"patches", false, nullptr, "patches (URL or path, optional #md5), applied in order"},
         {"patch-binary", false, "patch", "patch program"},
         {"patch-options", false, "-p0", "options of the patch program"},
         {"environment", false, nullptr, "KEY=VALUE lines; %(VAR)s from the process environment"},
         {"environment-section", false, nullptr, "section whose options are variables"},
         {"configure-command", false, nullptr, "configure step (default ./configure)"},
         {"configure-options", false, nullptr, "arguments of the configure step"},
         {"make-binary", false, "make", "make program"},
         {"make-options", false, nullptr, "arguments of both make steps"},
         {"make-targets", false, "install", "targets of the install step"},
         {"pre-configure", false, nullptr, "shell command before configure"},
         {"pre-build", false, nullptr, "shell command before make"},
         {"pre-install", false, nullptr, "shell command before make install"},
         {"post-install", false, nullptr, "shell command after make install"},
         {"keep-compile-dir", false, nullptr, "keep the compile directory after a build"},
         {"shared", false, nullptr, "build once under the shared-parts directory"}}));
