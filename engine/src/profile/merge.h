// Merging, exactly as zc.buildout does it: _update_section (with += and -=),
// and _update with the fix for += / -= in a section seen for the first time
// (docs/profile-semantics.md, D).
#pragma once

#include "profile/model.h"

namespace kiln::profile {

// Is `key` an operator key ("x +", "x+", "x -", ...), and its base name.
bool is_add_key(std::string_view key);
bool is_remove_key(std::string_view key);

// _update_section(s1, s2): s2's values override s1's; its `+=` / `-=` keys
// add or remove lines. s2 is not modified.
void update_section(Section& s1, const Section& s2, bool track);

// _update(d1, d2) with the first-appearance fix: every section of d2 is merged
// into d1 (sections d1 lacks are shared, copy-on-write).
void update_config(Config& d1, const Config& d2, bool track);

}  // namespace kiln::profile
