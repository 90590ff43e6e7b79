// Operators, builtin functions and methods of the Jinja subset, with
// Python's semantics for the JSON-like values.
#include <cmath>

#include "jinja_internal.h"

namespace kiln_jinja {

const Value* Args::get(std::size_t i, const char* name) const {
  if (i < pos.size()) return &pos[i];
  for (const auto& [k, v] : kw)
    if (k == name) return &v;
  return nullptr;
}

namespace {

[[noreturn]] void type_error(const std::string& op, const Value& a, const Value& b) {
  throw EvalError("unsupported operand types for " + op + ": '" + type_name(a) + "' and '" +
                  type_name(b) + "'");
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Value repeat(const Value& seq, std::int64_t n) {
  if (n > 0 && n > 10000000) throw EvalError("repetition count too large");
  if (seq.is_string()) {
    std::string out;
    for (std::int64_t i = 0; i < n; ++i) out += seq.as_string();
    return Value(out);
  }
  List out;
  for (std::int64_t i = 0; i < n; ++i)
    out.insert(out.end(), seq.as_list()->begin(), seq.as_list()->end());
  return Value(std::move(out));
}

// Python's `format % args` for %s, %r, %d, %i and %%.
Value percent_format(const std::string& format, const Value& args) {
  List values = args.is_list() ? *args.as_list() : List{args};
  std::size_t next = 0;
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    char c = i + 1 < format.size() ? format[++i] : '\0';
    if (c == '%') {
      out += '%';
      continue;
    }
    if (c != 's' && c != 'r' && c != 'd' && c != 'i')
      throw EvalError(std::string("string formatting: '%") + c + "' is not supported by Kiln");
    if (next >= values.size()) throw EvalError("not enough arguments for format string");
    const Value& v = values[next++];
    if (c == 's') out += to_str(v);
    if (c == 'r') out += to_repr(v);
    if (c == 'd' || c == 'i') {
      if (!v.is_number()) throw EvalError("%d format: a number is required, not " + type_name(v));
      out += std::to_string(v.is_int() ? v.as_int() : static_cast<std::int64_t>(v.as_float()));
    }
  }
  if (next < values.size()) throw EvalError("not all arguments converted during string formatting");
  return Value(out);
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    std::int64_t x = a.as_int(), y = b.as_int();
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if ((op == "/" || op == "//" || op == "%") && y == 0) throw EvalError("division by zero");
    if (op == "/") return Value(static_cast<double>(x) / static_cast<double>(y));
    if (op == "//") return Value(floor_div(x, y));
    if (op == "%") return Value(x - floor_div(x, y) * y);
    if (op == "**" && y >= 0) {
      std::int64_t r = 1;
      for (std::int64_t i = 0; i < y; ++i) r *= x;
      return Value(r);
    }
  }
  double x = to_double(a), y = to_double(b);
  if (op == "+") return Value(x + y);
  if (op == "-") return Value(x - y);
  if (op == "*") return Value(x * y);
  if (op == "**") return Value(std::pow(x, y));
  if (y == 0.0) throw EvalError("division by zero");
  if (op == "/") return Value(x / y);
  if (op == "//") return Value(std::floor(x / y));
  return Value(x - std::floor(x / y) * y);
}

}  // namespace

Value binary_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") return Value(to_str(a) + to_str(b));
  if (op == "==") return Value(equal(a, b));
  if (op == "!=") return Value(!equal(a, b));
  if (op == "<") return Value(less_than(a, b));
  if (op == ">") return Value(less_than(b, a));
  if (op == "<=") return Value(!less_than(b, a));
  if (op == ">=") return Value(!less_than(a, b));
  if (op == "in") return Value(contains(b, a));
  if (op == "not in") return Value(!contains(b, a));
  if (a.is_number() && b.is_number()) return arithmetic(op, a, b);
  if (op == "+" && a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
  if (op == "+" && a.is_list() && b.is_list()) {
    List out = *a.as_list();
    out.insert(out.end(), b.as_list()->begin(), b.as_list()->end());
    return Value(std::move(out));
  }
  if (op == "*" && (a.is_string() || a.is_list()) && b.is_int()) return repeat(a, b.as_int());
  if (op == "*" && (b.is_string() || b.is_list()) && a.is_int()) return repeat(b, a.as_int());
  if (op == "%" && a.is_string()) return percent_format(a.as_string(), b);
  type_error(op, a, b);
}

bool less_than(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() < b.as_int();
    return to_double(a) < to_double(b);
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list()) {
    const List &x = *a.as_list(), &y = *b.as_list();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (less_than(x[i], y[i])) return true;
      if (less_than(y[i], x[i])) return false;
    }
    return x.size() < y.size();
  }
  throw EvalError("'<' not supported between '" + type_name(a) + "' and '" + type_name(b) + "'");
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string())
      throw EvalError("'in <string>' requires a string as left operand, not " + type_name(item));
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_list()) {
    for (const Value& v : *container.as_list())
      if (equal(v, item)) return true;
    return false;
  }
  if (container.is_dict())
    return item.is_string() && dict_find(*container.as_dict(), item.as_string());
  throw EvalError("argument of type '" + type_name(container) + "' is not iterable");
}

std::optional<Value> call_builtin(const std::string& name, const Args& args) {
  if (name == "range") {
    std::vector<std::int64_t> n;
    for (const Value& v : args.pos) {
      if (!v.is_int()) throw EvalError("range() takes integers, not " + type_name(v));
      n.push_back(v.as_int());
    }
    if (n.empty() || n.size() > 3) throw EvalError("range() takes 1 to 3 arguments");
    std::int64_t start = n.size() == 1 ? 0 : n[0], stop = n.size() == 1 ? n[0] : n[1];
    std::int64_t step = n.size() == 3 ? n[2] : 1;
    if (step == 0) throw EvalError("range() step must not be zero");
    List out;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() >= 1000000) throw EvalError("range() too long (more than 1000000 items)");
      out.emplace_back(i);
    }
    return Value(std::move(out));
  }
  if (name == "dict") {
    if (!args.pos.empty()) throw EvalError("dict() takes keyword arguments only");
    Dict d;
    for (const auto& [k, v] : args.kw) dict_set(d, k, v);
    return Value(std::move(d));
  }
  return std::nullopt;
}

}  // namespace kiln_jinja
