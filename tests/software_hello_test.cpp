// E2E test of the software/hello release: `kiln software` builds it (cmmi of
// a C HTTP server from a tarball, download-unpacked data, a template, a
// wrapper) into <root>/software/<md5 of the profile's absolute path>/, the
// wrapped server answers over loopback HTTP, and a second run installs
// nothing. Also checks that the committed tarballs match src/ and data/.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "run_kiln.h"
#include "util/scratch_dir.h"

namespace {

namespace fs = std::filesystem;
using kiln_test::RunResult;

// The repository: tests/data/../..
std::string repo_dir() {
  return fs::weakly_canonical(fs::path(KILN_TEST_DATA) / ".." / "..").string();
}

std::string hello_dir() {
  return repo_dir() + "/software/hello";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

RunResult sh(const std::string& script, const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv = {"-c", script, "sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  return kiln_test::run_program("/bin/sh", argv);
}

std::string md5_of_text(const std::string& text) {
  RunResult r = sh("printf '%s' \"$1\" | md5sum | cut -d' ' -f1", {text});
  REQUIRE(r.status == 0);
  return r.out.substr(0, r.out.find('\n'));
}

std::string md5_of_file(const std::string& path) {
  RunResult r = sh("md5sum < \"$1\" | cut -d' ' -f1", {path});
  REQUIRE(r.status == 0);
  return r.out.substr(0, r.out.find('\n'));
}

// The events of `kiln --json` output, as (event, part) pairs.
std::vector<std::pair<std::string, std::string>> events(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> ev;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("event")) continue;
    ev.emplace_back(j["event"].get<std::string>(), j.value("part", std::string()));
  }
  return ev;
}

std::set<std::string> parts_with(const std::vector<std::pair<std::string, std::string>>& ev,
                                 const std::string& what) {
  std::set<std::string> parts;
  for (const auto& [e, p] : ev)
    if (e == what) parts.insert(p);
  return parts;
}

// A background process (stdout and stderr to a file), killed when the
// object dies if it is still running.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& log) : m_log(log) {
    std::vector<std::string> args = argv;
    std::vector<char*> cargv;
    for (std::string& a : args) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error("fork failed");
    if (m_pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, 0);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
  }
  ~Process() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // The log so far.
  std::string log() const { return slurp(m_log); }

  // SIGTERM, then waits (up to timeout) for the exit; the raw wait status,
  // or -1 when it had to be killed.
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(10)) {
    ::kill(m_pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      pid_t r = ::waitpid(m_pid, &status, WNOHANG);
      if (r == m_pid) {
        m_pid = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  bool running() {
    int status = 0;
    return m_pid > 0 && ::waitpid(m_pid, &status, WNOHANG) == 0;
  }

 private:
  pid_t m_pid = -1;
  std::string m_log;
};

// Waits for "listening on http://127.0.0.1:PORT/" in the server's log; 0 if
// it does not come within 10 s (or the server exits).
int wait_for_port(Process& server) {
  static const std::regex k_listening("listening on http://127\\.0\\.0\\.1:([0-9]+)/");
  for (int i = 0; i < 500; ++i) {
    std::smatch m;
    std::string log = server.log();
    if (std::regex_search(log, m, k_listening)) return std::stoi(m[1].str());
    if (!server.running()) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// Sends `request` to 127.0.0.1:port and returns everything answered ("" on
// a connection failure).
std::string http_exchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

bool is_executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

fs::file_time_type mtime(const std::string& path) {
  return fs::last_write_time(path);
}

}  // namespace

TEST_CASE("software/hello: the committed tarballs match src/ and data/, md5sums pinned",
          "[software][hello]") {
  kiln::util::ScratchDir scratch("kiln-hello-tarballs");
  const std::string dir = hello_dir();
  struct Archive {
    const char* file;
    const char* top;
    const char* source;
  };
  for (const Archive& a : {Archive{"hello-src.tar.gz", "hello-server-1.0.0", "src"},
                           Archive{"hello-data.tar.gz", "hello-data", "data"}}) {
    INFO(a.file << ": regenerate it with software/hello/make-tarballs.sh");
    RunResult x = sh("tar -xzf \"$1\" -C \"$2\" && diff -r \"$2/$3\" \"$4\"",
                     {dir + "/" + a.file, scratch.path().string(), a.top, dir + "/" + a.source});
    CHECK(x.out + x.err == "");
    CHECK(x.status == 0);
  }
  std::string cfg = slurp(dir + "/software.cfg");
  for (const char* f : {"hello-src.tar.gz", "hello-data.tar.gz", "instance.cfg.in"}) {
    INFO(f << ": pin its md5sum in software.cfg with software/hello/make-tarballs.sh");
    CHECK(has(cfg, "md5sum = " + md5_of_file(dir + "/" + f) + "\n"));
  }
}

TEST_CASE("software/hello: kiln software builds it, the server answers, a rebuild is a no-op",
          "[software][hello]") {
  kiln::util::ScratchDir scratch("kiln-hello-e2e");
  const std::string root = scratch / "root";
  const std::string profile = hello_dir() + "/software.cfg";
  const std::vector<std::string> args = {"--cache-dir", scratch / "cache", "--root", root,
                                         "software",    profile,           "--json"};

  RunResult first = kiln_test::run_kiln(args);
  INFO("first run stdout:\n" << first.out << "\nstderr:\n" << first.err);
  REQUIRE(first.status == 0);

  // <root>/software/<md5 of the profile's absolute path>/
  const std::string release = root + "/software/" + md5_of_text(profile);
  REQUIRE(fs::is_directory(release));
  CHECK(slurp(release + "/.completed") == profile + "\n");
  CHECK(parts_with(events(first.out), "install") ==
        std::set<std::string>{"hello", "hello-data", "instance-profile", "hello-server-wrapper"});

  // The parts' results.
  const std::string server = release + "/parts/hello/bin/hello-server";
  REQUIRE(is_executable(server));
  RunResult version = kiln_test::run_program(server, {"--version"});
  CHECK(version.status == 0);
  CHECK(version.out == "hello-server 1.0.0\n");
  RunResult usage = kiln_test::run_program(server, {"--port", "nope"});
  CHECK(usage.status == 2);
  CHECK(has(usage.err, "bad port 'nope'"));
  CHECK_FALSE(fs::exists(release + "/parts/hello__compile__"));

  const std::string message = release + "/parts/hello-data/message.txt";
  CHECK(slurp(message) == slurp(hello_dir() + "/data/message.txt"));

  std::string instance = slurp(release + "/instance.cfg");
  CHECK(has(instance, "server = " + server + "\n"));
  CHECK(has(instance, "message-file = " + message + "\n"));
  CHECK(has(instance, "wrapper-path = ${directory:service}/hello-server\n"));
  CHECK_FALSE(has(instance, "$${"));
  // The rendered instance profile builds: a service wrapper for the server.
  {
    const std::string partition = scratch / "partition";
    fs::create_directories(partition);
    fs::copy_file(release + "/instance.cfg", partition + "/buildout.cfg");
    RunResult r = kiln_test::run_kiln(
        {"--cache-dir", scratch / "cache", "install", "-c", partition + "/buildout.cfg"});
    INFO("instance build stdout:\n" << r.out << "\nstderr:\n" << r.err);
    CHECK(r.status == 0);
    const std::string service = partition + "/etc/service/hello-server";
    CHECK(is_executable(service));
    CHECK(has(slurp(service), "'" + server + "' '--host' '127.0.0.1' '--port' '8080'"));
  }

  const std::string wrapper = release + "/bin/hello-server-wrapper";
  REQUIRE(is_executable(wrapper));
  CHECK(has(slurp(wrapper), server));

  // The wrapped server on a free port (--port 0: the kernel picks one).
  {
    Process p({wrapper, "--port", "0"}, scratch / "server.log");
    int port = wait_for_port(p);
    INFO("server log:\n" << p.log());
    REQUIRE(port > 0);
    std::string answer = http_exchange(port, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
    CHECK(answer.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
    CHECK(has(answer, "Content-Type: text/plain"));
    CHECK(has(answer, "\r\n\r\n" + slurp(hello_dir() + "/data/message.txt")));
    answer = http_exchange(port, "GET /any/path?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(answer.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
    answer = http_exchange(port, "DELETE / HTTP/1.0\r\n\r\n");
    CHECK(answer.rfind("HTTP/1.0 405 ", 0) == 0);
    answer = http_exchange(port, "nonsense\r\n\r\n");
    CHECK(answer.rfind("HTTP/1.0 400 ", 0) == 0);
    int status = p.terminate();
    REQUIRE(status != -1);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(has(p.log(), "stopped by signal 15"));
  }
  // --message after the wrapper's --message-file wins.
  {
    Process p({wrapper, "--port", "0", "--message", "custom text"}, scratch / "server2.log");
    int port = wait_for_port(p);
    INFO("server log:\n" << p.log());
    REQUIRE(port > 0);
    CHECK(has(http_exchange(port, "GET / HTTP/1.0\r\n\r\n"), "\r\n\r\ncustom text\n"));
    CHECK(p.terminate() != -1);
  }

  // A second run installs nothing (parts are only updated) and leaves the
  // server binary alone.
  auto before = mtime(server);
  RunResult second = kiln_test::run_kiln(args);
  INFO("second run stdout:\n" << second.out << "\nstderr:\n" << second.err);
  REQUIRE(second.status == 0);
  auto ev = events(second.out);
  CHECK(parts_with(ev, "install").empty());
  CHECK(parts_with(ev, "uninstall").empty());
  CHECK(mtime(server) == before);
  CHECK(fs::exists(release + "/.completed"));

  // Without --json, the summary says so too.
  std::vector<std::string> text_args(args.begin(), args.end() - 1);
  RunResult third = kiln_test::run_kiln(text_args);
  REQUIRE(third.status == 0);
  CHECK(has(third.out, "Software release " + release + ": 0 installed"));
  CHECK(has(third.out, "0 uninstalled"));
}
