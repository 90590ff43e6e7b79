// String operations with exactly Python 3's semantics, for faithful emulation
// of zc.buildout: what str.isspace(), str.strip() and str.split() treat as
// whitespace (ASCII \t\n\v\f\r, space, \x1c-\x1f and the Unicode spaces,
// decoded from UTF-8), and os.path's string functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::util {

// Byte length of the whitespace character starting at s[i], or 0 if s[i] does
// not start one. REQUIRES: i < s.size().
std::size_t py_space_len(std::string_view s, std::size_t i);
bool py_is_space_start(std::string_view s);  // s non-empty and starts with whitespace
std::string_view py_lstrip(std::string_view s);
std::string_view py_rstrip(std::string_view s);
std::string_view py_strip(std::string_view s);
bool py_is_blank(std::string_view s);  // py_strip(s).empty()
// str.split() with no argument: runs of whitespace separate, none empty.
std::vector<std::string_view> py_split(std::string_view s);
// str.split(sep) for a one-character separator: always size() + 1 pieces.
std::vector<std::string_view> split_char(std::string_view s, char sep);

// Replaces every non-overlapping `from` (non-empty) by `to`, left to right.
void replace_all(std::string& s, std::string_view from, std::string_view to);

// textwrap.dedent(): removes the common [ \t] margin; whitespace-only lines
// become empty.
std::string py_dedent(std::string_view text);

// os.path.join(a, b), os.path.dirname(p), os.path.normpath(p), os.path.isabs(p)
// for POSIX paths.
std::string path_join(std::string_view a, std::string_view b);
std::string_view path_dirname(std::string_view p);
std::string path_normpath(std::string_view p);
inline bool path_isabs(std::string_view p) {
  return !p.empty() && p[0] == '/';
}

}  // namespace kiln::util
