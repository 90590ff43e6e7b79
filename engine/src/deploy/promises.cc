#include "deploy/promises.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "process/run.h"

namespace kiln::deploy {

namespace fs = std::filesystem;

std::vector<PromiseResult> run_promises(const std::string& partition_dir,
                                        std::chrono::seconds timeout) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(partition_dir + "/etc/promise", ec)) {
    std::error_code ec2;
    if (e.is_regular_file(ec2)) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<PromiseResult> out;
  for (const std::string& f : files) {
    PromiseResult r;
    r.name = fs::path(f).filename().string();
    if (::access(f.c_str(), X_OK) != 0) {  // a promise that cannot run is not kept
      r.output = "not executable: " + f + "\n";
      out.push_back(std::move(r));
      continue;
    }
    process::RunRequest req;
    req.argv = {f};
    req.env = process::current_environment();
    req.cwd = partition_dir;
    req.timeout = timeout;
    req.kill_group_on_exit = true;  // nothing a promise started outlives it
    Expected<process::RunResult> run = process::run(req);
    if (!run.ok()) {
      r.output = run.error().to_string();
    } else if (run->timed_out) {
      r.output = run->tail + "(timed out after " + std::to_string(timeout.count()) + " s)";
    } else {
      r.ok = run->exit_code == 0;
      r.output = run->tail;
      if (!r.ok) r.output += "(exit status " + std::to_string(run->exit_code) + ")";
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kiln::deploy
