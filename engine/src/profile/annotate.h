// zc.buildout's `annotate` layout over a loaded (history-tracking) profile.
#pragma once

#include <string>

#include "profile/resolve.h"

namespace kiln::profile {

// Sorted sections and keys; each value, then where it came from: `    file:line`
// for the assignment in force, `+=  file:line` / `-=  file:line` for the
// operations applied after it. Paths under the buildout directory are relative.
// REQUIRES: `loaded` was loaded with track_history.
std::string annotate(const LoadedProfile& loaded);

}  // namespace kiln::profile
