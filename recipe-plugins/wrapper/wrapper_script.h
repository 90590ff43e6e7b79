// Pure logic of the wrapper recipe: shell splitting/quoting, environment
// lines, the script text and the hashed file name. Unit-tested in
// wrapper_script_test.cc.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln_wrapper {

// Raised on malformed input; the message says what is wrong.
class BadInput : public std::runtime_error {
 public:
  explicit BadInput(const std::string& m) : std::runtime_error(m) {}
};

// Python's shlex.split (POSIX mode, no comments): whitespace separates words,
// '...' is literal, "..." honours \" and \\, a backslash outside quotes
// escapes the next character. BadInput on an unclosed quote or trailing '\'.
std::vector<std::string> shell_split(const std::string& text);

// One shell word: 'text' with embedded quotes as '\''.
std::string shell_quote(const std::string& text);

// `KEY=VALUE` lines (blank lines skipped, key and value trimmed). BadInput on a line without '=' or
// a key that is not a shell variable name.
std::vector<std::pair<std::string, std::string>> parse_environment(const std::string& text);

struct WrapperSpec {
  std::vector<std::string> args;  // command-line, already split
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<std::string> wait_for_files;
  std::string pidfile;           // "" = none
  bool pass_extra_args = false;  // append "$@"
};

// The #!/bin/sh script: exports, waits, pidfile check, exec.
std::string render_script(const WrapperSpec& spec);

// Number of hex digits of the hash appended to the wrapper's name.
inline constexpr std::size_t k_hash_length = 8;

// `path-<first k_hash_length hex digits of md5(contents)>`.
std::string hashed_path(const std::string& path, const std::string& contents);

}  // namespace kiln_wrapper
