// `<=` macros: zc.buildout's Options._do_extend_raw.
#pragma once

#include <string>
#include <unordered_map>
#include "kiln/error.h"

#include "profile/raw_config.h"

namespace kiln::profile {

// The options of `section` with its `<` macros expanded: the named sections'
// raw options are copied in order (later ones win, nested macros expanded),
// then the section's own options apply, `+=` / `-=` included; the `<` key is
// dropped. [buildout] is never expanded. Errors: a missing section
// (k_not_found) and a loop (k_cycle, with the chain), at the `<` option.
inline constexpr std::size_t k_max_macro_depth = 1000;

//
// `cache` (optional) keeps successful expansions by section name so each
// section is expanded once per RawConfig (a successful expansion does not
// depend on where it is used). REQUIRES: one cache per `config`.
using MacroCache = std::unordered_map<std::string, RawSection>;
Expected<RawSection> expand_macros(const RawConfig& config, const RawSection& section,
                                   MacroCache* cache = nullptr);

}  // namespace kiln::profile
