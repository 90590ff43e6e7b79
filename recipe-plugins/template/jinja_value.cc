// The value model of the Jinja subset: Python's str/repr/truth, JSON.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "jinja.h"
#include "jinja_internal.h"

namespace kiln_jinja {

const Value* dict_find(const Dict& d, const std::string& key) {
  for (const auto& [k, v] : d)
    if (k == key) return &v;
  return nullptr;
}

void dict_set(Dict& d, const std::string& key, Value value) {
  for (auto& [k, v] : d) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  d.emplace_back(key, std::move(value));
}

bool truthy(const Value& v) {
  switch (v.v.index()) {
    case 0:
      return false;
    case 1:
      return v.as_bool();
    case 2:
      return v.as_int() != 0;
    case 3:
      return v.as_float() != 0.0;
    case 4:
      return !v.as_string().empty();
    case 5:
      return !v.as_list()->empty();
    case 6:
      return !v.as_dict()->empty();
    default:
      return true;
  }
}

std::string format_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  double a = std::fabs(d);
  bool sci = a != 0.0 && (a < 1e-4 || a >= 1e16);
  auto r = std::to_chars(buf, buf + sizeof buf, d,
                         sci ? std::chars_format::scientific : std::chars_format::fixed);
  std::string s(buf, r.ptr);
  if (!sci && s.find('.') == std::string::npos) s += ".0";
  return s;
}

namespace {

std::string repr_string(const std::string& s) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
  return out;
}

}  // namespace

std::string to_repr(const Value& v) {
  if (v.is_string()) return repr_string(v.as_string());
  if (v.is_list()) {
    std::string out = "[";
    const List& l = *v.as_list();
    for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + to_repr(l[i]);
    return out + "]";
  }
  if (v.is_dict()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, x] : *v.as_dict()) {
      out += (first ? "" : ", ") + repr_string(k) + ": " + to_repr(x);
      first = false;
    }
    return out + "}";
  }
  return to_str(v);
}

std::string to_str(const Value& v) {
  switch (v.v.index()) {
    case 0:
      return "None";
    case 1:
      return v.as_bool() ? "True" : "False";
    case 2:
      return std::to_string(v.as_int());
    case 3:
      return format_float(v.as_float());
    case 4:
      return v.as_string();
    case 7:
      return "<macro " + v.as_macro()->name + ">";
    default:
      return to_repr(v);
  }
}

std::string type_name(const Value& v) {
  static const char* const k_names[] = {"None", "bool", "int",  "float",
                                        "str",  "list", "dict", "macro"};
  return k_names[v.v.index()];
}

bool equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return to_double(a) == to_double(b);
  }
  if (a.v.index() != b.v.index()) return false;
  switch (a.v.index()) {
    case 0:
      return true;
    case 1:
      return a.as_bool() == b.as_bool();
    case 4:
      return a.as_string() == b.as_string();
    case 5: {
      const List &x = *a.as_list(), &y = *b.as_list();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!equal(x[i], y[i])) return false;
      return true;
    }
    case 6: {
      const Dict &x = *a.as_dict(), &y = *b.as_dict();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x) {
        const Value* o = dict_find(y, k);
        if (!o || !equal(v, *o)) return false;
      }
      return true;
    }
    default:
      return a.as_macro() == b.as_macro();
  }
}

double to_double(const Value& v) {
  if (v.is_int()) return static_cast<double>(v.as_int());
  if (v.is_bool()) return v.as_bool() ? 1.0 : 0.0;
  return v.as_float();
}

}  // namespace kiln_jinja
