// Errors as values: kiln::Error and kiln::Expected<T>.
//
// Every fallible call in libkiln returns an Expected<T> (or a Status, which is
// Expected<void>). Exceptions thrown by third-party libraries are caught in the
// adapter that wraps them and turned into an Error; none crosses a public API.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace kiln {

enum class ErrorCode {
  k_io,         // a file could not be read or written
  k_not_found,  // a file, section, option or object does not exist
  k_parse,      // a profile or settings file does not follow the syntax
  k_condition,  // a conditional section expression cannot be evaluated
  k_cycle,      // recursive extends, macro loop or circular reference
  k_reference,  // a ${section:option} that cannot be resolved
  k_network,    // a download failed
  k_offline,    // the network is needed but forbidden
  k_vcs,        // a git operation failed
  k_invalid,    // invalid argument or value
  k_internal,   // a bug in Kiln
};

// Short, stable name of a code ("parse", "cycle", ...).
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::k_internal;
  std::string message;
  std::string file;  // where the problem is, if known ("" otherwise)
  int line = 0;      // 1-based line in `file`, 0 if unknown

  Error() = default;
  Error(ErrorCode c, std::string msg, std::string f = {}, int l = 0)
      : code(c), message(std::move(msg)), file(std::move(f)), line(l) {}

  // "file:line: message", "file: message" or "message".
  std::string to_string() const;
};

// Either a value or an Error. Cheap to move; never throws on access when the
// caller checked ok() first (REQUIRES: ok() for value(), !ok() for error()).
template <class T>
class Expected {
 public:
  Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(m_v); }
  Error& error() { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

template <>
class Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : m_error(std::move(error)), m_ok(false) {}
  bool ok() const { return m_ok; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return m_error; }

 private:
  Error m_error;
  bool m_ok = true;
};

using Status = Expected<void>;

}  // namespace kiln
