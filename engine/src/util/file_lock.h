// An exclusive lock on a file (flock), held for the object's life. The lock
// goes away with the process, so a killed build never leaves a stale lock.
#pragma once

#include <functional>
#include <string>

#include "kiln/error.h"

namespace kiln::util {

class FileLock {
 public:
  // Takes the lock on `path` (created if needed). When another process holds
  // it: with `wait`, calls on_wait(holder pid text) once and blocks; without,
  // fails with k_invalid naming the path and the holder.
  static Expected<FileLock> acquire(const std::string& path, bool wait,
                                    const std::function<void(const std::string&)>& on_wait);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

}  // namespace kiln::util
