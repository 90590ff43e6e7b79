// ${section:option} substitution, following zc.buildout's Options
// (_initialize / _dosub / get / _sub) step by step so that the order in which
// sections are initialised, and so which errors are recorded, is the same.
//
// Each value is tokenised once into literals, `$$` escapes and references,
// then evaluated; results are memoised per option.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kiln/error.h"
#include "profile/raw_config.h"

namespace kiln::profile {

// Substitutes every section of `raw` ([buildout] first, then by name) and
// returns the result with the `$$` escapes applied. Per-option failures
// (unknown section or option, circular reference, bad syntax) go to
// Resolved::errors and the option keeps its raw value; a macro error in a
// section nobody referenced first, or a reference chain deeper than
// k_max_depth, is fatal.
Expected<Resolved> substitute_all(const RawConfig& raw);

inline constexpr int k_max_reference_depth = 1000;

}  // namespace kiln::profile
