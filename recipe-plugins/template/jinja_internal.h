// Internals of the Jinja subset shared by its parser and renderer: the
// syntax tree and value helpers. Not part of the engine's interface.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jinja.h"

namespace kiln_jinja {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum Kind {
    k_literal,  // value
    k_name,     // name
    k_list,     // args: items
    k_dict,     // args: key, value, key, value...
    k_attr,     // args[0].name
    k_item,     // args[0][args[1]]
    k_slice,    // args[0][args[1]:args[2]:args[3]] (null: absent)
    k_call,     // args[0](args[1:], kwargs)
    k_filter,   // args[0] | name(args[1:], kwargs)
    k_test,     // args[0] is [not] name(args[1:])
    k_unary,    // op args[0]: "not", "-", "+"
    k_binary,   // args[0] op args[1]
    k_cond,     // args[0] if args[1] else args[2] (null: undefined)
  };
  Kind kind = k_literal;
  int line = 0;
  Value value;
  std::string name;  // name, attribute, filter, test or operator
  bool negated = false;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Node;
using Body = std::vector<std::shared_ptr<const Node>>;

struct Node {
  enum Kind {
    k_text,       // text
    k_output,     // {{ expr }}
    k_if,         // branches (condition, body); else_body
    k_for,        // for names in expr [if filter]: body; else_body
    k_set,        // set names = expr
    k_set_block,  // set names[0]: body
    k_do,         // do expr
    k_macro,      // macro names[0](params = defaults): body
    k_import,     // import expr as names[0]
    k_from,       // from expr import names (aliases)
    k_include,    // include expr
  };
  Kind kind = k_text;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr filter;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::vector<std::string> names;
  std::vector<std::string> aliases;
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;  // one per param, null: none
};

struct Template {
  std::string name;
  Body body;
};

// A {% macro %}: called, it renders its body with its parameters bound.
struct Macro {
  std::string name;
  std::shared_ptr<const Node> node;
  std::shared_ptr<const Template> owner;  // keeps node alive
  DictPtr globals;                        // the defining template's variables
  DictPtr context;                        // and the context it was rendered with
};

// An evaluation error without its location (the renderer adds it).
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Arguments of a filter, test, method or function call.
struct Args {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;
  // The i-th positional argument or the keyword `name`; nullptr if neither.
  const Value* get(std::size_t i, const char* name) const;
};

Value binary_op(const std::string& op, const Value& a, const Value& b);
// a < b for numbers, strings and lists of them; EvalError otherwise.
bool less_than(const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);
Value apply_filter(const std::string& name, const Value& v, const Args& args);
bool apply_test(const std::string& name, const Value& v, const Args& args);
// A method of a builtin value (dict.get, str.split, list.append...).
Value call_method(const Value& self, const std::string& name, const Args& args);
// range(), dict(): nullopt when `name` is no builtin function.
std::optional<Value> call_builtin(const std::string& name, const Args& args);

double to_double(const Value& v);
std::string format_float(double d);
void append_code_point(std::string& out, unsigned code);
// Jinja's |tojson: keys sorted, <, >, &, ' escaped.
std::string to_jinja_json(const Value& v);

}  // namespace kiln_jinja
