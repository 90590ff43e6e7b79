#include "build/host_services.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "archive/extract.h"
#include "process/run.h"

namespace kiln::build {

namespace {

net::DownloadOptions download_options(const HostServicesOptions& o) {
  net::DownloadOptions d;
  d.cache_dir = o.cache_dir;
  d.offline = o.offline;
  d.newest = o.newest;
  d.fetch.max_size = std::size_t{64} << 30;  // release tarballs can be large
  return d;
}

}  // namespace

RealHostServices::RealHostServices(const HostServicesOptions& options)
    : m_download(download_options(options)), m_env(process::current_environment()) {
  // Recipes that run kiln again (switch-softwaretype's nested build) use
  // this very binary.
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) m_env["KILN_BINARY"] = self.string();
}

Status RealHostServices::download(const std::string& url, const std::string& md5,
                                  const std::string& sha256, const std::string& destination,
                                  recipe::PartLog& log) {
  net::Checksum sum;
  sum.md5 = md5;
  sum.sha256 = sha256;
  net::DownloadOptions o = m_download;
  // Progress of long downloads, every 2 s: on the console when it is a
  // terminal, in the part's log always.
  int level = ::isatty(1) ? KILN_LOG_INFO : KILN_LOG_DEBUG;
  auto last = std::chrono::steady_clock::now();
  o.progress = [&](std::uint64_t done, std::uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(2)) return;
    last = now;
    std::string line = "downloading " + url + ": " + std::to_string(done >> 10) + " KiB";
    if (total > 0) line += " of " + std::to_string(total >> 10) + " KiB";
    log.write(level, line);
  };
  return net::Downloader(std::move(o)).download(url, sum, destination);
}

Status RealHostServices::extract(const std::string& archive, const std::string& destination,
                                 int strip_mode) {
  archive::ExtractOptions o;
  o.strip = strip_mode == KILN_STRIP_ALWAYS          ? archive::StripMode::k_always
            : strip_mode == KILN_STRIP_IF_SINGLE_DIR ? archive::StripMode::k_if_single_dir
                                                     : archive::StripMode::k_never;
  return archive::extract(archive, destination, o);
}

Expected<int> RealHostServices::run(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& extra_env,
                                    const std::string& cwd, recipe::PartLog& log) {
  process::RunRequest req;
  req.argv = argv;
  req.env = m_env;
  for (const std::string& kv : extra_env) {
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    req.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  req.cwd = cwd;
  req.on_line = [&log](std::string_view line) { log.write(KILN_LOG_DEBUG, line); };
  Expected<process::RunResult> r = process::run(req);
  if (!r.ok()) return r.error();
  if (r->signal) return 128 + r->signal;
  return r->exit_code;
}

}  // namespace kiln::build
