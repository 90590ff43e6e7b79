#include "net/downloader.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "net/test_http_server.h"
#include "util/hash.h"
#include "util/scratch_dir.h"

namespace fs = std::filesystem;
using kiln::ErrorCode;
using kiln::Status;
using kiln::net::Checksum;
using kiln::net::Downloader;
using kiln::net::DownloadOptions;
using kiln::net::TestHttpServer;
using kiln::util::md5_hex;
using kiln::util::ScratchDir;
using kiln::util::sha256_hex;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void spit(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

// Names in `dir` (non-recursive), to check no temporary file is left.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

DownloadOptions fast(const std::string& cache_dir = "") {
  DownloadOptions o;
  o.cache_dir = cache_dir;
  o.fetch.backoff = std::chrono::milliseconds(1);
  o.fetch.retries = 3;
  return o;
}

const std::string k_body = [] {
  std::string s;
  for (int i = 0; i < 300000; ++i) s.push_back(static_cast<char>('a' + i % 26));
  return s;
}();

struct Site {
  std::atomic<int> hits{0};
  std::atomic<int> flaky_failures{2};
};

void routes(httplib::Server& s, Site& site) {
  s.Get("/file.tar.gz", [&site](const httplib::Request&, httplib::Response& r) {
    ++site.hits;
    r.set_content(k_body, "application/octet-stream");
  });
  s.Get("/flaky", [&site](const httplib::Request&, httplib::Response& r) {
    ++site.hits;
    if (site.flaky_failures-- > 0) {
      r.status = 503;
      return;
    }
    r.set_content("finally", "text/plain");
  });
  s.Get("/moved",
        [](const httplib::Request&, httplib::Response& r) { r.set_redirect("/file.tar.gz"); });
}

}  // namespace

TEST_CASE("Downloader fetches a URL and verifies md5 and sha256", "[download]") {
  Site site;
  TestHttpServer server([&](httplib::Server& s) { routes(s, site); });
  ScratchDir dir;
  std::uint64_t last_done = 0, calls = 0;
  DownloadOptions o = fast();
  o.progress = [&](std::uint64_t done, std::uint64_t) {
    last_done = done;
    ++calls;
  };
  Downloader d(o);
  std::string url = server.url("/file.tar.gz");

  Status plain = d.download(url, {}, dir / "sub/dir/plain");
  REQUIRE(plain.ok());
  CHECK(slurp(dir / "sub/dir/plain") == k_body);
  CHECK(calls > 0);
  CHECK(last_done == k_body.size());

  CHECK(d.download(url, Checksum{md5_hex(k_body), ""}, dir / "md5").ok());
  CHECK(d.download(url, Checksum{"", sha256_hex(k_body)}, dir / "sha").ok());
  std::string upper = sha256_hex(k_body);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(d.download(url, Checksum{md5_hex(k_body), upper}, dir / "both").ok());
  CHECK(slurp(dir / "both") == k_body);
  CHECK(listing(dir.path()) == std::vector<std::string>{"both", "md5", "sha", "sub"});
}

TEST_CASE("Downloader refuses content that does not match the checksum", "[download]") {
  Site site;
  TestHttpServer server([&](httplib::Server& s) { routes(s, site); });
  ScratchDir dir;
  Downloader d(fast((dir / "cache")));
  std::string url = server.url("/file.tar.gz");
  std::string wrong = md5_hex("something else");
  Status s = d.download(url, Checksum{wrong, ""}, dir / "out/f");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_invalid);
  CHECK(s.error().message ==
        "checksum mismatch for " + url + ": expected md5 " + wrong + ", got " + md5_hex(k_body));
  CHECK(listing(dir / "out").empty());
  // Nothing cached from a failed verification.
  CHECK_FALSE(fs::exists(dir / ("cache/downloads/sha256/" + sha256_hex(k_body))));

  Status sha = d.download(url, Checksum{"", sha256_hex("x")}, dir / "out/f");
  REQUIRE_FALSE(sha.ok());
  CHECK(sha.error().message.find("expected sha256 " + sha256_hex("x")) != std::string::npos);

  Status bad = d.download(url, Checksum{"xyz", ""}, dir / "out/f");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::k_invalid);
  CHECK(listing(dir / "out").empty());
}

TEST_CASE("Downloader reports HTTP errors with the URL and status", "[download]") {
  Site site;
  TestHttpServer server([&](httplib::Server& s) { routes(s, site); });
  ScratchDir dir;
  Downloader d(fast());
  std::string url = server.url("/missing");
  Status s = d.download(url, {}, dir / "f");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_network);
  CHECK(s.error().message == "cannot download " + url + ": HTTP error 404");
  CHECK(listing(dir.path()).empty());

  std::string refused =
      "http://127.0.0.1:" + std::to_string(kiln::net::unused_loopback_port()) + "/x";
  DownloadOptions once = fast();
  once.fetch.retries = 0;
  Status r = Downloader(once).download(refused, {}, dir / "f");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find(refused) != std::string::npos);
  CHECK(listing(dir.path()).empty());
}

TEST_CASE("Downloader retries 503 and follows redirects", "[download]") {
  Site site;
  TestHttpServer server([&](httplib::Server& s) { routes(s, site); });
  ScratchDir dir;
  Downloader d(fast());
  REQUIRE(d.download(server.url("/flaky"), {}, dir / "flaky").ok());
  CHECK(slurp(dir / "flaky") == "finally");
  CHECK(site.hits == 3);

  site.flaky_failures = 10;
  DownloadOptions few = fast();
  few.fetch.retries = 1;
  Status s = Downloader(few).download(server.url("/flaky"), {}, dir / "again");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("HTTP error 503 (2 attempts)") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "again"));

  REQUIRE(d.download(server.url("/moved"), Checksum{md5_hex(k_body), ""}, dir / "moved").ok());
  CHECK(slurp(dir / "moved") == k_body);
}

TEST_CASE("Downloader copies file:// URLs and local paths", "[download]") {
  ScratchDir dir;
  spit(dir / "source file", "local content");
  Downloader d(fast((dir / "cache")));
  REQUIRE(d.download("file://" + (dir / "source%20file"), {}, dir / "a").ok());
  CHECK(slurp(dir / "a") == "local content");
  REQUIRE(d.download(dir / "source file", Checksum{md5_hex("local content"), ""}, dir / "b").ok());
  CHECK(slurp(dir / "b") == "local content");

  fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  Status relative = d.download("source file", {}, "c");
  fs::current_path(cwd);
  REQUIRE(relative.ok());
  CHECK(slurp(dir / "c") == "local content");

  Status missing = d.download(dir / "nope", {}, dir / "d");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::k_not_found);
  CHECK(missing.error().message.find(dir / "nope") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "d"));

  DownloadOptions offline = fast();
  offline.offline = true;
  CHECK(Downloader(offline).download("file://" + (dir / "source%20file"), {}, dir / "e").ok());
}

TEST_CASE("Downloader serves the cache when the server is gone and offline", "[download]") {
  ScratchDir dir;
  std::string cache = dir / "cache";
  std::string url, flaky_url;
  {
    Site site;
    TestHttpServer server([&](httplib::Server& s) { routes(s, site); });
    url = server.url("/file.tar.gz");
    REQUIRE(Downloader(fast(cache)).download(url, {}, dir / "first").ok());
    CHECK(site.hits == 1);
  }
  std::string sha = sha256_hex(k_body);
  CHECK(slurp(cache + "/downloads/sha256/" + sha) == k_body);
  CHECK(slurp(cache + "/downloads/by-md5/" + md5_hex(k_body)) == sha + "\n");
  CHECK(slurp(cache + "/downloads/by-url/" + md5_hex(url)) == sha + "\n");

  // Server stopped: hits by checksum and by URL.
  DownloadOptions o = fast(cache);
  o.fetch.retries = 0;
  Downloader d(o);
  REQUIRE(d.download(url, Checksum{md5_hex(k_body), ""}, dir / "by-md5").ok());
  CHECK(slurp(dir / "by-md5") == k_body);
  REQUIRE(d.download("http://elsewhere.invalid/x.tgz", Checksum{"", sha}, dir / "by-sha").ok());
  CHECK(slurp(dir / "by-sha") == k_body);
  REQUIRE(d.download(url, {}, dir / "by-url").ok());
  CHECK(slurp(dir / "by-url") == k_body);

  // newest: the network first, the cache as a fallback.
  DownloadOptions newest = o;
  newest.newest = true;
  REQUIRE(Downloader(newest).download(url, {}, dir / "newest").ok());
  CHECK(slurp(dir / "newest") == k_body);

  // Offline: hits work, misses are k_offline naming the URL.
  DownloadOptions off = fast(cache);
  off.offline = true;
  Downloader offline(off);
  REQUIRE(offline.download(url, {}, dir / "offline-hit").ok());
  CHECK(slurp(dir / "offline-hit") == k_body);
  std::string other = "http://example.com/other.tar.gz";
  Status miss = offline.download(other, {}, dir / "offline-miss");
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ErrorCode::k_offline);
  CHECK(miss.error().message.find(other) != std::string::npos);
  Status miss_sum = offline.download(url, Checksum{md5_hex("other"), ""}, dir / "offline-miss");
  REQUIRE_FALSE(miss_sum.ok());
  CHECK(miss_sum.error().code == ErrorCode::k_offline);
  CHECK_FALSE(fs::exists(dir / "offline-miss"));

  // A corrupt cache entry is detected and dropped.
  spit(cache + "/downloads/sha256/" + sha, "tampered");
  Status corrupt = offline.download(url, {}, dir / "corrupt");
  REQUIRE_FALSE(corrupt.ok());
  CHECK(corrupt.error().code == ErrorCode::k_offline);
  CHECK_FALSE(fs::exists(cache + "/downloads/sha256/" + sha));
  CHECK_FALSE(fs::exists(dir / "corrupt"));
}

TEST_CASE("Downloader is safe from several threads at once", "[download]") {
  Site site;
  TestHttpServer server([&](httplib::Server& s) { routes(s, site); });
  ScratchDir dir;
  Downloader d(fast(dir / "cache"));
  std::string url = server.url("/file.tar.gz");
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        std::string dest = dir / ("out/" + std::to_string(t) + "-" + std::to_string(i));
        Checksum sum;
        if (i == 1) sum.sha256 = sha256_hex(k_body);
        Status s = d.download(url, sum, dest);
        if (!s.ok()) results[static_cast<std::size_t>(t)] = s;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : results) CHECK(s.ok());
  CHECK(listing(dir / "out").size() == 12);
  for (const auto& e : fs::directory_iterator(dir / "out")) CHECK(slurp(e.path()) == k_body);
  CHECK(listing(dir / "cache/downloads/sha256") == std::vector<std::string>{sha256_hex(k_body)});
}
