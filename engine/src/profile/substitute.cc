#include "profile/substitute.h"

#include <algorithm>

#include "profile/macro.h"
#include "profile/ref_token.h"
#include "util/pystr.h"

namespace kiln::profile {

// One section being substituted: zc.buildout's Options.
struct Substituter::State {
  std::string name;
  const RawSection* raw = nullptr;     // the merged section, or `expanded`
  std::optional<RawSection> expanded;  // after macro expansion (when that succeeded)
  std::unordered_map<std::string, std::string> cooked;
  std::unordered_map<std::string, std::string> data;
  std::unordered_map<std::string, std::vector<Token>> tokens;  // of raw values
  bool initialized = false;
};

Substituter::Substituter(const RawConfig& raw, SectionHook* hook) : m_raw(raw), m_hook(hook) {}
Substituter::~Substituter() = default;

Expected<Substituter::State*> Substituter::section(std::string_view name) {
  auto it = m_states.find(std::string(name));
  if (it != m_states.end()) return it->second.get();
  const RawSection* raw = m_raw.find(name);
  if (!raw) {
    return Error(ErrorCode::k_reference, "section [" + std::string(name) + "] does not exist");
  }
  auto owned = std::make_unique<State>();
  State* s = owned.get();
  s->name = std::string(name);
  s->raw = raw;
  m_states.emplace(s->name, std::move(owned));
  if (++m_depth > k_max_reference_depth) {
    m_fatal = Error(ErrorCode::k_reference, "references nested deeper than " +
                                                std::to_string(k_max_reference_depth) +
                                                " levels at [" + s->name + "]");
    return *m_fatal;
  }
  Status st = initialize(*s);
  --m_depth;
  if (!st.ok()) return st.error();
  return s;
}

Status Substituter::initialize(State& s) {
  if (s.raw->find("<")) {
    Expected<RawSection> expanded = expand_macros(m_raw, *s.raw, &m_macros);
    if (!expanded.ok()) return expanded.error();
    s.expanded = std::move(*expanded);
    s.raw = &*s.expanded;
  }
  std::vector<const RawEntry*> order;
  for (const RawEntry& e : s.raw->entries) order.push_back(&e);
  std::sort(order.begin(), order.end(),
            [](const RawEntry* a, const RawEntry* b) { return a->key < b->key; });
  std::vector<std::pair<std::string, std::string>> todo;
  for (const RawEntry* e : order)
    if (has_ref_start(e->value)) todo.emplace_back(e->key, e->value);
  for (const auto& [key, value] : todo) {
    Seen seen{{&s, key}};
    Expected<std::string> v = evaluate(s, raw_tokens(s, key, value), seen);
    if (m_fatal) return *m_fatal;
    if (v.ok()) {
      s.cooked[key] = std::move(*v);
    } else {
      m_errors[s.name + ":" + key] = v.error().to_string();
    }
  }
  s.initialized = true;
  if (!m_hook || s.name == "buildout") return {};
  // zc.buildout: force the `=>` dependencies, then initialise the recipe.
  Expected<std::optional<std::string>> deps = get(s, "<part-dependencies>", nullptr);
  if (!deps.ok()) return deps.error();
  if (deps->has_value()) {
    for (std::string_view d : util::py_split(**deps)) {
      Expected<State*> t = section(d);
      if (m_fatal) return *m_fatal;
      if (!t.ok()) return reference_error(s, "<part-dependencies>", t.error().message);
      m_refs[s.name].insert(std::string(d));
    }
  }
  Status hooked = m_hook->initialized(*this, s.name);
  if (!hooked.ok() && !m_fatal) m_fatal = hooked.error();
  return hooked;
}

const std::vector<Token>& Substituter::raw_tokens(State& s, const std::string& option,
                                                  const std::string& v) {
  auto it = s.tokens.find(option);
  if (it == s.tokens.end()) it = s.tokens.emplace(option, tokenize(v)).first;
  return it->second;
}

Expected<std::optional<std::string>> Substituter::get(State& s, const std::string& option,
                                                      Seen* seen) {
  if (auto it = s.data.find(option); it != s.data.end()) return std::optional(it->second);
  std::string v;
  bool from_raw = false;
  if (auto it = s.cooked.find(option); it != s.cooked.end()) {
    v = it->second;
  } else if (const RawEntry* e = s.raw->find(option)) {
    v = e->value;
    from_raw = true;
  } else {
    return std::optional<std::string>();
  }
  if (has_ref_start(v)) {
    Seen local;
    Seen& chain = seen ? *seen : local;
    for (const auto& [st, opt] : chain) {
      if (st == &s && opt == option) {
        std::string text;
        for (const auto& [cst, copt] : chain) text += "${" + cst->name + ":" + copt + "} -> ";
        return reference_error(s, option,
                               "circular reference: " + text + "${" + s.name + ":" + option + "}");
      }
    }
    if (++m_depth > k_max_reference_depth) {
      m_fatal = Error(ErrorCode::k_reference, "references nested deeper than " +
                                                  std::to_string(k_max_reference_depth) +
                                                  " levels at ${" + s.name + ":" + option + "}");
      return *m_fatal;
    }
    chain.emplace_back(&s, option);
    Expected<std::string> r =
        from_raw ? evaluate(s, raw_tokens(s, option, v), chain) : evaluate(s, tokenize(v), chain);
    chain.pop_back();
    --m_depth;
    if (!r.ok()) return r.error();
    v = std::move(*r);
  }
  s.data[option] = v;
  return std::optional(std::move(v));
}

Expected<std::string> Substituter::evaluate(State& s, const std::vector<Token>& tokens,
                                            Seen& seen) {
  std::string out;
  for (const Token& t : tokens) {
    switch (t.kind) {
      case Token::k_literal:
        out += t.text;
        break;
      case Token::k_escape:
        out += k_esc;
        break;
      case Token::k_bad_ref:
        return reference_error(s, seen.back().second, t.problem);
      case Token::k_ref: {
        const std::string& sname = t.section.empty() ? s.name : t.section;
        if (sname != s.name) m_refs[s.name].insert(sname);
        Expected<State*> target = section(sname);
        if (m_fatal) return *m_fatal;
        if (!target.ok()) {
          return reference_error(s, seen.back().second, t.text + ": " + target.error().message);
        }
        Expected<std::optional<std::string>> v = get(**target, t.option, &seen);
        if (!v.ok()) return v.error();
        if (v->has_value()) {
          out += **v;
        } else if (t.option == "_buildout_section_name_") {
          out += s.name;
        } else {
          return reference_error(
              s, seen.back().second,
              t.text + ": option '" + t.option + "' does not exist in [" + sname + "]");
        }
        break;
      }
    }
  }
  return out;
}

// An error about the text of `option` in `s`, located at the line that set it.
Error Substituter::reference_error(const State& s, const std::string& option,
                                   std::string message) const {
  Error e(ErrorCode::k_reference, "[" + s.name + "] " + option + ": " + std::move(message));
  if (const RawEntry* entry = s.raw->find(option); entry && !entry->origin.is_special()) {
    e.file = std::string(entry->origin.name());
    e.line = entry->origin.line;
  }
  return e;
}

// Absolute standard directories, as zc.buildout does after substituting [buildout].
void Substituter::finish_buildout(State& b) {
  auto fail = [&](const Error& e) { m_errors.emplace("buildout:directory", e.to_string()); };
  Expected<std::optional<std::string>> dir = get(b, "directory", nullptr);
  if (!dir.ok() || !dir->has_value()) {
    if (!dir.ok())
      fail(dir.error());
    else
      fail(Error(ErrorCode::k_reference, "[buildout] has no `directory` option"));
    return;
  }
  const std::string bd = **dir;
  for (const char* dn : {"bin", "parts", "eggs", "develop-eggs"}) {
    std::string key = std::string(dn) + "-directory";
    Expected<std::optional<std::string>> d = get(b, key, nullptr);
    if (!d.ok() || !d->has_value()) {
      if (!d.ok())
        fail(d.error());
      else
        fail(Error(ErrorCode::k_reference, "[buildout] has no `" + key + "` option"));
      return;
    }
    if (!has_ref_start(**d)) b.data[key] = util::path_join(bd, **d);
  }
  Expected<std::optional<std::string>> inst = get(b, "installed", nullptr);
  if (!inst.ok()) {
    fail(inst.error());
    return;
  }
  if (inst->has_value() && !(*inst)->empty()) b.data["installed"] = util::path_join(bd, **inst);
}

std::map<std::string, std::string> Substituter::output(const State& s) const {
  std::map<std::string, std::string> out;
  for (const RawEntry& e : s.raw->entries) {
    if (auto it = s.data.find(e.key); it != s.data.end())
      out[e.key] = unescape(it->second);
    else if (auto c = s.cooked.find(e.key); c != s.cooked.end())
      out[e.key] = unescape(c->second);
    else
      out[e.key] = unescape(e.value);
  }
  for (const auto& [k, v] : s.data) out.emplace(k, unescape(v));
  return out;
}

Expected<Resolved> Substituter::run() {
  std::vector<std::string> order{"buildout"};
  for (const RawSection& s : m_raw.sections())
    if (s.name != "buildout") order.push_back(s.name);
  std::sort(order.begin() + 1, order.end());
  for (const std::string& name : order)
    if (Status st = touch(name); !st.ok()) return st.error();
  Resolved out;
  for (const std::string& name : order) out.sections[name] = output(*m_states.at(name));
  out.errors = std::move(m_errors);
  return out;
}

Status Substituter::touch(std::string_view name) {
  Expected<State*> s = section(name);
  if (m_fatal) return *m_fatal;
  if (!s.ok()) return s.error();
  if (name == "buildout" && !m_buildout_done) {
    m_buildout_done = true;
    finish_buildout(**s);
    if (m_fatal) return *m_fatal;
  }
  return {};
}

Expected<std::optional<std::string>> Substituter::get(std::string_view section_name,
                                                      const std::string& option) {
  Status t = touch(section_name);
  if (!t.ok()) return t.error();
  State& s = *m_states.at(std::string(section_name));
  Expected<std::optional<std::string>> v = get(s, option, nullptr);
  if (m_fatal) return *m_fatal;
  if (!v.ok()) return v.error();
  if (v->has_value()) return std::optional(unescape(**v));
  if (option == "_buildout_section_name_") return std::optional(s.name);
  return std::optional<std::string>();
}

void Substituter::set(std::string_view section_name, const std::string& option, std::string value) {
  auto it = m_states.find(std::string(section_name));
  if (it == m_states.end()) return;
  it->second->data[option] = std::move(value);
}

Expected<std::string> Substituter::substitute_text(std::string_view section_name,
                                                   std::string_view text) {
  Status t = touch(section_name);
  if (!t.ok()) return t.error();
  State& s = *m_states.at(std::string(section_name));
  Seen seen{{&s, "<text>"}};
  Expected<std::string> v = evaluate(s, tokenize(text), seen);
  if (m_fatal) return *m_fatal;
  if (!v.ok()) return v.error();
  return has_ref_start(text) ? unescape(std::move(*v)) : std::string(text);
}

std::map<std::string, std::string> Substituter::options(std::string_view section_name) const {
  auto it = m_states.find(std::string(section_name));
  if (it == m_states.end()) return {};
  return output(*it->second);
}

const std::set<std::string>& Substituter::references(std::string_view section_name) const {
  static const std::set<std::string> k_none;
  auto it = m_refs.find(std::string(section_name));
  return it == m_refs.end() ? k_none : it->second;
}

const RawEntry* Substituter::raw_entry(std::string_view section_name,
                                       std::string_view option) const {
  auto it = m_states.find(std::string(section_name));
  const RawSection* raw = it != m_states.end() ? it->second->raw : m_raw.find(section_name);
  return raw ? raw->find(option) : nullptr;
}

Expected<Resolved> substitute_all(const RawConfig& raw) {
  if (!raw.find("buildout")) return Error(ErrorCode::k_internal, "no [buildout] section");
  Substituter sub(raw);
  return sub.run();
}

}  // namespace kiln::profile
