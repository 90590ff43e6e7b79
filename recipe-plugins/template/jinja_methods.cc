// Methods of builtin values (Python's dict, list and str) in the Jinja subset.
#include "jinja_internal.h"

namespace kiln_jinja {
namespace {

[[noreturn]] void no_method(const Value& self, const std::string& name) {
  throw EvalError("'" + type_name(self) + "' object has no method '" + name +
                  "' supported by Kiln");
}

const std::string& string_arg(const Args& args, std::size_t i, const char* name,
                              const char* method) {
  const Value* v = args.get(i, name);
  if (!v || !v->is_string())
    throw EvalError(std::string(method) + "() expects a string argument '" + name + "'");
  return v->as_string();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string strip(const std::string& s, const Value* chars, bool left, bool right) {
  auto strip_char = [&](char c) {
    if (chars && chars->is_string()) return chars->as_string().find(c) != std::string::npos;
    return is_space(c);
  };
  std::size_t b = 0, e = s.size();
  while (left && b < e && strip_char(s[b])) ++b;
  while (right && e > b && strip_char(s[e - 1])) --e;
  return s.substr(b, e - b);
}

List split(const std::string& s, const Value* sep, std::int64_t max) {
  List out;
  if (!sep || sep->is_null()) {
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && is_space(s[i])) ++i;
      if (i >= s.size()) break;
      if (max >= 0 && static_cast<std::int64_t>(out.size()) == max) {
        out.push_back(Value(strip(s.substr(i), nullptr, false, true)));
        break;
      }
      std::size_t j = i;
      while (j < s.size() && !is_space(s[j])) ++j;
      out.push_back(Value(s.substr(i, j - i)));
      i = j;
    }
    return out;
  }
  if (!sep->is_string() || sep->as_string().empty()) throw EvalError("split(): empty separator");
  const std::string& d = sep->as_string();
  std::size_t start = 0;
  for (std::size_t p = s.find(d); p != std::string::npos; p = s.find(d, start)) {
    if (max >= 0 && static_cast<std::int64_t>(out.size()) == max) break;
    out.push_back(Value(s.substr(start, p - start)));
    start = p + d.size();
  }
  out.push_back(Value(s.substr(start)));
  return out;
}

List splitlines(const std::string& s) {
  List out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n' && s[i] != '\r') continue;
    out.push_back(Value(s.substr(start, i - start)));
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < s.size()) out.push_back(Value(s.substr(start)));
  return out;
}

bool affix(const std::string& s, const Value& what, bool prefix) {
  List options = what.is_list() ? *what.as_list() : List{what};
  for (const Value& o : options) {
    if (!o.is_string()) throw EvalError("startswith/endswith expect strings");
    const std::string& a = o.as_string();
    if (a.size() <= s.size() && s.compare(prefix ? 0 : s.size() - a.size(), a.size(), a) == 0)
      return true;
  }
  return false;
}

Value replace(const std::string& s, const std::string& from, const std::string& to,
              std::int64_t count) {
  if (from.empty()) throw EvalError("replace(): an empty old string is not supported by Kiln");
  std::string out;
  std::size_t start = 0;
  for (std::size_t p = s.find(from); p != std::string::npos && count != 0;
       p = s.find(from, start)) {
    out += s.substr(start, p - start) + to;
    start = p + from.size();
    --count;
  }
  return Value(out + s.substr(start));
}

Value string_method(const std::string& s, const std::string& name, const Args& a) {
  if (name == "split") {
    const Value* max = a.get(1, "maxsplit");
    return Value(split(s, a.get(0, "sep"), max && max->is_int() ? max->as_int() : -1));
  }
  if (name == "splitlines") return Value(splitlines(s));
  if (name == "strip") return Value(strip(s, a.get(0, "chars"), true, true));
  if (name == "lstrip") return Value(strip(s, a.get(0, "chars"), true, false));
  if (name == "rstrip") return Value(strip(s, a.get(0, "chars"), false, true));
  if (name == "startswith" || name == "endswith") {
    const Value* what = a.get(0, "prefix");
    if (!what) throw EvalError(name + "() takes one argument");
    return Value(affix(s, *what, name == "startswith"));
  }
  if (name == "upper" || name == "lower") return apply_filter(name, Value(s), Args{});
  if (name == "replace") {
    const Value* count = a.get(2, "count");
    return replace(s, string_arg(a, 0, "old", "replace"), string_arg(a, 1, "new", "replace"),
                   count && count->is_int() ? count->as_int() : -1);
  }
  if (name == "join") {
    const Value* items = a.get(0, "iterable");
    if (!items) throw EvalError("join() takes one argument");
    Args args;
    args.pos.push_back(Value(s));
    return apply_filter("join", *items, args);
  }
  if (name == "find") {
    std::size_t p = s.find(string_arg(a, 0, "sub", "find"));
    return Value(p == std::string::npos ? std::int64_t{-1} : static_cast<std::int64_t>(p));
  }
  if (name == "isdigit") {
    bool all = !s.empty();
    for (char c : s) all = all && c >= '0' && c <= '9';
    return Value(all);
  }
  no_method(Value(s), name);
}

Value dict_method(const DictPtr& d, const std::string& name, const Args& a) {
  if (name == "get") {
    const Value* key = a.get(0, "key");
    if (!key) throw EvalError("get() takes a key");
    const Value* found = key->is_string() ? dict_find(*d, key->as_string()) : nullptr;
    if (found) return *found;
    const Value* fallback = a.get(1, "default");
    return fallback ? *fallback : Value();
  }
  if (name == "items" || name == "keys" || name == "values") {
    List out;
    for (const auto& [k, v] : *d) {
      if (name == "items") out.push_back(Value(List{Value(k), v}));
      if (name == "keys") out.push_back(Value(k));
      if (name == "values") out.push_back(v);
    }
    return Value(std::move(out));
  }
  if (name == "copy") return Value(Dict(*d));
  if (name == "update") {
    const Value* other = a.get(0, "other");
    if (other && !other->is_dict()) throw EvalError("update() takes a dict");
    if (other)
      for (const auto& [k, v] : Dict(*other->as_dict())) dict_set(*d, k, v);
    for (const auto& [k, v] : a.kw) dict_set(*d, k, v);
    return Value();
  }
  if (name == "setdefault" || name == "pop") {
    const Value* key = a.get(0, "key");
    if (!key || !key->is_string()) throw EvalError(name + "() takes a string key");
    const Value* found = dict_find(*d, key->as_string());
    const Value* fallback = a.get(1, "default");
    Value result = found ? *found : fallback ? *fallback : Value();
    if (name == "setdefault" && !found) d->emplace_back(key->as_string(), result);
    if (name == "pop" && !found && !fallback) throw EvalError("pop(): no key " + to_repr(*key));
    if (name == "pop" && found)
      for (auto it = d->begin(); it != d->end(); ++it)
        if (it->first == key->as_string()) {
          d->erase(it);
          break;
        }
    return result;
  }
  no_method(Value(d), name);
}

Value list_method(const ListPtr& l, const std::string& name, const Args& a) {
  const Value* arg = a.get(0, "value");
  if (name == "append" && arg) {
    l->push_back(*arg);
    return Value();
  }
  if (name == "extend" && arg && arg->is_list()) {
    List items = *arg->as_list();
    l->insert(l->end(), items.begin(), items.end());
    return Value();
  }
  if ((name == "index" || name == "count") && arg) {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < l->size(); ++i) {
      if (!equal((*l)[i], *arg)) continue;
      if (name == "index") return Value(static_cast<std::int64_t>(i));
      ++n;
    }
    if (name == "index") throw EvalError(to_repr(*arg) + " is not in list");
    return Value(n);
  }
  if (name == "copy") return Value(List(*l));
  no_method(Value(l), name);
}

}  // namespace

Value call_method(const Value& self, const std::string& name, const Args& args) {
  if (self.is_string()) return string_method(self.as_string(), name, args);
  if (self.is_dict()) return dict_method(self.as_dict(), name, args);
  if (self.is_list()) return list_method(self.as_list(), name, args);
  no_method(self, name);
}

}  // namespace kiln_jinja
