// Parsing of option values several recipes share.
#pragma once

#include <string>

namespace kiln_common {

// An octal `mode` option: "0755", "755" or "0o755" (surrounding whitespace
// ignored, at most four digits): the permission bits. Throws
// kiln::sdk::Failure "option 'mode': expected an octal mode such as
// <example>, got '<text>'" otherwise.
unsigned parse_octal_mode(const std::string& text, const std::string& example);

// Throws kiln::sdk::Failure when `filename` (the `filename` option) contains
// a '/'.
void check_filename(const std::string& filename);

}  // namespace kiln_common
