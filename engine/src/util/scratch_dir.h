// Test helper: a fresh directory under $TMPDIR (or /tmp), removed with its
// contents when the object dies. Header-only; used by *_test.cc files.
// Not thread-safe; each test owns its ScratchDir.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace kiln::util {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "kiln-test") {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = std::filesystem::canonical(buf.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  // Absolute path of `relative` inside the directory, as a string.
  std::string operator/(const std::string& relative) const { return (m_path / relative).string(); }

 private:
  std::filesystem::path m_path;
};

}  // namespace kiln::util
