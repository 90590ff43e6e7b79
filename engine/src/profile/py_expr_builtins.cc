#include "profile/py_expr_builtins.h"

#include <cstdint>
#include <memory>

#include "profile/py_expr_eval.h"
#include "profile/py_expr_seq.h"
#include "profile/py_expr_text.h"
#include "util/pystr.h"

namespace kiln::profile::py {

namespace {

Error invalid_int(const std::string& text) {
  return condition_error("value error: invalid literal for int() with base 10: " +
                         repr(*make_str(text)));
}

// int(text) for base 10: Python whitespace around, an optional sign, ASCII
// digits with single underscores between them.
Expected<ValuePtr> int_from_str(const std::string& text) {
  std::string_view t = util::py_strip(text);
  std::size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
  if (i == t.size()) return invalid_int(text);
  std::uint64_t v = 0;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  for (bool prev_digit = false; i < t.size(); ++i) {
    char c = t[i];
    bool next_digit = i + 1 < t.size() && t[i + 1] >= '0' && t[i + 1] <= '9';
    if (c == '_' && prev_digit && next_digit) {
      prev_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return invalid_int(text);
    std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (limit - d) / 10)
      return condition_error("int(" + repr(*make_str(text)) +
                             ") does not fit in 64 bits: Kiln integers are 64-bit");
    v = v * 10 + d;
    prev_digit = true;
  }
  if (negative)
    return make_int(v == (std::uint64_t{1} << 63) ? INT64_MIN : -static_cast<std::int64_t>(v));
  return make_int(static_cast<std::int64_t>(v));
}

Expected<ValuePtr> builtin_int(const Args& args) {
  if (Status st = check_arity("int", args, 0, 1); !st.ok()) return st.error();
  if (args.empty()) return make_int(0);
  const Value& v = *args[0];
  if (is_intlike(v)) return make_int(int_of(v));
  if (v.kind == Kind::k_str) return int_from_str(v.text);
  return type_error("int() argument must be a string, a bytes-like object or a real number, not '" +
                    type_name(v) + "'");
}

Expected<ValuePtr> builtin_str(const Args& args) {
  if (Status st = check_arity("str", args, 0, 1); !st.ok()) return st.error();
  if (args.empty()) return make_str("");
  Expected<std::string> s = to_str(*args[0]);
  if (!s.ok()) return s.error();
  return make_str(std::move(*s));
}

Expected<ValuePtr> builtin_bool(const Args& args) {
  if (Status st = check_arity("bool", args, 0, 1); !st.ok()) return st.error();
  return make_bool(!args.empty() && truthy(*args[0]));
}

Expected<ValuePtr> builtin_len(const Args& args) {
  if (Status st = check_arity("len", args, 1, 1); !st.ok()) return st.error();
  Expected<std::int64_t> n = length(*args[0]);
  if (!n.ok()) return n.error();
  return make_int(*n);
}

// any (want = true) and all (want = false).
Expected<ValuePtr> any_all(const Args& args, bool want) {
  if (Status st = check_arity(want ? "any" : "all", args, 1, 1); !st.ok()) return st.error();
  Expected<std::vector<ValuePtr>> items = iterate(*args[0]);
  if (!items.ok()) return items.error();
  for (const ValuePtr& x : *items)
    if (truthy(*x) == want) return make_bool(want);
  return make_bool(!want);
}

Expected<ValuePtr> list_tuple(const Args& args, bool list) {
  if (Status st = check_arity(list ? "list" : "tuple", args, 0, 1); !st.ok()) return st.error();
  std::vector<ValuePtr> items;
  if (!args.empty()) {
    Expected<std::vector<ValuePtr>> it = iterate(*args[0]);
    if (!it.ok()) return it.error();
    items = std::move(*it);
  }
  return list ? make_list(std::move(items)) : make_tuple(std::move(items));
}

// A file object whose read() returns `text` once, then "" (like Python's).
ValuePtr make_file(const std::string& path, std::string text) {
  auto state = std::make_shared<std::pair<bool, std::string>>(false, std::move(text));
  NativeFn read = [state](const Args& args) -> Expected<ValuePtr> {
    if (Status st = check_arity("read", args, 0, 0); !st.ok()) return st.error();
    if (state->first) return make_str("");
    state->first = true;
    return make_str(std::move(state->second));
  };
  return make_object("_io.TextIOWrapper", "open(" + repr(*make_str(path)) + ")",
                     {{"read", make_function("read", std::move(read), true)}});
}

Expected<ValuePtr> builtin_open(const HostProbe& probe, const Args& args) {
  if (Status st = check_arity("open", args, 1, 2); !st.ok()) return st.error();
  Expected<std::string> path = arg_str("open", args, 0);
  if (!path.ok()) return path.error();
  if (args.size() == 2) {
    Expected<std::string> mode = arg_str("open", args, 1);
    if (!mode.ok()) return mode.error();
    if (*mode != "r" && *mode != "rt" && *mode != "tr")
      return condition_error("open() mode " + repr(*args[1]) +
                             " is not supported: expected 'r' (read text)");
  }
  if (path->find('\0') != std::string::npos)
    return condition_error("value error: open(): embedded null byte");
  Expected<std::string> text = read_text_file(probe, *path, "open(" + repr(*args[0]) + ")");
  if (!text.ok()) return text.error();
  return make_file(*path, std::move(*text));
}

Expected<ValuePtr> dict_get(const ValuePtr& self, const Args& args) {
  if (Status st = check_arity("dict.get", args, 1, 2); !st.ok()) return st.error();
  Expected<bool> has = contains(*self, *args[0]);
  if (!has.ok()) return has.error();
  if (*has) return subscript(*self, *args[0]);
  return args.size() > 1 ? args[1] : make_none();
}

std::string join_keys(const std::map<std::string, ValuePtr>& attrs) {
  std::string out;
  for (const auto& entry : attrs) out += (out.empty() ? "" : ", ") + entry.first;
  return out;
}

}  // namespace

void add_builtins(Globals& globals, const HostProbe& probe) {
  const HostProbe* p = &probe;
  globals["int"] = make_function("int", builtin_int);
  globals["str"] = make_function("str", builtin_str);
  globals["bool"] = make_function("bool", builtin_bool);
  globals["len"] = make_function("len", builtin_len);
  globals["any"] = make_function("any", [](const Args& a) { return any_all(a, true); });
  globals["all"] = make_function("all", [](const Args& a) { return any_all(a, false); });
  globals["list"] = make_function("list", [](const Args& a) { return list_tuple(a, true); });
  globals["tuple"] = make_function("tuple", [](const Args& a) { return list_tuple(a, false); });
  globals["open"] = make_function("open", [p](const Args& a) { return builtin_open(*p, a); });
}

Expected<std::string> read_text_file(const HostProbe& probe, const std::string& path,
                                     const std::string& who) {
  std::optional<std::string> raw = probe.read_file(path);
  if (!raw)
    return condition_error(who +
                           ": cannot read the file (missing, unreadable, not a regular file "
                           "or larger than " +
                           std::to_string(k_max_file_bytes >> 20) + " MiB)");
  return decode_text(*raw, who);
}

Expected<std::string> decode_text(const std::string& raw, const std::string& who) {
  if (raw.size() > k_max_file_bytes)
    return condition_error(who + ": the file is larger than " +
                           std::to_string(k_max_file_bytes >> 20) + " MiB");
  std::string text;
  text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\r') {
      text += raw[i];
      continue;
    }
    text += '\n';
    if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
  }
  if (!valid_utf8(text)) return condition_error(who + ": the file is not valid UTF-8 text");
  return text;
}

Expected<ValuePtr> get_attribute(const ValuePtr& obj, const std::string& name) {
  const Value& v = *obj;
  if (v.kind == Kind::k_object) {
    auto it = v.attrs.find(name);
    if (it != v.attrs.end()) return it->second;
    std::string owner = (v.type == "module" ? "module '" : "'") + v.text + "'";
    if (v.attrs.empty())
      return condition_error(owner + " has no attribute '" + name +
                             "' in Kiln: none of its members is supported");
    return condition_error(owner + " has no attribute '" + name + "' in Kiln: expected one of " +
                           join_keys(v.attrs));
  }
  if (v.kind == Kind::k_tuple && !v.fields.empty()) {
    std::string fields;
    for (std::size_t i = 0; i < v.fields.size(); ++i) {
      if (v.fields[i] == name) return v.items[i];
      fields += (i ? ", " : "") + v.fields[i];
    }
    return condition_error("'" + v.type + "' has no attribute '" + name +
                           "' in Kiln: expected one of " + fields);
  }
  if (v.kind == Kind::k_str) return str_method(obj, name);
  if (v.kind == Kind::k_dict) {
    if (name == "get")
      return make_function(
          "dict.get", [obj](const Args& args) { return dict_get(obj, args); }, true);
    return condition_error("dict has no attribute '" + name + "' in Kiln: expected get");
  }
  return condition_error("'" + type_name(v) + "' object has no attribute '" + name + "'");
}

}  // namespace kiln::profile::py
