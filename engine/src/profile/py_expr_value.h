// Values of Kiln's Python-subset expression evaluator (docs/conditions.md):
// None, bool, int (64-bit), str (valid UTF-8), tuple, list, dict, functions
// and opaque objects (modules, namespaces, open files), with Python 3's rules
// for truthiness, equality, ordering, containment, indexing and slicing.
//
// Every operation either gives Python's exact result or an Error (code
// k_condition); none throws except std::bad_alloc.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kiln/error.h"

namespace kiln::profile::py {

// Caps that keep hostile expressions cheap: the byte size of a str and the
// number of items of a tuple, list or dict.
inline constexpr std::size_t k_max_str_bytes = std::size_t{16} << 20;
inline constexpr std::size_t k_max_items = std::size_t{1} << 17;
// Total bytes of values one evaluation may allocate (see AllocationScope).
inline constexpr std::size_t k_max_alloc_bytes = std::size_t{64} << 20;

enum class Kind { k_none, k_bool, k_int, k_str, k_tuple, k_list, k_dict, k_function, k_object };

struct Value;
using ValuePtr = std::shared_ptr<const Value>;
using Args = std::vector<ValuePtr>;
using NativeFn = std::function<Expected<ValuePtr>(const Args&)>;
using Entries = std::vector<std::pair<ValuePtr, ValuePtr>>;
// The names an expression sees, by name.
using Globals = std::map<std::string, ValuePtr>;

struct Value {
  Kind kind = Kind::k_none;
  bool boolean = false;                   // k_bool
  std::int64_t integer = 0;               // k_int
  std::string text;                       // k_str: the UTF-8 text; k_function, k_object: name
  std::vector<ValuePtr> items;            // k_tuple, k_list
  Entries entries;                        // k_dict, in insertion order, keys unique
  std::string type;                       // k_tuple: "" or a named tuple type; k_object: type
  std::vector<std::string> fields;        // named tuple: one field name per item
  std::map<std::string, ValuePtr> attrs;  // k_object attributes
  NativeFn fn;                            // k_function
  bool bound = false;                     // k_function: a method bound to a value
};

// While alive, counts the bytes of the values made on this thread. Values are
// still made past k_max_alloc_bytes, but exceeded() turns true; the
// evaluator checks it at every step. Scopes nest (the inner one counts).
class AllocationScope {
 public:
  AllocationScope();
  ~AllocationScope();
  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;
  static bool exceeded();

 private:
  std::size_t m_saved_used;
  bool m_saved_active;
};

ValuePtr make_none();
ValuePtr make_bool(bool b);
ValuePtr make_int(std::int64_t i);
ValuePtr make_str(std::string s);
ValuePtr make_tuple(std::vector<ValuePtr> items);
ValuePtr make_list(std::vector<ValuePtr> items);
// REQUIRES: keys hashable and unique (as Python's dict would keep them).
ValuePtr make_dict(Entries entries);
// `name` is what messages show, e.g. "platform.machine" or "str.split".
ValuePtr make_function(std::string name, NativeFn fn, bool bound = false);
ValuePtr make_object(std::string type, std::string name, std::map<std::string, ValuePtr> attrs);

// An Error with code k_condition.
Error condition_error(std::string message);
// Python's TypeError, e.g. "type error: unhashable type: 'list'".
Error type_error(const std::string& message);

// Python's type(v).__name__: "NoneType", "int", "str", "sys.version_info", ...
std::string type_name(const Value& v);
bool truthy(const Value& v);
bool is_intlike(const Value& v);      // int or bool (bool is an int in Python)
std::int64_t int_of(const Value& v);  // REQUIRES: is_intlike(v)
bool hashable(const Value& v);

// repr(v) for None, bool, int, str, tuple, list, dict; a descriptive
// "<...>" for the other kinds (only used in messages).
std::string repr(const Value& v);
// str(v); an error for functions and objects, whose Python text would
// describe CPython internals.
Expected<std::string> to_str(const Value& v);

// a == b. Functions and objects are equal only to themselves; bound methods
// cannot be compared (an error).
Expected<bool> equals(const Value& a, const Value& b);
// a OP b for OP in ==, !=, <, <=, >, >=; ordering follows Python (numbers,
// str by code point, tuple and list lexicographically) and mismatched types
// are Python's TypeError.
Expected<bool> compare(const Value& a, std::string_view op, const Value& b);
// `item in container`.
Expected<bool> contains(const Value& container, const Value& item);

// Argument checks of native functions; `fn` names the function in messages
// ("str.split"). check_arity: min <= args.size() <= max.
Status check_arity(std::string_view fn, const Args& args, std::size_t min, std::size_t max);
// args[i] as a str / an int (bool counts), or Python's TypeError.
Expected<std::string> arg_str(std::string_view fn, const Args& args, std::size_t i);
Expected<std::int64_t> arg_int(std::string_view fn, const Args& args, std::size_t i);

}  // namespace kiln::profile::py
