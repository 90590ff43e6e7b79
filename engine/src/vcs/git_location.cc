// parse_git_location (declared in git_cache.h).
#include <cctype>
#include <string_view>
#include <vector>

#include "vcs/git_cache.h"

namespace kiln::vcs {

namespace {

Error invalid(const std::string& location, const std::string& why) {
  return Error(ErrorCode::k_invalid, "invalid git location '" + location + "': " + why);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool allowed_scheme(const std::string& scheme) {
  return scheme == "https" || scheme == "http" || scheme == "ssh" || scheme == "git" ||
         scheme == "file";
}

// Refs go to `git rev-parse` as one argument: refuse what could be read as an
// option or is not a plausible revision.
const char* bad_ref_reason(std::string_view ref) {
  if (ref.empty()) return "empty ref after '@'";
  if (ref.front() == '-') return "a ref may not start with '-'";
  for (char c : ref) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ')
      return "a ref may not contain spaces or control characters";
  }
  return nullptr;
}

// "a/./b/../c.cfg" -> "a/c.cfg"; refuses absolute paths, paths that leave
// the tree and paths that name nothing.
Expected<std::string> normalise_path(const std::string& location, std::string_view path) {
  if (path.empty()) return invalid(location, "no path after '#'");
  if (path.front() == '/') return invalid(location, "the path after '#' must be relative");
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return invalid(location, "the path after '#' leaves the repository");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  if (parts.empty()) return invalid(location, "the path after '#' names no file");
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace

Expected<GitLocation> parse_git_location(const std::string& location) {
  if (location.rfind("git+", 0) != 0) return invalid(location, "it does not start with 'git+'");
  std::string_view rest = std::string_view(location).substr(4);
  std::size_t hash = rest.find('#');
  if (hash == std::string_view::npos) return invalid(location, "no #<path-in-repo>");
  std::string_view url_ref = rest.substr(0, hash);
  std::size_t colon = url_ref.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return invalid(location, "the repository must be a URL (https://, ssh://, file://...)");
  }
  std::string scheme = lower(url_ref.substr(0, colon));
  if (!allowed_scheme(scheme)) {
    return invalid(location, "unsupported scheme '" + scheme + "' (https, http, ssh, git, file)");
  }
  // The ref separator: the last '@' after the authority (user@host:port).
  std::size_t authority_end = url_ref.find('/', colon + 3);
  std::size_t at = url_ref.rfind('@');
  if (authority_end == std::string_view::npos || at == std::string_view::npos ||
      at < authority_end) {
    at = std::string_view::npos;
  }
  GitLocation loc;
  loc.repo_url = std::string(url_ref.substr(0, at));
  loc.ref = at == std::string_view::npos ? "HEAD" : std::string(url_ref.substr(at + 1));
  if (loc.repo_url.size() <= colon + 3) return invalid(location, "no repository in the URL");
  if (const char* why = bad_ref_reason(loc.ref)) return invalid(location, why);
  Expected<std::string> path = normalise_path(location, rest.substr(hash + 1));
  if (!path.ok()) return path.error();
  loc.path = std::move(*path);
  return loc;
}

}  // namespace kiln::vcs
