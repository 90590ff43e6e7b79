#include "profile/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kiln::profile {

Expected<std::string> read_local_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Error(err == ENOENT ? ErrorCode::k_not_found : ErrorCode::k_io,
                 "cannot open " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::k_io, "cannot open " + path + ": Is a directory");
  }
  if (st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Error(ErrorCode::k_io, "cannot read " + path + ": " + std::strerror(err));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Expected<std::string> FileSource::read_file(const std::string& path) {
  return read_local_file(path);
}

Expected<std::string> FileSource::fetch_url(const std::string& url) {
  return Error(ErrorCode::k_offline, "remote profiles are disabled here: " + url);
}

Expected<std::string> FileSource::git_checkout(const std::string& location) {
  return Error(ErrorCode::k_offline, "git profiles are disabled here: " + location);
}

}  // namespace kiln::profile
