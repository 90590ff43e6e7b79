// An exclusive flock held for an object's lifetime: one build of a shared
// part at a time, across kiln processes (two releases asking for the same
// shared part build it once; the second waits, then reuses it).
#pragma once

#include <string>

#include "kiln/recipe.hpp"

namespace kiln_common {

class FileLock {
 public:
  // Opens (creating it) and locks `path`; when another process holds it, says
  // so in the part's log and waits. Throws kiln::sdk::Failure when the file
  // cannot be opened or locked.
  FileLock(kiln::sdk::Part& part, const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int m_fd = -1;
};

}  // namespace kiln_common
