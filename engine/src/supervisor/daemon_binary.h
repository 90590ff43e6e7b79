// Finding the supervisor daemon executable (kiln-supervisor) beside kiln.
// Client side only (libkiln): `kiln supervisor` and ensure_supervisor_running().
#pragma once

#include <string>

namespace kiln::supervisor {

// The running executable (/proc/self/exe), "kiln" if it cannot be read.
std::string this_executable();

// "<directory of executable>/kiln-supervisor" if that file is executable,
// else "" (then the caller runs the supervisor in-process).
std::string daemon_binary_beside(const std::string& executable);

}  // namespace kiln::supervisor
