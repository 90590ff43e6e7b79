#include "build/scheduler.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

using kiln::Error;
using kiln::ErrorCode;
using kiln::Status;
using kiln::build::run_tasks;
using kiln::build::Task;
using kiln::build::TaskOutcome;

namespace {

// Records the order in which tasks ran.
struct Recorder {
  std::mutex mutex;
  std::vector<std::string> order;
  std::function<Status()> task(const std::string& name, Status result = {}) {
    return [this, name, result] {
      std::lock_guard<std::mutex> lock(mutex);
      order.push_back(name);
      return result;
    };
  }
};

}  // namespace

TEST_CASE("tasks run after their dependencies, in list order when serial", "[scheduler]") {
  Recorder rec;
  std::vector<Task> tasks = {{"a", {}, rec.task("a")},
                             {"b", {0}, rec.task("b")},
                             {"c", {}, rec.task("c")},
                             {"d", {1, 2}, rec.task("d")}};
  std::vector<TaskOutcome> out = run_tasks(tasks, 1);
  CHECK(rec.order == std::vector<std::string>{"a", "b", "c", "d"});
  for (const TaskOutcome& o : out) CHECK(o.state == TaskOutcome::k_done);
}

TEST_CASE("with two jobs, independent tasks run at the same time", "[scheduler]") {
  // Each task waits for the other to start: only possible in parallel. The
  // wait is bounded so a serial scheduler fails instead of hanging.
  std::atomic<int> started{0};
  auto meet = [&started]() -> Status {
    ++started;
    for (int i = 0; i < 2000 && started.load() < 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (started.load() < 2) return Error(ErrorCode::k_internal, "ran alone");
    return {};
  };
  std::vector<Task> tasks = {{"a", {}, meet}, {"b", {}, meet}};
  std::vector<TaskOutcome> out = run_tasks(tasks, 2);
  CHECK(out[0].state == TaskOutcome::k_done);
  CHECK(out[1].state == TaskOutcome::k_done);
}

TEST_CASE("after a failure no new task starts and dependents do not run", "[scheduler]") {
  Recorder rec;
  std::vector<Task> tasks = {{"a", {}, rec.task("a", Error(ErrorCode::k_invalid, "boom"))},
                             {"b", {0}, rec.task("b")},
                             {"c", {}, rec.task("c")}};
  std::vector<TaskOutcome> out = run_tasks(tasks, 1);
  CHECK(out[0].state == TaskOutcome::k_failed);
  CHECK(out[0].error.message == "boom");
  CHECK(out[1].state == TaskOutcome::k_not_run);
  CHECK(out[2].state == TaskOutcome::k_not_run);
  CHECK(rec.order == std::vector<std::string>{"a"});
}

TEST_CASE("many tasks on many jobs all run exactly once", "[scheduler]") {
  std::atomic<int> runs{0};
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < 200; ++i) {
    Task t;
    t.name = std::to_string(i);
    if (i >= 10) t.deps = {i - 10, i / 2};
    t.run = [&runs]() -> Status {
      ++runs;
      return {};
    };
    tasks.push_back(std::move(t));
  }
  std::vector<TaskOutcome> out = run_tasks(tasks, 8);
  CHECK(runs.load() == 200);
  for (const TaskOutcome& o : out) CHECK(o.state == TaskOutcome::k_done);
  CHECK(run_tasks({}, 4).empty());
}
