// libcurl plumbing shared by the net fetchers (url_fetcher, downloader):
// one-time global init, the common easy-handle options, the classification of
// a finished transfer and the retry loop with exponential backoff.
#pragma once

#include <curl/curl.h>

#include <functional>
#include <string>

#include "kiln/error.h"
#include "net/url_fetcher.h"

namespace kiln::net::curl {

// curl_global_init, once per process (thread-safe).
void global_init_once();

// Sets everything but the write callback on `handle`: the URL, the allowed
// protocols (http, https, file, ftp; redirects never into file://), up to 10
// redirects, the timeouts and size limit of `options`, no signals, any
// content encoding, the user agent and the error buffer (CURL_ERROR_SIZE
// bytes, must outlive the transfer).
void set_common_options(CURL* handle, const std::string& url, const FetchOptions& options,
                        char* errbuf);

// The outcome of one transfer attempt.
struct Attempt {
  bool ok = false;
  bool transient = false;  // worth retrying (connection errors, timeouts, 408, 429, 5xx)
  std::string reason;      // "HTTP error 404", curl's message, ...
};

// Classifies the result `rc` of curl_easy_perform on `handle`: a curl error
// (reason from `errbuf` or curl_easy_strerror) or an HTTP status >= 400.
Attempt classify(CURL* handle, CURLcode rc, const char* errbuf);

// Calls `attempt` until it succeeds, fails with a non-transient reason or
// `options.retries` retries are spent, sleeping `options.backoff` (doubled
// each time) in between. Failure: Error{k_network, "cannot download <url>:
// <reason>[ (N attempts)]"}.
Status with_retries(const std::string& url, const FetchOptions& options,
                    const std::function<Attempt()>& attempt);

}  // namespace kiln::net::curl
