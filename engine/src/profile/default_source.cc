#include "profile/default_source.h"

#include <cctype>
#include <cstdlib>

#include "profile/file_source.h"

namespace kiln::profile {

namespace {

SourceOptions with_cache_dir(SourceOptions options) {
  if (options.cache_dir.empty()) options.cache_dir = default_cache_dir();
  while (options.cache_dir.size() > 1 && options.cache_dir.back() == '/') {
    options.cache_dir.pop_back();
  }
  return options;
}

std::string sub_dir(const SourceOptions& options, const char* name) {
  return options.cache_dir.empty() ? "" : options.cache_dir + "/" + name;
}

net::CacheOptions url_cache_options(const SourceOptions& o) {
  return net::CacheOptions{sub_dir(o, "extends"), o.offline, o.newest};
}

vcs::GitCacheOptions git_cache_options(const SourceOptions& o) {
  return vcs::GitCacheOptions{sub_dir(o, "git"), o.offline, o.newest};
}

bool supported_url(const std::string& url) {
  std::size_t colon = url.find("://");
  if (colon == std::string::npos) return false;
  std::string scheme = url.substr(0, colon);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "http" || scheme == "https" || scheme == "file" || scheme == "ftp";
}

void append_new(const std::vector<std::string>& from, std::size_t* seen,
                std::vector<std::string>* to) {
  for (; *seen < from.size(); ++*seen) to->push_back(from[*seen]);
}

}  // namespace

std::string default_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/kiln";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.cache/kiln";
  return "";
}

DefaultSource::DefaultSource(SourceOptions options)
    : DefaultSource(std::move(options), std::make_unique<net::CurlFetcher>()) {}

DefaultSource::DefaultSource(SourceOptions options, std::unique_ptr<net::UrlFetcher> network)
    : m_options(with_cache_dir(std::move(options))),
      m_urls(std::move(network), url_cache_options(m_options)),
      m_git(git_cache_options(m_options)) {}

Expected<std::string> DefaultSource::read_file(const std::string& path) {
  try {
    return read_local_file(path);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_io, "cannot read " + path + ": " + e.what());
  }
}

Expected<std::string> DefaultSource::fetch_url(const std::string& url) {
  if (!supported_url(url)) {
    return Error(ErrorCode::k_invalid,
                 "cannot download " + url + ": only http, https, ftp and file URLs are supported");
  }
  Expected<std::string> got = m_urls.fetch(url);
  collect_warnings();
  return got;
}

Expected<std::string> DefaultSource::git_checkout(const std::string& location) {
  Expected<std::string> got = m_git.checkout(location);
  collect_warnings();
  return got;
}

void DefaultSource::collect_warnings() {
  try {
    append_new(m_urls.warnings(), &m_url_warnings_seen, &m_warnings);
    append_new(m_git.warnings(), &m_git_warnings_seen, &m_warnings);
  } catch (const std::exception&) {
    // Out of memory while copying a note: the note is lost, the result is not.
  }
}

}  // namespace kiln::profile
