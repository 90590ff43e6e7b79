// JSON string escaping as Python's json module does it with ensure_ascii=False.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kiln::util {

// Appends the JSON-escaped form of UTF-8 `s` (without the quotes) to `out`:
// `"` `\` and control characters escaped (\n \r \t \b \f, else \u00xx), other
// characters verbatim; invalid UTF-8 bytes become U+FFFD.
void append_json_string_body(std::string& out, std::string_view s);

// j.dump(indent) that never throws: invalid UTF-8 in strings becomes U+FFFD
// (nlohmann's dump throws type_error 316 on it).
std::string json_dump(const nlohmann::json& j, int indent = -1);

}  // namespace kiln::util
