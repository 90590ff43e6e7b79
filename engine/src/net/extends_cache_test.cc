#include "net/extends_cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/test_http_server.h"
#include "util/hash.h"
#include "util/scratch_dir.h"

namespace fs = std::filesystem;
using kiln::Error;
using kiln::ErrorCode;
using kiln::Expected;
using kiln::net::CacheOptions;
using kiln::net::CachingFetcher;
using kiln::net::CurlFetcher;
using kiln::net::FetchOptions;
using kiln::net::TestHttpServer;
using kiln::net::UrlFetcher;
using kiln::util::ScratchDir;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::unique_ptr<UrlFetcher> curl() {
  FetchOptions o;
  o.backoff = std::chrono::milliseconds(1);
  o.retries = 0;
  return std::make_unique<CurlFetcher>(o);
}

// Fails the test if the network is used.
class NoNetwork : public UrlFetcher {
 public:
  Expected<std::string> fetch(const std::string& url) override {
    FAIL("network used for " << url);
    return Error(ErrorCode::k_internal, "unreachable");
  }
};

// Serves /a.cfg with a body the test can change; counts requests.
struct Site {
  std::atomic<int> hits{0};
  std::string body = "[a]\nversion = 1\n";
  std::mutex mutex;
  std::atomic<bool> down{false};
};

void routes(httplib::Server& s, Site& site) {
  s.Get("/a.cfg", [&site](const httplib::Request&, httplib::Response& r) {
    ++site.hits;
    if (site.down) {
      r.status = 502;
      return;
    }
    std::lock_guard<std::mutex> lock(site.mutex);
    r.set_content(site.body, "text/plain");
  });
}

}  // namespace

TEST_CASE("CachingFetcher names cache files like zc.buildout", "[net]") {
  CachingFetcher f(std::make_unique<NoNetwork>(), CacheOptions{"/var/cache/x", false, true});
  CHECK(f.cache_path("http://example.com/buildout.cfg") ==
        "/var/cache/x/cdd1de65f2910dad16ca3328a40cad5a");
  CachingFetcher none(std::make_unique<NoNetwork>(), CacheOptions{});
  CHECK(none.cache_path("http://example.com/buildout.cfg").empty());
}

TEST_CASE("CachingFetcher in newest mode refreshes the cache and falls back to it", "[net]") {
  ScratchDir tmp;
  Site site;
  TestHttpServer server([&site](httplib::Server& s) { routes(s, site); });
  std::string url = server.url("/a.cfg");
  CachingFetcher f(curl(), CacheOptions{tmp / "extends", false, true});
  std::string cached = tmp / ("extends/" + kiln::util::md5_hex(url));

  Expected<std::string> first = f.fetch(url);
  REQUIRE(first.ok());
  CHECK(*first == "[a]\nversion = 1\n");
  CHECK(slurp(cached) == "[a]\nversion = 1\n");

  {
    std::lock_guard<std::mutex> lock(site.mutex);
    site.body = "[a]\nversion = 2\n";
  }
  Expected<std::string> second = f.fetch(url);
  REQUIRE(second.ok());
  CHECK(*second == "[a]\nversion = 2\n");
  CHECK(slurp(cached) == "[a]\nversion = 2\n");
  CHECK(site.hits == 2);
  CHECK(f.warnings().empty());

  site.down = true;
  Expected<std::string> third = f.fetch(url);
  REQUIRE(third.ok());
  CHECK(*third == "[a]\nversion = 2\n");
  CHECK(site.hits == 3);
  REQUIRE(f.warnings().size() == 1);
  CHECK(f.warnings()[0] ==
        "cannot download " + url + ": HTTP error 502; using the cached copy " + cached);
}

TEST_CASE("CachingFetcher returns the network error when nothing is cached", "[net]") {
  ScratchDir tmp;
  Site site;
  site.down = true;
  TestHttpServer server([&site](httplib::Server& s) { routes(s, site); });
  std::string url = server.url("/a.cfg");
  CachingFetcher f(curl(), CacheOptions{tmp / "extends", false, true});
  Expected<std::string> got = f.fetch(url);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == ErrorCode::k_network);
  CHECK(got.error().message == "cannot download " + url + ": HTTP error 502");
  CHECK_FALSE(fs::exists(tmp / ("extends/" + kiln::util::md5_hex(url))));
}

TEST_CASE("CachingFetcher with newest=false uses the cache without the network", "[net]") {
  ScratchDir tmp;
  Site site;
  TestHttpServer server([&site](httplib::Server& s) { routes(s, site); });
  std::string url = server.url("/a.cfg");
  CachingFetcher f(curl(), CacheOptions{tmp / "extends", false, false});

  REQUIRE(f.fetch(url).ok());  // miss: goes to the network and fills the cache
  CHECK(site.hits == 1);
  {
    std::lock_guard<std::mutex> lock(site.mutex);
    site.body = "changed";
  }
  Expected<std::string> again = f.fetch(url);
  REQUIRE(again.ok());
  CHECK(*again == "[a]\nversion = 1\n");
  CHECK(site.hits == 1);
}

TEST_CASE("CachingFetcher offline: hits are served, misses are k_offline", "[net]") {
  ScratchDir tmp;
  Site site;
  TestHttpServer server([&site](httplib::Server& s) { routes(s, site); });
  std::string url = server.url("/a.cfg");
  std::string dir = tmp / "extends";
  {
    CachingFetcher online(curl(), CacheOptions{dir, false, true});
    REQUIRE(online.fetch(url).ok());
  }
  CachingFetcher offline(std::make_unique<NoNetwork>(), CacheOptions{dir, true, true});
  Expected<std::string> hit = offline.fetch(url);
  REQUIRE(hit.ok());
  CHECK(*hit == "[a]\nversion = 1\n");

  std::string other = server.url("/other.cfg");
  Expected<std::string> miss = offline.fetch(other);
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ErrorCode::k_offline);
  CHECK(miss.error().message == "offline: " + other + " is not in the extends cache (" + dir +
                                    "); run once without --offline");
  CHECK(site.hits == 1);
}

TEST_CASE("CachingFetcher offline without a cache directory is k_offline", "[net]") {
  CachingFetcher f(std::make_unique<NoNetwork>(), CacheOptions{"", true, true});
  Expected<std::string> got = f.fetch("https://example.invalid/a.cfg");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == ErrorCode::k_offline);
  CHECK_THAT(got.error().message,
             Catch::StartsWith("offline: https://example.invalid/a.cfg is not in the extends "
                               "cache (no cache directory is configured)"));
}

TEST_CASE("CachingFetcher reads file:// URLs directly, even offline", "[net]") {
  ScratchDir tmp;
  std::ofstream(tmp / "local.cfg") << "[local]\n";
  CachingFetcher f(curl(), CacheOptions{tmp / "extends", true, true});
  Expected<std::string> got = f.fetch("file://" + (tmp / "local.cfg"));
  REQUIRE(got.ok());
  CHECK(*got == "[local]\n");
  CHECK_FALSE(fs::exists(tmp / "extends"));  // not cached
}

TEST_CASE("CachingFetcher keeps working when the cache cannot be written", "[net]") {
  ScratchDir tmp;
  Site site;
  TestHttpServer server([&site](httplib::Server& s) { routes(s, site); });
  std::ofstream(tmp / "not-a-dir") << "x";
  CachingFetcher f(curl(), CacheOptions{tmp / "not-a-dir", false, true});
  Expected<std::string> got = f.fetch(server.url("/a.cfg"));
  REQUIRE(got.ok());
  CHECK(*got == "[a]\nversion = 1\n");
  REQUIRE(f.warnings().size() == 1);
  CHECK_THAT(f.warnings()[0], Catch::StartsWith("extends cache: cannot"));
}
