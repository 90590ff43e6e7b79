// The public deploy API (kiln/deploy.h).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "deploy/node.h"
#include "deploy/promises.h"
#include "deploy/root_state.h"
#include "deploy/services.h"
#include "kiln/deploy.h"
#include "kiln/supervisor.h"
#include "util/json_text.h"

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

namespace {

// `s` with control characters escaped, for messages.
std::string printable(const std::string& s) {
  std::string out;
  util::append_json_string_body(out, s.size() > 80 ? s.substr(0, 80) + "..." : s);
  return out;
}

// Why `name` cannot name an instance, "" when it can.
std::string bad_name_reason(const std::string& name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 255) return "it is longer than 255 bytes";
  if (name == "." || name == "..") return "it is '.' or '..'";
  for (char c : name) {
    if (c == '/') return "it holds '/'";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "it holds a control character";
  }
  return {};
}

}  // namespace

Status request_instance(const std::string& root, const InstanceRequest& request) {
  if (std::string why = bad_name_reason(request.name); !why.empty())
    return Error(ErrorCode::k_invalid,
                 "bad instance name '" + printable(request.name) + "': " + why);
  if (!request.parameters.is_object())
    return Error(ErrorCode::k_invalid, "instance parameters must be a JSON object");
  InstanceRequest r = request;
  // Destroying an instance needs no release: "" keeps the one it has.
  bool keep_software = r.software.empty() && r.state == InstanceState::k_destroyed;
  if (!keep_software) {
    r.software = canonical_software_url(request.software);
    std::error_code ec;
    if (r.software.find("://") == std::string::npos && !fs::is_regular_file(r.software, ec))
      return Error(ErrorCode::k_not_found, "no such software release profile", request.software);
  }
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
    if (keep_software) r.software = it->second.request.software;
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
  std::vector<std::string> partitions;
  for (const auto& [name, rec] : snapshot->instances) {
    if (rec.partition.empty() || rec.request.state != InstanceState::k_started ||
        rec.status == "error" || rec.status == "new")
      continue;
    results[name] = deploy::run_promises(deploy::partition_directory(root, rec.partition));
    partitions.push_back(rec.partition);
    ++report.processed;
  }
  std::map<std::string, std::string> unhealthy = deploy::unhealthy_partitions(root, partitions);
  Status st = deploy::update_root_state(root, [&](deploy::RootState& s) -> Status {
    for (auto& [name, promises] : results) {
      auto it = s.instances.find(name);
      if (it == s.instances.end()) continue;
      auto problem = unhealthy.find(it->second.partition);
      it->second.error = problem == unhealthy.end() ? std::string() : problem->second;
      bool kept =
          it->second.error.empty() && std::all_of(promises.begin(), promises.end(),
                                                  [](const PromiseResult& p) { return p.ok; });
      it->second.promises = promises;
      it->second.status = kept ? "ok" : "failing";
      if (!kept) {
        ++report.promise_failed;
        if (!it->second.error.empty())
          std::cerr << "kiln: instance " << name << ": " << it->second.error << "\n";
        for (const PromiseResult& p : promises)
          if (!p.ok)
            std::cerr << "kiln: instance " << name << ": promise " << p.name
                      << " failed: " << p.output << "\n";
        std::error_code ec;  // processed again by the next kiln node
        fs::remove(deploy::partition_directory(root, it->second.partition) + "/.timestamp", ec);
      }
    }
    return {};
  });
  if (!st.ok()) return st.error();
  return report;
}

Expected<std::vector<std::string>> list_instances(const std::string& root) {
  Expected<deploy::RootState> s = deploy::read_root_state(root);
  if (!s.ok()) return s.error();
  std::vector<std::string> out;
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
