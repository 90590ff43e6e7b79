// String helpers shared by the recipe plugins.
#pragma once

#include <string>

namespace kiln_common {

// s without leading and trailing spaces, tabs, carriage returns and newlines.
std::string trimmed(const std::string& s);

}  // namespace kiln_common
