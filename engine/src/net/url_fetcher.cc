#include "net/url_fetcher.h"

#include <curl/curl.h>

#include <new>

#include "net/curl_easy.h"

namespace kiln::net {

namespace {

// Body accumulator for CURLOPT_WRITEFUNCTION; must not let exceptions reach C.
struct Sink {
  std::string body;
  std::size_t max_size = 0;
  bool too_big = false;
  bool no_memory = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t n = size * count;
  if (sink->body.size() + n > sink->max_size) {
    sink->too_big = true;
    return 0;  // anything but n aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    sink->body.append(data, n);
  } catch (const std::bad_alloc&) {
    sink->no_memory = true;
    return 0;
  }
  return n;
}

}  // namespace

struct CurlFetcher::Attempt {
  curl::Attempt outcome;
  std::string body;
};

CurlFetcher::CurlFetcher(FetchOptions options) : m_options(options) {
  curl::global_init_once();
  m_handle = curl_easy_init();
}

CurlFetcher::~CurlFetcher() {
  if (m_handle != nullptr) curl_easy_cleanup(static_cast<CURL*>(m_handle));
}

CurlFetcher::Attempt CurlFetcher::perform(const std::string& url) {
  CURL* h = static_cast<CURL*>(m_handle);
  curl_easy_reset(h);  // keeps the connection and DNS caches
  Sink sink;
  sink.max_size = m_options.max_size;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl::set_common_options(h, url, m_options, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // errbuf dies with this frame
  Attempt a;
  a.outcome = curl::classify(h, rc, errbuf);
  if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
    a.outcome.reason = "larger than the limit of " + std::to_string(m_options.max_size) + " bytes";
  } else if (sink.no_memory) {
    a.outcome.reason = "out of memory";
  }
  if (a.outcome.ok) a.body = std::move(sink.body);
  return a;
}

Expected<std::string> CurlFetcher::fetch_with_retries(const std::string& url) {
  if (m_handle == nullptr) {
    return Error(ErrorCode::k_network, "cannot download " + url + ": cannot initialise libcurl");
  }
  std::string body;
  Status status = curl::with_retries(url, m_options, [&]() {
    Attempt a = perform(url);
    body = std::move(a.body);
    return a.outcome;
  });
  if (!status.ok()) return status.error();
  return body;
}

Expected<std::string> CurlFetcher::fetch(const std::string& url) {
  try {
    return fetch_with_retries(url);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_network, "cannot download " + url + ": " + e.what());
  }
}

}  // namespace kiln::net
