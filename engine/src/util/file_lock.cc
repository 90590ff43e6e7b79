#include "util/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace kiln::util {

namespace {

std::string holder(int fd) {
  char buf[64] = {0};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "another process" : "process " + s;
}

}  // namespace

Expected<FileLock> FileLock::acquire(const std::string& path, bool wait,
                                     const std::function<void(const std::string&)>& on_wait) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error(ErrorCode::k_io, "cannot open lock file: " + std::string(std::strerror(errno)),
                 path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      int e = errno;
      ::close(fd);
      return Error(ErrorCode::k_io, "cannot lock: " + std::string(std::strerror(e)), path);
    }
    std::string who = holder(fd);
    if (!wait) {
      ::close(fd);
      return Error(ErrorCode::k_invalid, "locked by " + who + " (another kiln is building it)",
                   path);
    }
    if (on_wait) on_wait(who);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Error(ErrorCode::k_io, "cannot lock: " + std::string(std::strerror(e)), path);
    }
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) {
  other.m_fd = -1;
}

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);  // releases the flock
}

}  // namespace kiln::util
