// Crash-safe file replacement.
#pragma once

#include <string>
#include <string_view>

#include "kiln/error.h"

namespace kiln::util {

// Replaces `path` with `content` so that readers see either the old file or
// the complete new one, never a partial write, even across a crash:
// creates the parent directories, writes a uniquely named temporary file in
// the same directory (mode 0666 & ~umask), fsyncs it, renames it over `path`
// and fsyncs the directory. On failure the temporary file is removed, `path`
// is left untouched and a k_io Error names the step and the OS reason.
// Thread-safe (concurrent writers of the same path: the last rename wins).
// Never throws.
Status write_file_atomic(const std::string& path, std::string_view content);

}  // namespace kiln::util
