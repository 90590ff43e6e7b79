// Tokens of the Jinja subset (internal).
#pragma once

#include <string>
#include <vector>

#include "jinja.h"

namespace kiln_jinja {

struct Token {
  enum Type {
    k_text,
    k_var_begin,
    k_var_end,
    k_block_begin,
    k_block_end,
    k_name,
    k_string,
    k_int,
    k_float,
    k_op,
    k_eof,
  };
  Type type;
  std::string s;  // text, name, operator, or the number as written
  Value value;    // strings and numbers
  int line;
};

// Splits a template into tokens; comments are dropped, whitespace control
// applied, {% raw %} blocks turned into text.
std::vector<Token> lex(const std::string& source, const std::string& name);

// "'endif'", "string 'x'", "end of template"...: for "expected X, got Y".
std::string describe(const Token& t);

}  // namespace kiln_jinja
