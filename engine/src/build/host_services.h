// The real side effects behind recipe::HostServices: libcurl downloads with
// the shared cache, libarchive extraction, child processes.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "net/downloader.h"
#include "recipe/part_context.h"

namespace kiln::build {

struct HostServicesOptions {
  std::string cache_dir;  // download cache root ("" = none)
  bool offline = false;
  bool newest = true;  // without a checksum, try the network before the cache
};

class RealHostServices : public recipe::HostServices {
 public:
  explicit RealHostServices(const HostServicesOptions& options);
  Status download(const std::string& url, const std::string& md5, const std::string& sha256,
                  const std::string& destination, recipe::PartLog& log) override;
  Status extract(const std::string& archive, const std::string& destination,
                 int strip_mode) override;
  Expected<int> run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                    const std::string& cwd, recipe::PartLog& log) override;

 private:
  net::DownloadOptions m_download;
  std::map<std::string, std::string> m_env;  // the environment kiln started with
};

}  // namespace kiln::build
