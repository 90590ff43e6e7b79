#include "profile/condition.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <exception>

#include "profile/condition_names.h"
#include "profile/py_expr_builtins.h"
#include "profile/py_expr_eval.h"
#include "profile/py_expr_lexer.h"
#include "profile/py_expr_parser.h"
#include "profile/py_expr_seq.h"

namespace kiln::profile {

namespace {

// Longest condition source accepted, in bytes.
constexpr std::size_t k_max_source_bytes = 64 * 1024;

bool stat_path(const std::string& path, struct stat* st) {
  return path.find('\0') == std::string::npos && ::stat(path.c_str(), st) == 0;
}

Expected<bool> evaluate_unguarded(std::string_view source, const Platform& platform,
                                  const HostProbe& probe) {
  if (source.size() > k_max_source_bytes)
    return py::condition_error("the condition is longer than " +
                               std::to_string(k_max_source_bytes) + " bytes");
  Expected<Facts> facts = compute_facts(platform);
  if (!facts.ok()) return facts.error();
  Expected<std::vector<py::Token>> tokens = py::tokenize(source);
  if (!tokens.ok()) return tokens.error();
  Expected<py::NodePtr> root = py::parse_expression(source, *tokens);
  if (!root.ok()) return root.error();
  py::Globals globals = make_globals(*facts, probe);
  Expected<py::ValuePtr> value = py::evaluate(**root, globals, source);
  if (!value.ok()) return value.error();
  const py::Value& v = **value;
  if (v.kind == py::Kind::k_list && v.items.empty())
    return py::condition_error("the condition `" + std::string(source.substr(0, 120)) +
                               "` is an empty list: expected an expression after ':', got none "
                               "(Python's eval(...)[0] raises IndexError)");
  Expected<py::ValuePtr> first = py::subscript(v, *py::make_int(0));
  if (!first.ok()) return first.error();
  return py::truthy(**first);
}

}  // namespace

Expected<bool> evaluate_condition(std::string_view source, const Platform& platform,
                                  const HostProbe& probe) {
  try {
    return evaluate_unguarded(source, platform, probe);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_condition,
                 std::string("internal error while evaluating a condition: ") + e.what());
  }
}

Platform Platform::host() {
  Platform p;
  struct utsname u;
  if (::uname(&u) == 0) {
    p.system = u.sysname;
    p.release = u.release;
    p.machine = u.machine;
  }
#if defined(__linux__)
  p.sys_platform = "linux";
#elif defined(__APPLE__)
  p.sys_platform = "darwin";
#else
  p.sys_platform.clear();
  for (char c : p.system)
    p.sys_platform += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
#endif
  p.os_name = "posix";
  p.pointer_bits = static_cast<int>(sizeof(void*) * 8);
  p.little_endian = std::endian::native == std::endian::little;
  return p;
}

bool RealHostProbe::exists(const std::string& path) const {
  struct stat st;
  return stat_path(path, &st);
}

bool RealHostProbe::is_dir(const std::string& path) const {
  struct stat st;
  return stat_path(path, &st) && S_ISDIR(st.st_mode);
}

bool RealHostProbe::is_file(const std::string& path) const {
  struct stat st;
  return stat_path(path, &st) && S_ISREG(st.st_mode);
}

bool RealHostProbe::access(const std::string& path, int mode) const {
  return path.find('\0') == std::string::npos && ::access(path.c_str(), mode) == 0;
}

// Regular files only (so a FIFO or a terminal never blocks), at most
// k_max_file_bytes.
std::optional<std::string> RealHostProbe::read_file(const std::string& path) const {
  if (path.find('\0') != std::string::npos) return std::nullopt;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st;
  std::optional<std::string> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    std::string data;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) out = std::move(data);
        break;
      }
      data.append(buf, static_cast<std::size_t>(n));
      if (data.size() > py::k_max_file_bytes) break;
    }
  }
  ::close(fd);
  return out;
}

}  // namespace kiln::profile
