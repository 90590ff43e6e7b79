#include "profile/resolve.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "profile/loader.h"
#include "profile/macro.h"
#include "profile/merge.h"
#include "util/pystr.h"

namespace kiln::profile {

namespace {

std::string current_dir() {
  std::string buf(4096, '\0');
  if (!::getcwd(buf.data(), buf.size())) return "/";
  buf.resize(std::char_traits<char>::length(buf.c_str()));
  return buf;
}

std::string abspath(const std::string& p, const std::string& cwd) {
  return util::path_normpath(util::path_join(cwd, p));
}

std::string expand_user(const std::string& p) {
  if (p.empty() || p[0] != '~' || (p.size() > 1 && p[1] != '/')) return p;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + p.substr(1);
}

SectionPtr default_buildout(const ResolveRequest& req, const std::string& directory, bool track) {
  static const std::pair<const char*, const char*> k_defaults[] = {
      {"allow-hosts", "*"},
      {"allow-picked-versions", "true"},
      {"bin-directory", "bin"},
      {"develop-eggs-directory", "develop-eggs"},
      {"eggs-directory", "eggs"},
      {"executable", nullptr},
      {"find-links", ""},
      {"install-from-cache", "false"},
      {"installed", ".installed.cfg"},
      {"log-format", ""},
      {"log-level", "INFO"},
      {"newest", "true"},
      {"offline", "false"},
      {"parts-directory", "parts"},
      {"prefer-final", "true"},
      {"python", "buildout"},
      {"show-picked-versions", "false"},
      {"socket-timeout", ""},
      {"update-versions-file", ""},
      {"use-dependency-links", "true"},
      {"allow-unknown-extras", "false"},
  };
  auto s = std::make_shared<Section>();
  for (const auto& [k, v] : k_defaults) {
    std::string value = v ? v : req.python_executable;
    s->set(k, Value(std::move(value), Origin::default_value(), track));
  }
  if (!directory.empty()) {
    s->set("directory", Value(directory, Origin::computed_value(), track));
  }
  return s;
}

// Command-line assignments as a Config (later ones win, as Python's sorted + dict).
Expected<Config> command_line_config(const std::vector<std::string>& assignments,
                                     SymbolTable& symbols, bool track) {
  std::vector<Assignment> parsed;
  for (const std::string& a : assignments) {
    Expected<Assignment> p = parse_assignment(a);
    if (!p.ok()) return p.error();
    parsed.push_back(std::move(*p));
  }
  std::stable_sort(parsed.begin(), parsed.end(), [](const Assignment& a, const Assignment& b) {
    return std::tie(a.section, a.option, a.value) < std::tie(b.section, b.option, b.value);
  });
  Config config;
  for (const Assignment& a : parsed) {
    Sym name = symbols.intern(a.section);
    if (!config.contains(name)) config.put(name, std::make_shared<Section>());
    config.mutable_section(name).set(a.option, Value(a.value, Origin::command_line_value(), track));
  }
  return config;
}

// download-cache, eggs-directory and extends-cache become absolute paths.
Status absolutize_cache_dirs(Section& buildout, const std::string& cwd, bool track) {
  for (const char* name : {"download-cache", "eggs-directory", "extends-cache"}) {
    const Entry* entry = buildout.find(name);
    if (!entry || entry->value.text.find("${") != std::string::npos ||
        util::path_isabs(entry->value.text))
      continue;
    Value* v = buildout.mutable_value(name);
    std::string basedir;
    const Origin& src = v->origin();
    if (src.file == Origin::default_value().file || src.file == Origin::computed_value().file ||
        src.file == Origin::command_line_value().file) {
      const Entry* dir = buildout.find("directory");
      basedir = dir ? dir->value.text : cwd;
    } else if (is_url(src.name())) {
      return Error(ErrorCode::k_invalid,
                   std::string("setting \"") + name + "\" to a relative location (\"" + v->text +
                       "\") in a remote profile is ambiguous",
                   std::string(src.name()), src.line);
    } else {  // a file; or IMPLICIT_VALUE / a macro, whose dirname is "" (the cwd)
      basedir = std::string(util::path_dirname(src.name()));
    }
    std::string absdir = expand_user(v->text);
    if (!util::path_isabs(absdir)) absdir = util::path_join(basedir, absdir);
    absdir = abspath(absdir, cwd);
    Origin keep = src;
    v->text = absdir;
    v->record(HistoryOp::k_directory, absdir, keep, track);
  }
  return {};
}

}  // namespace

Expected<Assignment> parse_assignment(const std::string& text) {
  std::size_t colon = text.find(':');
  std::size_t eq = colon == std::string::npos ? colon : text.find('=', colon + 1);
  std::string_view option = eq == std::string::npos
                                ? std::string_view()
                                : std::string_view(text).substr(colon + 1, eq - colon - 1);
  while (!option.empty() && (option.back() == '+' || option.back() == '-' || option.back() == ' '))
    option.remove_suffix(1);
  if (colon == std::string::npos || eq == std::string::npos || colon == 0 || option.empty()) {
    return Error(ErrorCode::k_invalid,
                 "expected an assignment `section:option=value`, got '" + text + "'");
  }
  return Assignment{text.substr(0, colon), text.substr(colon + 1, eq - colon - 1),
                    text.substr(eq + 1)};
}

Expected<LoadedProfile> load_profile(ProfileSource& source, const ConditionFn& condition,
                                     const ResolveRequest& req) {
  LoadedProfile out;
  const std::string cwd = req.cwd.empty() ? current_dir() : req.cwd;
  out.cwd = cwd;
  std::string location = req.profile;
  if (!is_url(location)) {
    location = abspath(location, cwd);
    out.directory = std::string(util::path_dirname(location));
  }
  const bool track = req.track_history;
  Sym buildout = out.symbols.intern("buildout");
  out.config.put(buildout, default_buildout(req, out.directory, track));
  Loader loader(source, condition, out.symbols, track);
  Expected<Config> loaded = loader.load(location);
  if (!loaded.ok()) return loaded.error();
  update_config(out.config, *loaded, track);
  Expected<Config> cl = command_line_config(req.assignments, out.symbols, track);
  if (!cl.ok()) return cl.error();
  update_config(out.config, *cl, track);
  Section& bs = out.config.mutable_section(buildout);
  if (!bs.find("versions")) {
    bs.set("versions", Value("versions", Origin::default_value(), track));
    Sym versions = out.symbols.intern("versions");
    if (!out.config.contains(versions)) out.config.put(versions, std::make_shared<Section>());
  }
  Status st = absolutize_cache_dirs(bs, cwd, track);
  if (!st.ok()) return st.error();
  return out;
}

Expected<RawConfig> raw_view(const LoadedProfile& loaded) {
  RawConfig raw = to_raw(loaded.config, loaded.symbols);
  RawSection* bs = raw.find("buildout");
  if (!bs) return Error(ErrorCode::k_internal, "no [buildout] section");
  std::string dir = loaded.cwd;
  if (const RawEntry* d = bs->find("directory")) dir = d->value;
  for (const char* name : {"bin", "parts", "eggs", "develop-eggs"}) {
    std::string key = std::string(name) + "-directory";
    RawEntry* e = bs->find(key);
    if (!e) return Error(ErrorCode::k_invalid, "[buildout] has no `" + key + "` option");
    if (e->value.find("${") == std::string::npos) e->value = util::path_join(dir, e->value);
  }
  return raw;
}

Expected<Resolved> expand_all(const RawConfig& raw) {
  Resolved out;
  MacroCache cache;
  for (const RawSection& s : raw.sections()) {
    const RawSection* use = &s;
    Expected<RawSection> expanded = s;
    if (s.find("<")) {
      expanded = expand_macros(raw, s, &cache);
      if (!expanded.ok()) return expanded.error();
      use = &*expanded;
    }
    auto& dst = out.sections[s.name];
    for (const RawEntry& e : use->entries) dst[e.key] = e.value;
  }
  return out;
}

}  // namespace kiln::profile
