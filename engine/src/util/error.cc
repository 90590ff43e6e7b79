#include "kiln/error.h"

namespace kiln {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::k_io: return "io";
    case ErrorCode::k_not_found: return "not-found";
    case ErrorCode::k_parse: return "parse";
    case ErrorCode::k_condition: return "condition";
    case ErrorCode::k_cycle: return "cycle";
    case ErrorCode::k_reference: return "reference";
    case ErrorCode::k_network: return "network";
    case ErrorCode::k_offline: return "offline";
    case ErrorCode::k_vcs: return "vcs";
    case ErrorCode::k_invalid: return "invalid";
    case ErrorCode::k_internal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  if (file.empty()) return message;
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

}  // namespace kiln
