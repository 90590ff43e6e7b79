#include "net/downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <system_error>

#include "net/curl_easy.h"
#include "util/atomic_file.h"
#include "util/hash.h"

namespace kiln::net {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_buffer_size = 64 * 1024;

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::k_io, "cannot " + what + " " + path + ": " + std::strerror(err));
}

std::string random_suffix() {
  static constexpr char k_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::string out;
  for (int i = 0; i < 6; ++i) out.push_back(k_chars[rng() % (sizeof k_chars - 1)]);
  return out;
}

// Creates "<prefix>XXXXXX" with O_EXCL (mode 0666 & ~umask); returns the fd.
Expected<int> create_unique(const std::string& prefix, std::string& path) {
  for (int attempt = 0; attempt < 32; ++attempt) {
    path = prefix + random_suffix();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) return io_error("create", path, errno);
  }
  return Error(ErrorCode::k_io, "cannot create a temporary file " + prefix + "XXXXXX");
}

// A temporary file that hashes what is written to it; removed unless
// committed (renamed into place).
class HashingFile {
 public:
  ~HashingFile() {
    if (m_fd >= 0) ::close(m_fd);
    if (!m_path.empty()) ::unlink(m_path.c_str());
  }

  Status open(const std::string& prefix) {
    Expected<int> fd = create_unique(prefix, m_path);
    if (!fd.ok()) {
      m_path.clear();
      return fd.error();
    }
    m_fd = *fd;
    return {};
  }

  const std::string& path() const { return m_path; }
  std::uint64_t size() const { return m_size; }

  // Returns false and sets error() on failure (no exception: used from C).
  bool write(const char* data, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      ssize_t w = ::write(m_fd, data + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        m_errno = errno;
        return false;
      }
      done += static_cast<std::size_t>(w);
    }
    std::string_view piece(data, n);
    m_md5.update(piece);
    m_sha256.update(piece);
    m_size += n;
    return true;
  }

  Status write_error() const { return io_error("write", m_path, m_errno); }

  // Empties the file for another attempt.
  Status rewind() {
    if (::ftruncate(m_fd, 0) != 0 || ::lseek(m_fd, 0, SEEK_SET) != 0) {
      return io_error("truncate", m_path, errno);
    }
    m_md5.reset();
    m_sha256.reset();
    m_size = 0;
    m_errno = 0;
    return {};
  }

  // Closes the file and computes its digests.
  Status finish() {
    m_md5_hex = m_md5.hex_digest();
    m_sha256_hex = m_sha256.hex_digest();
    int rc = ::close(m_fd);
    m_fd = -1;
    if (rc != 0) return io_error("close", m_path, errno);
    return {};
  }
  const std::string& md5() const { return m_md5_hex; }
  const std::string& sha256() const { return m_sha256_hex; }

  // Renames the (finished) file to `target`.
  Status commit(const std::string& target) {
    if (::rename(m_path.c_str(), target.c_str()) != 0) {
      return io_error("rename " + m_path + " to", target, errno);
    }
    m_path.clear();
    return {};
  }

 private:
  int m_fd = -1;
  std::string m_path;
  util::Md5 m_md5;
  util::Sha256 m_sha256;
  std::string m_md5_hex;
  std::string m_sha256_hex;
  std::uint64_t m_size = 0;
  int m_errno = 0;
};

using Progress = std::function<void(std::uint64_t, std::uint64_t)>;

// Streams the file at `path` into `out`. k_not_found if it does not exist.
Status copy_into(const std::string& path, HashingFile& out, const Progress& progress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    Error e = io_error("read", path, err);
    if (err == ENOENT) e.code = ErrorCode::k_not_found;
    return e;
  }
  struct stat st {};
  std::uint64_t total = ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  std::unique_ptr<char[]> buf(new char[k_buffer_size]);
  Status status;
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), k_buffer_size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = io_error("read", path, errno);
      break;
    }
    if (n == 0) break;
    if (!out.write(buf.get(), static_cast<std::size_t>(n))) {
      status = out.write_error();
      break;
    }
    if (progress) progress(out.size(), total);
  }
  ::close(fd);
  return status;
}

bool is_hex(const std::string& s, std::size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Expected<Checksum> normalise(const std::string& url, const Checksum& in) {
  Checksum out{lower(in.md5), lower(in.sha256)};
  if (!out.md5.empty() && !is_hex(out.md5, 32)) {
    return Error(ErrorCode::k_invalid, "invalid md5 checksum '" + in.md5 + "' for " + url);
  }
  if (!out.sha256.empty() && !is_hex(out.sha256, 64)) {
    return Error(ErrorCode::k_invalid, "invalid sha256 checksum '" + in.sha256 + "' for " + url);
  }
  return out;
}

// "" if `file` matches `want`, else "expected md5 X, got Y[; ...]".
std::string mismatch(const Checksum& want, const HashingFile& file) {
  std::string out;
  if (!want.md5.empty() && want.md5 != file.md5()) {
    out = "expected md5 " + want.md5 + ", got " + file.md5();
  }
  if (!want.sha256.empty() && want.sha256 != file.sha256()) {
    if (!out.empty()) out += "; ";
    out += "expected sha256 " + want.sha256 + ", got " + file.sha256();
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

struct Source {
  bool remote = false;
  std::string path;  // local sources
};

Expected<Source> classify_url(const std::string& url) {
  if (url.empty()) return Error(ErrorCode::k_invalid, "cannot download an empty URL");
  std::size_t colon = url.find("://");
  bool has_scheme =
      colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(url[0]));
  for (std::size_t i = 0; has_scheme && i < colon; ++i) {
    char c = url[i];
    has_scheme = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  }
  if (!has_scheme) return Source{false, url};
  std::string scheme = lower(url.substr(0, colon));
  if (scheme == "http" || scheme == "https" || scheme == "ftp") return Source{true, {}};
  if (scheme != "file") {
    return Error(ErrorCode::k_invalid,
                 "cannot download " + url + ": unsupported URL scheme '" + scheme + "'");
  }
  std::string rest = url.substr(colon + 3);  // "[host]/path"
  std::size_t slash = rest.find('/');
  std::string host = slash == std::string::npos ? rest : rest.substr(0, slash);
  if (slash == std::string::npos || (!host.empty() && lower(host) != "localhost")) {
    return Error(ErrorCode::k_invalid,
                 "cannot download " + url + ": file:// URLs must name a local absolute path");
  }
  std::string path = rest.substr(slash);
  std::size_t end = path.find_first_of("?#");
  if (end != std::string::npos) path.resize(end);
  return Source{false, percent_decode(path)};
}

// The download cache under <cache_dir>/downloads.
class Cache {
 public:
  explicit Cache(const std::string& cache_dir)
      : m_root(cache_dir.empty() ? fs::path() : fs::path(cache_dir) / "downloads") {}

  bool enabled() const { return !m_root.empty(); }
  std::string content_path(const std::string& sha256) const {
    return (m_root / "sha256" / sha256).string();
  }
  std::string md5_index(const std::string& md5) const { return (m_root / "by-md5" / md5).string(); }
  std::string url_index(const std::string& url) const {
    return (m_root / "by-url" / util::md5_hex(url)).string();
  }

  // The SHA-256 an index file names, if it exists and is well formed.
  static std::optional<std::string> read_index(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::array<char, 128> buf{};
    ssize_t n = ::read(fd, buf.data(), buf.size());
    ::close(fd);
    if (n < 64) return std::nullopt;
    std::string sha = lower(std::string(buf.data(), 64));
    if (!is_hex(sha, 64)) return std::nullopt;
    return sha;
  }

  // Adds the finished file `file` (already verified) to the cache, with its
  // md5 index and, when `url` is not empty, its URL index. Best effort: the
  // cache is an optimisation, so failures are ignored.
  void store(const HashingFile& file, const std::string& url) const {
    std::error_code ec;
    std::string target = content_path(file.sha256());
    if (!fs::exists(target, ec)) {
      fs::create_directories(fs::path(target).parent_path(), ec);
      if (ec) return;
      HashingFile copy;
      std::string prefix =
          (fs::path(target).parent_path() / ("." + file.sha256() + ".tmp-")).string();
      if (!copy.open(prefix).ok() || !copy_into(file.path(), copy, nullptr).ok()) return;
      if (!copy.finish().ok() || copy.sha256() != file.sha256()) return;
      if (!copy.commit(target).ok()) return;
    }
    (void)util::write_file_atomic(md5_index(file.md5()), file.sha256() + "\n");
    if (!url.empty()) (void)util::write_file_atomic(url_index(url), file.sha256() + "\n");
  }

 private:
  fs::path m_root;
};

// Why a transfer callback stopped the transfer.
struct Transfer {
  HashingFile* file = nullptr;
  std::uint64_t max_size = 0;
  const Progress* progress = nullptr;
  bool write_failed = false;
  bool too_big = false;
  std::string progress_error;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->file->size() + n > t->max_size) {
    t->too_big = true;
    return 0;  // anything but n aborts the transfer with CURLE_WRITE_ERROR
  }
  if (!t->file->write(data, n)) {
    t->write_failed = true;
    return 0;
  }
  return n;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  try {
    (*t->progress)(static_cast<std::uint64_t>(dlnow), static_cast<std::uint64_t>(dltotal));
  } catch (const std::exception& e) {
    t->progress_error = e.what();
    return 1;
  } catch (...) {
    t->progress_error = "unknown exception";
    return 1;
  }
  return 0;
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

// Fetches `url` into `file` with retries.
Status fetch_remote(const std::string& url, const DownloadOptions& options, HashingFile& file) {
  curl::global_init_once();
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) {
    return Error(ErrorCode::k_network, "cannot download " + url + ": cannot initialise libcurl");
  }
  CURL* h = handle.get();
  Status io_failure;
  Status status = curl::with_retries(url, options.fetch, [&]() {
    curl::Attempt a;
    Status rewound = file.rewind();
    if (!rewound.ok()) {
      io_failure = rewound;
      a.reason = rewound.error().message;
      return a;
    }
    Transfer t;
    t.file = &file;
    t.max_size = options.fetch.max_size;
    t.progress = &options.progress;
    char errbuf[CURL_ERROR_SIZE] = {};
    curl::set_common_options(h, url, options.fetch, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    if (options.progress) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // errbuf dies with this scope
    a = curl::classify(h, rc, errbuf);
    if (t.write_failed) {
      io_failure = file.write_error();
      a.reason = io_failure.error().message;
      a.transient = false;
    } else if (t.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
      a.reason = "larger than the limit of " + std::to_string(options.fetch.max_size) + " bytes";
    } else if (!t.progress_error.empty()) {
      a.reason = "progress callback failed: " + t.progress_error;
    }
    return a;
  });
  if (!io_failure.ok()) return io_failure;
  return status;
}

class Job {
 public:
  Job(const DownloadOptions& options, const std::string& url, const std::string& destination)
      : m_options(options), m_cache(options.cache_dir), m_url(url), m_destination(destination) {}

  Status run(const Checksum& raw_checksum) {
    Expected<Checksum> want = normalise(m_url, raw_checksum);
    if (!want.ok()) return want.error();
    m_want = *want;
    Expected<Source> source = classify_url(m_url);
    if (!source.ok()) return source.error();
    if (m_destination.empty()) {
      return Error(ErrorCode::k_invalid, "cannot download " + m_url + ": empty destination");
    }
    fs::path dest = fs::absolute(m_destination);
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) {
      return Error(ErrorCode::k_io,
                   "cannot create directory " + dest.parent_path().string() + ": " + ec.message());
    }
    m_temp_prefix = dest.string() + ".kiln-tmp-";
    bool has_checksum = !m_want.md5.empty() || !m_want.sha256.empty();

    if (m_cache.enabled() && has_checksum) {
      std::optional<std::string> sha;
      if (!m_want.sha256.empty()) {
        sha = m_want.sha256;
      } else {
        sha = Cache::read_index(m_cache.md5_index(m_want.md5));
      }
      if (sha) {
        Expected<bool> served = serve_from_cache(*sha);
        if (!served.ok()) return served.error();
        if (*served) return {};
      }
    }
    std::string url_index = source->remote && m_cache.enabled() ? m_cache.url_index(m_url) : "";
    bool use_url_cache = !url_index.empty() && !has_checksum;
    if (use_url_cache && (m_options.offline || !m_options.newest)) {
      Expected<bool> served = serve_from_url_index(url_index);
      if (!served.ok() || *served) return served.ok() ? Status() : Status(served.error());
    }
    if (source->remote && m_options.offline) {
      return Error(ErrorCode::k_offline,
                   "cannot download " + m_url + ": offline mode and not in the download cache");
    }

    HashingFile file;
    Status opened = file.open(m_temp_prefix);
    if (!opened.ok()) return opened;
    if (!source->remote) {
      Status copied = copy_into(source->path, file, m_options.progress);
      if (!copied.ok()) return copied;
    } else {
      Status fetched = fetch_remote(m_url, m_options, file);
      if (!fetched.ok()) {
        if (use_url_cache && m_options.newest && fetched.error().code == ErrorCode::k_network) {
          Expected<bool> served = serve_from_url_index(url_index);
          if (served.ok() && *served) return {};
        }
        return fetched;
      }
    }
    Status finished = file.finish();
    if (!finished.ok()) return finished;
    std::string diff = mismatch(m_want, file);
    if (!diff.empty()) {
      return Error(ErrorCode::k_invalid, "checksum mismatch for " + m_url + ": " + diff);
    }
    if (source->remote && m_cache.enabled()) m_cache.store(file, m_url);
    return file.commit(dest.string());
  }

 private:
  Expected<bool> serve_from_url_index(const std::string& url_index) {
    std::optional<std::string> sha = Cache::read_index(url_index);
    if (!sha) return false;
    return serve_from_cache(*sha);
  }

  // true: `destination` now holds the cached content named `sha256`;
  // false: not cached (or the entry was corrupt and is dropped, or it does
  // not match the wanted checksum).
  Expected<bool> serve_from_cache(const std::string& sha256) {
    std::string cached = m_cache.content_path(sha256);
    if (::access(cached.c_str(), F_OK) != 0) return false;
    HashingFile file;
    Status opened = file.open(m_temp_prefix);
    if (!opened.ok()) return opened.error();
    Status copied = copy_into(cached, file, m_options.progress);
    if (!copied.ok()) {
      if (copied.error().code == ErrorCode::k_not_found) return false;  // raced with a cleanup
      return copied.error();
    }
    Status finished = file.finish();
    if (!finished.ok()) return finished.error();
    if (file.sha256() != sha256) {
      ::unlink(cached.c_str());  // corrupt entry
      return false;
    }
    if (!mismatch(m_want, file).empty()) return false;  // stale index
    Status committed = file.commit(fs::absolute(m_destination).string());
    if (!committed.ok()) return committed.error();
    return true;
  }

  const DownloadOptions& m_options;
  Cache m_cache;
  const std::string& m_url;
  const std::string& m_destination;
  Checksum m_want;
  std::string m_temp_prefix;
};

}  // namespace

Downloader::Downloader(DownloadOptions options) : m_options(std::move(options)) {}

Status Downloader::download(const std::string& url, const Checksum& checksum,
                            const std::string& destination) const {
  try {
    return Job(m_options, url, destination).run(checksum);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_io, "cannot download " + url + ": " + e.what());
  }
}

}  // namespace kiln::net
