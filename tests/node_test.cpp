// End-to-end tests of instances: kiln request, kiln node, kiln show, with
// the real supervisor and real processes.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "net/test_http_server.h"
#include "recipe_plugin_util.h"

using kiln_recipe_test::contains;
using kiln_recipe_test::exists;
using kiln_recipe_test::read_file;
using kiln_recipe_test::write_file;

namespace {

// A root of its own; shuts its supervisor down at the end.
class Root {
 public:
  Root() : m_dir("kiln-node-e2e") {}
  ~Root() { kiln({"ctl", "shutdown"}); }
  std::string path() const { return m_dir.path().string(); }
  std::string operator/(const std::string& rel) const { return m_dir / rel; }

  kiln_test::RunResult kiln(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--root", path(), "--cache-dir", m_dir / "cache"});
    return kiln_test::run_kiln(args);
  }
  nlohmann::json show(const std::string& name) const {
    kiln_test::RunResult r = kiln({"show", name, "--json"});
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
  }

 private:
  kiln::util::ScratchDir m_dir;
};

std::string release(const std::string& name) {
  return kiln_test::data_path(name + "/software.cfg");
}

int service_pid(const nlohmann::json& info) {
  for (const auto& s : info["services"])
    if (s["state"] == "running" || s["state"] == "starting") return s["pid"].get<int>();
  return 0;
}

bool alive(int pid) {
  return kiln_test::process_running(pid);
}

}  // namespace

TEST_CASE("request, node: the instance runs, its promise is kept, it publishes", "[node]") {
  Root root;
  REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=hello",
                     "--param", "expect=hello"})
              .status == 0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  nlohmann::json info = root.show("basic");
  CHECK(info["status"] == "ok");
  CHECK(info["partition"] == "slappart0");
  CHECK(info["connection"]["message"] == "hello");
  CHECK(info["connection"]["partition"] == "slappart0");
  int pid = service_pid(info);
  CHECK(alive(pid));
  CHECK(read_file(root / "instance/slappart0/var/message") == "hello\n");
  REQUIRE(info["promises"].size() == 1);
  CHECK(info["promises"][0]["ok"] == true);

  SECTION("an unchanged instance is skipped; a changed parameter restarts its service") {
    r = root.kiln({"node"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "0 processed, 1 unchanged"));
    CHECK(service_pid(root.show("basic")) == pid);

    REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=bye",
                       "--param", "expect=bye"})
                .status == 0);
    r = root.kiln({"node"});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    info = root.show("basic");
    CHECK(info["connection"]["message"] == "bye");
    int pid2 = service_pid(info);
    CHECK(alive(pid2));
    CHECK(pid2 != pid);
    CHECK_FALSE(alive(pid));
  }
  SECTION("a failing promise is reported, and the partition processed again next time") {
    REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=hello",
                       "--param", "expect=other"})
                .status == 0);
    r = root.kiln({"node"});
    CHECK(r.status == 3);
    CHECK(contains(r.err, "promise message-ok failed"));
    info = root.show("basic");
    CHECK(info["status"] == "failing");
    CHECK(info["promises"][0]["ok"] == false);
    r = root.kiln({"node"});
    CHECK(r.status == 3);
    CHECK(contains(r.out, "1 processed"));
    r = root.kiln({"show", "basic"});
    CHECK(contains(r.out, "promise message-ok: FAILED"));
  }
  SECTION("stopped: the service stops, files stay; started again: it is back") {
    REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=hello",
                       "--param", "expect=hello", "--state", "stopped"})
                .status == 0);
    REQUIRE(root.kiln({"node"}).status == 0);
    CHECK_FALSE(alive(pid));
    CHECK(service_pid(root.show("basic")) == 0);
    CHECK(exists(root / "instance/slappart0/var/message"));
    REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=hello",
                       "--param", "expect=hello"})
                .status == 0);
    REQUIRE(root.kiln({"node"}).status == 0);
    CHECK(alive(service_pid(root.show("basic"))));
  }
  SECTION("destroyed: no process, no file left, the partition is free again") {
    REQUIRE(root.kiln({"request", "basic", "--state", "destroyed"}).status == 0);  // no release
    CHECK(root.show("basic")["software"] == release("release-basic"));
    r = root.kiln({"node"});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK_FALSE(alive(pid));
    CHECK_FALSE(exists(root / "instance/slappart0"));
    CHECK(root.kiln({"show", "basic"}).status == 1);
    REQUIRE(root.kiln({"request", "again", release("release-basic"), "--param", "message=x",
                       "--param", "expect=x"})
                .status == 0);
    REQUIRE(root.kiln({"node"}).status == 0);
    CHECK(root.show("again")["partition"] == "slappart0");
  }
}

TEST_CASE("two instances of one release share one build", "[node]") {
  Root root;
  for (const char* n : {"one", "two"})
    REQUIRE(root.kiln({"request", n, release("release-basic"), "--param",
                       std::string("message=") + n, "--param", std::string("expect=") + n})
                .status == 0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::size_t releases = 0;
  for (const auto& e : std::filesystem::directory_iterator(root / "software")) {
    (void)e;
    ++releases;
  }
  CHECK(releases == 1);
  CHECK(root.show("one")["connection"]["message"] == "one");
  CHECK(root.show("two")["connection"]["message"] == "two");
  CHECK(root.show("two")["partition"] == "slappart1");
}

TEST_CASE("bad requests are refused with a clear error", "[node]") {
  Root root;
  kiln_test::RunResult r = root.kiln({"request", "x", "/nonexistent/software.cfg"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "no such software release profile"));
  CHECK(contains(r.err, "/nonexistent/software.cfg"));

  write_file(root / "params.json", "{\"port\": 8080,");
  r = root.kiln({"request", "x", release("release-basic"), "--parameters", root / "params.json"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "params.json"));
  CHECK(contains(r.err, "not JSON"));

  write_file(root / "list.json", "[1, 2]");
  r = root.kiln({"request", "x", release("release-basic"), "--parameters", root / "list.json"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "expected a JSON object"));

  r = root.kiln({"request", "x"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "kiln request needs SOFTWARE"));
  r = root.kiln({"request", "x", "--state", "destroyed"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "no instance named 'x' to destroy"));

  r = root.kiln({"request", "x", release("release-basic"), "--state", "paused"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "started, stopped or destroyed, got 'paused'"));
  CHECK(root.kiln({"show", "x"}).status == 1);  // nothing was recorded
}

TEST_CASE("an instance profile failing halfway: the error names the part, state stays consistent",
          "[node]") {
  Root root;
  REQUIRE(root.kiln({"request", "broken", release("release-broken")}).status == 0);
  kiln_test::RunResult r = root.kiln({"node", "-j", "1"});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "part [second]"));
  nlohmann::json info = root.show("broken");
  CHECK(info["status"] == "error");
  CHECK(contains(info["error"].get<std::string>(), "part [second]"));
  nlohmann::json state =
      nlohmann::json::parse(read_file(root / "instance/slappart0/.kiln/installed.json"));
  CHECK(state["parts"].contains("first"));
  CHECK_FALSE(state["parts"].contains("second"));
  CHECK(state["pending"].empty());
  CHECK(exists(root / "instance/slappart0/first-done"));
  // Still failing, processed again (not skipped) on the next run.
  r = root.kiln({"node"});
  CHECK(r.status == 1);
  CHECK(contains(r.out, "1 processed"));
}

namespace {

// The body of GET url, "" when nothing answers.
std::string http_get(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(2, 0);
  auto r = c.Get("/");
  return r && r->status == 200 ? r->body : std::string();
}

}  // namespace

TEST_CASE("the main job: hello's server answers on the port requested, and comes back when killed",
          "[node][hello]") {
  Root root;
  int port = kiln::net::unused_loopback_port();
  REQUIRE(root.kiln({"request", "hello",
                     std::string(KILN_TEST_DATA) + "/../../software/hello/software.cfg", "--param",
                     "port=" + std::to_string(port)})
              .status == 0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  nlohmann::json info = root.show("hello");
  CHECK(info["status"] == "ok");
  CHECK(info["connection"]["url"] == "http://127.0.0.1:" + std::to_string(port) + "/");
  CHECK(contains(http_get(port), "Hello from Kiln"));

  int pid = service_pid(info);
  REQUIRE(alive(pid));
  ::kill(pid, SIGKILL);
  std::string body;
  for (int i = 0; i < 20 && body.empty(); ++i) {  // back within 1 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    body = http_get(port);
  }
  CHECK(contains(body, "Hello from Kiln"));
  int pid2 = service_pid(root.show("hello"));
  CHECK(pid2 != pid);
  CHECK(alive(pid2));
  // The promise runs on demand too.
  CHECK(root.kiln({"node", "promise"}).status == 0);
}

TEST_CASE(
    "a changed parameter restarts only that instance's service, after kill -9 of the "
    "supervisor no service is left, and kiln node brings them all back",
    "[node]") {
  Root root;
  auto request = [&](const std::string& name, const std::string& message) {
    return root
        .kiln({"request", name, release("release-basic"), "--param", "message=" + message,
               "--param", "expect=" + message})
        .status;
  };
  REQUIRE(request("one", "a") == 0);
  REQUIRE(request("two", "b") == 0);
  REQUIRE(root.kiln({"node"}).status == 0);
  int one = service_pid(root.show("one"));
  int two = service_pid(root.show("two"));
  REQUIRE(alive(one));
  REQUIRE(alive(two));

  REQUIRE(request("one", "c") == 0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "1 processed, 1 unchanged"));
  int one2 = service_pid(root.show("one"));
  CHECK(one2 != one);
  CHECK(alive(one2));
  CHECK(service_pid(root.show("two")) == two);  // untouched

  int supervisor = std::stoi(read_file(root / "run/supervisor.pid"));
  REQUIRE(alive(supervisor));
  ::kill(supervisor, SIGKILL);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gone = !alive(one2) && !alive(two);
  }
  CHECK(gone);  // no orphan service

  r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(alive(service_pid(root.show("one"))));
  CHECK(alive(service_pid(root.show("two"))));
}

TEST_CASE("promises run once restarted services are up: old processes stopped, new ones started",
          "[node]") {
  // The service writes its message 0.3 s after it starts and takes 1 s to
  // stop: promises run too early would not see the message.
  Root root;
  auto request = [&](const std::string& message) {
    return root
        .kiln({"request", "slow", release("release-slow"), "--param", "message=" + message,
               "--param", "expect=" + message})
        .status;
  };
  REQUIRE(request("a") == 0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  int before = service_pid(root.show("slow"));
  REQUIRE(alive(before));

  SECTION("a changed parameter restarts the service") {
    REQUIRE(request("b") == 0);
    r = root.kiln({"node"});
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    nlohmann::json info = root.show("slow");
    CHECK(info["status"] == "ok");
    CHECK(service_pid(info) != before);
    CHECK(read_file(root / "instance/slappart0/var/message") == "b\n");
  }
  SECTION("a supervisor started afresh starts the services of unchanged instances") {
    int supervisor = std::stoi(read_file(root / "run/supervisor.pid"));
    ::kill(supervisor, SIGKILL);
    for (int i = 0; i < 100 && alive(before); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE_FALSE(alive(before));
    r = root.kiln({"node"});
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "0 processed, 1 unchanged"));
    CHECK(root.show("slow")["status"] == "ok");
  }
}

TEST_CASE("switch-softwaretype builds the profile of the requested type", "[node]") {
  Root root;
  REQUIRE(root.kiln({"request", "sw", release("release-switch"), "--type", "other", "--param",
                     "word=hi"})
              .status == 0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(root / "instance/slappart0/type") == "other hi\n");
  CHECK(root.show("sw")["connection"]["type"] == "other");
  CHECK(exists(root / "instance/slappart0/.kiln/_installed-switch-softwaretype_cfg.json"));

  REQUIRE(root.kiln({"request", "sw", release("release-switch")}).status == 0);
  r = root.kiln({"node"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(read_file(root / "instance/slappart0/type") == "default\n");
  CHECK(root.show("sw")["connection"]["type"] == "default");

  // A nested build's failure shows why, not only that it failed.
  REQUIRE(root.kiln({"request", "sw", release("release-switch"), "--type", "other"}).status == 0);
  r = root.kiln({"node"});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "the nested build failed"));
  CHECK(contains(r.err, "option 'configuration.word' does not exist in [slap-configuration]"));
  CHECK(contains(root.show("sw")["error"].get<std::string>(), "configuration.word"));

  REQUIRE(root.kiln({"request", "sw", release("release-switch"), "--type", "nope"}).status == 0);
  r = root.kiln({"node"});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "no profile for software type 'nope'"));
}

TEST_CASE(
    "a service that keeps exiting makes its instance failing, processed again with a fresh start",
    "[node]") {
  Root root;
  // Gives up after 2 fast exits (the default, 10, takes ~20 s of backoff).
  kiln_test::RunResult r = root.kiln({"supervisor", "--daemon", "--max-fast-exits", "2"});
  REQUIRE(r.status == 0);
  auto request = [&](const std::string& mode) {
    return root.kiln({"request", "flaky", release("release-flaky"), "--param", "mode=" + mode})
        .status;
  };
  REQUIRE(request("bad") == 0);
  r = root.kiln({"node"});
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(contains(r.err, "instance flaky: service slappart0:flaky"));
  nlohmann::json info = root.show("flaky");
  CHECK(info["status"] == "failing");
  CHECK(contains(info["error"].get<std::string>(), "service slappart0:flaky"));

  auto state = [&] { return root.show("flaky")["services"][0]["state"].get<std::string>(); };
  for (int i = 0; i < 100 && state() != "fatal"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(state() == "fatal");
  std::size_t starts = read_file(root / "instance/slappart0/var/starts").size();
  r = root.kiln({"node"});  // failing: processed again, the given-up service restarted
  CHECK(r.status == 3);
  CHECK(contains(r.out, "1 processed"));
  CHECK(read_file(root / "instance/slappart0/var/starts").size() > starts);
  CHECK(contains(root.kiln({"show", "flaky"}).out, "error: service slappart0:flaky"));

  REQUIRE(request("ok") == 0);
  r = root.kiln({"node"});
  CHECK(r.status == 0);
  info = root.show("flaky");
  CHECK(info["status"] == "ok");
  CHECK(info["error"] == "");
  CHECK(state() == "running");
}

TEST_CASE("instance names that cannot name files or lines are refused, show reports a broken state",
          "[node]") {
  Root root;
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a/b", "a\nb", "tab\there", std::string(256, 'x')}) {
    kiln_test::RunResult r = root.kiln({"request", bad, release("release-basic")});
    INFO(bad);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "bad instance name"));
  }
  CHECK_FALSE(exists(root / "state/instances.json"));
  kiln_test::RunResult r = root.kiln({"show"});
  CHECK(r.status == 0);
  CHECK(contains(r.out, "No instance requested"));
  REQUIRE(root.kiln({"request", "My instance: 1", release("release-basic")}).status == 0);
  CHECK(root.show("My instance: 1")["state"] == "started");

  write_file(root / "state/instances.json", "{garbage");
  r = root.kiln({"show"});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "instances.json"));
  CHECK(root.kiln({"show", "--json"}).status == 1);
}

TEST_CASE("destroy waits for the services to be gone before emptying the partition, logs too",
          "[node]") {
  Root root;
  REQUIRE(root.kiln({"request", "slow", release("release-slow"), "--param", "message=a", "--param",
                     "expect=a"})
              .status == 0);
  REQUIRE(root.kiln({"node"}).status == 0);
  int pid = service_pid(root.show("slow"));
  REQUIRE(alive(pid));
  // What the service printed (it prints nothing itself), rotated once.
  write_file(root / "log/services/slappart0-sleeper.log", "tenant a's secrets\n");
  write_file(root / "log/services/slappart0-sleeper.log.1", "older\n");
  write_file(root / "log/services/slappart10-x.log", "another partition's\n");
  REQUIRE(root.kiln({"request", "slow", release("release-slow"), "--state", "destroyed"}).status ==
          0);
  kiln_test::RunResult r = root.kiln({"node"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_FALSE(alive(pid));  // it took its second to flush, before the files went
  CHECK_FALSE(exists(root / "instance/slappart0"));
  CHECK_FALSE(exists(root / "log/services/slappart0-sleeper.log"));
  CHECK_FALSE(exists(root / "log/services/slappart0-sleeper.log.1"));
  CHECK(exists(root / "log/services/slappart10-x.log"));
  // The next tenant of slappart0 starts from nothing.
  REQUIRE(root.kiln({"request", "next", release("release-basic"), "--param", "message=b", "--param",
                     "expect=b"})
              .status == 0);
  REQUIRE(root.kiln({"node"}).status == 0);
  CHECK(root.show("next")["partition"] == "slappart0");
  CHECK_FALSE(exists(root / "instance/slappart0/var/flushed"));
}

TEST_CASE("a started instance whose service is stopped is failing until kiln node starts it",
          "[node]") {
  Root root;
  REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=m",
                     "--param", "expect=m"})
              .status == 0);
  REQUIRE(root.kiln({"node"}).status == 0);
  REQUIRE(root.kiln({"ctl", "stop", "slappart0"}).status == 0);
  kiln_test::RunResult r = root.kiln({"node", "promise"});
  CHECK(r.status == 3);
  CHECK(contains(r.err, "service slappart0:sleeper is not running"));
  CHECK(root.show("basic")["status"] == "failing");
  r = root.kiln({"node"});  // processed again: the stopped service is started
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "1 processed"));
  CHECK(alive(service_pid(root.show("basic"))));

  REQUIRE(root.kiln({"ctl", "shutdown"}).status == 0);
  r = root.kiln({"node", "promise"});
  CHECK(r.status == 3);
  CHECK(contains(r.err, "no supervisor runs"));
}

TEST_CASE("promises: one not executable fails, what one starts in the background is killed",
          "[node]") {
  Root root;
  REQUIRE(root.kiln({"request", "basic", release("release-basic"), "--param", "message=m",
                     "--param", "expect=m"})
              .status == 0);
  REQUIRE(root.kiln({"node"}).status == 0);
  std::string promises = root / "instance/slappart0/etc/promise/";
  write_file(promises + "background",
             "#!/bin/sh\nsleep 600 &\necho $! > " + (root / "background.pid") + "\nexit 0\n");
  ::chmod((promises + "background").c_str(), 0755);
  write_file(promises + "plain", "#!/bin/sh\nexit 0\n");  // mode 0644
  kiln_test::RunResult r = root.kiln({"node", "promise"});
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(contains(r.err, "promise plain failed: not executable"));
  nlohmann::json info = root.show("basic");
  REQUIRE(info["promises"].size() == 3);
  CHECK(info["promises"][0]["name"] == "background");
  CHECK(info["promises"][0]["ok"] == true);
  CHECK(info["promises"][2]["name"] == "plain");
  CHECK(info["promises"][2]["ok"] == false);
  int background = std::stoi(read_file(root / "background.pid"));
  CHECK_FALSE(alive(background));
}
