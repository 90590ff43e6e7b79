#include "deploy/services.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "deploy/node.h"
#include "kiln/supervisor.h"

namespace kiln::deploy {

namespace fs = std::filesystem;

namespace {

bool in(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The long-running services of `partitions`, as the supervisor sees them.
std::vector<ServiceStatus> services_of(const std::string& root,
                                       const std::vector<std::string>& partitions) {
  std::vector<ServiceStatus> out;
  if (partitions.empty() || !supervisor_answers(root)) return out;
  Expected<std::vector<ServiceStatus>> st = supervisor_status(root);
  if (!st.ok()) return out;
  for (ServiceStatus& s : *st)
    if (s.kind == "service" && in(partitions, s.partition)) out.push_back(std::move(s));
  return out;
}

}  // namespace

Status sync_services(const std::string& root,
                     const std::vector<std::pair<std::string, std::string>>& started) {
  std::vector<ServiceSpec> all;
  for (const auto& [id, dir] : started) {
    Expected<std::vector<ServiceSpec>> found = scan_partition_services(dir, id);
    if (!found.ok()) return found.error();
    all.insert(all.end(), found->begin(), found->end());
  }
  if (Status st = write_service_set(root, all); !st.ok()) return st;
  if (all.empty() && !supervisor_answers(root)) return {};
  if (Status st = ensure_supervisor_running(root); !st.ok()) return st;
  return supervisor_reload(root);
}

Status stop_partition_services(const std::string& root, const std::vector<std::string>& partitions,
                               std::chrono::milliseconds timeout) {
  if (partitions.empty()) return {};
  Expected<std::vector<ServiceSpec>> current = read_service_set(root);
  if (!current.ok()) return current.error();
  std::vector<ServiceSpec> kept;
  for (const ServiceSpec& s : *current)
    if (std::find(partitions.begin(), partitions.end(), s.partition) == partitions.end())
      kept.push_back(s);
  if (kept.size() == current->size()) return {};
  if (Status st = write_service_set(root, kept); !st.ok()) return st;
  if (!supervisor_answers(root)) return {};
  if (Status st = supervisor_reload(root); !st.ok()) return st;
  // A stopped service leaves the supervisor's table once its process group
  // is gone (a service may take its stop grace to flush and exit).
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    Expected<std::vector<ServiceStatus>> st = supervisor_status(root);
    if (!st.ok()) return st.error();
    std::vector<std::string> left;
    for (const ServiceStatus& s : *st)
      if (in(partitions, s.partition) && s.pid > 0) left.push_back(s.name);
    if (left.empty()) return {};
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string names;
      for (const std::string& n : left) names += (names.empty() ? "" : ", ") + n;
      return Error(ErrorCode::k_io, "services still running after " +
                                        std::to_string(timeout.count() / 1000) + " s: " + names);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void wait_services_settled(const std::string& root, const std::vector<std::string>& partitions,
                           std::chrono::milliseconds timeout) {
  if (partitions.empty() || !supervisor_answers(root)) return;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    Expected<std::vector<ServiceStatus>> st = supervisor_status(root);
    if (!st.ok()) return;
    bool settling = false;
    for (const ServiceStatus& s : *st)
      if ((s.state == ServiceState::k_starting || s.state == ServiceState::k_stopping) &&
          in(partitions, s.partition))
        settling = true;
    if (!settling) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void remove_service_logs(const std::string& root, const std::string& partition) {
  std::string prefix = partition + "-";
  std::string dir = service_log_directory(root);
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) doomed.push_back(e.path());
  for (const fs::path& p : doomed) fs::remove(p, ec);
}

void start_idle_services(const std::string& root, const std::vector<std::string>& partitions) {
  for (const ServiceStatus& s : services_of(root, partitions))
    if (s.state == ServiceState::k_fatal || s.state == ServiceState::k_stopped ||
        s.state == ServiceState::k_exited)
      (void)supervisor_control(root, "start", s.name);
}

std::map<std::string, std::string> unhealthy_partitions(
    const std::string& root, const std::vector<std::string>& partitions) {
  std::map<std::string, std::string> out;
  if (!partitions.empty() && !supervisor_answers(root)) {
    for (const std::string& id : partitions) {
      Expected<std::vector<ServiceSpec>> declared =
          scan_partition_services(partition_directory(root, id), id);
      if (declared.ok() && std::any_of(declared->begin(), declared->end(),
                                       [](const ServiceSpec& s) { return s.kind == "service"; }))
        out[id] = "its services are not running: no supervisor runs (kiln node starts it)";
    }
    return out;
  }
  for (const ServiceStatus& s : services_of(root, partitions)) {
    std::string why;
    if (s.state == ServiceState::k_fatal)
      why = "service " + s.name + " gave up" + (s.reason.empty() ? "" : ": " + s.reason);
    else if (s.state == ServiceState::k_backoff)
      why = "service " + s.name + " keeps exiting at once (" +
            (s.last_exit.empty() ? std::string("restarting") : "last: " + s.last_exit) + ")";
    else if (s.state == ServiceState::k_stopped || s.state == ServiceState::k_exited)
      why = "service " + s.name + " is not running (" +
            (s.last_exit.empty() ? std::string("stopped") : s.last_exit) + ")";
    if (why.empty()) continue;
    std::string& line = out[s.partition];
    line += (line.empty() ? "" : "; ") + why;
  }
  return out;
}

}  // namespace kiln::deploy
