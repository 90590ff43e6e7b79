// Profiles from git repositories: `git+<repo-url>@<ref>#<path-in-repo>`.
#pragma once

#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln::vcs {

struct GitLocation {
  std::string repo_url;  // e.g. "https://host/repo.git", "file:///srv/repo"
  std::string ref;       // branch, tag or commit; "HEAD" when the location has none
  std::string path;      // normalised, relative, without "." / ".." components
};

// Parses `git+<repo-url>[@<ref>]#<path-in-repo>`.
// The ref separator is the LAST '@' after the URL's authority, i.e. after the
// first '/' that follows "://", so that
//   git+ssh://git@host/repo.git@main#a.cfg   -> ssh://git@host/repo.git, main
//   git+https://host/r.git@release/1.0#a.cfg -> https://host/r.git, release/1.0
// (a user name before the host is never taken for a ref, and refs may contain
// '/'). No '@' after the authority means ref "HEAD", the remote's default
// branch. The scheme must be https, http, ssh, git or file (other git
// transports, e.g. ext::, can run commands and are refused). The path must be
// relative and stay inside the tree ("a/../b.cfg" is fine, "../x" is not).
// Errors: k_invalid with the reason. Pure; thread-safe.
Expected<GitLocation> parse_git_location(const std::string& location);

struct GitCacheOptions {
  std::string dir;       // cache root, e.g. ~/.cache/kiln/git ("" = unusable)
  bool offline = false;  // never run a git command that uses the network
  bool newest = true;    // false (-N): do not fetch refs the mirror already knows
};

// Materialises git trees on disk. Layout under `dir`:
//   <key>/mirror.git/      bare mirror of the repository (clone --bare, fetch)
//   <key>/trees/<sha>/     the files of commit <sha>, exported once, read-only by convention
// with <key> = the first 16 hex digits of sha256(repo-url). Mirrors and trees
// are built in temporary directories and renamed into place, so a crash or a
// concurrent process never sees a partial one.
//
// Network policy for a ref:
//   - a full commit SHA whose tree is exported: no git process at all; one the
//     mirror already has: local git commands only;
//   - otherwise the mirror is cloned if missing and, for branch/tag refs,
//     fetched (newest, not offline); a failed fetch falls back to what the
//     mirror knows, with a warning;
//   - newest=false: refs the mirror knows are used without fetching;
//   - offline: nothing is cloned or fetched; missing data -> k_offline.
// Errors: k_invalid (location), k_vcs (git failures, unknown ref),
// k_offline, k_not_found (path not in the commit), k_io (cache dir).
//
// Not thread-safe: one loader uses one instance. Several processes may share
// `dir` (publication is by rename; git locks its refs). Never throws.
class GitCache {
 public:
  explicit GitCache(GitCacheOptions options);

  // Absolute local path of <path-in-repo> in the exported tree of <ref>.
  Expected<std::string> checkout(const std::string& location);
  // The full commit SHA of `loc.ref`, fetching as the policy above allows.
  Expected<std::string> resolve(const GitLocation& loc);

  // Directory holding the mirror and trees of `repo_url`.
  std::string repo_dir(const std::string& repo_url) const;
  // Notes about fallbacks (e.g. a failed fetch), oldest first.
  const std::vector<std::string>& warnings() const { return m_warnings; }
  // How many clone/fetch commands were run (for tests and diagnostics).
  int network_operations() const { return m_network_ops; }

 private:
  struct Repo;
  Repo repo_for(const GitLocation& loc) const;
  Expected<std::string> checkout_impl(const std::string& location);
  Status ensure_mirror(const Repo& repo);
  // Runs `git fetch`; returns "" on success, else git's first error line.
  std::string fetch(const Repo& repo, const std::vector<std::string>& refspecs);
  Expected<std::string> resolve_sha(const Repo& repo, const std::string& sha);
  Expected<std::string> resolve_ref(const Repo& repo, bool cloned_now);
  Expected<std::string> export_tree(const Repo& repo, const std::string& sha);

  GitCacheOptions m_options;
  std::vector<std::string> m_warnings;
  int m_network_ops = 0;
};

}  // namespace kiln::vcs
