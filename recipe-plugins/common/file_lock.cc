#include "kiln_common/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

namespace kiln_common {

FileLock::FileLock(kiln::sdk::Part& part, const std::string& path) {
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0)
    throw kiln::sdk::Failure("cannot open the lock file " + path + ": " + strerror(errno));
  if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) return;
  part.info("waiting for another build of the shared part (" + path + ")");
  while (::flock(m_fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    std::string why = strerror(errno);
    ::close(m_fd);
    throw kiln::sdk::Failure("cannot lock " + path + ": " + why);
  }
}

FileLock::~FileLock() {
  ::close(m_fd);
}

}  // namespace kiln_common
