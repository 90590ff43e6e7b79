// Python builtins the condition language supports (docs/conditions.md):
// int, str, bool, len, any, all, list, tuple and open(path).read().
#pragma once

#include <string>

#include "kiln/error.h"
#include "profile/condition.h"
#include "profile/py_expr_value.h"

namespace kiln::profile::py {

// Largest file open() and platform.freedesktop_os_release() accept, in bytes
// (RealHostProbe reads at most this much too).
inline constexpr std::size_t k_max_file_bytes = std::size_t{4} << 20;

// Adds the builtins to `globals`. open() reads through `probe`, which must
// outlive every use of `globals`.
void add_builtins(Globals& globals, const HostProbe& probe);

// The text Python's open(path).read() returns: the file read through `probe`,
// \r\n and \r turned into \n (text mode), which must be UTF-8. `who` names the
// caller in messages, e.g. "open('/etc/os-release')".
Expected<std::string> read_text_file(const HostProbe& probe, const std::string& path,
                                     const std::string& who);
// The text-mode part of read_text_file(): newline translation, size and
// UTF-8 checks of content already read.
Expected<std::string> decode_text(const std::string& raw, const std::string& who);

}  // namespace kiln::profile::py
