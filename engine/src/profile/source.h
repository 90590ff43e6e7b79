// Where profile text comes from: local files, URLs, git trees.
#pragma once

#include <string>

#include "kiln/error.h"

namespace kiln::profile {

// The loader asks a ProfileSource for the text of each file it opens.
// Implementations: DefaultSource (disk + libcurl + git), and in-memory fakes in tests.
class ProfileSource {
 public:
  virtual ~ProfileSource() = default;
  // Content of a local file (absolute path). k_not_found / k_io on failure.
  virtual Expected<std::string> read_file(const std::string& path) = 0;
  // Content of an http://, https:// or file:// URL, through the extends cache,
  // honouring offline mode (k_offline on a cache miss) and `newest`.
  virtual Expected<std::string> fetch_url(const std::string& url) = 0;
  // `git+<repo-url>@<ref>#<path-in-repo>`: makes the tree of <ref> (resolved to a
  // commit SHA) available on disk and returns the absolute local path of
  // <path-in-repo> inside it, so relative extends stay in the same commit.
  virtual Expected<std::string> git_checkout(const std::string& location) = 0;
};

}  // namespace kiln::profile
