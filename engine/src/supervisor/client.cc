// The client side of the public supervisor API (kiln/supervisor.h).
#include <filesystem>
#include <thread>

#include "kiln/supervisor.h"
#include "process/run.h"
#include "supervisor/control_socket.h"
#include "supervisor/daemon_binary.h"
#include "supervisor/protocol.h"

namespace kiln {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using supervisor::Command;
using supervisor::Request;

constexpr milliseconds k_request_timeout{10000};
constexpr milliseconds k_poll{10};
// Upper bound for a stop to complete (grace periods are 10 s by default).
constexpr std::chrono::seconds k_settle_timeout{120};

std::string absolute_root(const std::string& root) {
  std::error_code ec;
  std::string r = std::filesystem::absolute(root, ec).lexically_normal().string();
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r;
}

Expected<nlohmann::json> call(const std::string& root, const Request& request) {
  std::string r = absolute_root(root);
  Expected<std::string> reply = supervisor::exchange(
      supervisor_socket_path(r), supervisor::request_line(request), k_request_timeout);
  if (!reply.ok()) {
    if (reply.error().code == ErrorCode::k_not_found) {
      return Error(ErrorCode::k_not_found,
                   "no supervisor running for " + r + ": start it with kiln supervisor --daemon");
    }
    return reply.error();
  }
  return supervisor::parse_reply(*reply);
}

bool any_stopping(const std::vector<ServiceStatus>& all, const std::vector<std::string>& names) {
  for (const ServiceStatus& s : all) {
    if (s.state != ServiceState::k_stopping) continue;
    for (const std::string& n : names) {
      if (n == s.name) return true;
    }
  }
  return false;
}

}  // namespace

bool supervisor_answers(const std::string& root) {
  return call(root, {Command::k_ping, ""}).ok();
}

Status ensure_supervisor_running(const std::string& root, const std::string& kiln_binary) {
  if (supervisor_answers(root)) return {};
  std::string kiln = kiln_binary.empty() ? supervisor::this_executable() : kiln_binary;
  // The dedicated daemon executable beside kiln if installed, else `kiln supervisor`.
  std::string daemon = supervisor::daemon_binary_beside(kiln);
  process::RunRequest run;
  if (daemon.empty()) {
    run.argv = {kiln, "supervisor", "--daemon", "--root", absolute_root(root)};
  } else {
    run.argv = {daemon, "--daemon", "--root", absolute_root(root)};
  }
  run.env = process::current_environment();
  run.timeout = std::chrono::seconds(90);
  Expected<process::RunResult> result = process::run(run);
  if (!result.ok()) return result.error();
  // Another process may have started one at the same time: fine if it answers.
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(result->exit_code == 0 ? 10 : 2);
  while (Clock::now() < deadline) {
    if (supervisor_answers(root)) return {};
    std::this_thread::sleep_for(k_poll);
  }
  return Error(ErrorCode::k_io,
               "could not start the supervisor for " + absolute_root(root) + ": " + result->tail);
}

Status supervisor_reload(const std::string& root) {
  Expected<nlohmann::json> reply = call(root, {Command::k_reload, ""});
  if (!reply.ok()) return reply.error();
  return {};
}

Expected<std::vector<ServiceStatus>> supervisor_status(const std::string& root) {
  Expected<nlohmann::json> reply = call(root, {Command::k_status, ""});
  if (!reply.ok()) return reply.error();
  std::vector<ServiceStatus> out;
  auto services = reply->find("services");
  if (services == reply->end() || !services->is_array()) {
    return Error(ErrorCode::k_parse, "bad status reply from the supervisor");
  }
  for (const nlohmann::json& j : *services) {
    Expected<ServiceStatus> s = supervisor::status_from_json(j);
    if (!s.ok()) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

Expected<std::vector<std::string>> supervisor_control(const std::string& root,
                                                      const std::string& action,
                                                      const std::string& target) {
  Request request{Command::k_start, target};
  if (action == "stop") {
    request.command = Command::k_stop;
  } else if (action == "restart") {
    request.command = Command::k_restart;
  } else if (action != "start") {
    return Error(ErrorCode::k_invalid, "unknown action '" + action + "' (start, stop, restart)");
  }
  Expected<nlohmann::json> reply = call(root, request);
  if (!reply.ok()) return reply.error();
  std::vector<std::string> names = reply->value("affected", std::vector<std::string>{});
  Clock::time_point deadline = Clock::now() + k_settle_timeout;
  while (Clock::now() < deadline) {
    Expected<std::vector<ServiceStatus>> all = supervisor_status(root);
    if (!all.ok()) return all.error();
    if (!any_stopping(*all, names)) return names;
    std::this_thread::sleep_for(k_poll);
  }
  return Error(ErrorCode::k_io, "timed out waiting for the services to stop");
}

Status supervisor_shutdown(const std::string& root) {
  Expected<nlohmann::json> reply = call(root, {Command::k_shutdown, ""});
  if (!reply.ok()) return reply.error();
  Clock::time_point deadline = Clock::now() + k_settle_timeout;
  while (Clock::now() < deadline) {
    if (!supervisor_answers(root)) return {};
    std::this_thread::sleep_for(k_poll);
  }
  return Error(ErrorCode::k_io, "timed out waiting for the supervisor to stop");
}

}  // namespace kiln
