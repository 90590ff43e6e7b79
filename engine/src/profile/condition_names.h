// The names conditional section expressions see (buildout's _default_globals
// and the modules and builtins Kiln supports), computed from a Platform with
// its `--define` overrides applied. See docs/conditions.md.
#pragma once

#include <map>
#include <string>

#include "kiln/error.h"
#include "profile/condition.h"
#include "profile/py_expr_value.h"

namespace kiln::profile {

// The platform after the text overrides (python, implementation,
// sys_platform, os_name, machine, system, release, bits, byteorder) and the
// boolean names after the boolean overrides. Errors (k_condition): an
// unknown override key, or a value the key does not accept.
struct Facts {
  Platform platform;
  std::map<std::string, bool> flags;  // python2, linux, bits64, ...
};
Expected<Facts> compute_facts(const Platform& platform);

// Every global name: the flags, sys, os, platform, re and the builtins.
// Functions read the host through `probe`, which must outlive the result.
py::Globals make_globals(const Facts& facts, const HostProbe& probe);

// platform.freedesktop_os_release(): /etc/os-release, else
// /usr/lib/os-release, parsed as Python 3.11 does.
Expected<py::ValuePtr> freedesktop_os_release(const HostProbe& probe);

}  // namespace kiln::profile
