// The public deploy API (kiln/deploy.h).
#include <algorithm>
#include <filesystem>
#include <map>

#include "deploy/node.h"
#include "deploy/promises.h"
#include "deploy/root_state.h"
#include "kiln/deploy.h"
#include "kiln/supervisor.h"

namespace kiln {

namespace fs = std::filesystem;

const char* instance_state_name(InstanceState state) {
  switch (state) {
    case InstanceState::k_started:
      return "started";
    case InstanceState::k_stopped:
      return "stopped";
    case InstanceState::k_destroyed:
      return "destroyed";
  }
  return "?";
}

Expected<InstanceState> parse_instance_state(const std::string& text) {
  if (text == "started") return InstanceState::k_started;
  if (text == "stopped") return InstanceState::k_stopped;
  if (text == "destroyed") return InstanceState::k_destroyed;
  return Error(ErrorCode::k_invalid,
               "expected a state of started, stopped or destroyed, got '" + text + "'");
}

Status request_instance(const std::string& root, const InstanceRequest& request) {
  if (request.name.empty() || request.name.find('/') != std::string::npos)
    return Error(ErrorCode::k_invalid, "bad instance name '" + request.name + "'");
  if (!request.parameters.is_object())
    return Error(ErrorCode::k_invalid, "instance parameters must be a JSON object");
  InstanceRequest r = request;
  r.software = canonical_software_url(request.software);
  std::error_code ec;
  if (r.software.find("://") == std::string::npos && !fs::is_regular_file(r.software, ec))
    return Error(ErrorCode::k_not_found, "no such software release profile", request.software);
  return deploy::update_root_state(root, [&](deploy::RootState& s) -> Status {
    auto it = s.instances.find(r.name);
    if (it == s.instances.end()) {
      if (r.state == InstanceState::k_destroyed)
        return Error(ErrorCode::k_not_found, "no instance named '" + r.name + "' to destroy");
      deploy::InstanceRecord rec;
      rec.request = r;
      s.instances.emplace(r.name, std::move(rec));
      return {};
    }
    it->second.request = r;
    return {};
  });
}

Expected<NodeReport> run_node(const std::string& root, const NodeOptions& options) {
  return deploy::run_node_impl(root, options);
}

Expected<NodeReport> run_node_promises(const std::string& root) {
  // Promises can take long: they run on a snapshot, with no lock held, and
  // only their results are merged back (a request made meanwhile stays).
  Expected<deploy::RootState> snapshot = deploy::read_root_state(root);
  if (!snapshot.ok()) return snapshot.error();
  NodeReport report;
  std::map<std::string, std::vector<PromiseResult>> results;
  for (const auto& [name, rec] : snapshot->instances) {
    if (rec.partition.empty() || rec.request.state != InstanceState::k_started ||
        rec.status == "error" || rec.status == "new")
      continue;
    results[name] = deploy::run_promises(deploy::partition_directory(root, rec.partition));
    ++report.processed;
  }
  Status st = deploy::update_root_state(root, [&](deploy::RootState& s) -> Status {
    for (auto& [name, promises] : results) {
      auto it = s.instances.find(name);
      if (it == s.instances.end()) continue;
      bool kept = std::all_of(promises.begin(), promises.end(),
                              [](const PromiseResult& p) { return p.ok; });
      it->second.promises = promises;
      it->second.status = kept ? "ok" : "failing";
      if (!kept) {
        ++report.promise_failed;
        std::error_code ec;  // processed again by the next kiln node
        fs::remove(deploy::partition_directory(root, it->second.partition) + "/.timestamp", ec);
      }
    }
    return {};
  });
  if (!st.ok()) return st.error();
  return report;
}

std::vector<std::string> list_instances(const std::string& root) {
  std::vector<std::string> out;
  Expected<deploy::RootState> s = deploy::read_root_state(root);
  if (s.ok())
    for (const auto& [name, rec] : s->instances) out.push_back(name);
  return out;
}

Expected<InstanceInfo> show_instance(const std::string& root, const std::string& name) {
  Expected<deploy::RootState> s = deploy::read_root_state(root);
  if (!s.ok()) return s.error();
  auto it = s->instances.find(name);
  if (it == s->instances.end())
    return Error(ErrorCode::k_not_found, "no instance named '" + name + "' in " + root);
  const deploy::InstanceRecord& rec = it->second;
  InstanceInfo info{rec.request,  rec.partition,          rec.status, rec.error, rec.connection,
                    rec.promises, nlohmann::json::array()};
  if (!rec.partition.empty() && supervisor_answers(root)) {
    Expected<std::vector<ServiceStatus>> st = supervisor_status(root);
    if (st.ok())
      for (const ServiceStatus& svc : *st)
        if (svc.partition == rec.partition)
          info.services.push_back({{"name", svc.name},
                                   {"kind", svc.kind},
                                   {"state", service_state_name(svc.state)},
                                   {"pid", svc.pid},
                                   {"restarts", svc.restarts},
                                   {"last_exit", svc.last_exit},
                                   {"reason", svc.reason}});
  }
  return info;
}

nlohmann::json to_json(const InstanceInfo& info) {
  nlohmann::json promises = nlohmann::json::array();
  for (const PromiseResult& p : info.promises)
    promises.push_back({{"name", p.name}, {"ok", p.ok}, {"output", p.output}});
  return {{"name", info.request.name},
          {"software", info.request.software},
          {"type", info.request.type},
          {"state", instance_state_name(info.request.state)},
          {"parameters", info.request.parameters},
          {"partition", info.partition},
          {"status", info.status},
          {"error", info.error},
          {"connection", info.connection},
          {"promises", promises},
          {"services", info.services}};
}

}  // namespace kiln
