// A service's log: output appended to one file, rotated by size
// (name.log -> name.log.1 -> ... -> name.log.<keep>, the oldest dropped).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kiln/error.h"

namespace kiln::supervisor {

class LogWriter {
 public:
  LogWriter(std::string path, std::uint64_t max_bytes, int keep)
      : m_path(std::move(path)), m_max_bytes(max_bytes), m_keep(keep) {}
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends `data` (the file and its directory are created when needed);
  // rotates when the file would grow past max_bytes, at a line boundary:
  // after the last whole line that fits, or, when the file ends in the
  // middle of a line, after the end of that line if it comes within
  // k_line_overshoot bytes (a line longer than that, or a write with no
  // newline, is cut where it must be).
  Status write(std::string_view data);
  static constexpr std::size_t k_line_overshoot = 4096;
  // Renames the rotated files one step up and starts a new, empty log.
  Status rotate();
  const std::string& path() const { return m_path; }

 private:
  Status open();
  Status append(std::string_view data);

  std::string m_path;
  std::uint64_t m_max_bytes;
  int m_keep;
  int m_fd = -1;
  std::uint64_t m_size = 0;
  bool m_line_start = true;  // the file ends with '\n' (or is empty)
};

}  // namespace kiln::supervisor
