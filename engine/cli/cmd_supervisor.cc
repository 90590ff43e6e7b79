// `kiln supervisor` (runs the embedded supervisor: execs kiln-supervisor
// when it is beside kiln, else runs it in-process) and `kiln ctl` (talks to
// it over <root>/run/supervisor.sock). See docs/supervisor.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.h"
#include "kiln/supervisor.h"
#include "supervisor/daemon_binary.h"
#include "supervisor/options.h"
#include "supervisor/protocol.h"

namespace kiln::cli {

namespace {

struct CtlOptions {
  std::string action;
  std::string target;
  int lines = 20;
  bool follow = false;
  bool json = false;
};

std::string format_uptime(double seconds) {
  long s = static_cast<long>(seconds);
  char buf[32];
  if (s >= 86400) {
    std::snprintf(buf, sizeof buf, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

bool matches(const ServiceStatus& s, const std::string& target) {
  return target.empty() || target == "all" || s.name == target || s.partition == target;
}

int print_status(const std::string& root, const std::string& target, bool json) {
  Expected<std::vector<ServiceStatus>> all = supervisor_status(root);
  if (!all.ok()) {
    print_error(all.error());
    return 1;
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const ServiceStatus& s : *all) {
      if (matches(s, target)) list.push_back(supervisor::status_to_json(s));
    }
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  bool found = false;
  for (const ServiceStatus& s : *all) found = found || matches(s, target);
  if (!found && !target.empty()) {  // the error alone, without a table header
    print_error(Error(ErrorCode::k_not_found, "no service or partition named '" + target + "'"));
    return 1;
  }
  std::size_t width = 4;
  for (const ServiceStatus& s : *all) width = std::max(width, s.name.size());
  std::cout << std::left << std::setw(static_cast<int>(width) + 2) << "NAME" << std::setw(10)
            << "STATE" << std::setw(9) << "PID" << std::setw(10) << "UPTIME" << std::setw(10)
            << "RESTARTS"
            << "LAST EXIT\n";
  for (const ServiceStatus& s : *all) {
    if (!matches(s, target)) continue;
    std::cout << std::setw(static_cast<int>(width) + 2) << s.name << std::setw(10)
              << service_state_name(s.state) << std::setw(9)
              << (s.pid > 0 ? std::to_string(s.pid) : "-") << std::setw(10)
              << (s.pid > 0 ? format_uptime(s.uptime) : "-") << std::setw(10) << s.restarts
              << (s.last_exit.empty() ? "-" : s.last_exit) << "\n";
    if (!s.reason.empty()) std::cout << "    " << s.reason << "\n";
  }
  return 0;
}

// The lines of the file (a last line without '\n' counts as one).
std::deque<std::string> read_lines(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::deque<std::string> keep;
  std::string line;
  while (std::getline(in, line)) {
    keep.push_back(line);
    if (keep.size() > n) keep.pop_front();
  }
  return keep;
}

// The last `n` lines of the log; when the current file has fewer, the rest
// comes from the end of the rotated `.1`.
std::string last_lines(const std::string& path, int n) {
  std::size_t want = static_cast<std::size_t>(n);
  std::deque<std::string> keep = read_lines(path, want);
  if (keep.size() < want) {
    std::deque<std::string> older = read_lines(path + ".1", want - keep.size());
    keep.insert(keep.begin(), older.begin(), older.end());
  }
  std::string out;
  for (const std::string& l : keep) out += l + "\n";
  return out;
}

ino_t inode_of(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

ino_t inode_of(int fd) {
  struct stat st;
  return fd >= 0 && ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// Copies what is left in `fd` to stdout.
void drain(int fd) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::cout.write(buf, n);
  }
}

// Prints what is appended to `path` until killed, following rotations like
// `tail -F`: when `path` is a new file, the rest of the old one is printed
// first, then the files rotated after it (`.k-1` ... `.1`, when more than one
// rotation happened meanwhile), then the new file from its start.
void follow(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) ::lseek(fd, 0, SEEK_END);
  ino_t inode = inode_of(fd);
  while (true) {
    drain(fd);
    std::cout.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ino_t now = inode_of(path);
    if (now == 0 || now == inode) continue;  // not rotated (or between renames)
    drain(fd);  // the writer closed it before renaming it: it is complete
    if (fd >= 0) ::close(fd);
    // Where the old file went: path.k; the files between it and path are newer.
    int k = 1;
    while (k < 100 && inode != 0 && inode_of(path + "." + std::to_string(k)) != inode &&
           inode_of(path + "." + std::to_string(k)) != 0) {
      ++k;
    }
    if (inode_of(path + "." + std::to_string(k)) != inode) k = 1;  // not found
    for (int i = k - 1; i >= 1; --i) {
      int older = ::open((path + "." + std::to_string(i)).c_str(), O_RDONLY | O_CLOEXEC);
      if (older >= 0) {
        drain(older);
        ::close(older);
      }
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    inode = inode_of(fd);
  }
}

int tail(const std::string& root, const CtlOptions& o) {
  if (o.target.empty()) {
    print_error(Error(ErrorCode::k_invalid, "kiln ctl tail needs a service name"));
    return 2;
  }
  Expected<std::vector<ServiceStatus>> all = supervisor_status(root);
  if (!all.ok()) {
    print_error(all.error());
    return 1;
  }
  for (const ServiceStatus& s : *all) {
    if (s.name != o.target) continue;
    std::cout << last_lines(s.log_path, o.lines) << std::flush;
    if (o.follow) follow(s.log_path);
    return 0;
  }
  print_error(Error(ErrorCode::k_not_found, "no service named '" + o.target + "'"));
  return 1;
}

int run_ctl(const std::string& root, const CtlOptions& o) {
  if (o.action == "status") return print_status(root, o.target, o.json);
  if (o.action == "tail") return tail(root, o);
  if (o.action == "shutdown" || o.action == "reload") {
    if (!o.target.empty()) {  // `ctl shutdown slappart1` must not stop everything
      print_error(Error(ErrorCode::k_invalid,
                        "kiln ctl " + o.action + " takes no argument, got '" + o.target + "'"));
      return k_exit_usage;
    }
    Status s = o.action == "shutdown" ? supervisor_shutdown(root) : supervisor_reload(root);
    if (!s.ok()) {
      print_error(s.error());
      return 1;
    }
    return 0;
  }
  if (o.target.empty()) {
    print_error(Error(ErrorCode::k_invalid,
                      "kiln ctl " + o.action + " needs a service name, a partition id or all"));
    return 2;
  }
  Expected<std::vector<std::string>> names = supervisor_control(root, o.action, o.target);
  if (!names.ok()) {
    print_error(names.error());
    return 1;
  }
  const char* done = o.action == "stop" ? "stopped" : o.action == "start" ? "started" : "restarted";
  for (const std::string& n : *names) std::cout << n << ": " << done << "\n";
  return 0;
}

}  // namespace

Command add_supervisor_command(CLI::App& app, const GlobalOptions& global) {
  CLI::App* cmd = app.add_subcommand(
      "supervisor", "Run the services of <root>/run/services.json (one supervisor per root)");
  // The flags are defined once (supervisor/options.h) and passed on as given
  // to kiln-supervisor, which parses them with the same function.
  auto given = std::make_shared<std::vector<std::string>>();
  for (const supervisor::Flag& f : supervisor::supervisor_flags()) {
    std::string name = f.name;
    if (f.value_name) {
      cmd->add_option_function<std::string>(
             name, [given, name](const std::string& v) { given->push_back(name + "=" + v); },
             f.help)
          ->type_name(f.value_name);
    } else {
      cmd->add_flag_callback(
          name, [given, name]() { given->push_back(name); }, f.help);
    }
  }
  return [&global, given]() {
    std::string root;
    if (!resolve_root_and_jobs(global, &root, nullptr)) return k_exit_usage;
    std::vector<std::string> args = {"--root", root};  // absolute
    args.insert(args.end(), given->begin(), given->end());
    Expected<SupervisorOptions> options = supervisor::parse_supervisor_args(args);
    if (!options.ok()) {
      print_error(options.error());
      return 2;
    }
    // The small dedicated daemon beside this kiln (same pid: exec); without
    // it, the same supervisor runs in this process.
    std::string daemon = supervisor::daemon_binary_beside(supervisor::this_executable());
    if (!daemon.empty()) {
      std::vector<char*> argv{daemon.data()};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      std::cout.flush();
      ::execv(daemon.c_str(), argv.data());
      std::cerr << "kiln: cannot run " << daemon << ": " << std::strerror(errno)
                << " (running the supervisor in-process)\n";
    }
    Status s = run_supervisor(*options);
    if (!s.ok()) {
      print_error(s.error());
      return 1;
    }
    return 0;
  };
}

Command add_ctl_command(CLI::App& app, const GlobalOptions& global) {
  CLI::App* cmd = app.add_subcommand("ctl",
                                     "Control the supervisor: status, start, stop, "
                                     "restart, tail, reload, shutdown");
  auto o = std::make_shared<CtlOptions>();
  cmd->add_option("action", o->action, "status|start|stop|restart|tail|reload|shutdown")
      ->required()
      ->check(CLI::IsMember({"status", "start", "stop", "restart", "tail", "reload", "shutdown"}));
  cmd->add_option("target", o->target, "A service name, a partition id or all");
  cmd->add_option("-n,--lines", o->lines, "tail: lines shown (default 20)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("-f,--follow", o->follow, "tail: keep printing what is appended");
  cmd->add_flag("--json", o->json, "status: print JSON");
  return [&global, o]() {
    std::string root;
    if (!resolve_root_and_jobs(global, &root, nullptr)) return k_exit_usage;
    return run_ctl(root, *o);
  };
}

}  // namespace kiln::cli
