// Loading a profile and its `extends` closure into one Config, as
// zc.buildout's _open does: the first extended file is the base, each later
// one overrides it, the file's own content overrides them all; a file reached
// twice is merged at each place; only the current include chain is a cycle.
//
// Each file is read, parsed and merged once (memoised by normalised location).
// `${:_profile_base_location_}` depends on the (un-normalised) path by which a
// file is reached, so memoised results hold it as kPblMarker + a directory
// suffix relative to the file's own directory, rewritten on each use.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kiln/error.h"
#include "profile/lexer.h"
#include "profile/model.h"
#include "profile/source.h"

namespace kiln::profile {

// Deepest include chain accepted (the reference stops at Python's recursion
// limit, ~300 levels); guards the stack.
inline constexpr std::size_t k_max_extends_depth = 1000;

inline constexpr std::string_view k_pbl_marker{"\0PBL\0", 5};
inline constexpr std::string_view k_pbl_text{"${:_profile_base_location_}"};

// zc.buildout's _isurl: `^[a-zA-Z0-9+.-]+://`.
bool is_url(std::string_view s);

// Stats for benchmarks and tests.
struct LoadStats {
  int files = 0;  // distinct files read and parsed
  int opens = 0;  // uses of a file in the extends graph
};

class Loader {
 public:
  // `source`, `condition` and `symbols` must outlive the Loader.
  Loader(ProfileSource& source, ConditionFn condition, SymbolTable& symbols, bool track_history);

  // The merged content of `location` (absolute path or URL) and its extends.
  Expected<Config> load(const std::string& location);
  const LoadStats& stats() const { return m_stats; }

 private:
  struct Opened {
    std::shared_ptr<const Config> config;  // relative to `dir`
    std::string dir;                       // un-normalised directory or URL base
  };
  struct Link {  // where an extends was written, for error messages
    std::string file;
    int line = 0;
  };

  Expected<Opened> open(const std::string& base, const std::string& filename, const Link& from);
  Expected<std::shared_ptr<const Config>> build(const std::string& key, const std::string& dir,
                                                std::string_view text);
  Expected<Config> parse_own(const std::string& key, std::string_view text, std::string* extends,
                             int* extends_line);
  Config instantiate(const Opened& opened, const std::string& parent_dir) const;

  ProfileSource& m_source;
  ConditionFn m_condition;
  SymbolTable& m_symbols;
  bool m_track;
  std::unordered_map<std::string, std::shared_ptr<const Config>> m_memo;
  std::vector<std::string> m_chain;  // normalised keys being loaded
  std::vector<Link> m_chain_links;
  LoadStats m_stats;
};

}  // namespace kiln::profile
