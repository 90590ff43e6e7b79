#include "net/extends_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "util/atomic_file.h"
#include "util/hash.h"

namespace kiln::net {

namespace {

bool is_file_url(const std::string& url) {
  std::size_t n = std::strlen("file://");
  if (url.size() < n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != "file://"[i]) return false;
  }
  return true;
}

// The cached copy of a URL: the content, or nothing if the file is absent.
// Unreadable cache files are reported through `problem` and treated as absent.
bool read_cached(const std::string& path, std::string* out, std::string* problem) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      *problem = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  out->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      *problem = "cannot read " + path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    out->append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

CachingFetcher::CachingFetcher(std::unique_ptr<UrlFetcher> upstream, CacheOptions options)
    : m_upstream(std::move(upstream)), m_options(std::move(options)) {}

std::string CachingFetcher::cache_path(const std::string& url) const {
  if (m_options.dir.empty()) return "";
  std::string dir = m_options.dir;
  if (dir.back() != '/') dir += '/';
  return dir + util::md5_hex(url);
}

Expected<std::string> CachingFetcher::fetch(const std::string& url) {
  try {
    return fetch_impl(url);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_network, "cannot download " + url + ": " + e.what());
  }
}

Expected<std::string> CachingFetcher::fetch_impl(const std::string& url) {
  if (is_file_url(url)) return m_upstream->fetch(url);
  std::string path = cache_path(url);
  std::string cached, problem;
  bool hit = !path.empty() && read_cached(path, &cached, &problem);
  if (!problem.empty()) m_warnings.push_back("extends cache: " + problem);
  if (m_options.offline) {
    if (hit) return cached;
    std::string where = path.empty() ? "no cache directory is configured" : m_options.dir;
    return Error(ErrorCode::k_offline, "offline: " + url + " is not in the extends cache (" +
                                           where + "); run once without --offline");
  }
  if (hit && !m_options.newest) return cached;
  Expected<std::string> got = from_network(url, path);
  if (got.ok() || !hit) return got;
  m_warnings.push_back(got.error().message + "; using the cached copy " + path);
  return cached;
}

Expected<std::string> CachingFetcher::from_network(const std::string& url,
                                                   const std::string& path) {
  Expected<std::string> got = m_upstream->fetch(url);
  if (!got.ok() || path.empty()) return got;
  Status saved = util::write_file_atomic(path, *got);
  if (!saved.ok()) m_warnings.push_back("extends cache: " + saved.error().message);
  return got;
}

}  // namespace kiln::net
