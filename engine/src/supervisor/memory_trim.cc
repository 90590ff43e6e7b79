#include "supervisor/memory_trim.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace kiln::supervisor {

namespace {

struct Mapping {
  unsigned long start = 0, end = 0;
  bool candidate = false;  // file-backed and not writable
  long dirty_or_anon = 0;  // kB of pages that must not be dropped
};

void release(const Mapping& m) {
  if (m.candidate && m.dirty_or_anon == 0 && m.end > m.start) {
    ::madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED);
  }
}

}  // namespace

void trim_clean_file_pages() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping current;
  while (std::getline(smaps, line)) {
    unsigned long start, end, offset, inode;
    char perms[8], dev[16];
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu", &start, &end, perms, &offset, dev,
                    &inode) == 6) {
      release(current);
      current = Mapping{start, end, inode != 0 && perms[1] != 'w' && perms[3] == 'p', 0};
      continue;
    }
    for (const char* key : {"Anonymous:", "Private_Dirty:", "Shared_Dirty:"}) {
      if (line.rfind(key, 0) == 0) current.dirty_or_anon += std::atol(line.c_str() + strlen(key));
    }
  }
  release(current);
}

}  // namespace kiln::supervisor
