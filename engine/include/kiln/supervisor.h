// Kiln's embedded supervisor: runs the services of deployed partitions (no
// supervisord needed). One supervisor per root, controlled over the UNIX
// socket <root>/run/supervisor.sock; the desired set of services is the file
// <root>/run/services.json, written by `kiln node` with write_service_set().
// See docs/supervisor.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln {

// One entry of services.json.
struct ServiceSpec {
  std::string name;              // unique, e.g. "slappart0:hello-server"
  std::string partition;         // partition id, e.g. "slappart0"
  std::string path;              // absolute path of the executable
  std::string kind = "service";  // "service": restarted when it exits; "run": once
  std::string hash;              // sha256 of the executable's content
  std::string cwd;               // working directory ("" = the executable's directory)

  bool operator==(const ServiceSpec&) const = default;
};

// <root>/run/services.json
std::string service_set_path(const std::string& root);
// <root>/run/supervisor.sock
std::string supervisor_socket_path(const std::string& root);
// <root>/log/services: where the services' logs are
std::string service_log_directory(const std::string& root);
// <service_log_directory>/<name with ':' and '/' replaced by '-'>.log
std::string service_log_path(const std::string& root, const std::string& name);

// Replaces services.json atomically. k_invalid for an empty or duplicate name,
// a relative path or a kind other than "service"/"run".
Status write_service_set(const std::string& root, const std::vector<ServiceSpec>& services);
// Reads services.json; a missing file is an empty set.
Expected<std::vector<ServiceSpec>> read_service_set(const std::string& root);

// The executables in <partition_dir>/etc/service/ (kind "service") and
// <partition_dir>/etc/run/ (kind "run"), sorted by name, named
// "<partition_id>:<file name>", with their sha256 and cwd = partition_dir.
// Missing directories give no services; hidden files and non-executables are
// skipped.
Expected<std::vector<ServiceSpec>> scan_partition_services(const std::string& partition_dir,
                                                           const std::string& partition_id);

struct SupervisorOptions {
  std::string root;
  bool daemon = false;  // detach, log to <root>/log/supervisor.log
  // SIGTERM to a service's process group, then SIGKILL after this.
  std::chrono::milliseconds stop_grace{10000};
  // Consecutive exits within 1 s of starting before a service is given up.
  int max_fast_exits = 10;
  std::uint64_t log_max_bytes = 10 * 1024 * 1024;  // rotate a service log past this
  int log_keep = 3;                                // rotated files kept (.1 .. .N)
};

// Runs the supervisor until `kiln ctl shutdown`, SIGTERM or SIGINT. With
// options.daemon, returns in the calling process once the daemon answers on
// its socket (the daemon itself never returns). k_invalid when another
// supervisor holds <root>/run/supervisor.pid.
Status run_supervisor(const SupervisorOptions& options);

enum class ServiceState {
  k_starting,
  k_running,
  k_backoff,
  k_stopping,
  k_exited,
  k_fatal,
  k_stopped
};
// "starting", "running", "backoff", "stopping", "exited", "fatal", "stopped"
const char* service_state_name(ServiceState state);

struct ServiceStatus {
  std::string name, partition, kind;
  ServiceState state = ServiceState::k_stopped;
  int pid = 0;            // 0 when not running
  double start_time = 0;  // Unix time the current or last run started; 0 = never
  double uptime = 0;      // seconds since start_time while it runs
  int restarts = 0;       // automatic restarts since the supervisor started it
  std::string last_exit;  // "exit 0", "signal 9", "" if it never exited
  std::string reason;     // why it is fatal
  std::string log_path;
};

// Whether a supervisor answers on <root>'s socket.
bool supervisor_answers(const std::string& root);
// Starts `kiln supervisor --daemon --root root` unless one answers already,
// and waits until it answers. `kiln_binary` "" = this executable.
Status ensure_supervisor_running(const std::string& root, const std::string& kiln_binary = "");
// Re-reads services.json like `supervisorctl update`: only added, removed or
// changed (path, hash, kind, cwd) services are started, stopped or restarted.
Status supervisor_reload(const std::string& root);
Expected<std::vector<ServiceStatus>> supervisor_status(const std::string& root);
// action: "start", "stop" or "restart"; target: a service name, a partition
// id or "all". Waits until no affected service is stopping; returns their names.
Expected<std::vector<std::string>> supervisor_control(const std::string& root,
                                                      const std::string& action,
                                                      const std::string& target);
// Stops every service, then the supervisor; waits until it is gone.
Status supervisor_shutdown(const std::string& root);

}  // namespace kiln
