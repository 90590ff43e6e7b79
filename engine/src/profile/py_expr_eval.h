// Evaluator of the condition language: walks a tree from parse_expression()
// with Python 3's semantics (short-circuit `and`/`or` returning operands,
// chained comparisons, names looked up only when evaluated).
#pragma once

#include <cstdint>
#include <string_view>

#include "kiln/error.h"
#include "profile/py_expr_parser.h"
#include "profile/py_expr_value.h"

namespace kiln::profile::py {

// Evaluation steps (tree nodes visited) one expression may take.
inline constexpr std::int64_t k_max_steps = 1'000'000;

// Evaluates `root` over `globals` (comprehension variables shadow them).
// `source` is the text `root` was parsed from, for messages. Errors
// (k_condition): unknown names and attributes, type errors, index and key
// errors, 64-bit overflow, the size caps of py_expr_value.h, k_max_steps.
// Opens an AllocationScope for the evaluation.
Expected<ValuePtr> evaluate(const Node& root, const Globals& globals, std::string_view source);

// Attribute `name` of `obj`: module and namespace members, named tuple
// fields, str methods and dict.get; otherwise an error listing what exists.
Expected<ValuePtr> get_attribute(const ValuePtr& obj, const std::string& name);

}  // namespace kiln::profile::py
