// The paths of a root and reading services.json (kiln/supervisor.h): used
// by the daemon (kiln-supervisor) as well as by the client side.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kiln/supervisor.h"
#include "supervisor/service_set.h"

namespace kiln {

std::string service_set_path(const std::string& root) {
  return root + "/run/services.json";
}

std::string supervisor_socket_path(const std::string& root) {
  return root + "/run/supervisor.sock";
}

std::string service_log_directory(const std::string& root) {
  return root + "/log/services";
}

std::string service_log_path(const std::string& root, const std::string& name) {
  return service_log_directory(root) + "/" + supervisor::log_file_name(name) + ".log";
}

Expected<std::vector<ServiceSpec>> read_service_set(const std::string& root) {
  std::string path = service_set_path(root);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::vector<ServiceSpec>{};
    return Error(ErrorCode::k_io, "cannot read: " + std::string(std::strerror(errno)), path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return supervisor::parse_service_set(text.str(), path);
}

}  // namespace kiln
