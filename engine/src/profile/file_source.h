// A ProfileSource that reads local files only (URLs and git are errors).
// Used by the fuzzer, benchmarks and tests; DefaultSource adds the network.
#pragma once

#include "profile/source.h"

namespace kiln::profile {

class FileSource : public ProfileSource {
 public:
  Expected<std::string> read_file(const std::string& path) override;
  Expected<std::string> fetch_url(const std::string& url) override;
  Expected<std::string> git_checkout(const std::string& location) override;
};

// Reads a whole local file; k_not_found or k_io with the OS reason.
Expected<std::string> read_local_file(const std::string& path);

}  // namespace kiln::profile
