#include "build/scheduler.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace kiln::build {

namespace {

class Run {
 public:
  Run(const std::vector<Task>& tasks) : m_tasks(tasks), m_out(tasks.size()) {
    m_waiting.resize(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) m_waiting[i] = tasks[i].deps.size();
  }

  void worker() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
      std::size_t next = pick();
      if (next == k_none) {
        if (m_running == 0 || m_failed) {
          if (m_running == 0) m_cv.notify_all();
          if (m_running == 0 || m_failed) return;
        }
        m_cv.wait(lock);
        continue;
      }
      m_started[next] = true;
      ++m_running;
      lock.unlock();
      Status st = m_tasks[next].run ? m_tasks[next].run() : Status();
      lock.lock();
      --m_running;
      finish(next, st);
      m_cv.notify_all();
    }
  }

  std::vector<TaskOutcome> take() { return std::move(m_out); }

 private:
  static constexpr std::size_t k_none = static_cast<std::size_t>(-1);

  // The first ready task, or k_none. REQUIRES: m_mutex held.
  std::size_t pick() {
    if (m_failed) return k_none;
    if (m_started.empty()) m_started.assign(m_tasks.size(), false);
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
      if (!m_started[i] && m_waiting[i] == 0) return i;
    return k_none;
  }

  void finish(std::size_t i, const Status& st) {
    if (!st.ok()) {
      m_out[i].state = TaskOutcome::k_failed;
      m_out[i].error = st.error();
      m_failed = true;
      return;
    }
    m_out[i].state = TaskOutcome::k_done;
    for (std::size_t j = i + 1; j < m_tasks.size(); ++j)
      for (std::size_t d : m_tasks[j].deps)
        if (d == i) --m_waiting[j];
  }

  const std::vector<Task>& m_tasks;
  std::vector<TaskOutcome> m_out;
  std::vector<std::size_t> m_waiting;
  std::vector<bool> m_started;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_running = 0;
  bool m_failed = false;
};

}  // namespace

std::vector<TaskOutcome> run_tasks(const std::vector<Task>& tasks, int jobs) {
  if (tasks.empty()) return {};
  Run run(tasks);
  int n = std::max(1, std::min<int>(jobs, static_cast<int>(tasks.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([&run] { run.worker(); });
  run.worker();
  for (std::thread& t : threads) t.join();
  return run.take();
}

}  // namespace kiln::build
