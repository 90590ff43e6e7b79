#include "archive/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "util/scratch_dir.h"

namespace fs = std::filesystem;
using kiln::ErrorCode;
using kiln::Status;
using kiln::archive::ExtractOptions;
using kiln::archive::StripMode;
using kiln::util::ScratchDir;

namespace {

enum class Kind { k_tar, k_tar_gz, k_tar_xz, k_tar_bz2, k_zip };

struct Entry {
  Entry(std::string n, char t = 'f', std::string d = {}, int m = 0644)
      : name(std::move(n)), type(t), data(std::move(d)), mode(m) {}
  std::string name;
  char type = 'f';   // f file, d directory, l symlink, h hard link, c character device
  std::string data;  // file content or link target
  int mode = 0644;
};

constexpr time_t k_mtime = 1500000000;

void write_archive(const std::string& path, Kind kind, const std::vector<Entry>& entries) {
  struct archive* a = archive_write_new();
  if (kind == Kind::k_zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (kind == Kind::k_tar_gz) archive_write_add_filter_gzip(a);
    if (kind == Kind::k_tar_xz) archive_write_add_filter_xz(a);
    if (kind == Kind::k_tar_bz2) archive_write_add_filter_bzip2(a);
  }
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    throw std::runtime_error(archive_error_string(a));
  }
  for (const Entry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, static_cast<mode_t>(e.mode));
    archive_entry_set_mtime(entry, k_mtime, 0);
    switch (e.type) {
      case 'd':
        archive_entry_set_filetype(entry, AE_IFDIR);
        break;
      case 'l':
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, e.data.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.data.c_str());
        break;
      case 'c':
        archive_entry_set_filetype(entry, AE_IFCHR);
        archive_entry_set_rdev(entry, makedev(1, 3));
        break;
      default:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    }
    if (archive_write_header(a, entry) != ARCHIVE_OK) {
      throw std::runtime_error(archive_error_string(a));
    }
    if (e.type == 'f' && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<Entry> k_tree = {
    {"bin/", 'd', "", 0755},          {"bin/run", 'f', "#!/bin/sh\necho hi\n", 0755},
    {"README", 'f', "hello\n", 0644}, {"lib/", 'd', "", 0755},
    {"lib/readme", 'l', "../README"}, {"lib/data.bin", 'f', std::string("\0\1\2\xff", 4), 0600},
};

const std::vector<Entry> k_single_dir = {
    {"pkg-1.0/", 'd', "", 0755},
    {"pkg-1.0/configure", 'f', "#!/bin/sh\n", 0755},
    {"pkg-1.0/src/", 'd', "", 0755},
    {"pkg-1.0/src/a.c", 'f', "int main() {}\n"},
    {"pkg-1.0/src/link", 'l', "../configure"},
};

// Extracts an archive that must be refused; checks the error names the
// entry and nothing is left in `dir` but the archive.
void check_refused(const std::vector<Entry>& entries, const std::string& entry,
                   StripMode strip = StripMode::k_never, Kind kind = Kind::k_tar) {
  ScratchDir scratch;
  fs::path dir = scratch.path() / "a/b";
  fs::create_directories(dir);
  std::string archive = (dir / "bad.tar").string();
  write_archive(archive, kind, entries);
  Status s = kiln::archive::extract(archive, (dir / "out").string(), ExtractOptions{strip});
  REQUIRE_FALSE(s.ok());
  INFO(s.error().message);
  CHECK(s.error().code == ErrorCode::k_invalid);
  CHECK(s.error().message.rfind(archive + ": entry '" + entry + "'", 0) == 0);
  CHECK(listing(dir) == std::vector<std::string>{"bad.tar"});
  CHECK(listing(scratch.path()) == std::vector<std::string>{"a"});
  CHECK(listing(scratch.path() / "a") == std::vector<std::string>{"b"});
}

}  // namespace

TEST_CASE("extract unpacks tar, tar.gz, tar.xz, tar.bz2 and zip with modes and links",
          "[archive]") {
  struct Format {
    Kind kind;
    const char* name;
  };
  for (Format f : {Format{Kind::k_tar, "t.tar"}, Format{Kind::k_tar_gz, "t.tar.gz"},
                   Format{Kind::k_tar_xz, "t.tar.xz"}, Format{Kind::k_tar_bz2, "t.tar.bz2"},
                   Format{Kind::k_zip, "t.zip"}}) {
    INFO(f.name);
    ScratchDir dir;
    std::string archive = dir / f.name;
    write_archive(archive, f.kind, k_tree);
    fs::path out = dir.path() / "deep/out";
    Status s = kiln::archive::extract(archive, out.string(), {});
    REQUIRE(s.ok());
    CHECK(listing(out) == std::vector<std::string>{"README", "bin", "lib"});
    CHECK(slurp(out / "bin/run") == "#!/bin/sh\necho hi\n");
    CHECK(mode_of(out / "bin/run") == 0755);
    CHECK(slurp(out / "README") == "hello\n");
    CHECK(mode_of(out / "README") == 0644);
    CHECK(slurp(out / "lib/data.bin") == std::string("\0\1\2\xff", 4));
    CHECK(mode_of(out / "lib/data.bin") == 0600);
    CHECK(fs::is_symlink(out / "lib/readme"));
    CHECK(fs::read_symlink(out / "lib/readme") == "../README");
    CHECK(slurp(out / "lib/readme") == "hello\n");
    struct stat st {};
    REQUIRE(::stat((out / "README").c_str(), &st) == 0);
    CHECK(st.st_mtime == k_mtime);
    CHECK(listing(dir.path() / "deep") == std::vector<std::string>{"out"});
  }
}

TEST_CASE("extract keeps hard links inside the archive", "[archive]") {
  ScratchDir dir;
  write_archive(dir / "h.tar", Kind::k_tar,
                {{"a", 'f', "same", 0755}, {"sub/", 'd'}, {"sub/b", 'h', "a"}});
  REQUIRE(kiln::archive::extract(dir / "h.tar", dir / "out", {}).ok());
  CHECK(slurp(dir.path() / "out/sub/b") == "same");
  CHECK(fs::equivalent(dir.path() / "out/a", dir.path() / "out/sub/b"));
}

TEST_CASE("extract strips a single top-level directory on request", "[archive]") {
  ScratchDir dir;
  std::string archive = dir / "pkg.tar.gz";
  write_archive(archive, Kind::k_tar_gz, k_single_dir);

  REQUIRE(kiln::archive::extract(archive, dir / "never", {}).ok());
  CHECK(listing(dir.path() / "never") == std::vector<std::string>{"pkg-1.0"});

  REQUIRE(kiln::archive::extract(archive, dir / "single", {StripMode::k_if_single_dir}).ok());
  CHECK(listing(dir.path() / "single") == std::vector<std::string>{"configure", "src"});
  CHECK(mode_of(dir.path() / "single/configure") == 0755);
  CHECK(slurp(dir.path() / "single/src/link") == "#!/bin/sh\n");

  REQUIRE(kiln::archive::extract(archive, dir / "always", {StripMode::k_always}).ok());
  CHECK(listing(dir.path() / "always") == std::vector<std::string>{"configure", "src"});

  // Two top-level entries: k_if_single_dir keeps them.
  std::string two = dir / "two.tar";
  write_archive(two, Kind::k_tar, {{"pkg/", 'd'}, {"pkg/x", 'f', "x"}, {"NOTES", 'f', "n"}});
  REQUIRE(kiln::archive::extract(two, dir / "two", {StripMode::k_if_single_dir}).ok());
  CHECK(listing(dir.path() / "two") == std::vector<std::string>{"NOTES", "pkg"});

  // "./" prefixes are not components.
  std::string dotted = dir / "dotted.tar";
  write_archive(dotted, Kind::k_tar, {{"./", 'd'}, {"./top/", 'd'}, {"./top/f", 'f', "f"}});
  REQUIRE(kiln::archive::extract(dotted, dir / "dotted", {StripMode::k_if_single_dir}).ok());
  CHECK(listing(dir.path() / "dotted") == std::vector<std::string>{"f"});
  CHECK(listing(dir.path()) == std::vector<std::string>{"always", "dotted", "dotted.tar", "never",
                                                        "pkg.tar.gz", "single", "two", "two.tar"});
}

TEST_CASE("extract k_always refuses a top-level file", "[archive]") {
  ScratchDir dir;
  write_archive(dir / "t.tar", Kind::k_tar, {{"top/", 'd'}, {"top/a", 'f', "a"}, {"b", 'f'}});
  Status s = kiln::archive::extract(dir / "t.tar", dir / "out", {StripMode::k_always});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_invalid);
  CHECK(s.error().message.find("entry 'b'") != std::string::npos);
  CHECK(listing(dir.path()) == std::vector<std::string>{"t.tar"});
}

TEST_CASE("extract k_always refuses several top-level entries instead of merging them",
          "[archive]") {
  ScratchDir dir;
  write_archive(dir / "t.tar", Kind::k_tar,
                {{"a/", 'd'}, {"a/same", 'f', "from a"}, {"b/", 'd'}, {"b/same", 'f', "from b"}});
  Status s = kiln::archive::extract(dir / "t.tar", dir / "out", {StripMode::k_always});
  REQUIRE_FALSE(s.ok());
  INFO(s.error().message);
  CHECK(s.error().code == ErrorCode::k_invalid);
  CHECK(s.error().message.find("Unable to strip top level directory because there are more than "
                               "one element in the root of the package") != std::string::npos);
  CHECK(s.error().message.find("'a' and 'b'") != std::string::npos);
  CHECK(listing(dir.path()) == std::vector<std::string>{"t.tar"});
  // Without a directory entry for the second one, and through "./" prefixes.
  write_archive(dir / "u.tar", Kind::k_tar, {{"./a/x", 'f', "x"}, {"./b/x", 'f', "y"}});
  CHECK_FALSE(kiln::archive::extract(dir / "u.tar", dir / "out", {StripMode::k_always}).ok());
  CHECK(listing(dir.path()) == std::vector<std::string>{"t.tar", "u.tar"});
  // One top-level directory with "./" prefixes is fine.
  write_archive(dir / "v.tar", Kind::k_tar, {{"./", 'd'}, {"./a/", 'd'}, {"./a/x", 'f', "x"}});
  REQUIRE(kiln::archive::extract(dir / "v.tar", dir / "out", {StripMode::k_always}).ok());
  CHECK(listing(dir.path() / "out") == std::vector<std::string>{"x"});
}

TEST_CASE("extract refuses entries that escape the destination", "[archive]") {
  SECTION("a .. path") {
    check_refused({{"ok", 'f', "ok"}, {"../x", 'f', "x"}}, "../x");
  }
  SECTION("a .. path inside a zip") {
    check_refused({{"a/../../x", 'f', "x"}}, "a/../../x", StripMode::k_never, Kind::k_zip);
  }
  SECTION("an absolute path") {
    check_refused({{"/etc/x", 'f', "x"}}, "/etc/x");
  }
  SECTION("a symlink out, then a file through it") {
    check_refused({{"evil", 'l', "../../outside"}, {"evil/f", 'f', "pwned"}}, "evil");
  }
  SECTION("an absolute symlink") {
    check_refused({{"abs", 'l', "/etc"}}, "abs");
  }
  SECTION("a symlink escaping through another symlink") {
    check_refused({{"a/", 'd'}, {"a/up", 'l', ".."}, {"a/e", 'l', "up/.."}}, "a/e");
  }
  SECTION("a file written through an inner symlink") {
    check_refused({{"d/", 'd'}, {"l", 'l', "d"}, {"l/f", 'f', "x"}}, "l/f");
  }
  SECTION("a hard link to /etc/passwd") {
    check_refused({{"pw", 'h', "/etc/passwd"}}, "pw");
  }
  SECTION("a hard link with ..") {
    check_refused({{"pw", 'h', "../../x"}}, "pw");
  }
  SECTION("a hard link to a path not extracted") {
    check_refused({{"pw", 'h', "nothere"}}, "pw");
  }
  SECTION("a device file") {
    check_refused({{"null", 'c'}}, "null");
  }
  SECTION("a symlink that escapes once the single directory is stripped") {
    check_refused({{"top/", 'd'}, {"top/link", 'l', "../sibling"}}, "link",
                  StripMode::k_if_single_dir);
  }
}

TEST_CASE("extract writes nothing outside for a symlink-through attack", "[archive]") {
  ScratchDir dir;
  fs::create_directories(dir.path() / "a/b");
  write_archive(dir / "a/b/bad.tar", Kind::k_tar,
                {{"evil", 'l', "../../outside"}, {"evil/f", 'f', "pwned"}});
  CHECK_FALSE(kiln::archive::extract(dir / "a/b/bad.tar", dir / "a/b/out", {}).ok());
  CHECK_FALSE(fs::exists(dir.path() / "a/outside"));
  CHECK_FALSE(fs::exists(dir.path() / "outside"));
  // The same link is fine when it stays inside.
  write_archive(dir / "a/b/ok.tar", Kind::k_tar, {{"x/", 'd'}, {"x/in", 'l', "../y"}});
  CHECK(kiln::archive::extract(dir / "a/b/ok.tar", dir / "a/b/ok", {}).ok());
}

TEST_CASE("extract reports corrupt and truncated archives and leaves nothing", "[archive]") {
  ScratchDir dir;
  { std::ofstream(dir / "junk.tar.gz", std::ios::binary) << "this is not an archive at all\n"; }
  Status junk = kiln::archive::extract(dir / "junk.tar.gz", dir / "out", {});
  REQUIRE_FALSE(junk.ok());
  CHECK(junk.error().message.find(dir / "junk.tar.gz") != std::string::npos);

  std::string big;
  for (int i = 0; i < 200000; ++i) big += std::to_string(i * 7919 % 100003);
  write_archive(dir / "full.tar.gz", Kind::k_tar_gz, {{"big", 'f', big}, {"after", 'f', "x"}});
  std::string bytes = slurp(dir.path() / "full.tar.gz");
  { std::ofstream(dir / "cut.tar.gz", std::ios::binary) << bytes.substr(0, bytes.size() / 2); }
  Status cut = kiln::archive::extract(dir / "cut.tar.gz", dir / "out", {});
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().message.find(dir / "cut.tar.gz") != std::string::npos);

  Status missing = kiln::archive::extract(dir / "missing.tar", dir / "out", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::k_not_found);
  CHECK(listing(dir.path()) ==
        std::vector<std::string>{"cut.tar.gz", "full.tar.gz", "junk.tar.gz"});
}

TEST_CASE("extract wants a missing or empty destination", "[archive]") {
  ScratchDir dir;
  write_archive(dir / "t.tar", Kind::k_tar, k_tree);
  fs::create_directories(dir.path() / "full");
  { std::ofstream(dir / "full/keep") << "keep"; }
  Status s = kiln::archive::extract(dir / "t.tar", dir / "full", {});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::k_invalid);
  CHECK(s.error().message.find(dir / "full") != std::string::npos);
  CHECK(listing(dir.path() / "full") == std::vector<std::string>{"keep"});

  fs::create_directories(dir.path() / "empty");
  REQUIRE(kiln::archive::extract(dir / "t.tar", dir / "empty/", {}).ok());
  CHECK(slurp(dir.path() / "empty/README") == "hello\n");
  CHECK(listing(dir.path()) == std::vector<std::string>{"empty", "full", "t.tar"});
}
