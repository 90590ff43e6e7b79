// The options of the supervisor daemon, defined once: `kiln supervisor`
// registers them on its command line from supervisor_flags() and passes them
// on; `kiln-supervisor` (the dedicated daemon executable, main.cc) parses the
// same arguments with parse_supervisor_args().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"
#include "kiln/supervisor.h"

namespace kiln::supervisor {

struct Flag {
  const char* name;        // "--stop-grace"
  const char* value_name;  // "SECONDS"; nullptr for a flag without a value
  const char* help;
};

// The flags besides --root: --daemon, --stop-grace, --max-fast-exits,
// --log-max-bytes, --log-keep.
const std::vector<Flag>& supervisor_flags();

// Sets one flag of supervisor_flags() (`value` is ignored for flags without
// one); k_invalid for an unknown flag or a bad value.
Status apply_supervisor_flag(SupervisorOptions* options, std::string_view name,
                             const std::string& value);

// Parses `--root DIR` and the flags, as `--name VALUE` or `--name=VALUE`.
// The root is taken as given ("" when absent).
Expected<SupervisorOptions> parse_supervisor_args(const std::vector<std::string>& args);

// "Usage: kiln-supervisor --root DIR [...]" and one line per flag.
std::string supervisor_usage();

// The file name of the daemon executable, installed beside `kiln`.
inline constexpr const char* k_daemon_name = "kiln-supervisor";

}  // namespace kiln::supervisor
