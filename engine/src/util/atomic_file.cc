#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>

namespace kiln::util {

namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::k_io, "cannot " + what + " " + path + ": " + std::strerror(err));
}

// "<dir>/.<name>.tmp-<pid>-<counter>-<random>": unique among threads and
// processes; O_EXCL below makes a collision an error we retry, not a clobber.
std::string temp_name(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  thread_local std::mt19937 rng{std::random_device{}()};
  std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + "-" + std::to_string(rng() % 1000000);
  return (target.parent_path() / name).string();
}

Status write_all(int fd, std::string_view content, const std::string& tmp) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("write", tmp, errno);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) return io_error("fsync", tmp, errno);
  return {};
}

Status fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", dir.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems cannot fsync a directory; the rename itself succeeded.
  if (rc != 0 && err != EINVAL && err != EROFS) return io_error("fsync", dir.string(), err);
  return {};
}

// Creates and fills the temporary file; returns its name or an Error (with
// nothing left behind).
Expected<std::string> write_temp(const std::filesystem::path& target, std::string_view content) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string tmp = temp_name(target);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return io_error("create", tmp, errno);
    }
    Status written = write_all(fd, content, tmp);
    if (::close(fd) != 0 && written.ok()) written = io_error("close", tmp, errno);
    if (!written.ok()) {
      ::unlink(tmp.c_str());
      return written.error();
    }
    return tmp;
  }
  return Error(ErrorCode::k_io, "cannot create a temporary file for " + target.string());
}

Status write_file_atomic_impl(const std::string& path, std::string_view content) {
  if (path.empty()) return Error(ErrorCode::k_invalid, "cannot write a file with an empty name");
  std::filesystem::path target = std::filesystem::absolute(path);
  std::filesystem::path dir = target.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error(ErrorCode::k_io, "cannot create directory " + dir.string() + ": " + ec.message());
  Expected<std::string> tmp = write_temp(target, content);
  if (!tmp.ok()) return tmp.error();
  if (::rename(tmp->c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp->c_str());
    return io_error("rename " + *tmp + " to", target.string(), err);
  }
  return fsync_dir(dir);
}

}  // namespace

Status write_file_atomic(const std::string& path, std::string_view content) {
  try {
    return write_file_atomic_impl(path, content);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_io, "cannot write " + path + ": " + e.what());
  }
}

}  // namespace kiln::util
