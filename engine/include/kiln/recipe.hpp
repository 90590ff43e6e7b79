// Kiln recipe SDK: a header-only C++ layer over kiln/recipe_abi.h.
//
// A recipe is a class deriving from kiln::sdk::Recipe; a plugin lists its
// entries with KILN_RECIPE_PLUGIN:
//
//   class Hello : public kiln::sdk::Recipe {
//    public:
//     void init(kiln::sdk::Part& part) override {
//       part.set("location", part.get("buildout-parts") + "/" + part.name());
//     }
//     void install(kiln::sdk::Part& part) override { ... }
//   };
//   KILN_RECIPE_PLUGIN("hello", "1.0",
//       kiln::sdk::entry<Hello>("default", "Says hello",
//                               {{"greeting", false, "hello", "What to say"}}));
//
// Errors: throw kiln::sdk::Failure (or any std::exception); the layer turns
// it into host->error() + KILN_FAILED. Nothing throws across the C ABI.
// A new Recipe object is made for each callback; keep state in options.
#pragma once

#include <cctype>
#include <cstddef>
#include <exception>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kiln/recipe_abi.h"

namespace kiln::sdk {

// Raised by a recipe to fail the current callback with a message.
class Failure : public std::runtime_error {
 public:
  explicit Failure(const std::string& message) : std::runtime_error(message) {}
};

// The part a callback works on: wraps the host services. Not copyable;
// valid only during the callback it was given to.
class Part {
 public:
  Part(const KilnHost* host, KilnPart* part) : m_host(host), m_part(part) {}
  Part(const Part&) = delete;
  Part& operator=(const Part&) = delete;

  std::string name() const { return m_host->part_name(m_part); }

  bool has(const std::string& option) const {
    return m_host->get_option(m_part, option.c_str()) != nullptr;
  }
  std::optional<std::string> find(const std::string& option) const {
    const char* v = m_host->get_option(m_part, option.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  }
  // The option's value; Failure if it is absent.
  std::string get(const std::string& option) const {
    const char* v = m_host->get_option(m_part, option.c_str());
    if (!v) throw Failure("option '" + option + "' is required");
    return v;
  }
  std::string get(const std::string& option, const std::string& fallback) const {
    const char* v = m_host->get_option(m_part, option.c_str());
    return v ? std::string(v) : fallback;
  }
  // Buildout's boolean spelling: true/yes/on/1 (any case), false/no/off/0 or
  // empty; anything else is a Failure naming the option.
  bool get_bool(const std::string& option, bool fallback) const {
    const char* v = m_host->get_option(m_part, option.c_str());
    if (!v) return fallback;
    std::string s;
    for (const char* p = v; *p; ++p)
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
    if (s == "false" || s == "no" || s == "off" || s == "0" || s.empty()) return false;
    throw Failure("option '" + option + "': expected true or false, got '" + v + "'");
  }
  void set(const std::string& option, const std::string& value) {
    check(m_host->set_option(m_part, option.c_str(), value.c_str()));
  }
  std::map<std::string, std::string> options() const {
    std::map<std::string, std::string> out;
    m_host->each_option(
        m_part,
        [](const char* k, const char* v, void* data) {
          (*static_cast<std::map<std::string, std::string>*>(data))[k] = v;
        },
        &out);
    return out;
  }
  // ${section:option} of another section (init only).
  std::optional<std::string> section_option(const std::string& section,
                                            const std::string& option) const {
    const char* v = m_host->get_section_option(m_part, section.c_str(), option.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  }
  // Every option of another section (init only), or nullopt if the host is
  // too old to tell or the section does not exist.
  std::optional<std::map<std::string, std::string>> section_options(
      const std::string& section) const {
    if (m_host->struct_size < offsetof(KilnHost, each_section_option) + sizeof(void*) ||
        !m_host->each_section_option)
      return std::nullopt;
    std::map<std::string, std::string> out;
    int rc = m_host->each_section_option(
        m_part, section.c_str(),
        [](const char* k, const char* v, void* data) {
          (*static_cast<std::map<std::string, std::string>*>(data))[k] = v;
        },
        &out);
    if (rc != KILN_OK) return std::nullopt;
    return out;
  }
  std::string substitute(const std::string& text) {
    const char* v = m_host->substitute(m_part, text.c_str());
    if (!v) throw Reported();
    return v;
  }

  void debug(const std::string& m) { m_host->log(m_part, KILN_LOG_DEBUG, m.c_str()); }
  void info(const std::string& m) { m_host->log(m_part, KILN_LOG_INFO, m.c_str()); }
  void warning(const std::string& m) { m_host->log(m_part, KILN_LOG_WARNING, m.c_str()); }

  void add_path(const std::string& path) { check(m_host->add_path(m_part, path.c_str())); }
  void keep_path(const std::string& path) { check(m_host->keep_path(m_part, path.c_str())); }

  void download(const std::string& url, const std::string& destination, const std::string& md5 = {},
                const std::string& sha256 = {}) {
    check(m_host->download(m_part, url.c_str(), md5.c_str(), sha256.c_str(), destination.c_str()));
  }
  void extract(const std::string& archive, const std::string& destination,
               int strip_mode = KILN_STRIP_NEVER) {
    check(m_host->extract(m_part, archive.c_str(), destination.c_str(), strip_mode));
  }
  // Runs argv; returns its exit status (128 + signal when killed).
  int run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
          const std::string& cwd = {}) {
    std::vector<const char*> a, e;
    for (const std::string& s : argv) a.push_back(s.c_str());
    a.push_back(nullptr);
    for (const std::string& s : env) e.push_back(s.c_str());
    e.push_back(nullptr);
    int code = 0;
    check(m_host->run(m_part, a.data(), e.data(), cwd.empty() ? nullptr : cwd.c_str(), &code));
    return code;
  }
  // Runs argv and fails (naming `what`) unless it exits with 0.
  void run_checked(const std::string& what, const std::vector<std::string>& argv,
                   const std::vector<std::string>& env = {}, const std::string& cwd = {}) {
    int code = run(argv, env, cwd);
    if (code != 0) throw Failure(what + " failed with exit status " + std::to_string(code));
  }

  std::string build_directory() const { return m_host->build_directory(m_part); }
  std::string shared_directory() const { return m_host->shared_directory(m_part); }

  // Thrown when the host has already recorded the error.
  struct Reported {};

  const KilnHost* host() const { return m_host; }
  KilnPart* raw() const { return m_part; }

 private:
  static void check(int rc) {
    if (rc != KILN_OK) throw Reported();
  }

  const KilnHost* m_host;
  KilnPart* m_part;
};

// Base class of a recipe. Defaults: init and update do nothing, uninstall
// leaves removal of the part's paths to the host.
class Recipe {
 public:
  virtual ~Recipe() = default;
  virtual void init(Part&) {}
  virtual void install(Part& part) = 0;
  virtual void update(Part&) {}
  virtual void uninstall(Part&) {}
};

namespace detail {

template <class F>
int guarded(const KilnHost* host, KilnPart* part, F&& fn) noexcept {
  try {
    Part p(host, part);
    fn(p);
    return KILN_OK;
  } catch (const Part::Reported&) {
    return KILN_FAILED;
  } catch (const std::exception& e) {
    host->error(part, e.what());
    return KILN_FAILED;
  } catch (...) {
    host->error(part, "unknown exception in recipe");
    return KILN_FAILED;
  }
}

template <class R>
struct Thunks {
  static int init(const KilnHost* h, KilnPart* p) {
    return guarded(h, p, [](Part& part) { R().init(part); });
  }
  static int install(const KilnHost* h, KilnPart* p) {
    return guarded(h, p, [](Part& part) { R().install(part); });
  }
  static int update(const KilnHost* h, KilnPart* p) {
    return guarded(h, p, [](Part& part) { R().update(part); });
  }
  static int uninstall(const KilnHost* h, KilnPart* p) {
    return guarded(h, p, [](Part& part) { R().uninstall(part); });
  }
};

// Owns the option specs of one entry for the plugin's lifetime.
struct EntryStorage {
  std::vector<KilnOptionSpec> options;
  KilnRecipeEntry entry{};
};

}  // namespace detail

// An option of an entry: {name, required, default (nullptr = none), description}.
struct Option {
  const char* name;
  bool required;
  const char* default_value;
  const char* description;
};

// Describes one entry point of a plugin. `name`, `description` and the option
// strings must be string literals (they are kept as pointers).
template <class R>
std::shared_ptr<detail::EntryStorage> entry(const char* name, const char* description,
                                            std::initializer_list<Option> options = {}) {
  auto s = std::make_shared<detail::EntryStorage>();
  for (const Option& o : options)
    s->options.push_back(
        KilnOptionSpec{o.name, o.required ? 1 : 0, o.default_value, o.description});
  s->entry.name = name;
  s->entry.description = description;
  s->entry.options = s->options.data();
  s->entry.option_count = s->options.size();
  s->entry.init = &detail::Thunks<R>::init;
  s->entry.install = &detail::Thunks<R>::install;
  s->entry.update = &detail::Thunks<R>::update;
  s->entry.uninstall = &detail::Thunks<R>::uninstall;
  return s;
}

namespace detail {

struct PluginStorage {
  std::vector<std::shared_ptr<EntryStorage>> storage;
  std::vector<KilnRecipeEntry> entries;
  KilnRecipePlugin plugin{};
};

inline const KilnRecipePlugin* make_plugin(
    PluginStorage& s, const char* name, const char* version,
    std::initializer_list<std::shared_ptr<EntryStorage>> es) {
  if (s.plugin.abi_version == 0) {
    for (const auto& e : es) {
      s.storage.push_back(e);
      s.entries.push_back(e->entry);
    }
    s.plugin.abi_version = KILN_RECIPE_ABI_VERSION;
    s.plugin.struct_size = sizeof(KilnRecipePlugin);
    s.plugin.entry_size = sizeof(KilnRecipeEntry);
    s.plugin.option_size = sizeof(KilnOptionSpec);
    s.plugin.name = name;
    s.plugin.version = version;
    s.plugin.entries = s.entries.data();
    s.plugin.entry_count = s.entries.size();
  }
  return &s.plugin;
}

}  // namespace detail
}  // namespace kiln::sdk

// Defines the plugin's exported descriptor. Use once per plugin:
//   KILN_RECIPE_PLUGIN("name", "version", kiln::sdk::entry<A>(...), ...);
#define KILN_RECIPE_PLUGIN(plugin_name, plugin_version, ...)                                   \
  extern "C" KILN_RECIPE_EXPORT const KilnRecipePlugin* kiln_recipe_plugin(void) {             \
    static ::kiln::sdk::detail::PluginStorage storage;                                         \
    static const KilnRecipePlugin* plugin =                                                    \
        ::kiln::sdk::detail::make_plugin(storage, plugin_name, plugin_version, {__VA_ARGS__}); \
    return plugin;                                                                             \
  }
