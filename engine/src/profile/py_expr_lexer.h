// Tokenizer of the condition evaluator: Python 3's tokenizer for one
// expression (docs/conditions.md, "Grammar").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"

namespace kiln::profile::py {

enum class TokKind {
  k_name,     // identifier or keyword, in `text`
  k_int,      // integer literal, in `number`
  k_str,      // string literal (adjacent literals stay separate), decoded UTF-8 in `text`
  k_op,       // operator or delimiter, in `text`
  k_newline,  // end of a logical line (only outside brackets)
  k_end,      // end of input
};

struct Token {
  TokKind kind = TokKind::k_end;
  std::string text;
  std::int64_t number = 0;
  std::size_t offset = 0;  // byte offset of the token in the source
};

// Splits `source` into tokens ending with k_end. Comments (`#` to end of
// line) are dropped; newlines inside brackets and after a backslash are
// joined; a newline outside brackets is one k_newline. Errors (k_condition):
// invalid UTF-8, unterminated strings, bad escapes, float/complex/bytes/f-string
// literals, integers beyond 64 bits, invalid characters, unbalanced brackets.
Expected<std::vector<Token>> tokenize(std::string_view source);

// "syntax error at column C of `SOURCE`: message" (line and column when the
// source has several lines; a long source is shortened).
Error syntax_error(std::string_view source, std::size_t offset, const std::string& message);

// How a token reads in a message: 'and', ')', "end of input", "a string".
std::string describe(const Token& token);

}  // namespace kiln::profile::py
