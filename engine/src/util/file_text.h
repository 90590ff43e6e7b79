// Reading a whole file into a string.
#pragma once

#include <optional>
#include <string>

namespace kiln::util {

// The bytes of `path`, or nullopt when it cannot be opened (missing,
// unreadable, a directory). Never throws.
std::optional<std::string> read_file_text(const std::string& path);

}  // namespace kiln::util
