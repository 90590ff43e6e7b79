// The embedded supervisor with the real binary: `kiln supervisor --daemon`
// and `kiln ctl`, real service processes (shell scripts), kill -9.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "run_kiln.h"
#include "util/scratch_dir.h"

namespace {

using nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// /proc/<pid>/stat fields: state and process group; false when gone.
bool proc_stat(int pid, char* state, int* pgrp) {
  std::string text = slurp("/proc/" + std::to_string(pid) + "/stat");
  std::size_t paren = text.rfind(')');
  if (paren == std::string::npos) return false;
  int ppid = 0;
  return std::sscanf(text.c_str() + paren + 1, " %c %d %d", state, &ppid, pgrp) == 3;
}

// Alive and not a zombie (PID 1 may never reap orphans here).
bool alive(int pid) {
  char state = 0;
  int pgrp = 0;
  return pid > 0 && proc_stat(pid, &state, &pgrp) && state != 'Z' && state != 'X';
}

bool group_alive(int pgid) {
  bool found = false;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string n = e.path().filename().string();
    if (n.empty() || n[0] < '1' || n[0] > '9') continue;
    char state = 0;
    int pgrp = 0;
    if (proc_stat(std::stoi(n), &state, &pgrp) && pgrp == pgid && state != 'Z') found = true;
  }
  return found;
}

bool eventually(const std::function<bool()>& ok, int ms = 5000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ok();
}

// A root with partitions of shell-script services, and a supervisor on it.
class Sup {
 public:
  Sup() : m_dir("kiln-sup"), m_root(m_dir / "root") {}
  ~Sup() { kiln({"ctl", "shutdown"}); }  // stops every service (no-op if none runs)
  const std::string& root() const { return m_root; }
  std::string path(const std::string& rel) const { return m_dir / rel; }

  // Writes <partition>/etc/<service|run>/<name> and records it.
  void script(const std::string& partition, const std::string& name, const std::string& body,
              const std::string& kind = "service") {
    std::string dir = m_dir / (partition + "/etc/" + kind);
    std::filesystem::create_directories(dir);
    std::string file = dir + "/" + name;
    std::string tmp = file + ".tmp";
    std::ofstream(tmp) << "#!/bin/sh\n" << body << "\n";
    ::chmod(tmp.c_str(), 0755);
    std::filesystem::rename(tmp, file);  // never exec a half-written file
    m_specs[partition + ":" + name] = {{"name", partition + ":" + name},
                                       {"partition", partition},
                                       {"path", file},
                                       {"kind", kind},
                                       {"hash", std::to_string(std::hash<std::string>{}(body))},
                                       {"cwd", m_dir / partition}};
  }
  void forget(const std::string& name) { m_specs.erase(name); }
  void write_services() {
    json list = json::array();
    for (const auto& [name, s] : m_specs) list.push_back(s);
    std::filesystem::create_directories(m_root + "/run");
    std::ofstream(m_root + "/run/services.json.tmp") << json{{"format", 1}, {"services", list}};
    std::filesystem::rename(m_root + "/run/services.json.tmp", m_root + "/run/services.json");
  }

  kiln_test::RunResult kiln(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--root", m_root});
    return kiln_test::run_kiln(args);
  }
  void start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"supervisor", "--daemon", "--stop-grace", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    kiln_test::RunResult r = kiln(args);
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
  }
  json status() const {
    kiln_test::RunResult r = kiln({"ctl", "status", "--json"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    json all = json::object();
    for (const json& s : json::parse(r.out)) all[s["name"].get<std::string>()] = s;
    return all;
  }
  int pid_of(const std::string& name) const { return status()[name]["pid"].get<int>(); }
  std::string state_of(const std::string& name) const {
    return status()[name]["state"].get<std::string>();
  }
  // Waits until `name` runs with a pid other than `old_pid`; its pid.
  int wait_running(const std::string& name, int old_pid = 0, int ms = 5000) const {
    int pid = 0;
    eventually(
        [&] {
          json s = status()[name];
          pid = s["pid"].get<int>();
          std::string st = s["state"].get<std::string>();
          return pid > 0 && pid != old_pid && (st == "starting" || st == "running");
        },
        ms);
    return pid != old_pid ? pid : 0;
  }
  int supervisor_pid() const { return std::stoi(slurp(m_root + "/run/supervisor.pid")); }

 private:
  kiln::util::ScratchDir m_dir;
  std::string m_root;
  std::map<std::string, json> m_specs;
};

const char* k_sleeper = "echo started $$\nexec sleep 100000";

}  // namespace

TEST_CASE("supervisor: services start, run-once runs once, output goes to the logs",
          "[supervisor]") {
  Sup s;
  s.script("p0", "web", k_sleeper);
  s.script("p0", "db", "echo db up\nexec sleep 100000");
  s.script("p0", "init", "echo ran >> " + s.path("init-count") + "\necho init done", "run");
  s.write_services();
  s.start();
  int web = s.wait_running("p0:web");
  int db = s.wait_running("p0:db");
  CHECK(alive(web));
  CHECK(alive(db));
  REQUIRE(eventually([&] { return s.state_of("p0:init") == "exited"; }));
  CHECK(s.status()["p0:init"]["last_exit"] == "exit 0");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  CHECK(slurp(s.path("init-count")) == "ran\n");
  CHECK(s.state_of("p0:web") == "running");
  std::string log = s.root() + "/log/services/p0-web.log";
  CHECK(s.status()["p0:web"]["log"] == log);
  CHECK(eventually([&] { return slurp(log) == "started " + std::to_string(web) + "\n"; }));
  kiln_test::RunResult tail = s.kiln({"ctl", "tail", "p0:init"});
  CHECK(tail.out == "init done\n");
  kiln_test::RunResult table = s.kiln({"ctl", "status"});
  CHECK(table.out.find("p0:web") != std::string::npos);
  CHECK(table.out.find("running") != std::string::npos);
}

TEST_CASE("supervisor: a killed service is back within 1 s, a second supervisor refuses",
          "[supervisor]") {
  Sup s;
  s.script("p0", "web", k_sleeper);
  s.write_services();
  s.start();
  int pid = s.wait_running("p0:web");
  REQUIRE(pid > 0);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int again = s.wait_running("p0:web", pid, 1000);
  CHECK(again > 0);
  CHECK(s.status()["p0:web"]["restarts"] == 1);
  CHECK(s.status()["p0:web"]["last_exit"] == "signal 9");

  kiln_test::RunResult second = s.kiln({"supervisor"});
  CHECK(second.status == 1);
  CHECK(second.err.find("a supervisor is already running for " + s.root()) != std::string::npos);
  CHECK(s.pid_of("p0:web") == again);
}

TEST_CASE("supervisor: reload restarts only what changed and stops what was removed",
          "[supervisor]") {
  Sup s;
  for (const char* n : {"a", "b", "c"}) s.script("p0", n, k_sleeper);
  s.write_services();
  s.start();
  int a = s.wait_running("p0:a"), b = s.wait_running("p0:b"), c = s.wait_running("p0:c");
  s.script("p0", "b", "echo version 2\nexec sleep 100000");
  s.forget("p0:c");
  s.script("p1", "d", k_sleeper);
  s.write_services();
  kiln_test::RunResult r = s.kiln({"ctl", "reload"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  int b2 = s.wait_running("p0:b", b);
  CHECK(b2 > 0);
  CHECK(s.wait_running("p1:d") > 0);
  CHECK(s.pid_of("p0:a") == a);
  CHECK(eventually([&] { return !s.status().contains("p0:c") && !alive(c); }));
  CHECK_FALSE(alive(b));
  // A reload with nothing changed touches nothing.
  REQUIRE(s.kiln({"ctl", "reload"}).status == 0);
  CHECK(s.pid_of("p0:a") == a);
  CHECK(s.pid_of("p0:b") == b2);
}

TEST_CASE("supervisor: a service that always exits at once is given up", "[supervisor]") {
  Sup s;
  s.script("p0", "broken", "echo failing\nexit 3");
  s.script("p0", "web", k_sleeper);
  s.write_services();
  s.start({"--max-fast-exits", "3"});
  int web = s.wait_running("p0:web");
  REQUIRE(eventually([&] { return s.state_of("p0:broken") == "fatal"; }, 10000));
  json st = s.status()["p0:broken"];
  CHECK(st["last_exit"] == "exit 3");
  CHECK(st["reason"].get<std::string>().find("exited 3 times in a row") != std::string::npos);
  // The reason and RESTARTS agree: 3 exits, 2 restarts.
  CHECK(st["restarts"] == 2);
  CHECK(st["reason"].get<std::string>().find("restarted 2 times") != std::string::npos);
  CHECK(st["pid"] == 0);
  CHECK(s.pid_of("p0:web") == web);  // the supervisor and the others are fine
  kiln_test::RunResult table = s.kiln({"ctl", "status"});
  CHECK(table.out.find("fatal") != std::string::npos);
  // start gives it another chance.
  REQUIRE(s.kiln({"ctl", "start", "p0:broken"}).status == 0);
  CHECK(eventually([&] { return s.state_of("p0:broken") != "fatal"; }, 1000));
}

TEST_CASE("supervisor: stop, start and restart by name, partition and all", "[supervisor]") {
  Sup s;
  s.script("p0", "a", k_sleeper);
  s.script("p0", "b", k_sleeper);
  s.script("p1", "c", k_sleeper);
  s.write_services();
  s.start();
  int a = s.wait_running("p0:a"), b = s.wait_running("p0:b"), c = s.wait_running("p1:c");
  kiln_test::RunResult r = s.kiln({"ctl", "stop", "p0:a"});
  CHECK(r.out == "p0:a: stopped\n");
  CHECK(s.state_of("p0:a") == "stopped");
  CHECK_FALSE(alive(a));
  CHECK(s.pid_of("p0:b") == b);
  REQUIRE(s.kiln({"ctl", "start", "p0:a"}).status == 0);
  a = s.wait_running("p0:a", a);
  REQUIRE(a > 0);

  REQUIRE(s.kiln({"ctl", "stop", "p0"}).status == 0);
  CHECK(s.state_of("p0:a") == "stopped");
  CHECK(s.state_of("p0:b") == "stopped");
  CHECK(s.pid_of("p1:c") == c);
  REQUIRE(s.kiln({"ctl", "start", "p0"}).status == 0);
  CHECK(s.wait_running("p0:b", b) > 0);

  r = s.kiln({"ctl", "restart", "p1:c"});
  CHECK(r.status == 0);
  int c2 = s.wait_running("p1:c", c);
  CHECK(c2 > 0);
  CHECK_FALSE(alive(c));
  int a2 = s.pid_of("p0:a");
  REQUIRE(s.kiln({"ctl", "restart", "all"}).status == 0);
  CHECK(s.wait_running("p0:a", a2) > 0);
  CHECK(s.wait_running("p1:c", c2) > 0);

  r = s.kiln({"ctl", "stop", "nothere"});
  CHECK(r.status == 1);
  CHECK(r.err.find("no service or partition named 'nothere'") != std::string::npos);
}

TEST_CASE("supervisor: shutdown stops every service and exits, no supervisor is an error",
          "[supervisor]") {
  Sup s;
  s.script("p0", "a", k_sleeper);
  s.script("p0", "stubborn", "trap '' TERM\necho up\nwhile :; do sleep 0.1; done");
  s.write_services();
  s.start();
  int a = s.wait_running("p0:a"), stubborn = s.wait_running("p0:stubborn");
  REQUIRE(eventually([&] { return slurp(s.root() + "/log/services/p0-stubborn.log") == "up\n"; }));
  int sup = s.supervisor_pid();
  kiln_test::RunResult r = s.kiln({"ctl", "shutdown"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(eventually([&] { return !alive(sup); }));
  CHECK_FALSE(alive(a));
  CHECK_FALSE(group_alive(stubborn));  // SIGKILL after the 2 s grace
  r = s.kiln({"ctl", "status"});
  CHECK(r.status == 1);
  CHECK(r.err == "kiln: no supervisor running for " + s.root() +
                     ": start it with kiln supervisor --daemon\n");
}

TEST_CASE(
    "supervisor: kill -9 of the supervisor leaves no service behind, a new one brings "
    "them back",
    "[supervisor]") {
  Sup s;
  s.script("p0", "a", k_sleeper);
  s.script("p0", "parent", "sleep 100000 &\necho $! > " + s.path("grandchild.pid") + "\nwait");
  s.write_services();
  s.start();
  int a = s.wait_running("p0:a"), parent = s.wait_running("p0:parent");
  REQUIRE(eventually([&] { return !slurp(s.path("grandchild.pid")).empty(); }));
  int grandchild = std::stoi(slurp(s.path("grandchild.pid")));
  REQUIRE(alive(grandchild));
  REQUIRE(::kill(s.supervisor_pid(), SIGKILL) == 0);
  CHECK(eventually([&] { return !alive(a) && !alive(parent) && !alive(grandchild); }));
  CHECK_FALSE(group_alive(a));
  CHECK_FALSE(group_alive(parent));

  s.start();
  CHECK(s.wait_running("p0:a", a) > 0);
  CHECK(s.wait_running("p0:parent", parent) > 0);
}

TEST_CASE(
    "supervisor: the daemon is the small kiln-supervisor beside kiln, a kiln without it "
    "supervises in-process",
    "[supervisor]") {
  Sup s;
  s.script("p0", "sleeper", k_sleeper);
  s.write_services();
  auto exe_of = [](int pid) {
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec)
        .filename()
        .string();
  };
  SECTION("with kiln-supervisor") {
    s.start();
    CHECK(exe_of(s.supervisor_pid()) == "kiln-supervisor");
    CHECK(s.wait_running("p0:sleeper") > 0);
  }
  SECTION("a kiln copied alone") {
    std::string bin = s.path("bin");
    std::filesystem::create_directories(bin);
    std::filesystem::copy_file(KILN_BINARY, bin + "/kiln");
    kiln_test::RunOptions o;
    o.env = kiln_test::hermetic_env();
    kiln_test::RunResult r =
        kiln_test::run_program(bin + "/kiln", {"--root", s.root(), "supervisor", "--daemon"}, o);
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(exe_of(s.supervisor_pid()) == "kiln");
    CHECK(s.wait_running("p0:sleeper") > 0);
  }
}

TEST_CASE(
    "supervisor: stop and restart wait until the whole process group is gone, SIGKILL "
    "after the grace",
    "[supervisor]") {
  Sup s;
  // The leader exits on SIGTERM at once, a member of its group ignores it.
  s.script("p0", "web",
           "(trap '' TERM\nexec sleep 100008) &\necho $! > " + s.path("member.pid") +
               "\nexec sleep 100009");
  s.write_services();
  s.start();  // --stop-grace 2
  int leader = s.wait_running("p0:web");
  REQUIRE(leader > 0);
  REQUIRE(eventually([&] { return !slurp(s.path("member.pid")).empty(); }));
  int member = std::stoi(slurp(s.path("member.pid")));
  REQUIRE(alive(member));
  kiln_test::RunResult r = s.kiln({"ctl", "stop", "p0:web"});
  CHECK(r.out == "p0:web: stopped\n");
  CHECK_FALSE(alive(leader));
  CHECK_FALSE(alive(member));  // SIGKILL after the grace, before "stopped"
  CHECK_FALSE(group_alive(leader));
  CHECK(s.state_of("p0:web") == "stopped");
  std::string log = slurp(s.root() + "/log/supervisor.log");
  CHECK(log.find("p0:web: stop requested") != std::string::npos);
  CHECK(log.find("SIGKILL") != std::string::npos);

  REQUIRE(s.kiln({"ctl", "start", "p0:web"}).status == 0);
  int leader2 = s.wait_running("p0:web", leader);
  REQUIRE(leader2 > 0);
  REQUIRE(eventually([&] {
    std::string m = slurp(s.path("member.pid"));
    return !m.empty() && std::stoi(m) != member && alive(std::stoi(m));
  }));
  int member2 = std::stoi(slurp(s.path("member.pid")));
  r = s.kiln({"ctl", "restart", "p0:web"});
  CHECK(r.status == 0);
  // The old group was gone before the new process started.
  CHECK_FALSE(alive(member2));
  CHECK_FALSE(group_alive(leader2));
  CHECK(s.wait_running("p0:web", leader2) > 0);
}

namespace {

const char* k_pad = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

// The numbers of the lines "<number> <k_pad>", in order.
std::vector<long> numbers_in(const std::string& text) {
  std::vector<long> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t space = line.find(' ');
    if (space != std::string::npos && space > 0 && line.substr(space + 1) == k_pad &&
        line.find_first_not_of("0123456789") == space) {
      out.push_back(std::stol(line.substr(0, space)));
    }
  }
  return out;
}

bool consecutive(const std::vector<long>& v) {
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] != v[i - 1] + 1) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("supervisor: ctl tail follows rotations without losing lines, -n reads the .1 too",
          "[supervisor]") {
  Sup s;
  // 6000 numbered lines in bursts (about 210 KB: 10 rotations at 20000
  // bytes), then "done", then a line now and then.
  s.script("p0", "counter",
           "while [ ! -e " + s.path("go") +
               " ]; do sleep 0.05; done\n"
               "i=0\nwhile [ $i -lt 6000 ]; do\n  j=0\n  while [ $j -lt 100 ]; do echo $i " +
               std::string(k_pad) +
               "; "
               "i=$((i+1)); j=$((j+1)); done\n  sleep 0.05\ndone\necho done\n"
               "while :; do echo tick; sleep 0.2; done");
  s.write_services();
  s.start({"--log-max-bytes", "20000"});
  REQUIRE(s.wait_running("p0:counter") > 0);
  // tail -f until "done" (sed quits; kiln gets SIGPIPE at the next tick).
  kiln_test::RunOptions o;
  o.env = kiln_test::hermetic_env();
  std::string cmd = "touch " + s.path("go") + "; timeout 120 " + KILN_BINARY + " --root " +
                    s.root() + " ctl tail p0:counter -n 0 -f | sed '/^done$/q'";
  kiln_test::RunResult r = kiln_test::run_program("/bin/sh", {"-c", cmd}, o);
  std::vector<long> seen = numbers_in(r.out);
  INFO(r.err);
  REQUIRE(r.out.find("done\n") != std::string::npos);
  REQUIRE(!seen.empty());
  CHECK(seen.back() == 5999);
  CHECK(seen.size() > 3000);  // followed through rotations
  CHECK(consecutive(seen));
  CHECK(std::filesystem::exists(s.root() + "/log/services/p0-counter.log.1"));

  // More lines than the current file has: the rest from the .1.
  std::string log = s.root() + "/log/services/p0-counter.log";
  std::string text = slurp(log);
  std::size_t want = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 200;
  kiln_test::RunResult t = s.kiln({"ctl", "tail", "p0:counter", "-n", std::to_string(want)});
  std::vector<long> tail = numbers_in(t.out);
  std::size_t lines = static_cast<std::size_t>(std::count(t.out.begin(), t.out.end(), '\n'));
  CHECK(lines == want);
  CHECK(tail.size() >= 200);
  CHECK(consecutive(tail));
}

TEST_CASE("supervisor: a services.json that cannot be parsed fails the start with the error",
          "[supervisor]") {
  Sup s;
  std::filesystem::create_directories(s.root() + "/run");
  std::ofstream(s.root() + "/run/services.json") << "{\"format\": 1, \"services\": [";
  kiln_test::RunResult r = s.kiln({"supervisor", "--daemon"});
  CHECK(r.status == 1);
  CHECK(r.err.find(s.root() + "/run/services.json") != std::string::npos);
  CHECK(r.err.find("cannot start the supervisor") != std::string::npos);
  CHECK(r.err.find("invalid JSON") != std::string::npos);
  CHECK(s.kiln({"ctl", "status"}).status == 1);  // none runs
  // Repaired: it starts.
  s.script("p0", "web", k_sleeper);
  s.write_services();
  s.start();
  CHECK(s.wait_running("p0:web") > 0);
}

TEST_CASE(
    "supervisor: a program that cannot be exec'd is fatal at once with the reason, status "
    "sorts partition ids numerically",
    "[supervisor]") {
  Sup s;
  s.script("slappart10", "web", k_sleeper);
  s.script("slappart2", "web", k_sleeper);
  s.script("slappart1", "web", k_sleeper);
  s.script("slappart2", "broken", k_sleeper);
  std::string broken = s.path("slappart2/etc/service/broken");
  std::ofstream(broken) << "#!/nonexistent/sh\necho never\n";  // keeps its mode 0755
  s.write_services();
  s.start();
  REQUIRE(s.wait_running("slappart10:web") > 0);
  REQUIRE(eventually([&] { return s.state_of("slappart2:broken") == "fatal"; }));
  json st = s.status()["slappart2:broken"];
  CHECK(st["restarts"] == 0);  // not retried
  CHECK(st["reason"] ==
        "cannot run " + broken + ": its interpreter /nonexistent/sh: No such file or directory");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(s.status()["slappart2:broken"]["restarts"] == 0);

  kiln_test::RunResult table = s.kiln({"ctl", "status"});
  std::size_t p1 = table.out.find("slappart1:web"), p2 = table.out.find("slappart2:broken"),
              p2w = table.out.find("slappart2:web"), p10 = table.out.find("slappart10:web");
  INFO(table.out);
  REQUIRE(p10 != std::string::npos);
  CHECK(p1 < p2);
  CHECK(p2 < p2w);
  CHECK(p2w < p10);
}
