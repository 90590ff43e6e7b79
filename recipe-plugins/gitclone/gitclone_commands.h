// Pure logic of the gitclone recipe: the git command lines it runs.
#pragma once

#include <string>
#include <vector>

namespace kiln_gitclone {

struct GitOptions {
  std::string git = "git";  // git-command
  std::string repository;
  std::string branch = "master";
  std::string revision;  // empty: follow the branch
  std::string depth;     // empty: full history
  bool ignore_ssl_certificate = false;
};

// `git [-c http.sslVerify=false]`, the prefix of every command.
std::vector<std::string> git_base(const GitOptions& o);

// Clones into location: --branch always, --depth only without a revision (a
// shallow clone may miss the pinned commit).
std::vector<std::string> clone_argv(const GitOptions& o, const std::string& location);

// `git -C location reset --hard --quiet <target>`.
std::vector<std::string> reset_argv(const GitOptions& o, const std::string& location,
                                    const std::string& target);

// Fetches the branch from origin (FETCH_HEAD), with --depth when set.
std::vector<std::string> fetch_argv(const GitOptions& o, const std::string& location);

// A shell script exiting 0 when the checkout has no local change: nothing in
// `git status --porcelain` and no commit missing from the remotes.
std::string clean_check_script(const GitOptions& o);

// Empty when depth is empty or a positive integer, else the reason.
std::string check_depth(const std::string& depth);

}  // namespace kiln_gitclone
