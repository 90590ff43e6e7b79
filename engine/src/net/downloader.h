// Downloading a URL to a file, streamed to disk, verified by checksum, with a
// shared content-addressed download cache.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kiln/error.h"
#include "net/url_fetcher.h"

namespace kiln::net {

// Expected digests of a download, lowercase hex (upper case is accepted);
// either, both or none may be given ("" = not checked).
struct Checksum {
  std::string md5;
  std::string sha256;
};

struct DownloadOptions {
  // "" = no cache; else the cache lives under <cache_dir>/downloads/:
  //   sha256/<sha256>   the content, named by its SHA-256
  //   by-md5/<md5>      the SHA-256 of the content whose MD5 is <md5>
  //   by-url/<md5(url)> the SHA-256 of the last content downloaded from url
  std::string cache_dir;
  // Never touch the network: file:// URLs, local paths and cache hits work;
  // anything else is Error k_offline.
  bool offline = false;
  // Without a checksum, a URL already in the cache is served from it unless
  // `newest` is set: then the network is tried first and the cache is the
  // fallback when it fails (zc.buildout's newest mode).
  bool newest = false;
  FetchOptions fetch;  // retries, backoff, timeouts, size limit (url_fetcher.h)
  // Optional; called as bytes arrive (total is 0 when unknown), on the
  // thread that called download(). An exception thrown by it aborts the
  // download with an Error.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Puts the content of a URL at a path. Thread-safe: one Downloader may serve
// several threads at once (each download uses its own curl handle; cache
// entries are written under unique temporary names and renamed into place).
// Files are streamed, never held in memory. Never throws.
class Downloader {
 public:
  explicit Downloader(DownloadOptions options);

  // Writes the content of `url` (http://, https://, ftp://, file:// or a
  // plain absolute or relative local path) to `destination`, creating its
  // parent directories. The data goes to a temporary file beside
  // `destination` ("<destination>.kiln-tmp-XXXXXX"), is checked against
  // `checksum`, and only then renamed over `destination`; on any failure
  // neither is left behind.
  //
  // With a cache, a checksum that names cached content (sha256, else md5) is
  // served from the cache without the network; without a checksum a remote
  // URL already downloaded is served from the cache when offline or not
  // `newest`. Fresh remote downloads are added to the cache. Cached content
  // is re-hashed as it is copied; a corrupt entry is dropped and refetched.
  //
  // Errors (the message names the URL): checksum mismatch → k_invalid
  // "checksum mismatch for <url>: expected md5 X, got Y"; network failures
  // (HTTP status >= 400, after retries for 408, 429 and 5xx) → k_network
  // "cannot download <url>: HTTP error 404"; offline and not cached →
  // k_offline; missing local file → k_not_found; malformed checksum →
  // k_invalid; disk errors → k_io.
  Status download(const std::string& url, const Checksum& checksum,
                  const std::string& destination) const;

 private:
  DownloadOptions m_options;
};

}  // namespace kiln::net
