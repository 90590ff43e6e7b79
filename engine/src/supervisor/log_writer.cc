#include "supervisor/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace kiln::supervisor {

namespace {

Error io_error(const std::string& what, const std::string& path) {
  return Error(ErrorCode::k_io, what + ": " + std::strerror(errno), path);
}

}  // namespace

LogWriter::~LogWriter() {
  if (m_fd >= 0) ::close(m_fd);
}

Status LogWriter::open() {
  if (m_fd >= 0) return {};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(m_path).parent_path(), ec);
  m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (m_fd < 0) return io_error("cannot open log", m_path);
  struct stat st;
  m_size = ::fstat(m_fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  char last = '\n';
  if (m_size > 0 && ::pread(m_fd, &last, 1, static_cast<off_t>(m_size - 1)) != 1) last = '\n';
  m_line_start = last == '\n';
  return {};
}

Status LogWriter::rotate() {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
  if (m_keep <= 0) {
    if (::unlink(m_path.c_str()) != 0 && errno != ENOENT) return io_error("cannot remove", m_path);
  } else {
    for (int i = m_keep - 1; i >= 1; --i) {
      std::string from = m_path + "." + std::to_string(i);
      std::string to = m_path + "." + std::to_string(i + 1);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        return io_error("cannot rotate", from);
      }
    }
    std::string first = m_path + ".1";
    if (::rename(m_path.c_str(), first.c_str()) != 0 && errno != ENOENT) {
      return io_error("cannot rotate", m_path);
    }
  }
  return open();
}

Status LogWriter::write(std::string_view data) {
  Status s = open();
  if (!s.ok()) return s;
  while (!data.empty()) {
    std::uint64_t room = m_max_bytes > m_size ? m_max_bytes - m_size : 0;
    if (data.size() <= room) return append(data);
    // Where to rotate: after the last whole line that fits ...
    std::size_t cut = 0;
    std::size_t nl =
        room > 0 ? data.rfind('\n', static_cast<std::size_t>(room - 1)) : std::string_view::npos;
    if (nl != std::string_view::npos) {
      cut = nl + 1;
    } else if (!m_line_start && m_size > 0) {  // ... or after the line being written
      std::size_t end = data.find('\n');
      if (end != std::string_view::npos && end < k_line_overshoot) cut = end + 1;
    }
    if (cut == 0 && m_size == 0) cut = data.size();  // no line fits a fresh file: whole
    s = append(data.substr(0, cut));
    if (!s.ok()) return s;
    data.remove_prefix(cut);
    if (data.empty()) break;
    s = rotate();
    if (!s.ok()) return s;
  }
  return {};
}

Status LogWriter::append(std::string_view data) {
  if (data.empty()) return {};
  m_line_start = data.back() == '\n';
  while (!data.empty()) {
    ssize_t n = ::write(m_fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write log", m_path);
    }
    m_size += static_cast<std::uint64_t>(n);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace kiln::supervisor
