// The control protocol on <root>/run/supervisor.sock: one request per
// connection, one JSON object per line each way.
//   -> {"cmd": "ping" | "status" | "reload" | "shutdown"}
//   -> {"cmd": "start" | "stop" | "restart", "target": NAME | PARTITION | "all"}
//   <- {"ok": true, ...} or {"ok": false, "error": "..."}
// status answers {"ok": true, "pid": N, "services": [ServiceStatus as JSON]};
// start/stop/restart answer {"ok": true, "affected": [names]}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"
#include "kiln/supervisor.h"

namespace kiln::supervisor {

// Longest request line the supervisor accepts.
inline constexpr std::size_t k_max_request = 64 * 1024;

enum class Command { k_ping, k_status, k_reload, k_shutdown, k_start, k_stop, k_restart };

struct Request {
  Command command = Command::k_ping;
  std::string target;  // start/stop/restart only
};

// The request line, '\n'-terminated.
std::string request_line(const Request& request);
// k_parse for bad JSON or an unknown command; k_invalid when start/stop/
// restart has no target.
Expected<Request> parse_request(std::string_view line);

// {"ok": false, "error": message}, '\n'-terminated.
std::string error_reply(const std::string& message);
// `body` with "ok": true added, '\n'-terminated.
std::string ok_reply(nlohmann::json body = nlohmann::json::object());
// The reply object; an {"ok": false} reply becomes an Error (k_invalid).
Expected<nlohmann::json> parse_reply(std::string_view line);

nlohmann::json status_to_json(const ServiceStatus& status);
Expected<ServiceStatus> status_from_json(const nlohmann::json& json);
Expected<ServiceState> parse_service_state(std::string_view name);

}  // namespace kiln::supervisor
