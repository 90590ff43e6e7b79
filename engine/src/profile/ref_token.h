// Tokens of a value that goes through ${section:option} substitution:
// literals, `$$` escapes and references, as zc.buildout's regexes split them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiln::profile {

// Marks a `$$` boundary inside substituted text; becomes "$" on output only,
// so an escaped `$${x}` is never substituted again (the oracle's ESC).
extern const std::string k_esc;

struct Token {
  enum Kind { k_literal, k_escape, k_ref, k_bad_ref } kind = k_literal;
  std::string text;     // literal text, or the whole `${...}` for references
  std::string section;  // k_ref: "" means the current section
  std::string option;   // k_ref
  std::string problem;  // k_bad_ref
};

std::vector<Token> tokenize(std::string_view value);
bool has_ref_start(std::string_view v);
// The output form of a substituted value: ESC -> "$", or "$$" -> "$" when
// the text still holds "${".
std::string unescape(std::string v);

}  // namespace kiln::profile
