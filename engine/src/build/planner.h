// Deciding what a build does: compare the parts a profile wants with the
// installed state (zc.buildout's rules, see docs/build.md).
#pragma once

#include <string>
#include <vector>

#include "build/builder.h"
#include "build/installed_state.h"
#include "build/part_discovery.h"

namespace kiln::build {

// Uninstall steps first (reverse install order), then install/update in
// install order. A part is updated when its signature is unchanged and all
// its recorded paths exist; otherwise uninstalled (if installed) and
// installed. Installed parts no longer wanted are uninstalled, unless
// `partial` (parts named on the command line: nothing else is touched).
std::vector<PlanStep> make_plan(const Discovered& found, const InstalledState& state, bool partial);

// "install (new part)", "uninstall x (options changed: url, md5sum)", ...
std::string plan_text(const PlanStep& step, bool with_part = false);

}  // namespace kiln::build
