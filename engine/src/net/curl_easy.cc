#include "net/curl_easy.h"

#include <cctype>
#include <mutex>
#include <thread>

namespace kiln::net::curl {

namespace {

constexpr const char* k_protocols = "http,https,file,ftp";
constexpr const char* k_redirect_protocols = "http,https,ftp";  // never into file://
constexpr long k_max_redirects = 10;

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

}  // namespace

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void set_common_options(CURL* h, const std::string& url, const FetchOptions& o, char* errbuf) {
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
}

Attempt classify(CURL* h, CURLcode rc, const char* errbuf) {
  Attempt a;
  if (rc != CURLE_OK) {
    a.reason = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    while (!a.reason.empty() && (a.reason.back() == '\n' || a.reason.back() == '\r')) {
      a.reason.pop_back();
    }
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
  return a;
}

Status with_retries(const std::string& url, const FetchOptions& options,
                    const std::function<Attempt()>& attempt) {
  std::chrono::milliseconds delay = options.backoff;
  for (int n = 0;; ++n) {
    Attempt a = attempt();
    if (a.ok) return {};
    if (!a.transient || n >= options.retries) {
      std::string tries = n > 0 ? " (" + std::to_string(n + 1) + " attempts)" : "";
      return Error(ErrorCode::k_network, "cannot download " + url + ": " + a.reason + tries);
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

}  // namespace kiln::net::curl
