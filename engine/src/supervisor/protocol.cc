#include "supervisor/protocol.h"

namespace kiln::supervisor {

namespace {

struct CommandName {
  Command command;
  const char* name;
};
constexpr CommandName k_commands[] = {
    {Command::k_ping, "ping"},         {Command::k_status, "status"}, {Command::k_reload, "reload"},
    {Command::k_shutdown, "shutdown"}, {Command::k_start, "start"},   {Command::k_stop, "stop"},
    {Command::k_restart, "restart"},
};

bool takes_target(Command c) {
  return c == Command::k_start || c == Command::k_stop || c == Command::k_restart;
}

}  // namespace

std::string request_line(const Request& request) {
  nlohmann::json j = nlohmann::json::object();
  for (const CommandName& c : k_commands) {
    if (c.command == request.command) j["cmd"] = c.name;
  }
  if (takes_target(request.command)) j["target"] = request.target;
  return j.dump() + "\n";
}

Expected<Request> parse_request(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(ErrorCode::k_parse, "request is not JSON");
  auto cmd = j.find("cmd");
  if (cmd == j.end() || !cmd->is_string()) return Error(ErrorCode::k_parse, "request has no cmd");
  Request r;
  bool known = false;
  for (const CommandName& c : k_commands) {
    if (*cmd == c.name) {
      r.command = c.command;
      known = true;
    }
  }
  if (!known) return Error(ErrorCode::k_parse, "unknown command '" + cmd->get<std::string>() + "'");
  if (takes_target(r.command)) {
    auto target = j.find("target");
    if (target == j.end() || !target->is_string() || target->get<std::string>().empty()) {
      return Error(ErrorCode::k_invalid, cmd->get<std::string>() + " needs a target");
    }
    r.target = target->get<std::string>();
  }
  return r;
}

std::string error_reply(const std::string& message) {
  return nlohmann::json{{"ok", false}, {"error", message}}.dump() + "\n";
}

std::string ok_reply(nlohmann::json body) {
  body["ok"] = true;
  return body.dump() + "\n";
}

Expected<nlohmann::json> parse_reply(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
    return Error(ErrorCode::k_parse, "bad reply from the supervisor");
  }
  if (!j["ok"].get<bool>()) {
    return Error(ErrorCode::k_invalid, j.value("error", std::string("request failed")));
  }
  return j;
}

nlohmann::json status_to_json(const ServiceStatus& s) {
  return {{"name", s.name},
          {"partition", s.partition},
          {"kind", s.kind},
          {"state", service_state_name(s.state)},
          {"pid", s.pid},
          {"start_time", s.start_time},
          {"uptime", s.uptime},
          {"restarts", s.restarts},
          {"last_exit", s.last_exit},
          {"reason", s.reason},
          {"log", s.log_path}};
}

Expected<ServiceState> parse_service_state(std::string_view name) {
  for (ServiceState s : {ServiceState::k_starting, ServiceState::k_running, ServiceState::k_backoff,
                         ServiceState::k_stopping, ServiceState::k_exited, ServiceState::k_fatal,
                         ServiceState::k_stopped}) {
    if (name == service_state_name(s)) return s;
  }
  return Error(ErrorCode::k_parse, "unknown service state '" + std::string(name) + "'");
}

Expected<ServiceStatus> status_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return Error(ErrorCode::k_parse, "a service status is not an object");
  try {
    ServiceStatus s;
    s.name = j.at("name").get<std::string>();
    s.partition = j.value("partition", std::string());
    s.kind = j.value("kind", std::string("service"));
    Expected<ServiceState> state = parse_service_state(j.at("state").get<std::string>());
    if (!state.ok()) return state.error();
    s.state = *state;
    s.pid = j.value("pid", 0);
    s.start_time = j.value("start_time", 0.0);
    s.uptime = j.value("uptime", 0.0);
    s.restarts = j.value("restarts", 0);
    s.last_exit = j.value("last_exit", std::string());
    s.reason = j.value("reason", std::string());
    s.log_path = j.value("log", std::string());
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::k_parse, std::string("bad service status: ") + e.what());
  }
}

}  // namespace kiln::supervisor

namespace kiln {

const char* service_state_name(ServiceState state) {
  switch (state) {
    case ServiceState::k_starting:
      return "starting";
    case ServiceState::k_running:
      return "running";
    case ServiceState::k_backoff:
      return "backoff";
    case ServiceState::k_stopping:
      return "stopping";
    case ServiceState::k_exited:
      return "exited";
    case ServiceState::k_fatal:
      return "fatal";
    case ServiceState::k_stopped:
      return "stopped";
  }
  return "unknown";
}

}  // namespace kiln
