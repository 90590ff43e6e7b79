#include "archive/extract.h"

#include "archive/temp_path.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>
#include <vector>

namespace kiln::archive {

namespace fs = std::filesystem;

namespace {

constexpr int k_max_link_hops = 40;

using Components = std::vector<std::string>;

struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ReadDeleter>;
using DiskPtr = std::unique_ptr<struct archive, WriteDeleter>;

std::string join(const Components& parts, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out;
}

// Splits on '/', dropping empty and "." components (".." is kept).
Components split(const std::string& path) {
  Components out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (!part.empty() && part != ".") out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

bool has_dotdot(const Components& parts) {
  for (const std::string& p : parts) {
    if (p == "..") return true;
  }
  return false;
}

// Whether the symbolic link in directory `dir` (components under `root`)
// with target `target` resolves outside `root`, following the links already
// on disk under `root` (each must stay inside too). A loop is harmless.
bool link_escapes(const fs::path& root, Components dir, const std::string& target) {
  if (!target.empty() && target[0] == '/') return true;
  std::deque<std::string> pending;
  for (std::string& p : split(target)) pending.push_back(std::move(p));
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (dir.empty()) return true;
      dir.pop_back();
      continue;
    }
    dir.push_back(part);
    fs::path here = root / join(dir);
    struct stat st {};
    if (::lstat(here.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) continue;
    if (++hops > k_max_link_hops) return false;
    std::error_code ec;
    fs::path next = fs::read_symlink(here, ec);
    if (ec) continue;
    std::string next_str = next.string();
    if (!next_str.empty() && next_str[0] == '/') return true;
    dir.pop_back();
    Components more = split(next_str);
    pending.insert(pending.begin(), more.begin(), more.end());
  }
  return false;
}

class Extraction {
 public:
  Extraction(const std::string& archive_path, const ExtractOptions& options)
      : m_archive(archive_path), m_options(options) {}

  ~Extraction() {
    if (!m_temp.empty()) {
      std::error_code ec;
      fs::remove_all(m_temp, ec);
    }
  }

  Status run(const std::string& destination) {
    struct stat st {};
    if (::stat(m_archive.c_str(), &st) != 0) {
      Error e(ErrorCode::k_io, "cannot read archive " + m_archive + ": " + std::strerror(errno));
      if (errno == ENOENT) e.code = ErrorCode::k_not_found;
      return e;
    }
    Status target = prepare_target(destination);
    if (!target.ok()) return target;
    Status unpacked = unpack();
    if (!unpacked.ok()) return unpacked;
    return move_into_place();
  }

 private:
  Error refuse(const std::string& entry, const std::string& why) const {
    return Error(ErrorCode::k_invalid,
                 m_archive + ": entry '" + entry + "' escapes the target: " + why);
  }
  Error archive_error(struct archive* a, const std::string& what) const {
    const char* msg = archive_error_string(a);
    return Error(ErrorCode::k_invalid,
                 m_archive + ": " + what + ": " + (msg != nullptr ? msg : "unknown error"));
  }

  Status prepare_target(const std::string& destination) {
    fs::path dest = fs::absolute(destination).lexically_normal();
    if (!dest.has_filename()) dest = dest.parent_path();
    std::error_code ec;
    fs::file_status status = fs::symlink_status(dest, ec);
    if (fs::exists(status)) {
      if (!fs::is_directory(status) || !fs::is_empty(dest, ec) || ec) {
        return Error(ErrorCode::k_invalid, "cannot extract " + m_archive + " into " +
                                               dest.string() +
                                               ": it exists and is not an empty directory");
      }
    }
    fs::path parent = dest.parent_path();
    fs::create_directories(parent, ec);
    if (ec) {
      return Error(ErrorCode::k_io,
                   "cannot create directory " + parent.string() + ": " + ec.message());
    }
    // No symbolic link in the prefix: libarchive refuses to write through one.
    parent = fs::canonical(parent, ec);
    if (ec) return Error(ErrorCode::k_io, "cannot resolve " + dest.string() + ": " + ec.message());
    m_destination = parent / dest.filename();
    // One extraction per destination at a time (shared parts hold a lock):
    // a temporary already there is what a killed extraction left.
    fs::path temp = temporary_path(m_destination.string());
    fs::remove_all(temp, ec);
    if (ec) {
      return Error(ErrorCode::k_io,
                   "cannot remove the stale temporary " + temp.string() + ": " + ec.message());
    }
    if (::mkdir(temp.c_str(), 0777) != 0) {
      return Error(ErrorCode::k_io,
                   "cannot create directory " + temp.string() + ": " + std::strerror(errno));
    }
    m_temp = temp;
    return {};
  }

  // Rewrites `entry` to its place under the temporary directory, or returns
  // an Error; `skip` is set for entries with nothing to extract.
  Status place(struct archive_entry* entry, bool& skip) {
    skip = false;
    const char* raw = archive_entry_pathname(entry);
    std::string name = raw != nullptr ? raw : "";
    if (name.empty()) return Error(ErrorCode::k_invalid, m_archive + ": entry with no name");
    if (name[0] == '/') return refuse(name, "absolute path");
    Components parts = split(name);
    if (has_dotdot(parts)) return refuse(name, "'..' in the path");
    mode_t type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    bool is_dir = hardlink == nullptr && type == AE_IFDIR;
    if (m_options.strip == StripMode::k_always && !parts.empty()) {
      if (parts.size() == 1 && !is_dir) {
        return Error(ErrorCode::k_invalid,
                     m_archive + ": entry '" + name + "' is at the top level: nothing to strip");
      }
      if (m_top.empty()) {
        m_top = parts.front();
      } else if (parts.front() != m_top) {
        // As slapos.recipe.build and hexagonit.recipe.download: never merge
        // several top-level entries (their files would overwrite each other).
        return Error(ErrorCode::k_invalid,
                     m_archive +
                         ": Unable to strip top level directory because there are more than one "
                         "element in the root of the package ('" +
                         m_top + "' and '" + parts.front() + "')");
      }
      parts.erase(parts.begin());
    }
    if (parts.empty()) {  // "./" or a stripped top-level directory
      skip = true;
      return {};
    }
    std::string rel = join(parts);
    // Never write through a symbolic link extracted earlier.
    for (std::size_t n = 1; n < parts.size(); ++n) {
      std::string prefix = join(Components(parts.begin(), parts.begin() + static_cast<long>(n)));
      if (m_symlinks.count(prefix) != 0) {
        return refuse(name, "its path goes through the symbolic link '" + prefix + "'");
      }
    }
    Components dir(parts.begin(), parts.end() - 1);
    bool is_symlink = false;
    if (hardlink != nullptr) {
      std::string link = hardlink;
      if (link.empty() || link[0] == '/') return refuse(name, "hard link to '" + link + "'");
      Components target = split(link);
      if (has_dotdot(target)) return refuse(name, "hard link to '" + link + "'");
      if (m_options.strip == StripMode::k_always && !target.empty()) target.erase(target.begin());
      std::string target_rel = join(target);
      if (m_files.count(target_rel) == 0) {
        return refuse(name, "hard link to '" + link + "', which is not extracted before it");
      }
      is_symlink = m_symlinks.count(target_rel) != 0;
      archive_entry_set_hardlink(entry, (m_temp / target_rel).c_str());
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      std::string link = target != nullptr ? target : "";
      if (link.empty()) return refuse(name, "symbolic link with an empty target");
      if (link_escapes(m_temp, dir, link)) {
        return refuse(name, "symbolic link to '" + link + "' resolves outside the destination");
      }
      is_symlink = true;
    } else if (type != AE_IFREG && type != AE_IFDIR) {
      return Error(
          ErrorCode::k_invalid,
          m_archive + ": entry '" + name + "' is a special file (device, fifo or socket): refused");
    }
    if (!is_dir) m_files.insert(rel);
    if (is_symlink) {
      m_symlinks.insert(rel);
    } else {
      m_symlinks.erase(rel);
    }
    mode_t perm = archive_entry_perm(entry) & 0777;
    if (is_dir) perm |= 0700;
    archive_entry_set_perm(entry, perm);
    archive_entry_set_pathname(entry, (m_temp / rel).c_str());
    return {};
  }

  Status copy_data(struct archive* in, struct archive* out, const std::string& name) {
    for (;;) {
      const void* block = nullptr;
      std::size_t size = 0;
      la_int64_t offset = 0;
      int r = archive_read_data_block(in, &block, &size, &offset);
      if (r == ARCHIVE_EOF) return {};
      if (r < ARCHIVE_WARN) return archive_error(in, "cannot read entry '" + name + "'");
      if (archive_write_data_block(out, block, size, offset) < ARCHIVE_WARN) {
        Error e = archive_error(out, "cannot write entry '" + name + "'");
        e.code = ErrorCode::k_io;
        return e;
      }
    }
  }

  Status unpack() {
    ArchivePtr in(archive_read_new());
    DiskPtr out(archive_write_disk_new());
    if (!in || !out) return Error(ErrorCode::k_internal, m_archive + ": cannot create libarchive");
    archive_read_support_filter_all(in.get());
    archive_read_support_format_all(in.get());
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                  ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                  ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    if (archive_read_open_filename(in.get(), m_archive.c_str(), 64 * 1024) != ARCHIVE_OK) {
      return archive_error(in.get(), "cannot open archive");
    }
    for (;;) {
      struct archive_entry* entry = nullptr;
      int r = archive_read_next_header(in.get(), &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return archive_error(in.get(), "cannot read archive");
      const char* raw = archive_entry_pathname(entry);
      std::string name = raw != nullptr ? raw : "";
      bool skip = false;
      Status placed = place(entry, skip);
      if (!placed.ok()) return placed;
      if (skip) continue;
      if (archive_write_header(out.get(), entry) < ARCHIVE_WARN) {
        Error e = archive_error(out.get(), "cannot extract entry '" + name + "'");
        e.code = ErrorCode::k_io;
        return e;
      }
      if (archive_entry_size(entry) > 0) {
        Status copied = copy_data(in.get(), out.get(), name);
        if (!copied.ok()) return copied;
      }
      if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
        Error e = archive_error(out.get(), "cannot extract entry '" + name + "'");
        e.code = ErrorCode::k_io;
        return e;
      }
    }
    if (archive_write_close(out.get()) < ARCHIVE_WARN) {
      Error e = archive_error(out.get(), "cannot finish extraction");
      e.code = ErrorCode::k_io;
      return e;
    }
    return {};
  }

  // Every symbolic link under `root` must resolve inside it.
  Status check_links(const fs::path& root) const {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_symlink(ec)) continue;
      fs::path rel = it->path().lexically_relative(root);
      Components dir = split(rel.parent_path().string());
      std::string target = fs::read_symlink(it->path(), ec).string();
      if (ec) break;
      if (link_escapes(root, dir, target)) {
        return refuse(rel.string(),
                      "symbolic link to '" + target + "' resolves outside the destination");
      }
    }
    if (ec) return Error(ErrorCode::k_io, "cannot list " + root.string() + ": " + ec.message());
    return {};
  }

  Status move_into_place() {
    fs::path root = m_temp;
    std::error_code ec;
    if (m_options.strip == StripMode::k_if_single_dir) {
      std::vector<fs::path> top;
      for (fs::directory_iterator it(m_temp, ec), end; !ec && it != end; it.increment(ec)) {
        top.push_back(it->path());
      }
      if (ec) return Error(ErrorCode::k_io, "cannot list " + m_temp.string() + ": " + ec.message());
      if (top.size() == 1 && fs::is_directory(fs::symlink_status(top[0], ec))) root = top[0];
    }
    Status links = check_links(root);
    if (!links.ok()) return links;
    if (::rename(root.c_str(), m_destination.c_str()) != 0) {
      return Error(ErrorCode::k_io, "cannot rename " + root.string() + " to " +
                                        m_destination.string() + ": " + std::strerror(errno));
    }
    if (root != m_temp) {
      ::rmdir(m_temp.c_str());
    }
    m_temp.clear();
    return {};
  }

  std::string m_archive;
  ExtractOptions m_options;
  fs::path m_destination;
  fs::path m_temp;                   // removed by the destructor unless cleared
  std::set<std::string> m_files;     // non-directory entries extracted (relative)
  std::set<std::string> m_symlinks;  // the symbolic links among them
  std::string m_top;                 // k_always: the top-level entry being stripped
};

}  // namespace

Status extract(const std::string& archive_path, const std::string& destination,
               const ExtractOptions& options) {
  try {
    return Extraction(archive_path, options).run(destination);
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_io, "cannot extract " + archive_path + ": " + e.what());
  }
}

}  // namespace kiln::archive
