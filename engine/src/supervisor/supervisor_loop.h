// The supervisor's event loop: one thread, poll() over a signalfd (SIGCHLD,
// SIGTERM, SIGINT, SIGHUP), the control socket, its clients and the
// services' output pipes; timers from the ServiceTable. No sleeping: a
// crashed service is reaped and restarted as soon as SIGCHLD arrives.
#pragma once

#include <string>
#include <vector>

#include "kiln/supervisor.h"
#include "supervisor/keeper.h"
#include "supervisor/service_table.h"

namespace kiln::supervisor {

class SupervisorLoop {
 public:
  explicit SupervisorLoop(const SupervisorOptions& options);
  ~SupervisorLoop();
  SupervisorLoop(const SupervisorLoop&) = delete;
  SupervisorLoop& operator=(const SupervisorLoop&) = delete;

  // Blocks the signals it handles, becomes a child subreaper (orphaned
  // descendants of services are reaped here), starts the keeper and every
  // service of `services` (services.json, read by the caller). Takes
  // ownership of `listen_fd`.
  Status start(int listen_fd, const std::vector<ServiceSpec>& services);
  // Runs until a shutdown (request or signal) has stopped every service.
  void run();

 private:
  struct Client {
    int fd;
    std::string input;
    Clock::time_point deadline;
  };

  void poll_once();
  void on_signals();
  void reap();
  void accept_clients();
  // false when the client is done (replied or failed).
  bool on_client_input(Client& client);
  std::string handle(const std::string& line);
  std::string reload();
  void begin_shutdown();
  void finish();

  SupervisorOptions m_options;
  Keeper m_keeper;
  ServiceTable m_table;
  int m_signal_fd = -1;
  int m_listen_fd = -1;
  std::vector<Client> m_clients;
  bool m_shutting_down = false;
};

}  // namespace kiln::supervisor
