// `<=` macros: zc.buildout's Options._do_extend_raw.
#pragma once

#include "kiln/error.h"
#include "profile/raw_config.h"

namespace kiln::profile {

// The options of `section` with its `<` macros expanded: the named sections'
// raw options are copied in order (later ones win, nested macros expanded),
// then the section's own options apply, `+=` / `-=` included; the `<` key is
// dropped. [buildout] is never expanded. Errors: a missing section
// (k_not_found) and a loop (k_cycle, with the chain), at the `<` option.
inline constexpr std::size_t k_max_macro_depth = 1000;

Expected<RawSection> expand_macros(const RawConfig& config, const RawSection& section);

}  // namespace kiln::profile
