#include "net/url_fetcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "net/test_http_server.h"
#include "util/scratch_dir.h"

using kiln::ErrorCode;
using kiln::Expected;
using kiln::net::CurlFetcher;
using kiln::net::FetchOptions;
using kiln::net::TestHttpServer;

namespace {

constexpr const char* k_profile = "[buildout]\nparts = foo\n";

FetchOptions fast_options() {
  FetchOptions o;
  o.backoff = std::chrono::milliseconds(1);
  return o;
}

// Serves the paths the tests use and counts the requests to each.
struct Counters {
  std::atomic<int> profile{0}, missing{0}, flaky{0}, broken{0}, loop{0}, slow{0};
};

void routes(httplib::Server& s, Counters& c) {
  s.Get("/profile.cfg", [&c](const httplib::Request&, httplib::Response& r) {
    ++c.profile;
    r.set_content(k_profile, "text/plain");
  });
  s.Get("/missing.cfg", [&c](const httplib::Request&, httplib::Response& r) {
    ++c.missing;
    r.status = 404;
  });
  s.Get("/flaky.cfg", [&c](const httplib::Request&, httplib::Response& r) {
    if (++c.flaky == 1) {
      r.status = 500;
    } else {
      r.set_content("[flaky]\nok = yes\n", "text/plain");
    }
  });
  s.Get("/broken.cfg", [&c](const httplib::Request&, httplib::Response& r) {
    ++c.broken;
    r.status = 503;
  });
  s.Get("/moved.cfg",
        [](const httplib::Request&, httplib::Response& r) { r.set_redirect("/profile.cfg"); });
  s.Get("/loop.cfg", [&c](const httplib::Request&, httplib::Response& r) {
    ++c.loop;
    r.set_redirect("/loop.cfg");
  });
  s.Get("/to-file.cfg", [](const httplib::Request&, httplib::Response& r) {
    r.set_redirect("file:///etc/hostname");
  });
  s.Get("/slow.cfg", [&c](const httplib::Request&, httplib::Response& r) {
    ++c.slow;
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    r.set_content("late", "text/plain");
  });
  s.Get("/big.cfg", [](const httplib::Request&, httplib::Response& r) {
    r.set_content(std::string(4096, 'x'), "text/plain");
  });
}

}  // namespace

TEST_CASE("CurlFetcher downloads over http, follows redirects, fails on 4xx", "[net]") {
  Counters c;
  TestHttpServer server([&c](httplib::Server& s) { routes(s, c); });
  CurlFetcher fetcher(fast_options());

  SECTION("plain download, twice with the same handle") {
    for (int i = 0; i < 2; ++i) {
      Expected<std::string> got = fetcher.fetch(server.url("/profile.cfg"));
      REQUIRE(got.ok());
      CHECK(*got == k_profile);
    }
    CHECK(c.profile == 2);
  }
  SECTION("redirect") {
    Expected<std::string> got = fetcher.fetch(server.url("/moved.cfg"));
    REQUIRE(got.ok());
    CHECK(*got == k_profile);
  }
  SECTION("404 is final: one request, status in the message") {
    std::string url = server.url("/missing.cfg");
    Expected<std::string> got = fetcher.fetch(url);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == ErrorCode::k_network);
    CHECK(got.error().message == "cannot download " + url + ": HTTP error 404");
    CHECK(c.missing == 1);
  }
  SECTION("redirect loop stops after 10 redirects") {
    Expected<std::string> got = fetcher.fetch(server.url("/loop.cfg"));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == ErrorCode::k_network);
    CHECK_THAT(got.error().message, Catch::Contains("redirects"));
    CHECK(c.loop == 11);
  }
  SECTION("a redirect may not lead to a local file") {
    Expected<std::string> got = fetcher.fetch(server.url("/to-file.cfg"));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == ErrorCode::k_network);
    CHECK_THAT(got.error().message, Catch::Contains("file"));
  }
}

TEST_CASE("CurlFetcher retries transient server errors", "[net]") {
  Counters c;
  TestHttpServer server([&c](httplib::Server& s) { routes(s, c); });
  CurlFetcher fetcher(fast_options());

  SECTION("500 then 200") {
    Expected<std::string> got = fetcher.fetch(server.url("/flaky.cfg"));
    REQUIRE(got.ok());
    CHECK(*got == "[flaky]\nok = yes\n");
    CHECK(c.flaky == 2);
  }
  SECTION("503 forever: 1 attempt + 3 retries") {
    std::string url = server.url("/broken.cfg");
    Expected<std::string> got = fetcher.fetch(url);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().message == "cannot download " + url + ": HTTP error 503 (4 attempts)");
    CHECK(c.broken == 4);
  }
}

TEST_CASE("CurlFetcher gives up on a stalled transfer and retries it", "[net]") {
  Counters c;
  TestHttpServer server([&c](httplib::Server& s) { routes(s, c); });
  FetchOptions o = fast_options();
  o.retries = 1;
  o.low_speed_time = std::chrono::seconds(1);
  CurlFetcher fetcher(o);
  Expected<std::string> got = fetcher.fetch(server.url("/slow.cfg"));
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == ErrorCode::k_network);
  CHECK_THAT(got.error().message, Catch::Contains("(2 attempts)"));
  CHECK(c.slow == 2);
}

TEST_CASE("CurlFetcher refuses bodies over the size limit", "[net]") {
  Counters c;
  TestHttpServer server([&c](httplib::Server& s) { routes(s, c); });
  FetchOptions o = fast_options();
  o.max_size = 100;
  CurlFetcher fetcher(o);
  Expected<std::string> got = fetcher.fetch(server.url("/big.cfg"));
  REQUIRE_FALSE(got.ok());
  CHECK_THAT(got.error().message, Catch::Contains("larger than the limit of 100 bytes"));
}

TEST_CASE("CurlFetcher reports an unreachable server clearly", "[net]") {
  FetchOptions o = fast_options();
  o.retries = 1;
  CurlFetcher fetcher(o);
  int port = kiln::net::unused_loopback_port();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/profile.cfg";
  Expected<std::string> got = fetcher.fetch(url);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == ErrorCode::k_network);
  CHECK_THAT(got.error().message, Catch::StartsWith("cannot download " + url + ": "));
  CHECK_THAT(got.error().message, Catch::Contains(std::to_string(port)));
  CHECK_THAT(got.error().message, Catch::EndsWith("(2 attempts)"));
}

TEST_CASE("CurlFetcher reads file:// URLs and rejects other schemes", "[net]") {
  kiln::util::ScratchDir tmp;
  std::ofstream(tmp / "local.cfg") << "[local]\n";
  CurlFetcher fetcher(fast_options());

  Expected<std::string> got = fetcher.fetch("file://" + (tmp / "local.cfg"));
  REQUIRE(got.ok());
  CHECK(*got == "[local]\n");

  std::string missing = "file://" + (tmp / "nope.cfg");
  Expected<std::string> miss = fetcher.fetch(missing);
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ErrorCode::k_network);
  CHECK_THAT(miss.error().message, Catch::StartsWith("cannot download " + missing + ": "));
  CHECK_THAT(miss.error().message, !Catch::Contains("attempts"));

  for (const char* url : {"dict://127.0.0.1/x", "gopher://127.0.0.1/x", "no-scheme-at-all"}) {
    INFO(url);
    Expected<std::string> bad = fetcher.fetch(url);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::k_network);
  }
}
