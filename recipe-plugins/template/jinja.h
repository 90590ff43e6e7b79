// A Jinja2 subset for the template:jinja2 recipe: no external libraries.
//
// Values follow a JSON-like model (null, bool, int, float, string, list,
// dict) plus macros. Rendering is strict: an undefined name is an error
// (as jinja2.StrictUndefined), and every construct the engine does not know
// is reported by name instead of being rendered silently. Errors read
// "<template name>, line N: <what>" (docs/recipes/template.md lists the
// supported subset).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace kiln_jinja {

struct Value;
struct Macro;
using List = std::vector<Value>;
// Insertion-ordered, as Python dicts.
using Dict = std::vector<std::pair<std::string, Value>>;
using ListPtr = std::shared_ptr<List>;
using DictPtr = std::shared_ptr<Dict>;
using MacroPtr = std::shared_ptr<const Macro>;

struct Value {
  std::variant<std::monostate, bool, std::int64_t, double, std::string, ListPtr, DictPtr, MacroPtr>
      v;

  Value() = default;
  Value(bool b) : v(b) {}
  Value(int i) : v(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : v(i) {}
  Value(double d) : v(d) {}
  Value(const char* s) : v(std::string(s)) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(List l) : v(std::make_shared<List>(std::move(l))) {}
  Value(Dict d) : v(std::make_shared<Dict>(std::move(d))) {}
  Value(ListPtr l) : v(std::move(l)) {}
  Value(DictPtr d) : v(std::move(d)) {}
  Value(MacroPtr m) : v(std::move(m)) {}

  bool is_null() const { return v.index() == 0; }
  bool is_bool() const { return v.index() == 1; }
  bool is_int() const { return v.index() == 2; }
  bool is_float() const { return v.index() == 3; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return v.index() == 4; }
  bool is_list() const { return v.index() == 5; }
  bool is_dict() const { return v.index() == 6; }
  bool is_macro() const { return v.index() == 7; }

  bool as_bool() const { return std::get<bool>(v); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v); }
  double as_float() const { return std::get<double>(v); }
  const std::string& as_string() const { return std::get<std::string>(v); }
  const ListPtr& as_list() const { return std::get<ListPtr>(v); }
  const DictPtr& as_dict() const { return std::get<DictPtr>(v); }
  const MacroPtr& as_macro() const { return std::get<MacroPtr>(v); }
};

// The value's key in a dict, nullptr when absent.
const Value* dict_find(const Dict& d, const std::string& key);
void dict_set(Dict& d, const std::string& key, Value value);

// Python's truth value.
bool truthy(const Value& v);
// Python's str(): strings as they are, True/False/None, lists and dicts as
// repr() shows them.
std::string to_str(const Value& v);
// Python's repr(): quoted strings.
std::string to_repr(const Value& v);
// Name of the value's type, as Python names it (for messages).
std::string type_name(const Value& v);
bool equal(const Value& a, const Value& b);

// JSON: compact output with ", " and ": " separators, as Python's
// json.dumps; parse_json throws std::runtime_error("... at offset N").
std::string to_json(const Value& v);
Value parse_json(const std::string& text);

// Every parse and render error; what() is "<name>, line N: <message>".
class Error : public std::runtime_error {
 public:
  Error(const std::string& template_name, int line, const std::string& message)
      : std::runtime_error(template_name + ", line " + std::to_string(line) + ": " + message),
        m_line(line) {}
  int line() const { return m_line; }

 private:
  int m_line;
};

struct Template;
using TemplatePtr = std::shared_ptr<const Template>;

// Parses a template; `name` (e.g. "template 'instance.cfg.in'") prefixes
// its errors.
TemplatePtr parse(const std::string& source, const std::string& name);

// Gives the source of a template named in {% import %}, {% from %} or
// {% include %}; nullopt when there is none.
using Loader = std::function<std::optional<std::string>(const std::string& name)>;

// Renders a parsed template with `context` as its global variables.
std::string render(const TemplatePtr& tmpl, const Dict& context, const Loader& loader = {});

// parse() + render().
std::string render_string(const std::string& source, const std::string& name, const Dict& context,
                          const Loader& loader = {});

}  // namespace kiln_jinja
