#include "vcs/git_cache.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/hash.h"
#include "util/scratch_dir.h"
#include "vcs/git_runner.h"

namespace fs = std::filesystem;
using kiln::ErrorCode;
using kiln::Expected;
using kiln::util::ScratchDir;
using kiln::vcs::GitCache;
using kiln::vcs::GitCacheOptions;
using kiln::vcs::GitLocation;
using kiln::vcs::parse_git_location;
using kiln::vcs::run_git;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string git(const std::vector<std::string>& args) {
  Expected<kiln::vcs::GitResult> r = run_git(args);
  REQUIRE(r.ok());
  INFO("git stderr: " << r->err);
  REQUIRE(r->ok());
  std::string out = r->out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A source repository in a scratch directory, on branch "main".
class SourceRepo {
 public:
  SourceRepo() : m_dir("kiln-git-src") {
    git({"init", "--quiet", "--initial-branch=main", path()});
  }
  std::string path() const { return m_dir.path().string(); }
  std::string url() const { return "file://" + path(); }
  void write(const std::string& rel, const std::string& content) {
    fs::path p = m_dir.path() / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string commit(const std::string& message) {
    git({"-C", path(), "add", "--all"});
    git({"-C", path(), "-c", "user.name=Kiln Test", "-c", "user.email=test@kiln.invalid", "-c",
         "commit.gpgsign=false", "commit", "--quiet", "-m", message});
    return git({"-C", path(), "rev-parse", "HEAD"});
  }
  void run(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"-C", path()};
    full.insert(full.end(), args.begin(), args.end());
    git(full);
  }
  void remove() { fs::remove_all(m_dir.path()); }

 private:
  ScratchDir m_dir;
};

GitCacheOptions options(const ScratchDir& cache, bool offline = false, bool newest = true) {
  return GitCacheOptions{cache / "git", offline, newest};
}

}  // namespace

TEST_CASE("parse_git_location splits URL, ref and path", "[vcs]") {
  struct Case {
    const char* location;
    const char* url;
    const char* ref;
    const char* path;
  };
  const Case cases[] = {
      {"git+https://example.com/r.git@main#a.cfg", "https://example.com/r.git", "main", "a.cfg"},
      {"git+ssh://git@example.com/r.git@main#a.cfg", "ssh://git@example.com/r.git", "main",
       "a.cfg"},
      {"git+ssh://git@example.com:2222/r.git#a.cfg", "ssh://git@example.com:2222/r.git", "HEAD",
       "a.cfg"},
      {"git+https://h/r.git@release/1.0#x/y.cfg", "https://h/r.git", "release/1.0", "x/y.cfg"},
      {"git+file:///srv/repo@v1.2#./sub/../b.cfg", "file:///srv/repo", "v1.2", "b.cfg"},
      {"git+http://h/r@0123456789abcdef0123456789abcdef01234567#a//b.cfg", "http://h/r",
       "0123456789abcdef0123456789abcdef01234567", "a/b.cfg"},
  };
  for (const Case& c : cases) {
    INFO(c.location);
    Expected<GitLocation> loc = parse_git_location(c.location);
    REQUIRE(loc.ok());
    CHECK(loc->repo_url == c.url);
    CHECK(loc->ref == c.ref);
    CHECK(loc->path == c.path);
  }
}

TEST_CASE("parse_git_location rejects malformed and unsafe locations", "[vcs]") {
  const char* bad[] = {
      "https://h/r.git@main#a.cfg",                 // no git+
      "git+https://h/r.git@main",                   // no #path
      "git+https://h/r.git@main#",                  // empty path
      "git+https://h/r.git@main#/etc/passwd",       // absolute path
      "git+https://h/r.git@main#../x.cfg",          // escapes the tree
      "git+https://h/r.git@main#a/../../x",         // escapes the tree
      "git+https://h/r.git@main#.",                 // names nothing
      "git+https://h/r.git@#a.cfg",                 // empty ref
      "git+https://h/r.git@--upload-pack=x#a.cfg",  // option-like ref
      "git+https://h/r.git@a b#a.cfg",              // space in ref
      "git+ext::sh -c touch% /tmp/pwned#a.cfg",     // command transport
      "git+fd::3@main#a.cfg",
      "git+ftp://h/r.git@main#a.cfg",
      "git+host:r.git@main#a.cfg",  // scp-like syntax: not a URL
      "git+https://#a.cfg",         // no repository
  };
  for (const char* location : bad) {
    INFO(location);
    Expected<GitLocation> loc = parse_git_location(location);
    REQUIRE_FALSE(loc.ok());
    CHECK(loc.error().code == ErrorCode::k_invalid);
    CHECK_THAT(loc.error().message, Catch::StartsWith("invalid git location '"));
  }
}

TEST_CASE("GitCache exports a branch, a tag and a slashed branch", "[vcs]") {
  SourceRepo src;
  src.write("sub/a.cfg", "[buildout]\nextends = b.cfg\n");
  src.write("sub/b.cfg", "[b]\nx = 1\n");
  std::string c1 = src.commit("first");
  src.run({"tag", "v1"});
  src.run({"branch", "feature/x"});
  src.write("sub/b.cfg", "[b]\nx = 2\n");
  std::string c2 = src.commit("second");

  ScratchDir cache;
  GitCache git_cache(options(cache));
  Expected<std::string> a = git_cache.checkout("git+" + src.url() + "@main#sub/a.cfg");
  REQUIRE(a.ok());
  std::string key = kiln::util::sha256_hex(src.url()).substr(0, 16);
  CHECK(*a == cache / ("git/" + key + "/trees/" + c2 + "/sub/a.cfg"));
  CHECK(slurp(*a) == "[buildout]\nextends = b.cfg\n");
  CHECK(slurp(fs::path(*a).parent_path() / "b.cfg") == "[b]\nx = 2\n");  // same commit
  CHECK(git_cache.network_operations() == 1);                            // the clone

  for (const char* ref : {"v1", "feature/x"}) {
    INFO(ref);
    Expected<std::string> b = git_cache.checkout("git+" + src.url() + "@" + ref + "#sub/b.cfg");
    REQUIRE(b.ok());
    CHECK(*b == cache / ("git/" + key + "/trees/" + c1 + "/sub/b.cfg"));
    CHECK(slurp(*b) == "[b]\nx = 1\n");
  }
  CHECK(git_cache.warnings().empty());
  // No temporary directories are left behind.
  for (const auto& e : fs::directory_iterator(cache.path() / "git" / key / "trees")) {
    CHECK(e.path().filename().string().front() != '.');
  }
}

TEST_CASE("GitCache resolves a commit SHA without the network once it has it", "[vcs]") {
  SourceRepo src;
  src.write("a.cfg", "[a]\nv = 1\n");
  std::string c1 = src.commit("first");
  src.write("a.cfg", "[a]\nv = 2\n");
  std::string c2 = src.commit("second");
  ScratchDir cache;
  {
    GitCache first_run(options(cache));
    REQUIRE(first_run.checkout("git+" + src.url() + "@main#a.cfg").ok());  // exports c2 only
  }
  src.remove();  // from now on any fetch or clone would fail

  GitCache second_run(options(cache));
  Expected<std::string> tip = second_run.checkout("git+" + src.url() + "@" + c2 + "#a.cfg");
  REQUIRE(tip.ok());
  CHECK(slurp(*tip) == "[a]\nv = 2\n");
  // c1 is in the mirror but not exported yet: local git commands only.
  std::string upper = c1;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  Expected<std::string> old = second_run.checkout("git+" + src.url() + "@" + upper + "#a.cfg");
  REQUIRE(old.ok());
  CHECK(slurp(*old) == "[a]\nv = 1\n");
  CHECK_THAT(*old, Catch::Contains("/trees/" + c1 + "/"));
  CHECK(second_run.network_operations() == 0);
  CHECK(second_run.warnings().empty());

  // An unknown SHA needs the (now missing) repository: a clear k_vcs error.
  std::string unknown(40, 'a');
  Expected<std::string> missing =
      second_run.checkout("git+" + src.url() + "@" + unknown + "#a.cfg");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::k_vcs);
  CHECK_THAT(missing.error().message,
             Catch::StartsWith("git: cannot resolve ref '" + unknown + "' in " + src.url() +
                               ": cannot fetch: fatal: "));
}

TEST_CASE("GitCache fetches branches when newest, not with -N or offline", "[vcs]") {
  SourceRepo src;
  src.write("a.cfg", "v1");
  src.commit("v1");
  ScratchDir cache;
  std::string location = "git+" + src.url() + "@main#a.cfg";
  {
    GitCache g(options(cache));
    REQUIRE(g.checkout(location).ok());
  }
  src.write("a.cfg", "v2");
  src.commit("v2");

  GitCache not_newest(options(cache, false, false));
  Expected<std::string> stale = not_newest.checkout(location);
  REQUIRE(stale.ok());
  CHECK(slurp(*stale) == "v1");
  CHECK(not_newest.network_operations() == 0);

  GitCache offline(options(cache, true, true));
  Expected<std::string> off = offline.checkout(location);
  REQUIRE(off.ok());
  CHECK(slurp(*off) == "v1");
  CHECK(offline.network_operations() == 0);

  GitCache newest(options(cache));
  Expected<std::string> fresh = newest.checkout(location);
  REQUIRE(fresh.ok());
  CHECK(slurp(*fresh) == "v2");
  CHECK(newest.network_operations() == 1);

  // -N still fetches a ref the mirror has never seen.
  src.run({"branch", "later"});
  Expected<std::string> later = not_newest.checkout("git+" + src.url() + "@later#a.cfg");
  REQUIRE(later.ok());
  CHECK(slurp(*later) == "v2");
  CHECK(not_newest.network_operations() == 1);
  // ... but offline does not.
  src.run({"branch", "later2"});
  Expected<std::string> later2 = offline.checkout("git+" + src.url() + "@later2#a.cfg");
  REQUIRE_FALSE(later2.ok());
  CHECK(later2.error().code == ErrorCode::k_offline);
  CHECK_THAT(later2.error().message, Catch::StartsWith("offline: ref 'later2' of " + src.url()));
}

TEST_CASE("GitCache falls back to the mirror when a fetch fails", "[vcs]") {
  SourceRepo src;
  src.write("a.cfg", "kept");
  std::string c1 = src.commit("only");
  ScratchDir cache;
  GitCache g(options(cache));
  REQUIRE(g.checkout("git+" + src.url() + "@main#a.cfg").ok());
  src.remove();
  Expected<std::string> again = g.checkout("git+" + src.url() + "@main#a.cfg");
  REQUIRE(again.ok());
  CHECK(slurp(*again) == "kept");
  REQUIRE(g.warnings().size() == 1);
  CHECK_THAT(g.warnings()[0], Catch::StartsWith("git: cannot fetch " + src.url() + ": "));
  CHECK_THAT(g.warnings()[0], Catch::EndsWith("; using the cached main (" + c1 + ")"));
}

TEST_CASE("GitCache errors: bad ref, missing file, offline miss, unreachable repo", "[vcs]") {
  SourceRepo src;
  src.write("a.cfg", "x");
  src.commit("only");
  ScratchDir cache;

  SECTION("unknown ref") {
    GitCache g(options(cache));
    Expected<std::string> r = g.checkout("git+" + src.url() + "@nope#a.cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::k_vcs);
    CHECK(r.error().message ==
          "git: cannot resolve ref 'nope' in " + src.url() + ": no such branch, tag or commit");
    std::string unknown(40, 'b');
    Expected<std::string> s = g.checkout("git+" + src.url() + "@" + unknown + "#a.cfg");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::k_vcs);
    CHECK(s.error().message ==
          "git: cannot resolve ref '" + unknown + "' in " + src.url() + ": no such commit");
  }
  SECTION("file not in the commit") {
    GitCache g(options(cache));
    Expected<std::string> r = g.checkout("git+" + src.url() + "@main#nope.cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::k_not_found);
    CHECK_THAT(r.error().message,
               Catch::StartsWith("git: nope.cfg does not exist in " + src.url()));
  }
  SECTION("path escaping the tree: refused before any git command") {
    GitCache g(options(cache));
    Expected<std::string> r = g.checkout("git+" + src.url() + "@main#../../etc/passwd");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::k_invalid);
    CHECK(g.network_operations() == 0);
    CHECK_FALSE(fs::exists(cache.path() / "git"));
  }
  SECTION("offline with nothing cached") {
    GitCache g(options(cache, true));
    Expected<std::string> r = g.checkout("git+" + src.url() + "@main#a.cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::k_offline);
    CHECK(r.error().message == "offline: " + src.url() + " is not in the git cache (" +
                                   (cache / "git") + "); run once without --offline");
    CHECK(g.network_operations() == 0);
  }
  SECTION("unreachable repository") {
    GitCache g(options(cache));
    std::string url = "file://" + (cache / "does-not-exist");
    Expected<std::string> r = g.checkout("git+" + url + "@main#a.cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::k_vcs);
    CHECK_THAT(r.error().message, Catch::StartsWith("git: cannot clone " + url + ": fatal: "));
    CHECK(r.error().message.find('\n') == std::string::npos);
    fs::path dir = g.repo_dir(url);
    CHECK_FALSE(fs::exists(dir / "mirror.git"));
    for (const auto& e : fs::directory_iterator(dir)) {
      CHECK(e.path().filename().string().rfind(".mirror.tmp", 0) != 0);
    }
  }
  SECTION("no cache directory") {
    GitCache g(GitCacheOptions{});
    Expected<std::string> r = g.checkout("git+" + src.url() + "@main#a.cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::k_invalid);
  }
}

TEST_CASE("GitCache refuses a symbolic link that leads out of the tree", "[vcs]") {
  SourceRepo src;
  src.write("a.cfg", "x");
  fs::create_symlink("/etc/passwd", fs::path(src.path()) / "evil.cfg");
  fs::create_symlink("a.cfg", fs::path(src.path()) / "fine.cfg");
  src.commit("links");
  ScratchDir cache;
  GitCache g(options(cache));
  Expected<std::string> evil = g.checkout("git+" + src.url() + "@main#evil.cfg");
  REQUIRE_FALSE(evil.ok());
  CHECK(evil.error().code == ErrorCode::k_invalid);
  CHECK_THAT(evil.error().message, Catch::Contains("points outside the repository"));
  Expected<std::string> fine = g.checkout("git+" + src.url() + "@main#fine.cfg");
  REQUIRE(fine.ok());
  CHECK(slurp(*fine) == "x");
}

TEST_CASE("git commands ignore GIT_DIR and friends from our environment", "[vcs]") {
  SourceRepo src;
  src.write("a.cfg", "x");
  src.commit("only");
  ScratchDir cache;
  ::setenv("GIT_DIR", "/nonexistent/.git", 1);
  ::setenv("GIT_INDEX_FILE", "/nonexistent/index", 1);
  GitCache g(options(cache));
  Expected<std::string> r = g.checkout("git+" + src.url() + "@main#a.cfg");
  ::unsetenv("GIT_DIR");
  ::unsetenv("GIT_INDEX_FILE");
  REQUIRE(r.ok());
  CHECK(slurp(*r) == "x");
}
