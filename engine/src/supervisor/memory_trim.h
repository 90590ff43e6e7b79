// Gives back the resident pages a long-lived process no longer needs: the
// clean, file-backed, non-writable mappings (program and library code and
// read-only data touched during start-up). They stay in the page cache and
// fault back in on the next access; nothing private is ever discarded.
#pragma once

namespace kiln::supervisor {

// madvise(MADV_DONTNEED) on every non-writable file mapping of this process
// that holds no anonymous or dirty page (per /proc/self/smaps). Best effort.
void trim_clean_file_pages();

}  // namespace kiln::supervisor
