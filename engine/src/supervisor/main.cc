// kiln-supervisor: the supervisor daemon as a small dedicated executable
// (only engine/src/supervisor's daemon side and util/error.cc, linked
// statically; see the kiln-supervisor target in engine/CMakeLists.txt).
// `kiln supervisor` and ensure_supervisor_running() exec it from kiln's
// directory with the same arguments (options.h), and run the same
// run_supervisor() in-process when it is not there. Not part of libkiln.
#include <cstdio>
#include <string>
#include <vector>

#include "kiln/supervisor.h"
#include "supervisor/options.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(kiln::supervisor::supervisor_usage().c_str(), stdout);
      return 0;
    }
  }
  kiln::Expected<kiln::SupervisorOptions> options = kiln::supervisor::parse_supervisor_args(args);
  if (options.ok() && options->root.empty()) {
    options = kiln::Error(kiln::ErrorCode::k_invalid, "--root DIR is required");
  }
  if (!options.ok()) {
    std::fprintf(stderr, "kiln: %s\n%s", options.error().to_string().c_str(),
                 kiln::supervisor::supervisor_usage().c_str());
    return 2;
  }
  kiln::Status status = kiln::run_supervisor(*options);
  if (!status.ok()) {
    std::fprintf(stderr, "kiln: %s\n", status.error().to_string().c_str());
    return 1;
  }
  return 0;
}
