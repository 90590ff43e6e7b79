// Conditional section expressions: [name:expr].
//
// buildout evaluates `[` + expr + `]` + tail-comment with Python's eval() and
// keeps the section when element 0 of the resulting list is true. Kiln is not
// Python: it evaluates the subset of Python expressions profiles use over the
// names buildout defines, with the meaning documented in docs/conditions.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "kiln/error.h"

namespace kiln::profile {

// Side effects an expression may ask for (os.path.isdir, open(...).read(), ...).
// Tests use an in-memory fake.
class HostProbe {
 public:
  virtual ~HostProbe() = default;
  virtual bool exists(const std::string& path) const = 0;
  virtual bool is_dir(const std::string& path) const = 0;
  virtual bool is_file(const std::string& path) const = 0;
  // os.access(path, mode) with mode a mask of os.R_OK=4, os.W_OK=2, os.X_OK=1, os.F_OK=0.
  virtual bool access(const std::string& path, int mode) const = 0;
  // Whole file content, or nullopt when it cannot be read.
  virtual std::optional<std::string> read_file(const std::string& path) const = 0;
};

// The real machine.
class RealHostProbe : public HostProbe {
 public:
  bool exists(const std::string& path) const override;
  bool is_dir(const std::string& path) const override;
  bool is_file(const std::string& path) const override;
  bool access(const std::string& path, int mode) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
};

// What the predefined names mean. Defaults describe the host (see host()).
struct Platform {
  // The Python that `python2`, `python3`, `pythonXY`, `sys.version_info` describe.
  int python_major = 3;
  int python_minor = 11;
  int python_micro = 2;
  std::string implementation = "cpython";  // cpython | pypy | jython | ironpython
  std::string sys_platform = "linux";      // Python's sys.platform
  std::string os_name = "posix";           // Python's os.name
  std::string machine = "x86_64";          // platform.machine()
  std::string system = "Linux";            // platform.system()
  std::string release;                     // platform.release()
  int pointer_bits = 64;                   // bits32 / bits64
  bool little_endian = true;
  // Explicit values for names, from `--define NAME=VALUE`: win over everything
  // above ("true"/"false"/"1"/"0" for boolean names, text otherwise).
  std::map<std::string, std::string> overrides;

  // The machine Kiln runs on (uname(2), pointer size, byte order).
  static Platform host();
};

// Evaluates `source` (the text `[` + expr + `]` + optional `# comment`, with
// `\x23` and `\x3b` already un-escaped) and returns the truth of element 0.
// Unknown names, unsupported syntax or an empty list are errors (code
// k_condition) whose message says what was expected; never a silent false.
Expected<bool> evaluate_condition(std::string_view source, const Platform& platform,
                                  const HostProbe& probe);

}  // namespace kiln::profile
