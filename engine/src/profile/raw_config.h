// The merged profile as plain strings (zc.buildout's `_raw` after
// _unannotate), with the file:line each value was last set at.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "profile/model.h"

namespace kiln::profile {

struct RawEntry {
  std::string key;
  std::string value;
  Origin origin;
};

struct RawSection {
  std::string name;
  std::vector<RawEntry> entries;  // insertion order

  const RawEntry* find(std::string_view key) const;
  RawEntry* find(std::string_view key);
  void set(std::string_view key, std::string value, Origin origin);
  void erase(std::string_view key);
};

class RawConfig {
 public:
  RawSection* find(std::string_view name);
  const RawSection* find(std::string_view name) const;
  RawSection& add(std::string name);  // REQUIRES: !find(name)
  const std::vector<RawSection>& sections() const { return m_sections; }
  std::vector<RawSection>& sections() { return m_sections; }

 private:
  std::vector<RawSection> m_sections;
  std::unordered_map<std::string, std::size_t> m_index;
};

// Unannotate: Config -> RawConfig.
RawConfig to_raw(const Config& config, const SymbolTable& symbols);

// Canonical result: sorted sections and options, and per-option errors.
struct Resolved {
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::map<std::string, std::string> errors;  // "section:option" -> reason
};

}  // namespace kiln::profile
