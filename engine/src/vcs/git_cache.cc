#include "vcs/git_cache.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <random>
#include <system_error>

#include "util/atomic_file.h"
#include "util/hash.h"
#include "vcs/git_runner.h"

namespace kiln::vcs {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_all_refs[] = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"};

bool is_full_sha(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;  // SHA-1 or SHA-256 object names
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "<pid>-<counter>-<random>": unique among the threads and processes sharing a cache.
std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rng() % 1000000);
}

bool is_dir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

void remove_quietly(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

// Moves a freshly built `tmp` to `target`. Losing a race to another process
// that published `target` first is fine: its copy is equivalent.
Status publish(const std::string& tmp, const std::string& target) {
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (!ec) return {};
  remove_quietly(tmp);
  if (is_dir(target)) return {};
  return Error(ErrorCode::k_io, "cannot rename " + tmp + " to " + target + ": " + ec.message());
}

std::string git_reason(const Expected<GitResult>& r) {
  if (!r.ok()) return r.error().message;
  std::string line = r->first_error_line();
  return line.empty() ? "git exited with status " + std::to_string(r->exit_code) : line;
}

}  // namespace

struct GitCache::Repo {
  GitLocation loc;
  std::string dir;     // <root>/<key>
  std::string mirror;  // <root>/<key>/mirror.git
  std::string trees;   // <root>/<key>/trees
};

GitCache::GitCache(GitCacheOptions options) : m_options(std::move(options)) {
  std::error_code ec;
  if (!m_options.dir.empty()) {
    fs::path abs = fs::absolute(m_options.dir, ec);
    if (!ec) m_options.dir = abs.lexically_normal().string();
    while (m_options.dir.size() > 1 && m_options.dir.back() == '/') m_options.dir.pop_back();
  }
}

std::string GitCache::repo_dir(const std::string& repo_url) const {
  return m_options.dir + "/" + util::sha256_hex(repo_url).substr(0, 16);
}

GitCache::Repo GitCache::repo_for(const GitLocation& loc) const {
  std::string dir = repo_dir(loc.repo_url);
  return Repo{loc, dir, dir + "/mirror.git", dir + "/trees"};
}

Expected<std::string> GitCache::checkout(const std::string& location) {
  try {
    return checkout_impl(location);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_vcs, "git: " + location + ": " + e.what());
  }
}

Expected<std::string> GitCache::checkout_impl(const std::string& location) {
  Expected<GitLocation> loc = parse_git_location(location);
  if (!loc.ok()) return loc.error();
  Expected<std::string> sha = resolve(*loc);
  if (!sha.ok()) return sha.error();
  Expected<std::string> tree = export_tree(repo_for(*loc), *sha);
  if (!tree.ok()) return tree.error();
  std::string path = *tree + "/" + loc->path;
  // Symbolic links in the commit may not lead out of the tree.
  std::error_code ec, ec2;
  fs::path real_tree = fs::canonical(*tree, ec);
  fs::path real_path = fs::weakly_canonical(path, ec2);
  fs::path rel = real_path.lexically_relative(real_tree);
  if (ec || ec2 || rel.empty() || *rel.begin() == "..") {
    return Error(ErrorCode::k_invalid, "git: " + loc->path + " in " + loc->repo_url + "@" +
                                           loc->ref + " points outside the repository");
  }
  if (!fs::exists(path, ec)) {
    return Error(ErrorCode::k_not_found, "git: " + loc->path + " does not exist in " +
                                             loc->repo_url + " at " + loc->ref + " (" + *sha + ")");
  }
  return path;
}

Expected<std::string> GitCache::resolve(const GitLocation& loc) {
  if (m_options.dir.empty()) {
    return Error(ErrorCode::k_invalid, "git: no cache directory is configured for " + loc.repo_url);
  }
  Repo repo = repo_for(loc);
  bool sha = is_full_sha(loc.ref);
  if (sha && is_dir(repo.trees + "/" + lower(loc.ref))) return lower(loc.ref);
  bool cloned_now = false;
  if (!is_dir(repo.mirror)) {
    if (m_options.offline) {
      return Error(ErrorCode::k_offline, "offline: " + loc.repo_url + " is not in the git cache (" +
                                             m_options.dir + "); run once without --offline");
    }
    Status cloned = ensure_mirror(repo);
    if (!cloned.ok()) return cloned.error();
    cloned_now = true;
  }
  return sha ? resolve_sha(repo, lower(loc.ref)) : resolve_ref(repo, cloned_now);
}

Status GitCache::ensure_mirror(const Repo& repo) {
  std::error_code ec;
  fs::create_directories(repo.dir, ec);
  if (ec)
    return Error(ErrorCode::k_io, "cannot create directory " + repo.dir + ": " + ec.message());
  std::string tmp = repo.dir + "/.mirror.tmp-" + unique_suffix();
  ++m_network_ops;
  Expected<GitResult> r = run_git({"clone", "--bare", "--quiet", "--", repo.loc.repo_url, tmp});
  if (!r.ok() || !r->ok()) {
    remove_quietly(tmp);
    return Error(ErrorCode::k_vcs, "git: cannot clone " + repo.loc.repo_url + ": " + git_reason(r));
  }
  (void)util::write_file_atomic(repo.dir + "/url", repo.loc.repo_url + "\n");  // for humans
  return publish(tmp, repo.mirror);
}

std::string GitCache::fetch(const Repo& repo, const std::vector<std::string>& refspecs) {
  ++m_network_ops;
  std::vector<std::string> args = {
      "--git-dir=" + repo.mirror, "fetch", "--quiet", "--prune", "--no-tags", "--",
      repo.loc.repo_url};
  args.insert(args.end(), refspecs.begin(), refspecs.end());
  Expected<GitResult> r = run_git(args);
  return r.ok() && r->ok() ? "" : git_reason(r);
}

namespace {

// The commit `rev` names in `mirror`: its SHA, or "" when git does not know it.
Expected<std::string> rev_parse(const std::string& mirror, const std::string& rev) {
  Expected<GitResult> r =
      run_git({"--git-dir=" + mirror, "rev-parse", "--verify", "--quiet", rev + "^{commit}"});
  if (!r.ok()) return r.error();
  std::string sha = r->out;
  while (!sha.empty() && std::isspace(static_cast<unsigned char>(sha.back()))) sha.pop_back();
  if (!r->ok() || !is_full_sha(sha)) return std::string();
  return sha;
}

}  // namespace

Expected<std::string> GitCache::resolve_sha(const Repo& repo, const std::string& sha) {
  Expected<std::string> known = rev_parse(repo.mirror, sha);
  if (!known.ok() || !known->empty()) return known;
  if (m_options.offline) {
    return Error(ErrorCode::k_offline, "offline: commit " + sha + " of " + repo.loc.repo_url +
                                           " is not in the git cache (" + m_options.dir +
                                           "); run once without --offline");
  }
  std::string problem = fetch(repo, {std::begin(k_all_refs), std::end(k_all_refs)});
  known = rev_parse(repo.mirror, sha);
  if (!known.ok() || !known->empty()) return known;
  if (problem.empty()) {
    // Not on any branch or tag: servers that allow it can still send it.
    (void)fetch(repo, {sha});
    known = rev_parse(repo.mirror, sha);
    if (!known.ok() || !known->empty()) return known;
  }
  std::string why = problem.empty() ? "no such commit" : "cannot fetch: " + problem;
  return Error(ErrorCode::k_vcs,
               "git: cannot resolve ref '" + sha + "' in " + repo.loc.repo_url + ": " + why);
}

Expected<std::string> GitCache::resolve_ref(const Repo& repo, bool cloned_now) {
  const std::string& ref = repo.loc.ref;
  bool fetched = cloned_now;
  std::string fetch_problem;
  auto try_fetch = [&] {
    fetched = true;
    fetch_problem = fetch(repo, {std::begin(k_all_refs), std::end(k_all_refs)});
  };
  if (!fetched && m_options.newest && !m_options.offline) try_fetch();
  Expected<std::string> sha = rev_parse(repo.mirror, ref);
  if (sha.ok() && sha->empty() && !fetched && !m_options.offline) {
    try_fetch();  // newest=false, but the mirror has never heard of `ref`
    sha = rev_parse(repo.mirror, ref);
  }
  if (!sha.ok()) return sha.error();
  if (!sha->empty()) {
    if (!fetch_problem.empty()) {
      m_warnings.push_back("git: cannot fetch " + repo.loc.repo_url + ": " + fetch_problem +
                           "; using the cached " + ref + " (" + *sha + ")");
    }
    return sha;
  }
  if (m_options.offline) {
    return Error(ErrorCode::k_offline, "offline: ref '" + ref + "' of " + repo.loc.repo_url +
                                           " is not in the git cache (" + m_options.dir +
                                           "); run once without --offline");
  }
  std::string why =
      fetch_problem.empty() ? "no such branch, tag or commit" : "cannot fetch: " + fetch_problem;
  return Error(ErrorCode::k_vcs,
               "git: cannot resolve ref '" + ref + "' in " + repo.loc.repo_url + ": " + why);
}

Expected<std::string> GitCache::export_tree(const Repo& repo, const std::string& sha) {
  std::string tree = repo.trees + "/" + sha;
  if (is_dir(tree)) return tree;
  std::error_code ec;
  std::string tmp = repo.trees + "/.tmp-" + sha + "-" + unique_suffix();
  fs::create_directories(tmp, ec);
  if (ec) return Error(ErrorCode::k_io, "cannot create directory " + tmp + ": " + ec.message());
  // A private index: the mirror's own is never touched, so exports can run concurrently.
  EnvVars env = {{"GIT_INDEX_FILE", tmp + ".index"}};
  std::vector<std::string> base = {"--git-dir=" + repo.mirror, "--work-tree=" + tmp};
  std::vector<std::string> read_tree = base, checkout = base;
  read_tree.insert(read_tree.end(), {"read-tree", sha});
  checkout.insert(checkout.end(), {"checkout-index", "--all", "--force"});
  Expected<GitResult> r = run_git(read_tree, env);
  if (r.ok() && r->ok()) r = run_git(checkout, env);
  fs::remove(tmp + ".index", ec);
  if (!r.ok() || !r->ok()) {
    remove_quietly(tmp);
    return Error(ErrorCode::k_vcs,
                 "git: cannot export " + sha + " of " + repo.loc.repo_url + ": " + git_reason(r));
  }
  Status published = publish(tmp, tree);
  if (!published.ok()) return published.error();
  return tree;
}

}  // namespace kiln::vcs
