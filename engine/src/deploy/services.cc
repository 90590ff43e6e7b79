#include "deploy/services.h"

#include <algorithm>
#include <thread>

#include "kiln/supervisor.h"

namespace kiln::deploy {

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

Status stop_partition_services(const std::string& root,
                               const std::vector<std::string>& partitions) {
  if (partitions.empty()) return {};
  Expected<std::vector<ServiceSpec>> current = read_service_set(root);
  if (!current.ok()) return current.error();
  std::vector<ServiceSpec> kept;
  for (const ServiceSpec& s : *current)
    if (std::find(partitions.begin(), partitions.end(), s.partition) == partitions.end())
      kept.push_back(s);
  if (kept.size() == current->size()) return {};
  if (Status st = write_service_set(root, kept); !st.ok()) return st;
  return supervisor_answers(root) ? supervisor_reload(root) : Status();
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
          std::find(partitions.begin(), partitions.end(), s.partition) != partitions.end())
        settling = true;
    if (!settling) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace kiln::deploy
