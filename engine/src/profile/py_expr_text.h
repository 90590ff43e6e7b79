// Text helpers of the condition evaluator: strict UTF-8 (what Python's
// decoder accepts), code-point indexing, and the str methods conditions may
// call (docs/conditions.md lists them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"
#include "profile/py_expr_value.h"

namespace kiln::profile::py {

// True when `s` is UTF-8 that Python's strict decoder accepts (no overlong
// forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s);
bool is_ascii(std::string_view s);
// Appends the UTF-8 form of `cp`. REQUIRES: cp <= 0x10FFFF and not a surrogate.
void append_utf8(std::string& out, char32_t cp);
// Decodes the code point starting at s[i] and sets *len to its byte length.
// REQUIRES: valid_utf8(s), i < s.size().
char32_t decode_at(std::string_view s, std::size_t i, std::size_t* len);
// Byte offset of every code point of `s`, then s.size(). REQUIRES: valid_utf8(s).
std::vector<std::size_t> char_offsets(std::string_view s);
// len(s) in code points. REQUIRES: valid_utf8(s).
std::size_t char_count(std::string_view s);

// `self.name` for a str `self`: a bound method, or an error naming the
// supported methods.
Expected<ValuePtr> str_method(const ValuePtr& self, const std::string& name);

}  // namespace kiln::profile::py
