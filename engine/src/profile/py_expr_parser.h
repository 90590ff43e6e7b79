// Parser of the condition evaluator: Python 3's expression grammar, restricted
// to the subset docs/conditions.md describes, into a small syntax tree.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"
#include "profile/py_expr_lexer.h"
#include "profile/py_expr_value.h"

namespace kiln::profile::py {

// Limits that keep hostile input from exhausting the stack: nested brackets
// and unary operators, and the depth of the resulting tree.
inline constexpr int k_max_nesting = 100;
inline constexpr int k_max_tree_depth = 200;

enum class NodeKind {
  k_const,     // `constant`
  k_name,      // `text`
  k_tuple,     // kids
  k_list,      // kids
  k_listcomp,  // kids[0] the element, `clauses`
  k_attr,      // kids[0] . `text`
  k_index,     // kids[0] [ kids[1] ]
  k_slice,     // kids[0] [ kids[1] : kids[2] : kids[3] ]; omitted parts are null
  k_call,      // kids[0] ( kids[1..] )
  k_not,       // not kids[0]
  k_and,       // kids[0] and kids[1] and ...
  k_or,        // kids[0] or kids[1] or ...
  k_ifelse,    // kids[1] if kids[0] else kids[2]
  k_compare,   // kids[0] ops[0] kids[1] ops[1] kids[2] ... ("not in", "is not" included)
  k_arith,     // kids[0] ops[0] kids[1] ... with ops "+" or "-", left to right
  k_unary,     // `text` ("-", "+", "~") kids[0]
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

// `for targets in iter if conds...` of a list comprehension.
struct CompClause {
  std::vector<std::string> targets;
  bool unpack = false;  // targets written as a tuple (`for a, b in ...`)
  NodePtr iter;
  std::vector<NodePtr> conds;
};

struct Node {
  NodeKind kind = NodeKind::k_const;
  std::size_t offset = 0;  // byte offset in the source, for messages
  int depth = 1;
  ValuePtr constant;
  std::string text;
  std::vector<std::string> ops;
  std::vector<NodePtr> kids;
  std::vector<CompClause> clauses;
};

// Parses the whole token list (from tokenize(source)) as Python's eval()
// input: expressions separated by commas (a tuple), then optional line
// breaks. Errors (k_condition) are syntax errors with the column and what was
// expected, including for valid Python that Kiln does not support.
Expected<NodePtr> parse_expression(std::string_view source, const std::vector<Token>& tokens);

}  // namespace kiln::profile::py
