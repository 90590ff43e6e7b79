#include "profile/py_expr_text.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "profile/py_expr_seq.h"
#include "util/pystr.h"

namespace kiln::profile::py {

namespace {

bool is_cont(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Byte length of a valid sequence starting at s[i], 0 when invalid.
std::size_t utf8_len(std::string_view s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xC2 && c <= 0xDF   ? 2
                  : c >= 0xE0 && c <= 0xEF ? 3
                  : c >= 0xF0 && c <= 0xF4 ? 4
                                           : 0;
  if (n == 0 || i + n > s.size()) return 0;
  unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
  unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (!is_cont(static_cast<unsigned char>(s[i + k]))) return 0;
  return n;
}

Expected<ValuePtr> checked_str(std::string s) {
  if (s.size() > k_max_str_bytes)
    return condition_error("the result of a str operation exceeds " +
                           std::to_string(k_max_str_bytes >> 20) + " MiB");
  return make_str(std::move(s));
}

Expected<ValuePtr> to_list(const std::vector<std::string_view>& parts) {
  if (parts.size() > k_max_items)
    return condition_error("str.split() would make more than " + std::to_string(k_max_items) +
                           " pieces");
  std::vector<ValuePtr> out;
  for (std::string_view p : parts) out.push_back(make_str(std::string(p)));
  return make_list(std::move(out));
}

// str.split() without separator: runs of Python whitespace separate; after
// `maxsplit` splits (when >= 0) the rest is one piece, trailing space kept.
std::vector<std::string_view> split_space(std::string_view s, std::int64_t maxsplit) {
  std::vector<std::string_view> out;
  std::size_t i = 0, n = s.size();
  auto skip = [&] {
    while (i < n && util::py_space_len(s, i) > 0) i += util::py_space_len(s, i);
  };
  skip();
  while (i < n) {
    if (maxsplit == 0) {
      out.push_back(s.substr(i));
      break;
    }
    std::size_t j = i;
    while (j < n && util::py_space_len(s, j) == 0) ++j;  // continuation bytes are not spaces
    out.push_back(s.substr(i, j - i));
    if (maxsplit > 0) --maxsplit;
    i = j;
    skip();
  }
  return out;
}

std::vector<std::string_view> split_sep(std::string_view s, std::string_view sep,
                                        std::int64_t maxsplit) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (maxsplit != 0) {
    std::size_t j = s.find(sep, i);
    if (j == std::string_view::npos) break;
    out.push_back(s.substr(i, j - i));
    i = j + sep.size();
    if (maxsplit > 0) --maxsplit;
  }
  out.push_back(s.substr(i));
  return out;
}

// Optional str-or-None argument i; nullopt for None or absent.
Expected<std::optional<std::string>> opt_str(std::string_view fn, const Args& args, std::size_t i) {
  if (i >= args.size() || args[i]->kind == Kind::k_none) return std::optional<std::string>();
  if (args[i]->kind != Kind::k_str)
    return type_error(std::string(fn) + "() argument " + std::to_string(i + 1) +
                      " must be str or None, not " + type_name(*args[i]));
  return std::optional<std::string>(args[i]->text);
}

Expected<ValuePtr> m_split(const Value& self, const Args& args) {
  if (Status st = check_arity("str.split", args, 0, 2); !st.ok()) return st.error();
  Expected<std::optional<std::string>> sep = opt_str("str.split", args, 0);
  if (!sep.ok()) return sep.error();
  std::int64_t maxsplit = -1;
  if (args.size() > 1) {
    Expected<std::int64_t> m = arg_int("str.split", args, 1);
    if (!m.ok()) return m.error();
    maxsplit = *m;
  }
  if (!*sep) return to_list(split_space(self.text, maxsplit));
  if ((*sep)->empty()) return condition_error("value error: str.split(): empty separator");
  return to_list(split_sep(self.text, **sep, maxsplit));
}

// strip (which = 0), lstrip (1), rstrip (2).
Expected<ValuePtr> strip_impl(const Value& self, const Args& args, int which) {
  const char* fn = which == 0 ? "str.strip" : which == 1 ? "str.lstrip" : "str.rstrip";
  if (Status st = check_arity(fn, args, 0, 1); !st.ok()) return st.error();
  Expected<std::optional<std::string>> chars = opt_str(fn, args, 0);
  if (!chars.ok()) return chars.error();
  std::string_view s = self.text;
  if (!*chars) {
    if (which != 2) s = util::py_lstrip(s);
    if (which != 1) s = util::py_rstrip(s);
    return make_str(std::string(s));
  }
  std::vector<std::size_t> off = char_offsets(s);
  auto in_set = [&](std::size_t k) {
    return (*chars)->find(s.substr(off[k], off[k + 1] - off[k])) != std::string::npos;
  };
  std::size_t b = 0, e = off.size() - 1;
  if (which != 2)
    while (b < e && in_set(b)) ++b;
  if (which != 1)
    while (e > b && in_set(e - 1)) --e;
  return make_str(std::string(s.substr(off[b], off[e] - off[b])));
}

Expected<ValuePtr> m_strip(const Value& self, const Args& args) {
  return strip_impl(self, args, 0);
}
Expected<ValuePtr> m_lstrip(const Value& self, const Args& args) {
  return strip_impl(self, args, 1);
}
Expected<ValuePtr> m_rstrip(const Value& self, const Args& args) {
  return strip_impl(self, args, 2);
}

Expected<ValuePtr> affix_impl(const Value& self, const Args& args, bool prefix) {
  const char* fn = prefix ? "str.startswith" : "str.endswith";
  if (Status st = check_arity(fn, args, 1, 1); !st.ok()) return st.error();
  std::vector<ValuePtr> options{args[0]};
  if (args[0]->kind == Kind::k_tuple) options = args[0]->items;
  for (const ValuePtr& o : options) {
    if (o->kind != Kind::k_str)
      return type_error(std::string(prefix ? "startswith" : "endswith") +
                        " first arg must be str or a tuple of str, not " + type_name(*o));
    std::string_view s = self.text;
    if (prefix ? s.starts_with(o->text) : s.ends_with(o->text)) return make_bool(true);
  }
  return make_bool(false);
}

Expected<ValuePtr> m_startswith(const Value& self, const Args& args) {
  return affix_impl(self, args, true);
}
Expected<ValuePtr> m_endswith(const Value& self, const Args& args) {
  return affix_impl(self, args, false);
}

Expected<ValuePtr> case_impl(const Value& self, const Args& args, bool lower) {
  const char* fn = lower ? "str.lower" : "str.upper";
  if (Status st = check_arity(fn, args, 0, 0); !st.ok()) return st.error();
  if (!is_ascii(self.text))
    return condition_error(std::string(fn) + "() of non-ASCII text is not supported");
  std::string out = self.text;
  for (char& c : out) {
    if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return make_str(std::move(out));
}

Expected<ValuePtr> m_lower(const Value& self, const Args& args) {
  return case_impl(self, args, true);
}
Expected<ValuePtr> m_upper(const Value& self, const Args& args) {
  return case_impl(self, args, false);
}

Expected<ValuePtr> m_replace(const Value& self, const Args& args) {
  if (Status st = check_arity("str.replace", args, 2, 3); !st.ok()) return st.error();
  Expected<std::string> old_s = arg_str("str.replace", args, 0);
  if (!old_s.ok()) return old_s.error();
  Expected<std::string> new_s = arg_str("str.replace", args, 1);
  if (!new_s.ok()) return new_s.error();
  std::int64_t count = -1;
  if (args.size() > 2) {
    Expected<std::int64_t> c = arg_int("str.replace", args, 2);
    if (!c.ok()) return c.error();
    count = *c;
  }
  std::string out;
  const std::string& s = self.text;
  if (old_s->empty()) {  // inserts `new` at every character boundary
    std::vector<std::size_t> off = char_offsets(s);
    for (std::size_t k = 0; k < off.size(); ++k) {
      if (count != 0) out += *new_s;
      if (count > 0) --count;
      if (k + 1 < off.size()) out.append(s, off[k], off[k + 1] - off[k]);
      if (out.size() > k_max_str_bytes) return checked_str(std::move(out));
    }
    return checked_str(std::move(out));
  }
  std::size_t i = 0;
  for (std::size_t j; count != 0 && (j = s.find(*old_s, i)) != std::string::npos;) {
    out.append(s, i, j - i);
    out += *new_s;
    i = j + old_s->size();
    if (count > 0) --count;
    if (out.size() > k_max_str_bytes) return checked_str(std::move(out));
  }
  out.append(s, i);
  return checked_str(std::move(out));
}

Expected<ValuePtr> m_join(const Value& self, const Args& args) {
  if (Status st = check_arity("str.join", args, 1, 1); !st.ok()) return st.error();
  Expected<std::vector<ValuePtr>> items = iterate(*args[0]);
  if (!items.ok()) return type_error("can only join an iterable, not " + type_name(*args[0]));
  std::string out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const Value& x = *(*items)[i];
    if (x.kind != Kind::k_str)
      return type_error("sequence item " + std::to_string(i) + ": expected str instance, " +
                        type_name(x) + " found");
    if (i) out += self.text;
    out += x.text;
    if (out.size() > k_max_str_bytes) return checked_str(std::move(out));
  }
  return make_str(std::move(out));
}

Expected<ValuePtr> m_find(const Value& self, const Args& args) {
  if (Status st = check_arity("str.find", args, 1, 1); !st.ok()) return st.error();
  Expected<std::string> sub = arg_str("str.find", args, 0);
  if (!sub.ok()) return sub.error();
  std::size_t j = self.text.find(*sub);
  if (j == std::string::npos) return make_int(-1);
  return make_int(static_cast<std::int64_t>(char_count(std::string_view(self.text).substr(0, j))));
}

using Method = Expected<ValuePtr> (*)(const Value&, const Args&);

struct MethodEntry {
  const char* name;
  Method fn;
};

constexpr MethodEntry k_methods[] = {
    {"endswith", m_endswith},     {"find", m_find},       {"join", m_join},     {"lower", m_lower},
    {"lstrip", m_lstrip},         {"replace", m_replace}, {"rstrip", m_rstrip}, {"split", m_split},
    {"startswith", m_startswith}, {"strip", m_strip},     {"upper", m_upper},
};

}  // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

char32_t decode_at(std::string_view s, std::size_t i, std::size_t* len) {
  std::size_t n = utf8_len(s, i);
  if (n == 0) n = 1;  // not reached for valid input
  *len = n;
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (n == 1) return c;
  char32_t cp = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

std::vector<std::size_t> char_offsets(std::string_view s) {
  std::vector<std::size_t> off;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!is_cont(static_cast<unsigned char>(s[i]))) off.push_back(i);
  off.push_back(s.size());
  return off;
}

std::size_t char_count(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return !is_cont(static_cast<unsigned char>(c)); }));
}

Expected<ValuePtr> str_method(const ValuePtr& self, const std::string& name) {
  for (const MethodEntry& m : k_methods) {
    if (name != m.name) continue;
    Method fn = m.fn;
    return make_function(
        "str." + name, [self, fn](const Args& args) { return fn(*self, args); }, true);
  }
  std::string names;
  for (const MethodEntry& m : k_methods) names += std::string(names.empty() ? "" : ", ") + m.name;
  return condition_error("str has no attribute '" + name + "' in Kiln: expected one of " + names);
}

}  // namespace kiln::profile::py
