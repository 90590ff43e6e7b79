// Unpacking archives (tar, tar.gz, tar.xz, tar.bz2, zip, ...) with libarchive,
// refusing entries that would land outside the target directory.
#pragma once

#include <string>

#include "kiln/error.h"

namespace kiln::archive {

enum class StripMode {
  k_never,          // entries keep their paths
  k_if_single_dir,  // a lone top-level directory is dropped (download-unpacked)
  k_always,         // the first path component of every entry is dropped
};

struct ExtractOptions {
  StripMode strip = StripMode::k_never;
};

// Extracts `archive_path` (format and compression detected from the content)
// into `destination`, which must not exist or be an empty directory; its
// parent directories are created. The archive is unpacked into a sibling
// temporary directory, temporary_path(destination) ("<destination>.kiln-tmp",
// archive/temp_path.h), that is renamed into place at the end: on failure
// neither is left behind. A temporary already there (left by a killed
// extraction) is removed first: one extraction per destination at a time.
//
// Refused with Error k_invalid "<archive>: entry '<name>' escapes the target:
// <why>": absolute paths, ".." components, symbolic links whose target
// resolves outside the destination (absolute, too many "..", also through
// other links, judged after stripping), hard links to absolute paths, ".."
// or entries not extracted before, and writing through a symbolic link.
// Device files, fifos and sockets are refused too ("... is a special file").
// Permission bits are kept (set-id and sticky bits dropped, directories
// always u+rwx), as are symbolic links and modification times; ownership is
// not restored.
//
// k_if_single_dir: when the top level holds exactly one directory and
// nothing else, that directory's contents become the destination's.
// k_always: every entry loses its first path component; a top-level file
// (not a directory) is Error k_invalid.
//
// Other errors: k_not_found (no archive), k_invalid (destination not empty,
// archive corrupt, truncated or of an unknown format), k_io. Thread-safe
// (never changes the working directory); never throws.
Status extract(const std::string& archive_path, const std::string& destination,
               const ExtractOptions& options = {});

}  // namespace kiln::archive
