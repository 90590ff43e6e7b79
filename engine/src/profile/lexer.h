// The buildout INI dialect, read exactly as zc.buildout's configparser.parse
// reads it (see docs/profile-syntax.md): headers `[name]` / `[name:expr]`,
// `name = value`, `name += value`, `name -= value`, `<= a`, `=> a b`, comment
// lines, both continuation modes, reopened sections, lines of any length.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"

namespace kiln::profile {

struct ParsedOption {
  std::string key;    // as written, operator included: "x", "x +", "x-", "<"
  std::string value;  // after continuation handling and dedent
  int line = 0;       // line of the `key = ...` line (1-based)
};

struct ParsedSection {
  std::string name;
  int line = 0;                       // line of the first header that opened it
  std::vector<ParsedOption> options;  // first-assignment order; last value wins
};

// One file, before extends and merging. Sections in first-seen order.
struct ParsedFile {
  std::vector<ParsedSection> sections;

  ParsedSection* find(std::string_view name);
  const ParsedSection* find(std::string_view name) const;
};

// Decides a conditional header. `source` is `[` + expr + `]` + tail comment, as
// buildout hands it to Python's eval; the callee returns the truth of element 0.
using ConditionFn = std::function<Expected<bool>(std::string_view source, int line)>;

// Parses `text` (any line endings: \n, \r\n, \r). `filename` is used in errors
// only. Errors (code k_parse, or the condition's): text before the first
// header, and every bad line (all are reported, one per line of the message).
Expected<ParsedFile> parse_profile(std::string_view text, const std::string& filename,
                                   const ConditionFn& condition);

}  // namespace kiln::profile
