// Sequence operations of the condition evaluator, with Python 3's rules:
// len(), indexing, slicing and iteration over str (by code point), tuple,
// list and dict (see py_expr_value.h for the values).
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/error.h"
#include "profile/py_expr_value.h"

namespace kiln::profile::py {

// len(v).
Expected<std::int64_t> length(const Value& v);
// obj[index] for str, tuple, list (int index, negative from the end) and dict.
Expected<ValuePtr> subscript(const Value& obj, const Value& index);
// obj[start:stop:step] for str, tuple, list; null bounds mean omitted. None
// bounds are allowed as in Python.
Expected<ValuePtr> slice(const Value& obj, const Value* start, const Value* stop,
                         const Value* step);
// The items `for x in v` visits: characters of a str, items of a tuple or
// list, keys of a dict.
Expected<std::vector<ValuePtr>> iterate(const Value& v);

}  // namespace kiln::profile::py
