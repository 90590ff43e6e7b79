#include "profile/substitute.h"

#include <algorithm>

#include "profile/macro.h"
#include "util/pystr.h"

namespace kiln::profile {

namespace {

// Marks a `$$` boundary inside substituted text; becomes "$" on output only,
// so an escaped `$${x}` is never substituted again (the oracle's ESC).
const std::string k_esc("\0ESCAPED-DOLLAR\0", 16);

struct Token {
  enum Kind { k_literal, k_escape, k_ref, k_bad_ref } kind = k_literal;
  std::string text;     // literal text, or the whole `${...}` for references
  std::string section;  // k_ref: "" means the current section
  std::string option;   // k_ref
  std::string problem;  // k_bad_ref
};

bool ref_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ' ' || c == '.' ||
         c == '_';
}

// zc.buildout's _simple: `[-a-zA-Z0-9 ._]+$` (Python's `$` also matches
// before one trailing newline).
bool simple_name(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), ref_char);
}

Token make_ref(std::string_view ref) {
  Token t;
  t.kind = Token::k_ref;
  t.text = std::string(ref);
  std::string_view inner = ref.substr(2, ref.size() - 3);
  std::vector<std::string_view> parts = util::split_char(inner, ':');
  bool valid = parts.size() == 2 && std::all_of(parts[0].begin(), parts[0].end(), ref_char) &&
               !parts[1].empty() && std::all_of(parts[1].begin(), parts[1].end(), ref_char);
  if (!valid) {
    if (parts.size() < 2)
      t.problem = "the substitution " + t.text + " has no colon";
    else if (parts.size() > 2)
      t.problem = "the substitution " + t.text + " has too many colons";
    else if (!simple_name(parts[0]))
      t.problem = "the section name in " + t.text + " has invalid characters";
    else if (!simple_name(parts[1]))
      t.problem = "the option name in " + t.text + " has invalid characters";
    if (!t.problem.empty()) {
      t.kind = Token::k_bad_ref;
      return t;
    }
  }
  t.section = std::string(parts[0]);
  t.option = std::string(parts[1]);
  return t;
}

// One `$$`-free piece: literals and `${...}` references (regex `[$]{[^}]*}`).
void tokenize_piece(std::string_view piece, std::vector<Token>& out) {
  std::size_t pos = 0;
  while (pos < piece.size()) {
    std::size_t start = piece.find("${", pos);
    std::size_t end = start == std::string_view::npos ? start : piece.find('}', start + 2);
    if (end == std::string_view::npos) {
      out.push_back(Token{Token::k_literal, std::string(piece.substr(pos)), {}, {}, {}});
      return;
    }
    if (start > pos)
      out.push_back(
          Token{Token::k_literal, std::string(piece.substr(pos, start - pos)), {}, {}, {}});
    out.push_back(make_ref(piece.substr(start, end + 1 - start)));
    pos = end + 1;
  }
}

std::vector<Token> tokenize(std::string_view value) {
  std::vector<Token> out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t p = value.find("$$", pos);
    tokenize_piece(value.substr(pos, p == std::string_view::npos ? p : p - pos), out);
    if (p == std::string_view::npos) return out;
    out.push_back(Token{Token::k_escape, {}, {}, {}, {}});
    pos = p + 2;
  }
}

bool has_ref_start(std::string_view v) {
  return v.find("${") != std::string_view::npos;
}

std::string unescape(std::string v) {
  if (v.find(k_esc) != std::string::npos) {
    util::replace_all(v, k_esc, "$");
  } else if (has_ref_start(v)) {
    util::replace_all(v, "$$", "$");
  }
  return v;
}

// One section being substituted: zc.buildout's Options.
struct State {
  std::string name;
  const RawSection* raw = nullptr;     // the merged section, or `expanded`
  std::optional<RawSection> expanded;  // after macro expansion (when that succeeded)
  std::unordered_map<std::string, std::string> cooked;
  std::unordered_map<std::string, std::string> data;
  std::unordered_map<std::string, std::vector<Token>> tokens;  // of raw values
};

using Seen = std::vector<std::pair<const State*, std::string>>;

}  // namespace

class Substituter {
 public:
  explicit Substituter(const RawConfig& raw) : m_raw(raw) {}
  Expected<Resolved> run();

 private:
  Expected<State*> section(std::string_view name);
  Status initialize(State& s);
  Expected<std::optional<std::string>> get(State& s, const std::string& option, Seen* seen);
  Expected<std::string> evaluate(State& s, const std::vector<Token>& tokens, Seen& seen);
  const std::vector<Token>& raw_tokens(State& s, const std::string& option, const std::string& v);
  Error reference_error(const State& s, const std::string& option, std::string message) const;
  void finish_buildout(State& b);
  std::map<std::string, std::string> output(const State& s) const;

  const RawConfig& m_raw;
  std::unordered_map<std::string, std::unique_ptr<State>> m_states;
  std::map<std::string, std::string> m_errors;
  MacroCache m_macros;
  std::optional<Error> m_fatal;
  int m_depth = 0;
};

Expected<State*> Substituter::section(std::string_view name) {
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
  return {};
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
  for (const std::string& name : order) {
    Expected<State*> s = section(name);
    if (m_fatal) return *m_fatal;
    if (!s.ok()) return s.error();
    if (name == "buildout") finish_buildout(**s);
    if (m_fatal) return *m_fatal;
  }
  Resolved out;
  for (const std::string& name : order) out.sections[name] = output(*m_states.at(name));
  out.errors = std::move(m_errors);
  return out;
}

Expected<Resolved> substitute_all(const RawConfig& raw) {
  if (!raw.find("buildout")) return Error(ErrorCode::k_internal, "no [buildout] section");
  Substituter sub(raw);
  return sub.run();
}

}  // namespace kiln::profile
