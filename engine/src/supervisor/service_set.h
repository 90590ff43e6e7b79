// services.json: the desired set of services, and how two sets differ.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"
#include "kiln/supervisor.h"

namespace kiln::supervisor {

// The JSON text of services.json ({"format": 1, "services": [...]}).
std::string service_set_json(const std::vector<ServiceSpec>& services);
// Parses services.json text; `origin` names the file in errors.
Expected<std::vector<ServiceSpec>> parse_service_set(std::string_view text,
                                                     const std::string& origin);
// k_invalid unless names are non-empty and unique, paths absolute and kinds
// "service" or "run".
Status validate_service_set(const std::vector<ServiceSpec>& services);

// What a reload does (like `supervisorctl update`).
struct ServiceSetDiff {
  std::vector<ServiceSpec> added;
  std::vector<std::string> removed;
  std::vector<ServiceSpec> changed;  // the new spec; path, hash, kind or cwd differ
};
// `current` and `desired` by name; unchanged services appear nowhere.
ServiceSetDiff diff_service_sets(const std::vector<ServiceSpec>& current,
                                 const std::vector<ServiceSpec>& desired);

// "slappart0:hello-server" -> "slappart0-hello-server" (':' and '/' -> '-').
std::string log_file_name(std::string_view service_name);

}  // namespace kiln::supervisor
