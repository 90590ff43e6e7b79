// Filters and tests of the Jinja subset (`default` and `defined` are handled
// by the renderer, which knows about undefined values).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "jinja_internal.h"

namespace kiln_jinja {
namespace {

std::int64_t count_code_points(const std::string& s) {
  std::int64_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

List as_list(const Value& v, const char* what) {
  if (v.is_list()) return *v.as_list();
  List out;
  if (v.is_dict()) {
    for (const auto& [k, x] : *v.as_dict()) out.push_back(Value(k));
  } else if (v.is_string()) {
    const std::string& s = v.as_string();
    for (std::size_t i = 0; i < s.size();) {
      std::size_t j = i + 1;
      while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) ++j;
      out.push_back(Value(s.substr(i, j - i)));
      i = j;
    }
  } else {
    throw EvalError(std::string(what) + ": '" + type_name(v) + "' object is not iterable");
  }
  return out;
}

std::string map_chars(std::string s, int (*fn)(int)) {
  for (char& c : s) c = static_cast<char>(fn(static_cast<unsigned char>(c)));
  return s;
}

bool flag(const Args& a, std::size_t i, const char* name) {
  const Value* v = a.get(i, name);
  return v && truthy(*v);
}

Value filter_int(const Value& v, const Args& a) {
  const Value* fallback = a.get(0, "default");
  if (v.is_int()) return v;
  if (v.is_bool()) return Value(static_cast<std::int64_t>(v.as_bool()));
  if (v.is_float()) return Value(static_cast<std::int64_t>(v.as_float()));
  if (v.is_string()) {
    const std::string& s = v.as_string();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    while (end && std::isspace(static_cast<unsigned char>(*end))) ++end;
    if (!s.empty() && end && *end == '\0') return Value(static_cast<std::int64_t>(n));
    double d = std::strtod(s.c_str(), &end);
    while (end && std::isspace(static_cast<unsigned char>(*end))) ++end;
    if (!s.empty() && end && *end == '\0') return Value(static_cast<std::int64_t>(d));
  }
  return fallback ? *fallback : Value(std::int64_t{0});
}

Value filter_float(const Value& v, const Args& a) {
  const Value* fallback = a.get(0, "default");
  if (v.is_number() || v.is_bool()) return Value(to_double(v));
  if (v.is_string()) {
    const std::string& s = v.as_string();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    while (end && std::isspace(static_cast<unsigned char>(*end))) ++end;
    if (!s.empty() && end && *end == '\0') return Value(d);
  }
  return fallback ? *fallback : Value(0.0);
}

Value filter_join(const Value& v, const Args& a) {
  const Value* sep = a.get(0, "d");
  if (a.get(1, "attribute")) throw EvalError("join(attribute=...) is not supported by Kiln");
  std::string out;
  bool first = true;
  for (const Value& x : as_list(v, "join")) {
    if (!first && sep) out += to_str(*sep);
    first = false;
    out += to_str(x);
  }
  return Value(out);
}

Value filter_length(const Value& v) {
  if (v.is_string()) return Value(count_code_points(v.as_string()));
  if (v.is_list()) return Value(static_cast<std::int64_t>(v.as_list()->size()));
  if (v.is_dict()) return Value(static_cast<std::int64_t>(v.as_dict()->size()));
  throw EvalError("object of type '" + type_name(v) + "' has no length");
}

Value filter_sort(const Value& v, const Args& a) {
  if (a.get(2, "attribute")) throw EvalError("sort(attribute=...) is not supported by Kiln");
  bool reverse = flag(a, 0, "reverse"), case_sensitive = flag(a, 1, "case_sensitive");
  List items = as_list(v, "sort");
  auto key = [&](const Value& x) {
    return !case_sensitive && x.is_string() ? Value(map_chars(x.as_string(), ::tolower)) : x;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    return reverse ? less_than(key(y), key(x)) : less_than(key(x), key(y));
  });
  return Value(std::move(items));
}

Value filter_indent(const Value& v, const Args& a) {
  const Value* width = a.get(0, "width");
  std::string pad = width && width->is_string()
                        ? width->as_string()
                        : std::string(width ? filter_int(*width, {}).as_int() : 4, ' ');
  bool first = flag(a, 1, "first"), blank = flag(a, 2, "blank");
  std::string s = to_str(v), out;
  std::size_t start = 0;
  for (bool is_first = true; start <= s.size(); is_first = false) {
    std::size_t nl = s.find('\n', start);
    std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    bool add = is_first ? first : (blank || !line.empty());
    out += (add ? pad : "") + line;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return Value(out);
}

Value filter_round(const Value& v, const Args& a) {
  if (!v.is_number()) throw EvalError("round: a number is required, not " + type_name(v));
  const Value* precision = a.get(0, "precision");
  const Value* method = a.get(1, "method");
  std::string m = method && method->is_string() ? method->as_string() : "common";
  double scale = std::pow(10.0, precision && precision->is_int() ? precision->as_int() : 0);
  double x = to_double(v) * scale;
  double r = m == "ceil" ? std::ceil(x) : m == "floor" ? std::floor(x) : std::round(x);
  if (m != "common" && m != "ceil" && m != "floor")
    throw EvalError("round: unknown method '" + m + "'");
  return Value(r / scale);
}

Value filter_minmax(const Value& v, bool want_max) {
  List items = as_list(v, want_max ? "max" : "min");
  if (items.empty()) return Value();
  Value best = items[0];
  for (const Value& x : items)
    if (want_max ? less_than(best, x) : less_than(x, best)) best = x;
  return best;
}

Value filter_misc(const std::string& name, const Value& v, const Args& a) {
  if (name == "upper") return Value(map_chars(to_str(v), ::toupper));
  if (name == "lower") return Value(map_chars(to_str(v), ::tolower));
  if (name == "capitalize") {
    std::string s = map_chars(to_str(v), ::tolower);
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return Value(s);
  }
  if (name == "trim") {
    Args strip_args;
    if (const Value* chars = a.get(0, "chars")) strip_args.pos.push_back(*chars);
    return call_method(Value(to_str(v)), "strip", strip_args);
  }
  if (name == "replace") return call_method(Value(to_str(v)), "replace", a);
  if (name == "first" || name == "last") {
    List items = as_list(v, name.c_str());
    if (items.empty()) throw EvalError(name + ": the sequence is empty");
    return name == "first" ? items.front() : items.back();
  }
  if (name == "reverse") {
    List items = as_list(v, "reverse");
    std::reverse(items.begin(), items.end());
    if (v.is_string()) return filter_join(Value(items), {});
    return Value(std::move(items));
  }
  if (name == "unique") {
    List out;
    for (const Value& x : as_list(v, "unique"))
      if (!contains(Value(out), x)) out.push_back(x);
    return Value(std::move(out));
  }
  if (name == "sum") {
    Value total(std::int64_t{0});
    for (const Value& x : as_list(v, "sum")) total = binary_op("+", total, x);
    return total;
  }
  throw EvalError("unknown filter '" + name + "'");
}

}  // namespace

Value apply_filter(const std::string& name, const Value& v, const Args& a) {
  if (name == "string") return Value(to_str(v));
  if (name == "int") return filter_int(v, a);
  if (name == "float") return filter_float(v, a);
  if (name == "join") return filter_join(v, a);
  if (name == "length" || name == "count") return filter_length(v);
  if (name == "tojson") {
    if (!a.pos.empty() || !a.kw.empty())
      throw EvalError("tojson(indent=...) is not supported by Kiln");
    return Value(to_jinja_json(v));
  }
  if (name == "list") return Value(as_list(v, "list"));
  if (name == "sort") return filter_sort(v, a);
  if (name == "indent") return filter_indent(v, a);
  if (name == "round") return filter_round(v, a);
  if (name == "min" || name == "max") return filter_minmax(v, name == "max");
  if (name == "abs") {
    if (v.is_int()) return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
    if (v.is_float()) return Value(std::fabs(v.as_float()));
    throw EvalError("abs: a number is required, not " + type_name(v));
  }
  if (name == "items") {
    if (!v.is_dict()) throw EvalError("items: a dict is required, not " + type_name(v));
    return call_method(v, "items", {});
  }
  return filter_misc(name, v, a);
}

bool apply_test(const std::string& name, const Value& v, const Args& a) {
  if (name == "none") return v.is_null();
  if (name == "string") return v.is_string();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "mapping") return v.is_dict();
  if (name == "sequence" || name == "iterable") return v.is_list() || v.is_dict() || v.is_string();
  if (name == "odd" || name == "even" || name == "divisibleby") {
    if (!v.is_int())
      throw EvalError("'" + name + "' test: an integer is required, not " + type_name(v));
    const Value* n = a.get(0, "num");
    std::int64_t d = name == "divisibleby" ? (n && n->is_int() ? n->as_int() : 0) : 2;
    if (d == 0) throw EvalError("'divisibleby' test: a non-zero integer argument is required");
    std::int64_t r = v.as_int() % d;
    return name == "odd" ? r != 0 : r == 0;
  }
  if (name == "eq" || name == "equalto" || name == "sameas" || name == "in") {
    const Value* other = a.get(0, "other");
    if (!other) throw EvalError("'" + name + "' test: an argument is required");
    return name == "in" ? contains(*other, v) : equal(v, *other);
  }
  throw EvalError("unknown test '" + name + "'");
}

}  // namespace kiln_jinja
