#include "build/part_discovery.h"

#include <algorithm>
#include <functional>

#include "util/hash.h"
#include "util/pystr.h"

namespace kiln::build {

namespace {

// A part's options during init: read and written through the Substituter.
class InitOptions : public recipe::OptionAccess {
 public:
  InitOptions(profile::Substituter& sub, std::string section, std::set<std::string>& refs)
      : m_sub(sub), m_section(std::move(section)), m_refs(refs) {}
  Expected<std::optional<std::string>> get(const std::string& option) override {
    return m_sub.get(m_section, option);
  }
  void set(const std::string& option, const std::string& value) override {
    m_sub.set(m_section, option, value);
  }
  std::map<std::string, std::string> all() override { return m_sub.options(m_section); }
  Expected<std::optional<std::string>> section_option(const std::string& section,
                                                      const std::string& option) override {
    if (section != m_section) m_refs.insert(section);
    return m_sub.get(section, option);
  }
  Expected<std::string> substitute(const std::string& text) override {
    Expected<std::string> v = m_sub.substitute_text(m_section, text);
    if (v.ok() || v.error().code != ErrorCode::k_reference || !v.error().file.empty()) return v;
    return text_error(text, v.error());
  }
  Expected<std::map<std::string, std::string>> section_options(
      const std::string& section) override {
    if (section != m_section) m_refs.insert(section);
    if (Status st = m_sub.touch(section); !st.ok()) return st.error();
    return m_sub.options(section);
  }

 private:
  // A reference in `text` (a template, not an option: the Substituter's
  // message says "[part] <text>: ...") that cannot be resolved: the same
  // reason, with the line of `text` that holds it.
  Error text_error(const std::string& text, Error e) {
    const std::string prefix = "[" + m_section + "] <text>: ";
    if (e.message.compare(0, prefix.size(), prefix) == 0) e.message.erase(0, prefix.size());
    if (text.find('\n') == std::string::npos) return e;
    std::size_t start = 0;
    for (int line = 1; start <= text.size(); ++line) {
      std::size_t nl = text.find('\n', start);
      std::string_view one(text.data() + start,
                           (nl == std::string::npos ? text.size() : nl) - start);
      if (one.find('$') != std::string_view::npos && !m_sub.substitute_text(m_section, one).ok()) {
        e.message = "line " + std::to_string(line) + ": " + e.message;
        break;
      }
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return e;
  }

  profile::Substituter& m_sub;
  std::string m_section;
  std::set<std::string>& m_refs;
};

struct Problem {
  std::string file;
  int line = 0;
  std::string message;
};

class DiscoveryHook : public profile::SectionHook {
 public:
  DiscoveryHook(const profile::RawConfig& raw, recipe::PluginRegistry& plugins,
                recipe::HostServices& services, recipe::PartLog& log,
                const DiscoveryOptions& options)
      : m_raw(raw), m_plugins(plugins), m_services(services), m_log(log), m_options(options) {}

  Status initialized(profile::Substituter& sub, const std::string& section) override;

  // Before any part is initialised: the recipe of each of `names` written as
  // a literal is looked up, so that unknown plugins or entries and recipes
  // Kiln cannot run are all reported in one run, even when another part's
  // init fails. Those parts are then skipped (not reported twice).
  void check_recipes(const std::vector<std::string>& names);

  std::vector<Part> parts;
  std::vector<Problem> problems;
  std::map<std::string, std::set<std::string>> extra_refs;  // init-time reads

 private:
  void locate(Part& part) const;
  bool check_options(profile::Substituter& sub, Part& part);
  // Sets part.recipe, plugin and entry from the recipe option's value; the
  // problem ("" if none).
  std::string find_recipe(const std::string& value, Part& part);

  const profile::RawConfig& m_raw;
  recipe::PluginRegistry& m_plugins;
  recipe::HostServices& m_services;
  recipe::PartLog& m_log;
  const DiscoveryOptions& m_options;
  std::set<std::string> m_reported;  // parts whose recipe check_recipes refused
};

std::string DiscoveryHook::find_recipe(const std::string& value, Part& part) {
  Expected<recipe::RecipeName> name = recipe::parse_recipe_name(value);
  if (!name.ok()) return name.error().message;
  part.recipe = *name;
  Expected<const recipe::LoadedPlugin*> plugin = m_plugins.load(part.recipe.plugin);
  if (!plugin.ok()) return "recipe " + part.recipe.written + ": " + plugin.error().message;
  part.plugin = *plugin;
  part.entry = part.plugin->find_entry(part.recipe.entry);
  if (!part.entry) {
    std::string have;
    for (std::size_t i = 0; i < part.plugin->descriptor->entry_count; ++i)
      have += std::string(have.empty() ? "" : ", ") + part.plugin->descriptor->entries[i].name;
    return "recipe " + part.recipe.written + ": plugin '" + part.recipe.plugin +
           "' has no entry '" + part.recipe.entry + "' (it has: " + have + ")";
  }
  return {};
}

void DiscoveryHook::check_recipes(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const profile::RawSection* s = m_raw.find(name);
    const profile::RawEntry* e = s ? s->find("recipe") : nullptr;
    // A recipe computed by ${...} (or from a macro) is checked at init.
    if (!e || e->value.find('$') != std::string::npos || util::py_is_blank(e->value) ||
        m_reported.count(name))
      continue;
    Part part;
    part.name = name;
    locate(part);
    std::string why = find_recipe(e->value, part);
    if (why.empty()) continue;
    problems.push_back({part.recipe_file, part.recipe_line, "part [" + name + "]: " + why});
    m_reported.insert(name);
  }
}

void DiscoveryHook::locate(Part& part) const {
  const profile::RawSection* s = m_raw.find(part.name);
  const profile::RawEntry* e = s ? s->find("recipe") : nullptr;
  if (e && !e->origin.is_special()) {
    part.recipe_file = std::string(e->origin.name());
    part.recipe_line = e->origin.line;
  }
}

bool DiscoveryHook::check_options(profile::Substituter& sub, Part& part) {
  bool ok = true;
  for (std::size_t i = 0; i < part.entry->option_count; ++i) {
    const KilnOptionSpec& spec = part.entry->options[i];
    if (!spec.name) continue;
    Expected<std::optional<std::string>> v = sub.get(part.name, spec.name);
    if (!v.ok()) {  // there, but a ${} in it cannot be resolved: that is the problem
      problems.push_back({v.error().file, v.error().line, v.error().message});
      ok = false;
      continue;
    }
    bool present = v->has_value();
    if (!present && spec.default_value) {
      sub.set(part.name, spec.name, spec.default_value);
    } else if (!present && spec.required) {
      problems.push_back(
          {part.recipe_file, part.recipe_line,
           "part [" + part.name + "] (recipe " + part.recipe.written + "): required option '" +
               spec.name + "' is missing" +
               (spec.description ? std::string(" (") + spec.description + ")" : std::string())});
      ok = false;
    }
  }
  return ok;
}

Status DiscoveryHook::initialized(profile::Substituter& sub, const std::string& section) {
  Expected<std::optional<std::string>> r = sub.get(section, "recipe");
  if (!r.ok() || !r->has_value() || util::py_is_blank(**r) || m_reported.count(section)) return {};
  Part part;
  part.name = section;
  locate(part);
  auto problem = [&](const std::string& m) {
    problems.push_back({part.recipe_file, part.recipe_line, "part [" + section + "]: " + m});
    return Status();
  };
  if (std::string why = find_recipe(**r, part); !why.empty()) return problem(why);
  if (!check_options(sub, part)) return {};
  InitOptions access(sub, section, extra_refs[section]);
  KilnPart ctx;
  ctx.name = section;
  ctx.phase = recipe::Phase::k_init;
  ctx.options = &access;
  ctx.services = &m_services;
  ctx.log = &m_log;
  ctx.build_directory = m_options.build_directory;
  ctx.shared_directory = m_options.shared_directory;
  Status st = recipe::call_entry(*part.entry, ctx);
  if (!st.ok() && !st.error().file.empty()) return st;  // a ${} in the profile, located
  if (!st.ok()) return part_error(part, "init failed: " + st.error().message);
  part.declared_paths = std::move(ctx.added_paths);
  parts.push_back(std::move(part));
  return {};
}

std::string join_problems(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) {
    if (!out.empty()) out += "\n  ";
    out += (p.file.empty() ? "" : p.file + ":" + std::to_string(p.line) + ": ") + p.message;
  }
  return out;
}

}  // namespace

Error part_error(const Part& part, const std::string& message) {
  return Error(ErrorCode::k_invalid,
               "part [" + part.name + "] (recipe " + part.recipe.written + "): " + message,
               part.recipe_file, part.recipe_line);
}

namespace {

// Parts reachable from `part` through sections that are not parts.
void collect_deps(const std::string& from, profile::Substituter& sub,
                  const std::map<std::string, std::set<std::string>>& extra,
                  const std::set<std::string>& part_names, std::set<std::string>& seen,
                  std::set<std::string>& out) {
  auto visit = [&](const std::string& s) {
    if (!seen.insert(s).second) return;
    if (part_names.count(s))
      out.insert(s);
    else
      collect_deps(s, sub, extra, part_names, seen, out);
  };
  for (const std::string& s : sub.references(from)) visit(s);
  if (auto it = extra.find(from); it != extra.end())
    for (const std::string& s : it->second) visit(s);
}

void compute_signatures(std::vector<Part>& parts) {
  std::map<std::string, std::string> sigs;
  for (Part& p : parts) {
    std::string text = "recipe\n" + p.recipe.plugin + ":" + p.recipe.entry + "@" +
                       p.plugin->descriptor->version + "\n";
    for (const auto& [k, v] : p.options) text += k + "=" + v + "\n\x1f";
    for (const std::string& d : p.deps) text += "dep " + d + " " + sigs[d] + "\n";
    p.signature = util::sha256_hex(text);
    sigs[p.name] = p.signature;
  }
}

}  // namespace

Expected<Discovered> discover_parts(const profile::RawConfig& raw, recipe::PluginRegistry& plugins,
                                    recipe::HostServices& services, recipe::PartLog& log,
                                    const DiscoveryOptions& options) {
  DiscoveryHook hook(raw, plugins, services, log, options);
  profile::Substituter sub(raw, &hook);
  Discovered out;
  Status st = sub.touch("buildout");
  if (!st.ok()) return st.error();
  Expected<std::optional<std::string>> conf = sub.get("buildout", "parts");
  if (!conf.ok()) return conf.error();
  if (conf->has_value())
    for (std::string_view p : util::py_split(**conf)) out.conf_parts.emplace_back(p);
  const std::vector<std::string>& wanted = options.only.empty() ? out.conf_parts : options.only;
  hook.check_recipes(wanted);
  for (const std::string& name : wanted) {
    if (!raw.find(name)) {  // zc.buildout: "The referenced section, 'x', was not defined."
      Error e(ErrorCode::k_not_found, "part [" + name + "]: section [" + name + "] does not exist");
      if (options.only.empty()) {
        e.message = "[buildout] parts: section [" + name + "] does not exist";
        if (const profile::RawEntry* at = sub.raw_entry("buildout", "parts");
            at && !at->origin.is_special()) {
          e.file = std::string(at->origin.name());
          e.line = at->origin.line;
        }
      }
      return e;
    }
    Status t = sub.touch(name);
    if (!t.ok()) {
      Error e = t.error();
      if (e.code == ErrorCode::k_reference && e.file.empty())
        e.message = "part " + name + ": " + e.message;
      if (hook.problems.empty()) return e;
      // Listed with the recipe problems found before it.
      hook.problems.push_back({e.file, e.line, e.message});
      break;
    }
  }
  if (!hook.problems.empty()) {
    // One problem: its file:line is the error's (printed once, before the message).
    Error e(ErrorCode::k_not_found, hook.problems[0].message, hook.problems[0].file,
            hook.problems[0].line);
    if (hook.problems.size() > 1)
      e = Error(ErrorCode::k_not_found, std::to_string(hook.problems.size()) +
                                            " problems with recipes:\n  " +
                                            join_problems(hook.problems));
    return e;
  }
  // zc.buildout stops at the first value it cannot substitute while it
  // initialises parts; so does a build (resolve only warns).
  if (!sub.errors().empty()) return Error(ErrorCode::k_reference, sub.errors().begin()->second);
  std::set<std::string> names;
  for (const Part& p : hook.parts) names.insert(p.name);
  for (const std::string& name : wanted) {
    if (names.count(name)) continue;
    const profile::RawSection* sec = raw.find(name);
    Error e(ErrorCode::k_invalid, "part [" + name + "] has no recipe option");
    if (sec && !sec->entries.empty() && !sec->entries.front().origin.is_special()) {
      e.file = std::string(sec->entries.front().origin.name());
      e.line = sec->entries.front().origin.line;
    }
    return e;
  }
  for (Part& p : hook.parts) {
    p.options = sub.options(p.name);
    std::set<std::string> seen{p.name}, deps;
    collect_deps(p.name, sub, hook.extra_refs, names, seen, deps);
    for (const Part& q : hook.parts) {  // in install order, earlier parts only
      if (&q == &p) break;
      if (deps.count(q.name)) p.deps.push_back(q.name);
    }
  }
  compute_signatures(hook.parts);
  out.parts = std::move(hook.parts);
  return out;
}

}  // namespace kiln::build
