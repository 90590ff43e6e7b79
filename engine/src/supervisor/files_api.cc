// The writing side of the public supervisor API (kiln/supervisor.h): writing
// services.json, scanning a partition's etc/service and etc/run. Client only:
// the paths and read_service_set() are in service_files.cc (daemon side too).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "kiln/supervisor.h"
#include "supervisor/service_set.h"
#include "util/atomic_file.h"
#include "util/hash.h"

namespace kiln {

namespace {

Expected<std::string> file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::k_io, "cannot read: " + std::string(std::strerror(errno)), path);
  util::Sha256 digest;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    digest.update(std::string_view(buf, static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return Error(ErrorCode::k_io, "read error", path);
  return digest.hex_digest();
}

// Appends the executables of `dir` (kind `kind`) to `out`.
Status scan_directory(const std::string& dir, const std::string& kind,
                      const std::string& partition_dir, const std::string& partition_id,
                      std::vector<ServiceSpec>* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] != '.') names.push_back(name);
  }
  if (ec) return Error(ErrorCode::k_io, "cannot list: " + ec.message(), dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(path.c_str(), X_OK) != 0) continue;
    Expected<std::string> hash = file_sha256(path);
    if (!hash.ok()) return hash.error();
    ServiceSpec s;
    s.name = partition_id + ":" + name;
    s.partition = partition_id;
    s.path = path;
    s.kind = kind;
    s.hash = *hash;
    s.cwd = partition_dir;
    out->push_back(std::move(s));
  }
  return {};
}

}  // namespace

Status write_service_set(const std::string& root, const std::vector<ServiceSpec>& services) {
  Status valid = supervisor::validate_service_set(services);
  if (!valid.ok()) return valid;
  return util::write_file_atomic(service_set_path(root), supervisor::service_set_json(services));
}

Expected<std::vector<ServiceSpec>> scan_partition_services(const std::string& partition_dir,
                                                           const std::string& partition_id) {
  std::string base = std::filesystem::absolute(partition_dir).lexically_normal().string();
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<ServiceSpec> out;
  Status s = scan_directory(base + "/etc/service", "service", base, partition_id, &out);
  if (!s.ok()) return s.error();
  s = scan_directory(base + "/etc/run", "run", base, partition_id, &out);
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace kiln
