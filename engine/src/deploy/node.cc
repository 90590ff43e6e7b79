#include "deploy/node.h"

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "deploy/partition_profile.h"
#include "deploy/promises.h"
#include "deploy/root_state.h"
#include "deploy/services.h"
#include "util/atomic_file.h"
#include "util/file_lock.h"
#include "util/file_text.h"
#include "util/hash.h"
#include "util/json_text.h"

namespace kiln::deploy {

namespace fs = std::filesystem;

std::string partition_directory(const std::string& root, const std::string& partition) {
  return root + "/instance/" + partition;
}

namespace {

std::string read_text(const std::string& path) {
  return util::read_file_text(path).value_or("");
}

}  // namespace

std::string deploy_digest(const InstanceRequest& r, const std::string& instance_profile) {
  // The release's installed state holds the signature of every part, so a
  // rebuilt component or template the instance profile only names by path
  // changes the digest too.
  std::string release = fs::path(instance_profile).parent_path().string();
  nlohmann::json j = {{"software", r.software},
                      {"type", r.type},
                      {"parameters", r.parameters},
                      {"state", instance_state_name(r.state)},
                      {"profile", instance_profile},
                      {"profile-md5", util::md5_hex(read_text(instance_profile))},
                      {"release-md5", util::md5_hex(read_text(release + "/.kiln/installed.json"))}};
  return util::sha256_hex(util::json_dump(j));
}

namespace {

// Connection parameters the publish recipes wrote: <dir>/.kiln/published/*.json.
nlohmann::json collect_published(const std::string& dir) {
  nlohmann::json out = nlohmann::json::object();
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir + "/.kiln/published", ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    try {
      nlohmann::json j = nlohmann::json::parse(read_text(f.string()));
      for (const auto& [k, v] : j.items()) out[k] = v;
    } catch (const std::exception&) {
      // A half-written file cannot exist (atomic writes); ignore junk.
    }
  }
  return out;
}

struct Node {
  const std::string& root;
  const NodeOptions& options;
  NodeReport report;
  std::map<std::string, Expected<BuildSummary>> releases;  // by software URL

  Status build_release(const std::string& software);
  void deploy(InstanceRecord& rec);
  void destroy(InstanceRecord& rec);
  Status deploy_steps(InstanceRecord& rec, bool& skipped);
  // `service_problem`: why its services are not healthy, "" when they are.
  void check_promises(InstanceRecord& rec, const std::string& service_problem);
  std::map<std::string, std::string> stamps;  // partition -> digest to write once kept
};

Status Node::build_release(const std::string& software) {
  auto it = releases.find(software);
  if (it == releases.end()) {
    BuildOptions o = options.build;
    o.parts.clear();
    o.dry_run = false;
    it = releases.emplace(software, build_software_release(root, software, o)).first;
  }
  if (!it->second.ok()) return it->second.error();
  return {};
}

Status Node::deploy_steps(InstanceRecord& rec, bool& skipped) {
  if (Status st = build_release(rec.request.software); !st.ok()) return st;
  std::string release = software_release_directory(root, rec.request.software);
  Expected<std::string> profile = find_instance_profile(release);
  if (!profile.ok()) return profile.error();
  PartitionSpec spec{root, rec.partition, partition_directory(root, rec.partition), *profile,
                     rec.request};
  std::string digest = deploy_digest(rec.request, *profile);
  std::string stamp = spec.directory + "/.timestamp";
  if (!options.force && rec.status == "ok" && read_text(stamp) == digest + "\n") {
    skipped = true;
    return {};
  }
  std::error_code ec;
  fs::remove(stamp, ec);
  Expected<std::string> cfg = write_partition_profile(spec);
  if (!cfg.ok()) return cfg.error();
  BuildOptions o = options.build;
  o.parts.clear();
  o.dry_run = false;
  o.shared_directory = root + "/shared";
  Expected<BuildSummary> built = build_profile(*cfg, o);
  if (!built.ok()) return built.error();
  rec.connection = collect_published(spec.directory);
  stamps[rec.partition] = digest;
  return {};
}

void Node::deploy(InstanceRecord& rec) {
  bool skipped = false;
  if (rec.partition.empty()) return;
  Status st = deploy_steps(rec, skipped);
  if (skipped) {
    ++report.skipped;
    return;
  }
  ++report.processed;
  if (!st.ok()) {
    rec.status = "error";
    rec.error = st.error().to_string();
    rec.promises.clear();  // those of the previous deploy no longer tell anything
    ++report.failed;
    std::cerr << "kiln: instance " << rec.request.name << ": " << rec.error << "\n";
    return;
  }
  rec.status = "deployed";
  rec.error.clear();
}

// After services are (re)started: promises of a deployed, started instance,
// and the health of its services; the .timestamp that lets the next run skip
// it only when both are good.
void Node::check_promises(InstanceRecord& rec, const std::string& service_problem) {
  std::string dir = partition_directory(root, rec.partition);
  if (rec.request.state == InstanceState::k_started) {
    rec.promises = run_promises(dir);
  } else {
    rec.promises.clear();
  }
  bool kept = service_problem.empty();
  for (const PromiseResult& p : rec.promises) kept = kept && p.ok;
  rec.status = kept ? "ok" : "failing";
  rec.error = service_problem;
  if (!kept) {
    ++report.promise_failed;
    std::error_code ec;
    fs::remove(dir + "/.timestamp", ec);
    if (!service_problem.empty())
      std::cerr << "kiln: instance " << rec.request.name << ": " << service_problem << "\n";
    for (const PromiseResult& p : rec.promises)
      if (!p.ok)
        std::cerr << "kiln: instance " << rec.request.name << ": promise " << p.name
                  << " failed: " << p.output << "\n";
    return;
  }
  if (auto it = stamps.find(rec.partition); it != stamps.end())
    (void)util::write_file_atomic(dir + "/.timestamp", it->second + "\n");
}

void Node::destroy(InstanceRecord& rec) {
  if (rec.partition.empty()) return;
  std::string dir = partition_directory(root, rec.partition);
  // Uninstall every part (recipes' uninstall, then their files), if it was built.
  if (fs::exists(dir + "/.kiln/installed.json")) {
    std::string cfg = dir + "/.kiln-destroy.cfg";
    Status w = util::write_file_atomic(cfg, "[buildout]\nparts =\ndirectory = " + dir + "\n");
    BuildOptions o = options.build;
    o.parts.clear();
    Expected<BuildSummary> r = w.ok() ? build_profile(cfg, o) : Expected<BuildSummary>(w.error());
    if (!r.ok())
      std::cerr << "kiln: instance " << rec.request.name
                << ": uninstalling its parts: " << r.error().to_string() << "\n";
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  remove_service_logs(root, rec.partition);  // the next tenant starts afresh
  ++report.processed;
  if (ec || fs::exists(dir)) {  // never hand a partition with leftovers to another instance
    ++report.failed;
    std::cerr << "kiln: instance " << rec.request.name << ": cannot empty " << dir << ": "
              << ec.message() << "\n";
    return;
  }
  rec.partition.clear();
}

}  // namespace

namespace {

// Partitions for the instances that need one; destroyed ones keep theirs
// until they are emptied.
Status allocate(const std::string& root, RootState& state) {
  for (auto& [name, rec] : state.instances) {
    if (!rec.partition.empty() || rec.request.state == InstanceState::k_destroyed) continue;
    rec.partition = state.free_partition();
    std::error_code ec;
    fs::create_directories(partition_directory(root, rec.partition), ec);
    if (ec)
      return Error(ErrorCode::k_io, "cannot create partition: " + ec.message(),
                   partition_directory(root, rec.partition));
  }
  return {};
}

// Writes what the node found back, keeping requests changed meanwhile.
Status save_results(const std::string& root, const RootState& done) {
  return update_root_state(root, [&](RootState& now) -> Status {
    for (const auto& [name, rec] : done.instances) {
      auto it = now.instances.find(name);
      if (it == now.instances.end()) continue;
      InstanceRecord& cur = it->second;
      if (rec.request.state == InstanceState::k_destroyed && rec.partition.empty()) {
        if (cur.request.state == InstanceState::k_destroyed) now.instances.erase(it);
        continue;
      }
      cur.partition = rec.partition;
      cur.status = rec.status;
      cur.error = rec.error;
      cur.connection = rec.connection;
      cur.promises = rec.promises;
    }
    return {};
  });
}

}  // namespace

Expected<NodeReport> run_node_impl(const std::string& root, const NodeOptions& options) {
  Expected<util::FileLock> lock =
      util::FileLock::acquire(root + "/state/node.lock", true, [&](const std::string& who) {
        std::cerr << "kiln: waiting for " << who << " (another kiln node)\n";
      });
  if (!lock.ok()) return lock.error();
  RootState state;
  Status st = update_root_state(root, [&](RootState& s) {
    Status a = allocate(root, s);
    state = s;
    return a;
  });
  if (!st.ok()) return st.error();
  // Services of instances to destroy stop before their files go.
  std::vector<std::string> doomed;
  for (const auto& [name, rec] : state.instances)
    if (rec.request.state == InstanceState::k_destroyed && !rec.partition.empty())
      doomed.push_back(rec.partition);
  Node node{root, options, {}, {}, {}};
  // Never empty (and hand to another instance) a partition a process still
  // runs in: if its services do not stop, destroying waits for the next run.
  Status stopped = stop_partition_services(root, doomed);
  if (!stopped.ok()) std::cerr << "kiln: services: " << stopped.error().to_string() << "\n";
  std::vector<std::pair<std::string, std::string>> started;
  for (auto& [name, rec] : state.instances) {
    if (rec.request.state == InstanceState::k_destroyed) {
      if (stopped.ok()) {
        node.destroy(rec);
      } else if (!rec.partition.empty()) {
        ++node.report.failed;
        std::cerr << "kiln: instance " << rec.request.name
                  << ": not destroyed yet, its services are still running\n";
      }
      continue;
    }
    node.deploy(rec);
    if (rec.request.state == InstanceState::k_started && rec.status != "error" &&
        rec.status != "new")
      started.emplace_back(rec.partition, partition_directory(root, rec.partition));
  }
  Status services = sync_services(root, started);
  if (!services.ok()) {
    std::cerr << "kiln: services: " << services.error().to_string() << "\n";
    ++node.report.failed;
  }
  // A processed partition's services that do not run (given up, stopped)
  // get a fresh start.
  std::vector<std::string> deployed;
  for (const auto& [name, rec] : state.instances)
    if (rec.request.state == InstanceState::k_started && rec.status == "deployed")
      deployed.push_back(rec.partition);
  start_idle_services(root, deployed);
  // Services just (re)started, of deployed and skipped instances alike (a
  // supervisor started afresh starts them all), get to be up before their
  // promises run; services already running do not make this wait.
  std::vector<std::string> partitions;
  for (const auto& [id, dir] : started) partitions.push_back(id);
  wait_services_settled(root, partitions, std::chrono::seconds(10));
  // Promises and service health of every started instance, skipped ones
  // included (their services may have died since): a broken one is
  // processed again next time.
  std::map<std::string, std::string> unhealthy = unhealthy_partitions(root, partitions);
  for (auto& [name, rec] : state.instances)
    if (rec.request.state != InstanceState::k_destroyed && !rec.partition.empty() &&
        (rec.status == "deployed" || rec.status == "ok")) {
      auto problem = unhealthy.find(rec.partition);
      node.check_promises(rec, problem == unhealthy.end() ? std::string() : problem->second);
    }
  if (Status saved = save_results(root, state); !saved.ok()) return saved.error();
  return node.report;
}

}  // namespace kiln::deploy
