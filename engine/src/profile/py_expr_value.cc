#include "profile/py_expr_value.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "profile/py_expr_text.h"

namespace kiln::profile::py {

namespace {

thread_local bool t_alloc_active = false;
thread_local std::size_t t_alloc_used = 0;

ValuePtr make(Value v) {
  if (t_alloc_active)
    t_alloc_used += sizeof(Value) + v.text.size() + v.items.size() * sizeof(ValuePtr) +
                    v.entries.size() * 2 * sizeof(ValuePtr);
  return std::make_shared<const Value>(std::move(v));
}

bool is_sequence(const Value& v) {
  return v.kind == Kind::k_tuple || v.kind == Kind::k_list;
}

void append_hex_escape(std::string& out, unsigned cp) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", cp);
  out += buf;
}

// Python's repr() of a str: single quotes unless the text has ' and no ".
// Non-ASCII characters are kept except C1 controls, U+00A0 and U+00AD.
void repr_str(std::string_view s, std::string& out) {
  bool single = s.find('\'') != std::string_view::npos;
  bool dbl = s.find('"') != std::string_view::npos;
  char q = single && !dbl ? '"' : '\'';
  out += q;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t len = 1;
      char32_t cp = decode_at(s, i, &len);
      if (cp <= 0xA0 || cp == 0xAD) {
        append_hex_escape(out, static_cast<unsigned>(cp));
      } else {
        out.append(s.substr(i, len));
      }
      i += len;
      continue;
    }
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      append_hex_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += q;
}

bool repr_into(const Value& v, std::string& out);

bool repr_dict(const Value& v, std::string& out) {
  bool exact = true;
  out += "{";
  for (std::size_t i = 0; i < v.entries.size(); ++i) {
    if (i) out += ", ";
    exact = repr_into(*v.entries[i].first, out) && exact;
    out += ": ";
    exact = repr_into(*v.entries[i].second, out) && exact;
  }
  out += "}";
  return exact;
}

// Appends repr(v). Returns false when `v` holds a function or object, whose
// Python repr Kiln cannot reproduce (a placeholder is appended instead).
bool repr_into(const Value& v, std::string& out) {
  bool exact = true;
  auto items = [&](const std::vector<ValuePtr>& xs, const char* open, const char* close) {
    out += open;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (i) out += ", ";
      if (!v.fields.empty()) out += v.fields[i] + "=";
      exact = repr_into(*xs[i], out) && exact;
    }
    if (v.kind == Kind::k_tuple && xs.size() == 1 && v.fields.empty()) out += ",";
    out += close;
  };
  switch (v.kind) {
    case Kind::k_none:
      out += "None";
      break;
    case Kind::k_bool:
      out += v.boolean ? "True" : "False";
      break;
    case Kind::k_int:
      out += std::to_string(v.integer);
      break;
    case Kind::k_str:
      repr_str(v.text, out);
      break;
    case Kind::k_tuple:
      out += v.type;
      items(v.items, "(", ")");
      break;
    case Kind::k_list:
      items(v.items, "[", "]");
      break;
    case Kind::k_dict:
      exact = repr_dict(v, out);
      break;
    case Kind::k_function:
      out += (v.bound ? "<built-in method " : "<built-in function ") + v.text + ">";
      return false;
    case Kind::k_object:
      out += "<" + v.type + " '" + v.text + "'>";
      return false;
  }
  return exact;
}
Expected<bool> order_ints(std::int64_t a, std::string_view op, std::int64_t b) {
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

}  // namespace

AllocationScope::AllocationScope() : m_saved_used(t_alloc_used), m_saved_active(t_alloc_active) {
  t_alloc_active = true;
  t_alloc_used = 0;
}

AllocationScope::~AllocationScope() {
  t_alloc_used = m_saved_used;
  t_alloc_active = m_saved_active;
}

bool AllocationScope::exceeded() {
  return t_alloc_active && t_alloc_used > k_max_alloc_bytes;
}

ValuePtr make_none() {
  static const ValuePtr none = make(Value{});
  return none;
}

ValuePtr make_bool(bool b) {
  auto make_one = [](bool value) {
    Value v;
    v.kind = Kind::k_bool;
    v.boolean = value;
    return make(std::move(v));
  };
  static const ValuePtr t = make_one(true);
  static const ValuePtr f = make_one(false);
  return b ? t : f;
}

ValuePtr make_int(std::int64_t i) {
  Value v;
  v.kind = Kind::k_int;
  v.integer = i;
  return make(std::move(v));
}

ValuePtr make_str(std::string s) {
  Value v;
  v.kind = Kind::k_str;
  v.text = std::move(s);
  return make(std::move(v));
}

ValuePtr make_tuple(std::vector<ValuePtr> items) {
  Value v;
  v.kind = Kind::k_tuple;
  v.items = std::move(items);
  return make(std::move(v));
}

ValuePtr make_list(std::vector<ValuePtr> items) {
  Value v;
  v.kind = Kind::k_list;
  v.items = std::move(items);
  return make(std::move(v));
}

ValuePtr make_dict(Entries entries) {
  Value v;
  v.kind = Kind::k_dict;
  v.entries = std::move(entries);
  return make(std::move(v));
}

ValuePtr make_function(std::string name, NativeFn fn, bool bound) {
  Value v;
  v.kind = Kind::k_function;
  v.text = std::move(name);
  v.fn = std::move(fn);
  v.bound = bound;
  return make(std::move(v));
}

ValuePtr make_object(std::string type, std::string name, std::map<std::string, ValuePtr> attrs) {
  Value v;
  v.kind = Kind::k_object;
  v.text = std::move(name);
  v.type = std::move(type);
  v.attrs = std::move(attrs);
  return make(std::move(v));
}

Error condition_error(std::string message) {
  return Error(ErrorCode::k_condition, std::move(message));
}

Error type_error(const std::string& message) {
  return condition_error("type error: " + message);
}

std::string type_name(const Value& v) {
  switch (v.kind) {
    case Kind::k_none:
      return "NoneType";
    case Kind::k_bool:
      return "bool";
    case Kind::k_int:
      return "int";
    case Kind::k_str:
      return "str";
    case Kind::k_tuple:
      return v.type.empty() ? "tuple" : v.type;
    case Kind::k_list:
      return "list";
    case Kind::k_dict:
      return "dict";
    case Kind::k_function:
      return v.bound ? "builtin_method" : "builtin_function_or_method";
    case Kind::k_object:
      return v.type;
  }
  return "?";
}

bool truthy(const Value& v) {
  switch (v.kind) {
    case Kind::k_none:
      return false;
    case Kind::k_bool:
      return v.boolean;
    case Kind::k_int:
      return v.integer != 0;
    case Kind::k_str:
      return !v.text.empty();
    case Kind::k_tuple:
    case Kind::k_list:
      return !v.items.empty();
    case Kind::k_dict:
      return !v.entries.empty();
    default:
      return true;
  }
}

bool is_intlike(const Value& v) {
  return v.kind == Kind::k_int || v.kind == Kind::k_bool;
}

std::int64_t int_of(const Value& v) {
  return v.kind == Kind::k_bool ? (v.boolean ? 1 : 0) : v.integer;
}

bool hashable(const Value& v) {
  if (v.kind == Kind::k_list || v.kind == Kind::k_dict) return false;
  if (v.kind != Kind::k_tuple) return true;
  for (const ValuePtr& x : v.items)
    if (!hashable(*x)) return false;
  return true;
}

std::string repr(const Value& v) {
  std::string out;
  repr_into(v, out);
  return out;
}

Expected<std::string> to_str(const Value& v) {
  if (v.kind == Kind::k_str) return v.text;
  std::string out;
  if (!repr_into(v, out))
    return condition_error("str() of " + repr(v) +
                           " is not supported: its Python text describes CPython internals");
  return out;
}

Expected<bool> equals(const Value& a, const Value& b) {
  if (is_intlike(a) && is_intlike(b)) return int_of(a) == int_of(b);
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::k_none:
      return true;
    case Kind::k_str:
      return a.text == b.text;
    case Kind::k_tuple:
    case Kind::k_list:
      if (a.items.size() != b.items.size()) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i) {
        Expected<bool> eq = equals(*a.items[i], *b.items[i]);
        if (!eq.ok() || !*eq) return eq;
      }
      return true;
    case Kind::k_dict:
      if (a.entries.size() != b.entries.size()) return false;
      for (const auto& [key, value] : a.entries) {
        const ValuePtr* other = nullptr;
        for (const auto& entry : b.entries) {
          Expected<bool> same_key = equals(*key, *entry.first);
          if (!same_key.ok()) return same_key;
          if (*same_key) other = &entry.second;
        }
        if (other == nullptr) return false;
        Expected<bool> eq = equals(*value, **other);
        if (!eq.ok() || !*eq) return eq;
      }
      return true;
    case Kind::k_function:
      if ((a.bound || b.bound) && &a != &b)
        return condition_error("comparing bound methods (" + a.text + ", " + b.text +
                               ") is not supported");
      return &a == &b;
    default:
      return &a == &b;
  }
}

Expected<bool> compare(const Value& a, std::string_view op, const Value& b) {
  if (op == "==" || op == "!=") {
    Expected<bool> eq = equals(a, b);
    if (!eq.ok()) return eq;
    return op == "==" ? *eq : !*eq;
  }
  if (is_intlike(a) && is_intlike(b)) return order_ints(int_of(a), op, int_of(b));
  if (a.kind == Kind::k_str && b.kind == Kind::k_str) {
    int c = a.text.compare(b.text);  // byte order of UTF-8 is code point order
    return order_ints(c, op, 0);
  }
  if (is_sequence(a) && a.kind == b.kind) {
    std::size_t n = std::min(a.items.size(), b.items.size());
    for (std::size_t i = 0; i < n; ++i) {
      Expected<bool> eq = equals(*a.items[i], *b.items[i]);
      if (!eq.ok()) return eq;
      if (!*eq) return compare(*a.items[i], op, *b.items[i]);
    }
    return order_ints(static_cast<std::int64_t>(a.items.size()), op,
                      static_cast<std::int64_t>(b.items.size()));
  }
  return type_error("'" + std::string(op) + "' not supported between instances of '" +
                    type_name(a) + "' and '" + type_name(b) + "' (in " + repr(a) + " " +
                    std::string(op) + " " + repr(b) + ")");
}

Expected<bool> contains(const Value& container, const Value& item) {
  switch (container.kind) {
    case Kind::k_str:
      if (item.kind != Kind::k_str)
        return type_error("'in <string>' requires string as left operand, not " + type_name(item));
      return container.text.find(item.text) != std::string::npos;
    case Kind::k_tuple:
    case Kind::k_list:
      for (const ValuePtr& x : container.items) {
        Expected<bool> eq = equals(*x, item);
        if (!eq.ok() || *eq) return eq;
      }
      return false;
    case Kind::k_dict:
      if (!hashable(item)) return type_error("unhashable type: '" + type_name(item) + "'");
      for (const auto& entry : container.entries) {
        Expected<bool> eq = equals(*entry.first, item);
        if (!eq.ok() || *eq) return eq;
      }
      return false;
    default:
      return type_error("argument of type '" + type_name(container) + "' is not iterable");
  }
}
Status check_arity(std::string_view fn, const Args& args, std::size_t min, std::size_t max) {
  std::size_t n = args.size();
  if (n >= min && n <= max) return {};
  auto count = [](std::size_t k) {
    return std::to_string(k) + (k == 1 ? " argument" : " arguments");
  };
  std::string expected = min == max ? count(min)
                         : n < min  ? "at least " + count(min)
                                    : "at most " + count(max);
  return type_error(std::string(fn) + "() takes " + expected + ", got " + std::to_string(n));
}

Expected<std::string> arg_str(std::string_view fn, const Args& args, std::size_t i) {
  if (args[i]->kind == Kind::k_str) return args[i]->text;
  return type_error(std::string(fn) + "() argument " + std::to_string(i + 1) +
                    " must be str, not " + type_name(*args[i]));
}

Expected<std::int64_t> arg_int(std::string_view fn, const Args& args, std::size_t i) {
  if (is_intlike(*args[i])) return int_of(*args[i]);
  return type_error(std::string(fn) + "() argument " + std::to_string(i + 1) +
                    " must be int, not " + type_name(*args[i]));
}

}  // namespace kiln::profile::py
