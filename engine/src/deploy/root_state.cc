#include "deploy/root_state.h"

#include <set>

#include "util/atomic_file.h"
#include "util/file_lock.h"
#include "util/file_text.h"
#include "util/json_text.h"

namespace kiln::deploy {

namespace {

constexpr int k_format = 1;

std::string state_file(const std::string& root) {
  return root + "/state/instances.json";
}

nlohmann::json to_json(const InstanceRecord& r) {
  nlohmann::json promises = nlohmann::json::array();
  for (const PromiseResult& p : r.promises)
    promises.push_back({{"name", p.name}, {"ok", p.ok}, {"output", p.output}});
  return {{"software", r.request.software},
          {"type", r.request.type},
          {"parameters", r.request.parameters},
          {"state", instance_state_name(r.request.state)},
          {"partition", r.partition},
          {"status", r.status},
          {"error", r.error},
          {"connection", r.connection},
          {"promises", promises}};
}

Expected<InstanceRecord> from_json(const std::string& name, const nlohmann::json& j) {
  InstanceRecord r;
  r.request.name = name;
  r.request.software = j.at("software").get<std::string>();
  r.request.type = j.value("type", "default");
  r.request.parameters = j.value("parameters", nlohmann::json::object());
  Expected<InstanceState> st = parse_instance_state(j.value("state", "started"));
  if (!st.ok()) return st.error();
  r.request.state = *st;
  r.partition = j.value("partition", "");
  r.status = j.value("status", "new");
  r.error = j.value("error", "");
  r.connection = j.value("connection", nlohmann::json::object());
  for (const nlohmann::json& p : j.value("promises", nlohmann::json::array()))
    r.promises.push_back({p.value("name", ""), p.value("ok", false), p.value("output", "")});
  return r;
}

Expected<RootState> load(const std::string& root) {
  RootState state;
  std::optional<std::string> text = util::read_file_text(state_file(root));
  if (!text) return state;
  try {
    nlohmann::json j = nlohmann::json::parse(*text);
    if (j.value("format", 0) != k_format)
      return Error(ErrorCode::k_parse, "unknown state format", state_file(root));
    for (const auto& [name, rec] : j.at("instances").items()) {
      Expected<InstanceRecord> r = from_json(name, rec);
      if (!r.ok()) return Error(ErrorCode::k_parse, r.error().message, state_file(root));
      state.instances[name] = std::move(*r);
    }
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_parse, std::string("corrupt root state: ") + e.what(),
                 state_file(root));
  }
  return state;
}

Status save(const std::string& root, const RootState& state) {
  nlohmann::json inst = nlohmann::json::object();
  for (const auto& [name, r] : state.instances) inst[name] = to_json(r);
  nlohmann::json j = {{"format", k_format}, {"instances", inst}};
  return util::write_file_atomic(state_file(root), util::json_dump(j, 1) + "\n");
}

}  // namespace

std::string RootState::free_partition() const {
  std::set<std::string> used;
  for (const auto& [name, r] : instances)
    if (!r.partition.empty()) used.insert(r.partition);
  for (int i = 0;; ++i) {
    std::string id = "slappart" + std::to_string(i);
    if (!used.count(id)) return id;
  }
}

Status update_root_state(const std::string& root, const std::function<Status(RootState&)>& change) {
  Expected<util::FileLock> lock =
      util::FileLock::acquire(root + "/state/instances.lock", true, nullptr);
  if (!lock.ok()) return lock.error();
  Expected<RootState> state = load(root);
  if (!state.ok()) return state.error();
  if (Status st = change(*state); !st.ok()) return st;
  return save(root, *state);
}

Expected<RootState> read_root_state(const std::string& root) {
  Expected<util::FileLock> lock =
      util::FileLock::acquire(root + "/state/instances.lock", true, nullptr);
  if (!lock.ok()) return lock.error();
  return load(root);
}

}  // namespace kiln::deploy
