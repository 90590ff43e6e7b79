#include "gitclone_commands.h"

#include <cctype>

namespace kiln_gitclone {

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::vector<std::string> git_base(const GitOptions& o) {
  std::vector<std::string> argv = {o.git};
  if (o.ignore_ssl_certificate) argv.insert(argv.end(), {"-c", "http.sslVerify=false"});
  return argv;
}

std::vector<std::string> clone_argv(const GitOptions& o, const std::string& location) {
  std::vector<std::string> argv = git_base(o);
  argv.insert(argv.end(), {"clone", "--quiet"});
  if (o.revision.empty() && !o.depth.empty()) argv.push_back("--depth=" + o.depth);
  if (!o.branch.empty()) argv.insert(argv.end(), {"--branch", o.branch});
  argv.insert(argv.end(), {"--", o.repository, location});
  return argv;
}

std::vector<std::string> reset_argv(const GitOptions& o, const std::string& location,
                                    const std::string& target) {
  std::vector<std::string> argv = git_base(o);
  argv.insert(argv.end(), {"-C", location, "reset", "--hard", "--quiet", target});
  return argv;
}

std::vector<std::string> fetch_argv(const GitOptions& o, const std::string& location) {
  std::vector<std::string> argv = git_base(o);
  argv.insert(argv.end(), {"-C", location, "fetch", "--quiet"});
  if (!o.depth.empty()) argv.push_back("--depth=" + o.depth);
  argv.insert(argv.end(), {"origin", o.branch});
  return argv;
}

std::string clean_check_script(const GitOptions& o) {
  std::string git;
  for (const std::string& w : git_base(o)) git += (git.empty() ? "" : " ") + quote(w);
  return "test -z \"$(" + git + " status --porcelain)\" && test -z \"$(" + git +
         " log --branches --not --remotes --oneline)\"";
}

std::string check_depth(const std::string& depth) {
  if (depth.empty()) return {};
  for (char c : depth)
    if (!std::isdigit(static_cast<unsigned char>(c))) return "expected a positive integer";
  if (depth.find_first_not_of('0') == std::string::npos) return "expected a positive integer";
  return {};
}

}  // namespace kiln_gitclone
