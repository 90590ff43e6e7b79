#include "profile/default_source.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "net/test_http_server.h"
#include "util/hash.h"
#include "util/scratch_dir.h"
#include "vcs/git_runner.h"

namespace fs = std::filesystem;
using kiln::Error;
using kiln::ErrorCode;
using kiln::Expected;
using kiln::net::TestHttpServer;
using kiln::profile::default_cache_dir;
using kiln::profile::DefaultSource;
using kiln::profile::SourceOptions;
using kiln::util::ScratchDir;

namespace {

// Sets an environment variable for the lifetime of the object.
class EnvOverride {
 public:
  EnvOverride(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvOverride() {
    if (m_old) {
      ::setenv(m_name.c_str(), m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name.c_str());
    }
  }

 private:
  std::string m_name;
  std::optional<std::string> m_old;
};

// Answers once, then fails like a dead network.
class OnceFetcher : public kiln::net::UrlFetcher {
 public:
  Expected<std::string> fetch(const std::string& url) override {
    if (m_calls++ == 0) return std::string("[once]\n");
    return Error(ErrorCode::k_network, "cannot download " + url + ": Connection refused");
  }

 private:
  int m_calls = 0;
};

void git(const std::vector<std::string>& args) {
  Expected<kiln::vcs::GitResult> r = kiln::vcs::run_git(args);
  REQUIRE(r.ok());
  INFO(r->err);
  REQUIRE(r->ok());
}

}  // namespace

TEST_CASE("default_cache_dir follows XDG_CACHE_HOME, then HOME", "[net]") {
  EnvOverride home("HOME", "/home/someone");
  {
    EnvOverride xdg("XDG_CACHE_HOME", "/var/cache/me");
    CHECK(default_cache_dir() == "/var/cache/me/kiln");
  }
  {
    EnvOverride xdg("XDG_CACHE_HOME", "relative/ignored");
    CHECK(default_cache_dir() == "/home/someone/.cache/kiln");
  }
  EnvOverride xdg("XDG_CACHE_HOME", nullptr);
  CHECK(default_cache_dir() == "/home/someone/.cache/kiln");
  CHECK(DefaultSource(SourceOptions{}).options().cache_dir == "/home/someone/.cache/kiln");
  EnvOverride no_home("HOME", nullptr);
  CHECK(default_cache_dir().empty());
}

TEST_CASE("DefaultSource reads local files", "[net]") {
  ScratchDir tmp;
  std::ofstream(tmp / "a.cfg") << "[a]\n";
  DefaultSource source(SourceOptions{tmp / "cache"});
  Expected<std::string> a = source.read_file(tmp / "a.cfg");
  REQUIRE(a.ok());
  CHECK(*a == "[a]\n");
  Expected<std::string> missing = source.read_file(tmp / "missing.cfg");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::k_not_found);
  CHECK(missing.error().message ==
        "cannot open " + (tmp / "missing.cfg") + ": No such file or directory");
}

TEST_CASE("DefaultSource downloads through the extends cache", "[net]") {
  std::atomic<int> hits{0};
  TestHttpServer server([&hits](httplib::Server& s) {
    s.Get("/base.cfg", [&hits](const httplib::Request&, httplib::Response& r) {
      ++hits;
      r.set_content("[base]\n", "text/plain");
    });
  });
  ScratchDir tmp;
  std::string cache = tmp / "cache";
  std::string url = server.url("/base.cfg");
  {
    DefaultSource online(SourceOptions{cache});
    Expected<std::string> got = online.fetch_url(url);
    REQUIRE(got.ok());
    CHECK(*got == "[base]\n");
  }
  CHECK(fs::exists(cache + "/extends/" + kiln::util::md5_hex(url)));

  DefaultSource not_newest(SourceOptions{cache, false, false});
  REQUIRE(not_newest.fetch_url(url).ok());
  DefaultSource offline(SourceOptions{cache, true, true});
  REQUIRE(offline.fetch_url(url).ok());
  CHECK(hits == 1);

  Expected<std::string> miss = offline.fetch_url(server.url("/other.cfg"));
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ErrorCode::k_offline);
  CHECK(miss.error().message == "offline: " + server.url("/other.cfg") +
                                    " is not in the extends cache (" + cache +
                                    "/extends); run once without --offline");
}

TEST_CASE("DefaultSource reports fallbacks as warnings", "[net]") {
  ScratchDir tmp;
  DefaultSource source(SourceOptions{tmp / "cache"}, std::make_unique<OnceFetcher>());
  REQUIRE(source.fetch_url("https://example.invalid/a.cfg").ok());
  CHECK(source.warnings().empty());
  Expected<std::string> again = source.fetch_url("https://example.invalid/a.cfg");
  REQUIRE(again.ok());
  CHECK(*again == "[once]\n");
  REQUIRE(source.warnings().size() == 1);
  CHECK_THAT(source.warnings()[0],
             Catch::StartsWith("cannot download https://example.invalid/a.cfg: Connection "
                               "refused; using the cached copy "));
}

TEST_CASE("DefaultSource refuses URL schemes it does not download", "[net]") {
  ScratchDir tmp;
  DefaultSource source(SourceOptions{tmp / "cache"}, std::make_unique<OnceFetcher>());
  for (const char* url : {"gopher://h/a.cfg", "scp://h/a.cfg", "a.cfg", "dict://h/x"}) {
    INFO(url);
    Expected<std::string> got = source.fetch_url(url);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == ErrorCode::k_invalid);
  }
}

TEST_CASE("DefaultSource checks git locations out under <cache>/git", "[vcs]") {
  ScratchDir repo("kiln-git-src"), tmp;
  std::string dir = repo.path().string();
  git({"init", "--quiet", "--initial-branch=main", dir});
  std::ofstream(repo / "base.cfg") << "[git]\n";
  git({"-C", dir, "add", "--all"});
  git({"-C", dir, "-c", "user.name=T", "-c", "user.email=t@kiln.invalid", "-c",
       "commit.gpgsign=false", "commit", "--quiet", "-m", "base"});
  DefaultSource source(SourceOptions{tmp / "cache"});
  Expected<std::string> path = source.git_checkout("git+file://" + dir + "@main#base.cfg");
  REQUIRE(path.ok());
  CHECK_THAT(*path, Catch::StartsWith(tmp / "cache/git/"));
  Expected<std::string> text = source.read_file(*path);
  REQUIRE(text.ok());
  CHECK(*text == "[git]\n");

  DefaultSource offline(SourceOptions{tmp / "other-cache", true, true});
  Expected<std::string> miss = offline.git_checkout("git+file://" + dir + "@main#base.cfg");
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ErrorCode::k_offline);
}
