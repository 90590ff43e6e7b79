#include "vcs/git_runner.h"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <cstdlib>
#include <future>
#include <string_view>

extern char** environ;  // POSIX

namespace kiln::vcs {

namespace bp = boost::process;

namespace {

// Variables that would make git operate on something other than --git-dir.
constexpr const char* k_scrubbed_env[] = {
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
};

// The child's environment as "NAME=value" strings: ours, minus the scrubbed
// variables, with `overrides` replacing or adding entries. (Built by hand:
// bp::environment's find() and operator[] read past short entries in Boost
// 1.74, which ASan reports as a heap overflow.)
std::vector<std::string> child_environment(const EnvVars& extra_env) {
  EnvVars overrides = {{"GIT_TERMINAL_PROMPT", "0"}};
  // Abort an http(s) transfer slower than 1 KiB/s for a minute (git's own knob).
  if (std::getenv("GIT_HTTP_LOW_SPEED_LIMIT") == nullptr) {
    overrides.push_back({"GIT_HTTP_LOW_SPEED_LIMIT", "1024"});
    overrides.push_back({"GIT_HTTP_LOW_SPEED_TIME", "60"});
  }
  overrides.insert(overrides.end(), extra_env.begin(), extra_env.end());
  auto dropped = [&overrides](std::string_view name) {
    for (const char* s : k_scrubbed_env) {
      if (name == s) return true;
    }
    for (const auto& o : overrides) {
      if (name == o.first) return true;
    }
    return false;
  };
  std::vector<std::string> out;
  for (char** p = ::environ; p != nullptr && *p != nullptr; ++p) {
    std::string_view entry(*p);
    if (!dropped(entry.substr(0, entry.find('=')))) out.emplace_back(entry);
  }
  for (const auto& [name, value] : overrides) out.push_back(name + "=" + value);
  return out;
}

// Boost.Process initializer that hands the child a prepared envp array. In
// 1.74 only types derived from detail::handler count as initializers
// (extend::handler does not, and would be taken for an argument).
struct EnvInit : bp::detail::handler {
  char** envp;
  explicit EnvInit(char** e) : envp(e) {}
  template <class Executor>
  void on_setup(Executor& exec) const {
    exec.env = envp;
  }
};

Expected<GitResult> run_git_impl(const std::vector<std::string>& args, const EnvVars& extra_env) {
  boost::filesystem::path git = bp::search_path("git");
  if (git.empty()) return Error(ErrorCode::k_vcs, "git: the git program is not in PATH");
  boost::asio::io_context io;
  std::future<std::string> out, err;
  std::vector<std::string> env = child_environment(extra_env);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  bp::child child(git, bp::args(args), EnvInit(envp.data()), (bp::std_in < bp::null),
                  (bp::std_out > out), (bp::std_err > err), io);
  io.run();  // drains both pipes until git closes them
  child.wait();
  GitResult result;
  result.exit_code = child.exit_code();
  result.out = out.get();
  result.err = err.get();
  return result;
}

}  // namespace

std::string GitResult::first_error_line() const {
  std::size_t start = 0;
  while (start < err.size()) {
    std::size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) return line;
    start = end + 1;
  }
  return "";
}

Expected<GitResult> run_git(const std::vector<std::string>& args, const EnvVars& extra_env) {
  try {
    return run_git_impl(args, extra_env);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_vcs, std::string("git: cannot run git: ") + e.what());
  }
}

}  // namespace kiln::vcs
