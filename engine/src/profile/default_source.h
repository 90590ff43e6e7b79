// The ProfileSource used by the kiln command: local files, URLs through the
// extends cache, and git trees.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/extends_cache.h"
#include "net/url_fetcher.h"
#include "profile/source.h"
#include "vcs/git_cache.h"

namespace kiln::profile {

struct SourceOptions {
  std::string cache_dir;  // "" = default_cache_dir()
  bool offline = false;   // --offline: no network at all
  bool newest = true;     // false (-N): prefer cached copies and known refs
};

// $XDG_CACHE_HOME/kiln when XDG_CACHE_HOME is an absolute path, else
// $HOME/.cache/kiln; "" when neither is set (then nothing is cached).
std::string default_cache_dir();

// Reads local files directly, downloads http://, https://, ftp:// and file://
// URLs through a CachingFetcher over libcurl (cache in <cache_dir>/extends)
// and exports git locations through a GitCache (<cache_dir>/git). See
// net/extends_cache.h and vcs/git_cache.h for the offline/newest rules.
// Not thread-safe: one loader uses one instance. Never throws.
class DefaultSource : public ProfileSource {
 public:
  explicit DefaultSource(SourceOptions options = {});
  // Same, with `network` in place of libcurl (tests).
  DefaultSource(SourceOptions options, std::unique_ptr<net::UrlFetcher> network);

  Expected<std::string> read_file(const std::string& path) override;
  Expected<std::string> fetch_url(const std::string& url) override;
  Expected<std::string> git_checkout(const std::string& location) override;

  // Options with cache_dir filled in.
  const SourceOptions& options() const { return m_options; }
  // Fallbacks taken so far (stale cache copies, failed fetches), in order.
  const std::vector<std::string>& warnings() const { return m_warnings; }

 private:
  void collect_warnings();

  SourceOptions m_options;
  net::CachingFetcher m_urls;
  vcs::GitCache m_git;
  std::vector<std::string> m_warnings;
  std::size_t m_url_warnings_seen = 0;
  std::size_t m_git_warnings_seen = 0;
};

}  // namespace kiln::profile
