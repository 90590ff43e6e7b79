// The extends cache: remote profiles kept on disk so that a build can run
// again without the network (zc.buildout's `extends-cache`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/url_fetcher.h"

namespace kiln::net {

struct CacheOptions {
  std::string dir;       // cache directory; "" = no cache
  bool offline = false;  // never use the network (--offline / -o)
  bool newest = true;    // false (-N): prefer the cached copy over the network
};

// A UrlFetcher that stores what `upstream` downloads in `dir`, one file per
// URL named md5(url) in hex -- the layout of zc.buildout's extends-cache
// (Download(hash_name=True)), so the two can share a directory. Files are
// replaced atomically (util::write_file_atomic).
//
// Modes, for a http://, https:// or ftp:// URL:
//   newest (default)  ask the network; on success refresh the cache; on
//                     failure return the cached copy if there is one and add a
//                     warning, else return the network error;
//   newest = false    return the cached copy when there is one, else as above;
//   offline           return the cached copy; on a miss (or without a cache
//                     dir) Error{k_offline, "offline: <url> is not in the
//                     extends cache (<dir>); run once without --offline"}.
// file:// URLs are local: always read through `upstream`, never cached, and
// allowed offline. A cache file that cannot be written only adds a warning.
//
// Owns `upstream`. Not thread-safe (one loader uses one instance).
class CachingFetcher : public UrlFetcher {
 public:
  CachingFetcher(std::unique_ptr<UrlFetcher> upstream, CacheOptions options);

  Expected<std::string> fetch(const std::string& url) override;

  // Where `url` is (or would be) cached; "" without a cache dir.
  std::string cache_path(const std::string& url) const;
  // Human-readable notes about fallbacks and cache trouble, oldest first.
  const std::vector<std::string>& warnings() const { return m_warnings; }
  const CacheOptions& options() const { return m_options; }

 private:
  Expected<std::string> fetch_impl(const std::string& url);
  Expected<std::string> from_network(const std::string& url, const std::string& path);

  std::unique_ptr<UrlFetcher> m_upstream;
  CacheOptions m_options;
  std::vector<std::string> m_warnings;
};

}  // namespace kiln::net
