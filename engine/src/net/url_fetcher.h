// Downloading a URL into memory: the UrlFetcher interface and its libcurl
// implementation.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "kiln/error.h"

namespace kiln::net {

// Something that turns a URL into the bytes it names. Failures are
// Error{k_network, "cannot download <url>: <reason>"} (or k_offline for
// fetchers that refuse the network). Implementations are not required to be
// thread-safe; never throw.
class UrlFetcher {
 public:
  virtual ~UrlFetcher() = default;
  virtual Expected<std::string> fetch(const std::string& url) = 0;
};

struct FetchOptions {
  int retries = 3;                         // extra attempts after a transient failure
  std::chrono::milliseconds backoff{500};  // before the 1st retry; doubles each time
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds low_speed_time{30};        // abort when slower than 1 byte/s this long
  std::size_t max_size = std::size_t{256} << 20;  // refuse bodies larger than this
};

// libcurl "easy" fetcher for http://, https://, file:// and ftp:// URLs
// (other schemes fail; redirects may not lead to file://). Follows up to 10
// redirects, fails on an HTTP status >= 400 ("HTTP error 404"), and retries
// transient failures (connection refused or reset, timeouts, HTTP 408, 429
// and 5xx) with exponential backoff; 404 and other client errors are final.
// Honours the usual *_proxy environment variables.
//
// One curl handle is reused for all fetches (keeps connections alive), so an
// instance must not be used by two threads at once; distinct instances are
// independent. curl_global_init runs once per process, on first construction.
class CurlFetcher : public UrlFetcher {
 public:
  explicit CurlFetcher(FetchOptions options = {});
  ~CurlFetcher() override;
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

  Expected<std::string> fetch(const std::string& url) override;

 private:
  struct Attempt;
  Attempt perform(const std::string& url);
  Expected<std::string> fetch_with_retries(const std::string& url);

  FetchOptions m_options;
  void* m_handle = nullptr;  // CURL*, owned; nullptr if curl_easy_init failed
};

}  // namespace kiln::net
