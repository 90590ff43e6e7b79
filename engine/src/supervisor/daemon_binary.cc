#include "supervisor/daemon_binary.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/options.h"

namespace kiln::supervisor {

std::string this_executable() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "kiln";
}

std::string daemon_binary_beside(const std::string& executable) {
  std::size_t slash = executable.rfind('/');
  // "/kiln" -> "/kiln-supervisor", "kiln" -> "./kiln-supervisor"
  std::string path = (slash == std::string::npos ? std::string(".") : executable.substr(0, slash)) +
                     "/" + k_daemon_name;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  if (::access(path.c_str(), X_OK) != 0) return "";
  return path;
}

}  // namespace kiln::supervisor
