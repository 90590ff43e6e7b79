#include "profile/loader.h"

#include "profile/merge.h"
#include "util/pystr.h"

namespace kiln::profile {

using util::path_dirname;
using util::path_isabs;
using util::path_join;
using util::path_normpath;

bool is_url(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' ||
                          s[i] == '.' || s[i] == '-'))
    ++i;
  return i > 0 && s.substr(i, 3) == "://";
}

namespace {

std::string url_base(std::string_view url) {
  std::size_t p = url.rfind('/');
  return std::string(url.substr(0, p == std::string_view::npos ? 0 : p));
}

bool is_git(std::string_view location) {
  return location.substr(0, 4) == "git+";
}

std::string chain_text(const std::vector<std::string>& chain, const std::string& last) {
  std::string out;
  for (const std::string& c : chain) out += c + " -> ";
  return out + last;
}

}  // namespace

Loader::Loader(ProfileSource& source, ConditionFn condition, SymbolTable& symbols,
               bool track_history)
    : m_source(source),
      m_condition(std::move(condition)),
      m_symbols(symbols),
      m_track(track_history) {}

Expected<Config> Loader::load(const std::string& location) {
  std::string base = is_url(location) ? url_base(location) : std::string(path_dirname(location));
  Expected<Opened> opened = open(base, location, Link{});
  if (!opened.ok()) return opened.error();
  // Top level: markers become the main file's own directory.
  Opened top = std::move(*opened);
  return instantiate(top, "");
}

Expected<Loader::Opened> Loader::open(const std::string& base, const std::string& filename,
                                      const Link& from) {
  ++m_stats.opens;
  std::string key;
  bool remote = false;
  if (is_url(filename)) {
    key = filename;
    remote = true;
  } else if (is_url(base) && !path_isabs(filename)) {
    key = base + "/" + filename;
    remote = true;
  } else {
    key = path_join(base, filename);
  }
  if (remote && is_git(key)) {
    Expected<std::string> local = m_source.git_checkout(key);
    if (!local.ok()) {
      Error e = local.error();
      if (e.file.empty()) e.file = from.file, e.line = from.line;
      return e;
    }
    key = *local;
    remote = false;
  }
  std::string dir = remote ? url_base(key) : std::string(path_dirname(key));
  std::string nkey = remote ? key : path_normpath(key);
  if (auto it = m_memo.find(nkey); it != m_memo.end()) return Opened{it->second, dir};
  for (const std::string& c : m_chain) {
    if (c == nkey) {
      return Error(ErrorCode::k_cycle, "recursive extends: " + chain_text(m_chain, nkey), from.file,
                   from.line);
    }
  }
  if (m_chain.size() >= k_max_extends_depth) {
    return Error(ErrorCode::k_cycle,
                 "extends nested deeper than " + std::to_string(k_max_extends_depth) +
                     " levels (at " + nkey + ")",
                 from.file, from.line);
  }
  Expected<std::string> text = remote ? m_source.fetch_url(key) : m_source.read_file(key);
  if (!text.ok()) {
    Error e = text.error();
    if (!from.file.empty() && e.file.empty()) {
      e.message = "in extends: " + e.message;
      e.file = from.file;
      e.line = from.line;
    }
    return e;
  }
  m_chain.push_back(nkey);
  Expected<std::shared_ptr<const Config>> built = build(nkey, dir, *text);
  m_chain.pop_back();
  if (!built.ok()) return built.error();
  m_memo.emplace(nkey, *built);
  return Opened{*built, dir};
}

Expected<std::shared_ptr<const Config>> Loader::build(const std::string& key,
                                                      const std::string& dir,
                                                      std::string_view text) {
  ++m_stats.files;
  std::string extends;
  int extends_line = 0;
  Expected<Config> own = parse_own(key, text, &extends, &extends_line);
  if (!own.ok()) return own.error();
  std::vector<std::string_view> names = util::py_split(extends);
  if (names.empty()) return std::make_shared<const Config>(std::move(*own));
  Link link{key, extends_line};
  Config result;
  for (std::size_t i = 0; i < names.size(); ++i) {
    Expected<Opened> e = open(dir, std::string(names[i]), link);
    if (!e.ok()) return e.error();
    if (i == 0) {
      result = instantiate(*e, dir);
    } else {
      update_config(result, instantiate(*e, dir), m_track);
    }
  }
  update_config(result, *own, m_track);
  return std::make_shared<const Config>(std::move(result));
}

Expected<Config> Loader::parse_own(const std::string& key, std::string_view text,
                                   std::string* extends, int* extends_line) {
  Expected<ParsedFile> parsed = parse_profile(text, key, m_condition);
  if (!parsed.ok()) return parsed.error();
  const std::string* file = m_symbols.intern_file(key);
  Config config;
  for (ParsedSection& ps : parsed->sections) {
    auto section = std::make_shared<Section>();
    section->entries.reserve(ps.options.size());
    bool is_buildout = ps.name == "buildout";
    for (ParsedOption& po : ps.options) {
      if (is_buildout && po.key == "extends") {
        *extends = std::move(po.value);
        *extends_line = po.line;
        continue;
      }
      if (is_buildout && po.key == "extended-by") {
        return Error(ErrorCode::k_parse, "no-longer supported \"extended-by\" option", key,
                     po.line);
      }
      if (po.value.find(k_pbl_text) != std::string::npos) {
        util::replace_all(po.value, k_pbl_text, k_pbl_marker);
        section->has_marker = true;
      }
      section->entries.push_back(
          Section::make_entry(po.key, Value(std::move(po.value), Origin{file, po.line}, m_track)));
    }
    config.put(m_symbols.intern(ps.name), std::move(section));
  }
  return config;
}

Config Loader::instantiate(const Opened& opened, const std::string& parent_dir) const {
  std::string repl;
  const std::string& d = opened.dir;
  if (!parent_dir.empty() &&
      (d == parent_dir ||
       (d.size() > parent_dir.size() && d.compare(0, parent_dir.size(), parent_dir) == 0 &&
        d[parent_dir.size()] == '/'))) {
    repl = std::string(k_pbl_marker) + d.substr(parent_dir.size());
  } else {
    repl = d;
  }
  Config out = *opened.config;
  if (repl == k_pbl_marker) return out;  // same directory: nothing to rewrite
  for (std::size_t i = 0; i < out.sections().size(); ++i) {
    const auto& [name, shared] = out.sections()[i];
    if (!shared->has_marker) continue;
    Section& s = out.mutable_section(name);
    bool still = false;
    for (EntryPtr& e : s.entries) {
      if (e->value.text.find(k_pbl_marker) == std::string::npos) continue;
      Entry copy = *e;
      util::replace_all(copy.value.text, k_pbl_marker, repl);
      util::replace_all(copy.value.last.value, k_pbl_marker, repl);
      for (HistoryItem& h : copy.value.earlier) util::replace_all(h.value, k_pbl_marker, repl);
      e = std::make_shared<const Entry>(std::move(copy));
      still = still || repl.find(k_pbl_marker) != std::string::npos;
    }
    s.has_marker = still;
  }
  return out;
}

}  // namespace kiln::profile
