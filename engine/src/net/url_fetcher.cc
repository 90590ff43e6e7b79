#include "net/url_fetcher.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>
#include <new>
#include <thread>

namespace kiln::net {

namespace {

constexpr const char* k_protocols = "http,https,file,ftp";
constexpr const char* k_redirect_protocols = "http,https,ftp";  // never into file://
constexpr long k_max_redirects = 10;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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

bool transient_curl_error(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool transient_http_status(long status) {
  return status >= 500 || status == 408 || status == 429;
}

bool is_http_scheme(const char* scheme) {
  if (scheme == nullptr) return false;
  std::string s(scheme);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "http" || s == "https";
}

void set_protocols(CURL* h) {
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0: the _STR variants
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, k_protocols);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, k_redirect_protocols);
#else
  curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                   CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE | CURLPROTO_FTP);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FTP);
#endif
}

void set_options(CURL* h, const std::string& url, const FetchOptions& o, Sink* sink, char* errbuf) {
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  set_protocols(h);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, k_max_redirects);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_size));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "kiln/0.1");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
}

std::string curl_reason(CURLcode rc, const char* errbuf, const Sink& sink, std::size_t max) {
  if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
    return "larger than the limit of " + std::to_string(max) + " bytes";
  }
  if (sink.no_memory) return "out of memory";
  std::string reason = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
  return reason;
}

}  // namespace

struct CurlFetcher::Attempt {
  bool ok = false;
  bool transient = false;
  std::string body;
  std::string reason;
};

CurlFetcher::CurlFetcher(FetchOptions options) : m_options(options) {
  global_init_once();
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
  set_options(h, url, m_options, &sink, errbuf);
  CURLcode rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // errbuf dies with this frame
  Attempt a;
  if (rc != CURLE_OK) {
    a.reason = curl_reason(rc, errbuf, sink, m_options.max_size);
    a.transient = transient_curl_error(rc);
    return a;
  }
  long status = 0;
  char* scheme = nullptr;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(h, CURLINFO_SCHEME, &scheme);
  if (is_http_scheme(scheme) && status >= 400) {
    a.reason = "HTTP error " + std::to_string(status);
    a.transient = transient_http_status(status);
    return a;
  }
  a.ok = true;
  a.body = std::move(sink.body);
  return a;
}

Expected<std::string> CurlFetcher::fetch_with_retries(const std::string& url) {
  if (m_handle == nullptr) {
    return Error(ErrorCode::k_network, "cannot download " + url + ": cannot initialise libcurl");
  }
  std::chrono::milliseconds delay = m_options.backoff;
  for (int attempt = 0;; ++attempt) {
    Attempt a = perform(url);
    if (a.ok) return std::move(a.body);
    if (!a.transient || attempt >= m_options.retries) {
      std::string tries = attempt > 0 ? " (" + std::to_string(attempt + 1) + " attempts)" : "";
      return Error(ErrorCode::k_network, "cannot download " + url + ": " + a.reason + tries);
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

Expected<std::string> CurlFetcher::fetch(const std::string& url) {
  try {
    return fetch_with_retries(url);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_network, "cannot download " + url + ": " + e.what());
  }
}

}  // namespace kiln::net
