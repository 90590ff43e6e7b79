// JSON string literals for the recipe plugins (publish's connection
// parameters, the template plugin's tojson and json.dumps).
#pragma once

#include <string>

namespace kiln_common {

struct JsonEscape {
  // Non-ASCII text as \uXXXX escapes (UTF-16 surrogate pairs above U+FFFF; a
  // byte that starts no valid UTF-8 sequence as its own code), as Python's
  // json.dumps with ensure_ascii. Otherwise bytes >= 0x80 are copied as is.
  bool ascii_only = false;
  // <, >, & and ' as \u escapes too (Jinja's |tojson).
  bool html_safe = false;
};

// Appends s quoted as a JSON string: ", \ and \n \r \t backslash-escaped,
// other control characters as \u00XX, and what `escape` asks for.
void append_json_string(std::string& out, const std::string& s, JsonEscape escape = {});

// s quoted as a JSON string (append_json_string).
std::string json_string(const std::string& s, JsonEscape escape = {});

}  // namespace kiln_common
